"""Case reports (graph/case_report.py, dashboard/report.py, `schakel report`): the PDF opens
and holds the case number, the evidence with its provenance and the disclaimer; the HTML
loads nothing and shows hostile text as text; every report is logged; a care partner's
user gets a report only on a finding shared with its team, without the minors."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from dashboard import report as render
from dashboard.text import marker_name
from graph import case_report, overview
from graph.access import Purpose, Role, Viewer
from graph.analysis import counter
from graph.settings import Settings
from i18n import speaking
from schakel.cli import app
from tests.conftest import Scenario
from tests.helpers import cli_env

PURPOSE = Purpose("OM-2026-0173", "request of the public prosecutor")
IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)
SHELTER = Viewer("sam", Role.PARTNER, ("care",), "shelter-jeugdzorg", PURPOSE)


def top_finding(scenario: Scenario) -> dict:
    return overview.findings(scenario.store, IVO, scenario.run_id, limit=1)[0]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_holds_the_case_the_evidence_and_the_disclaimer(scenario: Scenario) -> None:
    finding = top_finding(scenario)
    with speaking("en"):
        made = case_report.read(scenario.store, IVO, finding["finding"])
        data = render.to_pdf(made)
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data).split())
    assert "OM-2026-0173" in text and "a lead, not a verdict" in text
    assert "It is not a verdict" in text
    assert made.evidence and made.evidence[0].sources, "evidence carries its provenance"
    source = made.evidence[0].sources[0]
    assert source["delivery"].startswith(source["partner"] + ":")
    assert source["partner"] in text
    assert made.minors and made.timeline and made.structure is not None
    assert PdfReader(io.BytesIO(data)).metadata.subject == "Case OM-2026-0173"
    entry = [json.loads(line) for line in scenario.store.audit.path.read_text().splitlines()
             if json.loads(line)["action"] == "report.make"][-1]
    assert entry["user"] == "ivo" and entry["case"] == "OM-2026-0173"
    assert finding["person_ref"] in entry["persons"]
    assert {m["ref"] for m in made.minors} <= set(entry["persons"])


def test_the_html_loads_nothing_and_shows_markup_as_text(scenario: Scenario) -> None:
    finding = top_finding(scenario)
    hostile = Viewer("ivo", Role.INVESTIGATOR, ("jit",),
                     purpose=Purpose("<script>alert(1)</script>", "x"))
    with speaking("en"):
        page = render.to_html(case_report.read(scenario.store, hostile, finding["finding"]))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)  # nothing fetched
    assert "<svg" in page and page.count("<circle") >= 2


def test_a_report_on_a_person_of_unrecorded_age_says_so(scenario: Scenario) -> None:
    """The note the Candidates page shows (a person no partner recorded an age for may be
    a child) is in the HTML and the PDF, and only on such a finding."""
    finding = top_finding(scenario)
    note = "one of the children recorded without a birth year"
    with speaking("en"):
        made = case_report.read(scenario.store, IVO, finding["finding"])
        assert made.finding["age_recorded"] is True
        assert note not in render.to_html(made)
        scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.age_recorded = false",
                           {"f": finding["finding"]})
        try:
            made = case_report.read(scenario.store, IVO, finding["finding"])
            page, data = render.to_html(made), render.to_pdf(made)
        finally:
            scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.age_recorded = true",
                               {"f": finding["finding"]})
    assert note in page and '<html lang="en">' in page
    assert note in " ".join(pdf_text(data).split())


def test_a_report_on_a_lead_of_a_guardians_acts_says_to_ask_first(scenario: Scenario) -> None:
    """A finding whose links are all what a parent or guardian does too (collecting a
    child after an arrest, its address, the family's phone) tells the reader to ask the
    partners first, in the reader's language; a finding of a handler does not."""
    findings = overview.findings(scenario.store, IVO, scenario.run_id, limit=200)
    flagged = next(f for f in findings if f["guardian_like"])
    handler = next(f for f in findings if f["guardian_like"] is False)
    for language, note in (("en", "what a parent or guardian does too"),
                           ("nl", "doet een ouder of voogd ook")):
        with speaking(language):
            made = case_report.read(scenario.store, IVO, flagged["finding"])
            page, data = render.to_html(made), render.to_pdf(made)
            other = render.to_html(case_report.read(scenario.store, IVO, handler["finding"]))
        assert note in page and note in " ".join(pdf_text(data).split()), language
        assert note not in other


def test_a_report_names_the_care_partner_that_named_the_person_a_childs_contact(
        scenario: Scenario) -> None:
    """A finding whose person a care partner named as a child's contact says which partner,
    about which child, on how many signals, in the reader's language (the PDF too); a care
    partner's user reads the counts and its own name, another partner unnamed and never
    the child; and the report's audit entry names the child."""
    finding = overview.findings(scenario.store, IVO, scenario.run_id, limit=1)[0]
    child = finding["minors"][0]
    note = json.dumps([{"ref": child["ref"], "codename": child["codename"],
                        "signals": ["S-1", "S-2"], "partners": ["municipality-x", "youth-care"]},
                       {"ref": "M-OTHER", "codename": None, "signals": ["S-3"],
                        "partners": ["municipality-x"]}])
    scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.contact_of = $note",
                       {"f": finding["finding"], "note": note})
    try:
        for language, said in (("en", "named this person as the one they reached about"),
                               ("nl", "noemde deze persoon als degene die zij over")):
            with speaking(language):
                made = case_report.read(scenario.store, IVO, finding["finding"])
                page, data = render.to_html(made), render.to_pdf(made)
            assert said in page and said in " ".join(pdf_text(data).split()), language
            assert html.escape(child["codename"] or child["ref"], quote=False) in page
        assert child["ref"] in list(scenario.store.audit.entries())[-1]["persons"]
        overview.share(scenario.store, IVO, finding["finding"], ["care"])
        carla = Viewer("carla", Role.PARTNER, ("care",), partner="youth-care", purpose=PURPOSE)
        # its own partner named, another one not; no child
        theirs = case_report.read(scenario.store, carla, finding["finding"])
        assert theirs.contact_of == [{"partners": ["youth-care"], "signals": 2},
                                     {"partners": [], "signals": 1}]
        page = render.to_html(theirs)
        assert "youth-care named this person as the one they reached about a child (2 " \
               "signals)" in page
        assert "A care partner named this person as the one they reached about a child " \
               "(1 signal)" in page
        assert "municipality-x" not in page and "M-OTHER" not in page
    finally:
        overview.share(scenario.store, IVO, finding["finding"], [])
        scenario.store.run("MATCH (f:Finding {ref: $f}) REMOVE f.contact_of",
                           {"f": finding["finding"]})


