"""Batches in worker processes: the same results, in the same order, as a serial run; the audit trail
written by one process only; inputs listed, not read, before rating."""
from __future__ import annotations

import pandas as pd
import pytest

from engine.audit.store import AuditStore
from engine.batch.run import collect, evaluate_batch

from . import golden


@pytest.fixture(scope="module")
def england(tmp_path_factory):
    folder = tmp_path_factory.mktemp("england")
    for code, text in golden.synthetic_texts().items():
        (folder / f"{code}.yaml").write_text(text, encoding="utf-8")
    (folder / "broken.yaml").write_text("authority: {name: Nowhere}\nyear: 2009\nsettings: {playgrounds: {grade: good}}\n")
    return folder


def test_two_workers_give_the_serial_results_in_the_same_order(england):
    serial = evaluate_batch([england], workers=1)
    parallel = evaluate_batch([england], workers=2)
    pd.testing.assert_frame_equal(serial.results, parallel.results)
    assert len(serial.results) == 152
    assert [(f.source, [str(p) for p in f.problems]) for f in serial.failures] == \
           [(f.source, [str(p) for p in f.problems]) for f in parallel.failures]
    assert serial.failures[0].problems[0].code == "unknown-setting-type"


def test_with_workers_every_evaluation_is_recorded_once_in_order_by_one_writer(england, tmp_path):
    store = tmp_path / "audit.sqlite"
    result = evaluate_batch([england], workers=2, audit=store)
    with AuditStore(store) as audit:
        records = audit.records()
        assert audit.verify().ok
    assert [r.record_id for r in records] == result.results["audit_record"].tolist()
    assert [r.authority for r in records] == result.results["authority"].tolist()


def test_folders_are_listed_not_read_before_rating(england, monkeypatch):
    sources, failures = collect([england])
    assert failures == [] and len(sources) == 153
    assert all(source.text is None for source in sources)  # each file is read when its chunk is rated
