"""The workflows the command line calls, from Python, in the packages that own them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from graph import retention
from graph.access import Role, Viewer, command_line
from graph.analysis.evaluate import NoRun, Truth, TruthError, evaluate_latest
from graph.analysis.run import analyse, document
from graph.audit import AuditLog
from graph.retention import Policy
from graph.store import Store
from ingest.load import ingest_deliveries
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate
from tests.helpers import INCIDENTS, PURPOSE, basic_files, delivery

KEY = TeamKey("demo", DEMO_KEY)


def test_several_deliveries_in_turn_give_one_status(store: Store, tmp_path: Path) -> None:
    good = delivery(tmp_path / "good", basic_files())
    files = basic_files(**{"incidents.csv": INCIDENTS + "I9,pickpocketing,not-a-date,L1,\n"})
    bad = delivery(tmp_path / "bad", files)
    refused = delivery(tmp_path / "refused", basic_files(), manifest={"format": "exchange/9"})
    made: list[int] = []

    def progress() -> object:
        from ingest.load import Progress
        made.append(1)
        return Progress()

    assert ingest_deliveries(store, [good], KEY).status == 0
    partly = ingest_deliveries(store, [good, bad], KEY, progress)  # type: ignore[arg-type]
    assert (partly.status, partly.stopped, len(made)) == (1, None, 2)
    assert ingest_deliveries(store, [good, refused], KEY).status == 2


def test_truth_files_and_the_latest_run(store: Store, tmp_path: Path) -> None:
    for text in ("not json", json.dumps({"exploiters": []}), json.dumps([1, 2])):
        (tmp_path / "truth.json").write_text(text)
        with pytest.raises(TruthError) as info:
            Truth.load(tmp_path / "truth.json")
        assert str(tmp_path / "truth.json") in str(info.value)
    with pytest.raises(TruthError):
        Truth.load(tmp_path / "missing.json")
    truth = generate(tmp_path / "s", seed=5, scale=0.1, key=KEY)
    known = Truth.load(tmp_path / "s" / "truth.json")
    assert known.positives == set(truth["exploiters"]) | set(truth["helpers"])
    with pytest.raises(NoRun):
        evaluate_latest(store, known)
    deliveries = sorted(p for p in (tmp_path / "s").iterdir() if p.is_dir())
    assert ingest_deliveries(store, deliveries, KEY).status == 0
    result = analyse(store, top=5)
    doc = document(result)
    assert doc["run"]["id"] == result.run["id"]
    assert [c["rank"] for c in doc["candidates"]] == list(range(1, len(result.candidates) + 1))
    assert len(doc["structures"]) == len(result.structures)
    scored = evaluate_latest(store, known)
    assert scored.run_id == result.run["id"]
    assert [r.method for r in scored.results] == ["schakel", "degree to minors", "betweenness"]
    assert scored.results[0].k == len(known.positives)


def test_reading_the_audit_log_is_itself_recorded(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit")
    ann = Viewer("ann", Role.ANALYST, purpose=PURPOSE)
    log.record(ann, "explore.details", {"id": "x"}, records=1, persons=["p-1"])
    log.record(ann, "explore.details", {"id": "y"}, records=1, persons=["p-2"])
    entries, problems = log.history(command_line("Z-9", "who looked"), person="p-1")
    assert problems == [] and [e["persons"] for e in entries] == [["p-1"]]
    last = list(log.entries())[-1]
    assert (last["action"], last["case"], last["records"]) == ("audit.show", "Z-9", 1)
    assert last["persons"] == ["p-1"]


def test_terms_and_an_audited_removal(store: Store, tmp_path: Path) -> None:
    ingest_deliveries(store, [delivery(tmp_path, basic_files())], KEY)
    policy = Policy.from_text(None)
    (term,) = retention.terms(store, policy)
    assert term.days == policy.days(term.partner, term.kind)
    assert (term.expires - term.extracted).days == term.days
    assert term.due(term.expires) and not term.due(date.fromordinal(term.expires.toordinal() - 1))
    before = sum(1 for _ in store.audit.entries())
    retention.apply(store, policy, today=term.expires, dry_run=True)
    assert sum(1 for _ in store.audit.entries()) == before  # nothing removed, nothing logged
    report = retention.apply(store, policy, today=term.expires,
                             viewer=command_line("-", "retention"))
    last = list(store.audit.entries())[-1]
    assert last["action"] == "retention.apply" and last["user"].startswith("cli:")
    assert last["what"]["deliveries"] == [term.delivery]
    assert last["what"]["removed"] == report.removed