def test_a_dutch_report_gives_its_reasons_and_signs_in_dutch(scenario: Scenario) -> None:
    """The counter-evidence, what lowered each minor and the minors' signs are stored in
    English sentences with their templates, the records by the format's codes; a Dutch
    reader's report says them all in Dutch."""
    findings = overview.findings(scenario.store, IVO, scenario.run_id, limit=20)
    lowered = next(f for f in findings if f["counter_evidence"]
                   and any(m.get("markers") for m in f["minors"]))
    with speaking("nl"):
        made = case_report.read(scenario.store, IVO, lowered["finding"])
        page = render.to_html(made)
        dutch = [counter.reason_text(c) for c in lowered["counter_evidence"]]
        signs = [", ".join(marker_name(k) for k in sorted(m["markers"]))
                 for m in made.minors if m.get("markers")]
    english = [c["reason"] for c in lowered["counter_evidence"]]
    assert dutch != english and made.counter_evidence == list(dict.fromkeys(dutch))
    assert '<html lang="nl">' in page
    assert all(html.escape(line, quote=False) in page for line in dutch), dutch
    assert not any(html.escape(line, quote=False) in page for line in english)
    # the records (evidence, timeline, the picture) by the Dutch names of their kinds
    codes = {"pickpocketing", "shoplifting", "theft", "claimed_relative", "missing",
             "unaccompanied_travel", "carrying_cash", "no_id_documents"}
    assert not {c for c in codes if re.search(rf"\b{c}\b", page)}
    assert re.search(r"\b(zakkenrollerij|winkeldiefstal|diefstal)\b", page)
    roles = {"suspect", "victim", "witness", "reporter", "present", "collector", "stays"}
    assert made.timeline and not re.findall(rf"<td>({'|'.join(roles)})</td>", page)
    assert re.search(r"<td>(verdachte|haalde op|aanwezig|signaal over)</td>", page)
    # each minor's signs by their Dutch names, not by their keys ("two_cities")
    assert signs and all(f"<td>{html.escape(line, quote=False)}</td>" in page
                         for line in signs), signs


def test_a_care_partner_gets_only_what_it_may_know(scenario: Scenario) -> None:
    finding = top_finding(scenario)
    with pytest.raises(case_report.NoSuchFinding):  # not shared with its team
        case_report.read(scenario.store, SHELTER, finding["finding"])
    scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.shared_with = ['care']",
                       {"f": finding["finding"]})
    try:
        made = case_report.read(scenario.store, SHELTER, finding["finding"])
    finally:
        scenario.store.run("MATCH (f:Finding {ref: $f}) REMOVE f.shared_with",
                           {"f": finding["finding"]})
    assert made.minors == []  # as on the Candidates page
    assert all(s["partner"] == "shelter-jeugdzorg" for e in made.evidence for s in e.sources)
    assert all(p in ("", "shelter-jeugdzorg") for e in made.timeline
               for p in e["partners"].split(", "))


def test_the_command_line(scenario: Scenario, neo4j_settings: Settings,
                          tmp_path: Path) -> None:
    finding = top_finding(scenario)
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(scenario.store.audit.folder.parent))
    runner = CliRunner()
    out = tmp_path / "report.pdf"
    made = runner.invoke(app, ["report", finding["finding"], "--out", str(out),
                               "--case", "OM-7"], env=env, catch_exceptions=False)
    assert made.exit_code == 0, made.output
    assert "OM-7" in pdf_text(out.read_bytes())
    missing = runner.invoke(app, ["report", "no-such-finding", "--out", str(out),
                                  "--case", "OM-7"], env=env, catch_exceptions=False)
    assert missing.exit_code == 2 and "no finding no-such-finding" in missing.output
    no_case = runner.invoke(app, ["report", finding["finding"], "--out", str(out),
                                  "--case", "-"], env=env, catch_exceptions=False)
    assert no_case.exit_code == 2 and "--case" in no_case.output
