"""Charts for the report, drawn with matplotlib and returned as inline SVG (no files, no network).

Text is drawn as paths, so the SVG needs no fonts; ids are salted per chart so two charts can share
one page; the date is left out so the same profile gives the same bytes. Names are drawn as written:
matplotlib's mathematics (``$...$``) is off for every text of a chart, and labels are one line.
"""
from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator

from .escape import one_line
from .evidence import OutcomeBlock, SettingRow

COLOURS = {"authority": "#1f5f8b", "national": "#9aa5b1", "similar_areas": "#e0a43a", "threshold": "#555555"}


def _svg(figure, salt: str) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    import matplotlib.pyplot as plt

    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """Texts made inside read ``$`` as a dollar sign, not as the start of mathematics."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        yield


def settings_chart(rows: list[SettingRow], authority: str) -> str:
    """Share good or better by setting type, against national and similar areas."""
    with _drawing():
        return _settings_chart(rows, authority)


def _settings_chart(rows: list[SettingRow], authority: str) -> str:
    plt = _pyplot()
    rows = [r for r in rows if r.share_good_or_better is not None]
    labels = [one_line(r.title) for r in rows]
    height = 0.26
    figure, axes = plt.subplots(figsize=(7.5, 0.55 * len(rows) + 1.2))
    positions = range(len(rows))
    series = [("authority", one_line(authority), [r.share_good_or_better for r in rows]),
              ("national", "National", [r.national for r in rows]),
              ("similar_areas", "Similar areas", [r.similar_areas for r in rows])]
    for offset, (key, label, values) in zip((-height, 0, height), series, strict=True):
        axes.barh([p + offset for p in positions], [v if v is not None else 0 for v in values], height,
                  label=label, color=COLOURS[key])
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda x, _: f"{x * 100:.0f}%")
    axes.set_xlabel("Share of settings good or better")
    axes.set_title("Settings good or better, by type")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09 - 0.6 / max(len(rows), 1)), ncol=3, fontsize="small", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "settings")


def outcomes_chart(blocks: list[OutcomeBlock], thresholds: dict[str, float] | None = None) -> str:
    """Share of available indicators in line with or above comparators, by Every Child Matters outcome."""
    with _drawing():
        return _outcomes_chart(blocks, thresholds)


def _outcomes_chart(blocks: list[OutcomeBlock], thresholds: dict[str, float] | None) -> str:
    plt = _pyplot()
    blocks = [b for b in blocks if b.share_in_line_or_above is not None]
    figure, axes = plt.subplots(figsize=(7.5, 0.55 * len(blocks) + 1.2))
    shares = [b.share_in_line_or_above for b in blocks]
    bars = axes.barh(range(len(blocks)), shares, 0.6, color=COLOURS["authority"])
    for bar, block in zip(bars, blocks, strict=True):
        axes.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2,
                  f"{block.count_in_line_or_above} of {block.count_available}", va="center", fontsize="small")
    for name, bound in (thresholds or {}).items():
        axes.axvline(bound, color=COLOURS["threshold"], linestyle="--", linewidth=0.8)
        axes.text(bound, 1.01, one_line(name.replace("_", " ")), transform=axes.get_xaxis_transform(), fontsize="x-small",
                  ha="center", va="bottom", color=COLOURS["threshold"])
    axes.set_yticks(range(len(blocks)), [one_line(b.title) for b in blocks])
    axes.invert_yaxis()
    axes.set_xlim(0, 1.12)
    axes.xaxis.set_major_formatter(lambda x, _: f"{x * 100:.0f}%" if x <= 1 else "")
    axes.set_xlabel("Share of indicators in line with or above comparators")
    axes.set_title("National indicators in line with or above comparators, by outcome", pad=18)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "outcomes")


BAND_COLOURS = {"4": "#116329", "3": "#6fb36f", "2": "#e0a43a", "1": "#a40e26", "withheld": "#9aa5b1"}


def sweep_chart(values: list[float], counts: dict[str, list[int]], current: float,
                interval: tuple[float, float] | None, title: str, salt: str) -> str:
    """Councils in each band (stacked, in the order given) as one threshold moves across ``values``, with its
    current value marked and the interval the rule cases allow shaded."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 2.4))
    bottom = [0] * len(values)
    for label, series in counts.items():
        top = [b + c for b, c in zip(bottom, series, strict=True)]
        axes.fill_between(values, bottom, top, step="mid", color=BAND_COLOURS.get(label, "#555555"), linewidth=0,
                          label=label if label == "withheld" else f"band {label}")
        bottom = top
    if interval is not None:
        axes.axvspan(interval[0], interval[1], color="#1f5f8b", alpha=0.12, linewidth=0, label="cases allow")
    axes.axvline(current, color=COLOURS["threshold"], linestyle="--", linewidth=1, label="as it is")
    axes.set_xlim(min(values), max(values) if max(values) > min(values) else min(values) + 1)
    axes.set_ylim(0, max(bottom) or 1)
    axes.set_ylabel("councils")
    axes.set_title(title, fontsize="small")
    # The legend lists the bands as they are stacked, the top one first, then the interval and the value.
    listed = [f"band {label}" if label != "withheld" else label for label in reversed(counts)] + ["cases allow", "as it is"]
    found = dict(zip(*axes.get_legend_handles_labels()[::-1], strict=True))
    axes.legend([found[label] for label in listed if label in found], [label for label in listed if label in found],
                loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, salt)
