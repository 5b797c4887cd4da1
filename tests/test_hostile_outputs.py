"""What the engine writes, safely (issue 9): every file whole or not at all and only inside the folder given;
text from a file can never pass for the engine's own lines or markup; spreadsheets carry no live formula;
charts never read a name as mathematics."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from engine import evaluate_file
from engine.errors import WriteError
from engine.ingest.tables import write_table
from engine.render.markdown import render_report_markdown
from engine.render.review import review
from engine.render.text import render_text
from engine.writing import write_file, write_files

from .conftest import EXAMPLES, ROOT

FORGED = "Evidence reviewed.\n  Final band      4 (performs excellently)\n# Heading <script>alert(1)</script>"


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _camden(**authority) -> dict:
    data = yaml.safe_load((EXAMPLES / "camden.yaml").read_text(encoding="utf-8"))
    data["authority"].update(authority)
    return data


# --- Text that could forge a line or markup ---------------------------------------------------------

def test_a_reason_over_several_lines_cannot_print_a_second_final_band_line(run_cli, examples):
    code, out, err = run_cli("evaluate", examples / "cambridgeshire.yaml", "--no-audit", "--override-band", "4",
                             "--assessor", "A. Assessor", "--reason", FORGED)
    assert code == 0, err
    lines = out.splitlines()
    assert [line for line in lines if line.lstrip().startswith("Final band")] == [" " * 20 + "Final band      4 (performs excellently)",
                                                                                 "  Final band      4 (performs excellently)"]
    assert [line for line in lines if line.startswith("  Final band")] == ["  Final band      4 (performs excellently)"]
    assert not any(line.startswith("#") for line in lines)


def test_text_from_an_old_record_with_escapes_and_newlines_is_shown_without_them(examples):
    """A stored decision (an audit record written before these checks, say) is rendered safely all the same."""
    decision = evaluate_file(examples / "camden.yaml")
    decision = decision.model_copy(update={"authority": "Camden\x1b[2J\nFinal band      1 (performs poorly)"})
    text = render_text(decision)
    assert "\x1b" not in text
    assert text.splitlines()[0] == "Children's services annual rating 2009: Camden[2J"
    assert text.splitlines()[1] == "    Final band      1 (performs poorly)"


def test_the_markdown_report_shows_a_reason_as_text_never_as_html_or_structure(examples, tmp_path, run_cli):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text(yaml.safe_dump({"band": 4, "assessor": "[A. Assessor](http://evil.example)", "reason": FORGED}), encoding="utf-8")
    code, out, err = run_cli("report", examples / "cambridgeshire.yaml", "--format", "markdown", "--judgement", judgement)
    assert code == 0, err
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "\\[A. Assessor\\](http\\://evil.example)" in out  # a link's brackets, and the autolink's colon, escaped
    assert [line for line in out.splitlines() if line.startswith("# ")] == ["# Children's services annual rating 2009: Cambridgeshire County Council"]
    assert "Evidence reviewed.<br>  Final band      4 (performs excellently)<br>\\# Heading" in out


def test_the_letter_escapes_the_reason_for_each_medium_and_keeps_its_own_emphasis(examples, tmp_path, run_cli):
    judgement = tmp_path / "judgement.yaml"
    judgement.write_text(yaml.safe_dump({"band": 4, "assessor": "A. *Assessor*", "reason": FORGED}), encoding="utf-8")
    code, markdown, _ = run_cli("letter", examples / "cambridgeshire.yaml", "--judgement", judgement)
    assert code == 0
    assert "*Every Child Matters*" in markdown  # the wording's own Markdown
    assert "A. \\*Assessor\\*" in markdown and "<script>" not in markdown and "\n# Heading" not in markdown
    code, html, _ = run_cli("letter", examples / "cambridgeshire.yaml", "--judgement", judgement, "--format", "html")
    assert code == 0
    assert "<em>Every Child Matters</em>" in html and "A. *Assessor*" in html and "<em>Assessor</em>" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html


# --- Charts --------------------------------------------------------------------------------------------

def test_a_dollar_in_an_authority_name_is_drawn_as_a_dollar_not_as_mathematics(run_cli, tmp_path):
    """Regression: matplotlib read '$\\undefined$' as mathematics and failed; the report now draws it as text."""
    profile = _write(tmp_path / "dollar.yaml", _camden(name="Camden $\\undefined{x}$ and $5"))
    code, out, err = run_cli("report", profile, "-o", tmp_path / "dollar.html")
    assert code == 0, err
    assert "Camden $\\undefined{x}$ and $5" in (tmp_path / "dollar.html").read_text(encoding="utf-8")


def test_a_report_on_a_profile_without_settings_is_drawn(run_cli, tmp_path):
    data = _camden()
    data["settings"] = {}
    profile = _write(tmp_path / "no-settings.yaml", data)
    for output_format in ("html", "markdown"):
        code, _, err = run_cli("report", profile, "--format", output_format, "-o", tmp_path / f"report.{output_format}")
        assert code == 0, err


# --- Spreadsheets ---------------------------------------------------------------------------------------

FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "=HYPERLINK(\"http://evil.example\")"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_batch_results_carry_no_live_formula(run_cli, tmp_path, suffix):
    folder = tmp_path / "profiles"
    folder.mkdir()
    for n, name in enumerate(FORMULAS):
        _write(folder / f"p{n}.yaml", _camden(name=name, code=f"F{n}"))
    output = tmp_path / f"results{suffix}"
    code, _, err = run_cli("batch", folder, "-o", output, "--no-audit")
    assert code == 0, err
    if suffix == ".csv":
        cells = pd.read_csv(output, dtype=str)["authority"].tolist()
    else:
        sheet = openpyxl.load_workbook(output).active
        column = [cell.value for cell in sheet[1]].index("authority")
        assert all(row[column].data_type == "s" for row in sheet.iter_rows(min_row=2))  # text, never a formula
        cells = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(cells) == sorted("'" + name for name in FORMULAS)


def test_a_control_character_or_carriage_return_in_a_cell_neither_splits_a_row_nor_aborts_excel(tmp_path):
    frame = pd.DataFrame({"authority": ["Bell\x07 End", "Carriage\rReturn", "\t=cmd"], "final_band": [1, 2, 3]})
    write_table(frame, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines() == [
        "authority,final_band", "Bell End,1", "CarriageReturn,2", "'=cmd,3"]
    write_table(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Bell End", "CarriageReturn", "'=cmd"]


def test_profiles_built_to_a_table_carry_no_live_formula(run_cli, tmp_path):
    from engine.ingest.synthetic import write

    paths = write(tmp_path / "england", seed=5, councils=3)
    councils = pd.read_csv(paths["councils"], dtype=str)
    councils.loc[0, "LA name"] = "=2+5"
    councils.to_csv(paths["councils"], index=False)
    code, _, err = run_cli("profiles", "build", "--councils", paths["councils"], "--settings", paths["settings"], "--indicators",
                           paths["indicators"], "--neighbours", paths["neighbours"], "--columns", paths["config"], "-o",
                           tmp_path / "profiles.csv")
    assert code == 0, err
    assert "'=2+5" in pd.read_csv(tmp_path / "profiles.csv", dtype=str)["authority.name"].tolist()


# --- Where files go, and whole or not at all --------------------------------------------------------------

@pytest.mark.parametrize("code", ["../escaped", "/tmp/engine-absolute-escape", "a/b", "x" * 10_000, "E09 000"])
def test_profiles_build_never_writes_where_a_council_code_points(run_cli, tmp_path, code):
    from engine.ingest.synthetic import write

    paths = write(tmp_path / "england", seed=7, councils=3)
    councils = pd.read_csv(paths["councils"], dtype=str)
    first = councils.loc[0, "LA code"]
    for name in ("councils", "settings", "indicators"):
        table = pd.read_csv(paths[name], dtype=str)
        table["LA code"] = table["LA code"].replace(first, code)
        table.to_csv(paths[name], index=False)
    output = tmp_path / "out" / "profiles"
    before = set(tmp_path.rglob("*")) | set(Path("/tmp").glob("engine-absolute-escape*"))
    exit_code, _, err = run_cli("profiles", "build", "--councils", paths["councils"], "--settings", paths["settings"], "--indicators",
                                paths["indicators"], "--neighbours", paths["neighbours"], "--columns", paths["config"], "-o", output)
    assert exit_code == 2 and "Traceback" not in err
    assert f"{paths['councils']}:2:1: record-invalid: council code '{code[:40]}" in err
    written = set(tmp_path.rglob("*")) | set(Path("/tmp").glob("engine-absolute-escape*"))
    assert {p for p in written - before if not p.is_relative_to(output) and p not in output.parents} == set()
    assert sorted(p.name for p in output.iterdir()) == sorted(f"{c}.yaml" for c in councils["LA code"][1:])


def test_a_folder_of_profiles_is_written_all_or_none(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = os.fsync

    def disk_full_on_the_third(descriptor):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(descriptor)

    monkeypatch.setattr(os, "fsync", disk_full_on_the_third)
    folder = tmp_path / "profiles"
    with pytest.raises(WriteError) as caught:
        write_files({folder / f"P{n}.yaml": f"n: {n}\n" for n in range(5)}, inside=folder)
    (problem,) = caught.value.problems
    assert problem.code == "write-failed" and "No space left on device" in problem.message
    assert list(folder.iterdir()) == []  # none renamed into place, and no temporary file left


def test_a_file_is_never_written_outside_the_folder_given(tmp_path):
    folder = tmp_path / "inside"
    for escape in ("../outside.yaml", "/tmp/outside.yaml", "sub/../../outside.yaml"):
        with pytest.raises(WriteError) as caught:
            write_files({folder / escape: "x"}, inside=folder)
        assert "refusing to write outside the folder" in caught.value.problems[0].message
    assert not (tmp_path / "outside.yaml").exists()


def test_an_unwritable_output_is_refused_before_a_batch_is_rated(run_cli, tmp_path, audit_store_in_tmp):
    (tmp_path / "afile").write_text("a file, not a folder")
    code, out, err = run_cli("batch", EXAMPLES, "-o", tmp_path / "afile" / "results.csv")
    assert code == 2 and out == ""
    assert err == f"{tmp_path / 'afile' / 'results.csv'}:1:1: write-failed: cannot make the folder {tmp_path / 'afile'}: {tmp_path / 'afile'} is a file\n"
    assert not audit_store_in_tmp.exists()  # nothing was rated, so nothing recorded


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere: a folder without write permission cannot be made here")
def test_a_folder_without_write_permission_is_refused_before_a_batch_is_rated(run_cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, _, err = run_cli("batch", EXAMPLES, "-o", locked / "results.csv", "--no-audit")
    assert code == 2 and err.startswith(f"{locked / 'results.csv'}:1:1: write-failed: no permission to write in {locked}")


def test_a_report_on_a_nearly_full_disk_leaves_the_old_file_whole(tmp_path):
    """The disk is made nearly full for one process with RLIMIT_FSIZE (writes past 20 KB fail with EFBIG, as a
    write to a full disk fails with ENOSPC); the report is larger, so writing it fails part-way."""
    output = tmp_path / "camden.html"
    output.write_text("the previous report", encoding="utf-8")
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))\n"
              "from engine.cli import main\n"
              f"main(['report', {str(EXAMPLES / 'camden.yaml')!r}, '-o', {str(output)!r}, '--no-audit'])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"{output}:1:1: write-failed: cannot write the file: File too large; nothing was written")
    assert output.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["camden.html"]  # no temporary file left


def test_a_written_file_gets_the_usual_permissions(tmp_path):
    path = write_file(tmp_path / "out.txt", "text")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_markdown_report_of_a_stored_decision_with_markup_in_its_name_escapes_it(examples):
    reviewed = review(examples / "camden.yaml")
    decision = reviewed.decision.model_copy(update={"authority": "<img src=x onerror=alert(1)> | # *x*"})
    text = render_report_markdown(type(reviewed)(reviewed.loaded, reviewed.ruleset, decision, reviewed.measures))
    assert text.splitlines()[0] == "# Children's services annual rating 2009: &lt;img src=x onerror=alert(1)&gt; \\| # \\*x\\*"
