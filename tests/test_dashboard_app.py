"""Every page of the dashboard with Streamlit's AppTest, against the real Neo4j holding a
small scenario: signed out sees only the sign-in; pages render and show the graph's data;
a saved view round-trips through its share link, with its versions."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import graph_view
from dashboard.auth import Users
from dashboard.text import md, paths_summary, person
from graph import console, explore, local_neo4j, overview, reviews, views
from graph.access import Role, Viewer
from graph.reviews import Decision
from graph.settings import LocalNeo4j, Settings
from tests.conftest import Scenario
from tests.helpers import PURPOSE, events_of

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PASSWORD = "correct horse battery"
IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)
ANN = Viewer("ann", Role.ANALYST, ("jit",), purpose=PURPOSE)
ROOT = Viewer("root", Role.ADMIN, ("ops",), purpose=PURPOSE)
OTTO = Viewer("otto", Role.ANALYST, ("other",), purpose=PURPOSE)
CARLA = Viewer("carla", Role.PARTNER, ("care",), partner="youth-care", purpose=PURPOSE)
# A time as the dashboard shows it (dashboard.text.stamp).
UTC_SECOND = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T")  # the team's zone


@pytest.fixture(scope="module")
def home(scenario: Scenario, neo4j_settings: Settings,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The app's environment: the test server, and a home with four users."""
    home = tmp_path_factory.mktemp("dashboard-home")
    users = Users.of_home(home)
    for v in (IVO, ANN, ROOT, OTTO, CARLA):
        users.add(v.user, PASSWORD, role=v.role, teams=v.teams, partner=v.partner)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in neo4j_settings.child_env().items():
            if key.startswith(("NEO4J_", "SCHAKEL_")):
                mp.setenv(key, value)
        mp.setenv("SCHAKEL_HOME", str(home))
        st.cache_resource.clear()
        yield home
        st.cache_resource.clear()


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def account(user: str) -> str:
    """The mark of ``user``'s account as the sign-in page stores it (see ``state.viewer``)."""
    found = Users.of_home(Settings.from_env().home).get(user)
    assert found is not None, user
    return found.mark


def signed_in(viewer: Viewer, page: str | None = None, **params: str) -> AppTest:
    at = app(**params)
    at.session_state["viewer"] = viewer
    at.session_state["account"] = account(viewer.user)
    at.session_state["signed_in_at"] = time.time()
    at.session_state["seen_at"] = time.time()
    at.run()
    if page:
        at.switch_page(f"screens/{page}.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def saved_for_the_team(at: AppTest, name: str) -> str:
    """Save what Explore shows as a view for the user's teams; its id, from the link."""
    at.text_input(key="ex_name").input(name)
    at.radio(key="ex_visibility").set_value("team")
    button(at, "Save").click().run()
    assert not at.exception, at.exception
    link = re.search(r"\?view=([\w-]+)", at.success[0].value) if at.success else None
    assert link, [s.value for s in at.success]
    return link.group(1)


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def finding_boxes(at: AppTest) -> list[Any]:
    """The candidates page's findings (each holds the ref to copy), not the patterns'
    evidence folded inside them."""
    return [e for e in at.expander if len(e.code)]


def iframe_html(at: AppTest) -> str:
    """What the page draws: Explore's canvas (the component's arguments, as JSON), or
    another page's drawing (an iframe's HTML)."""
    drawn = [c.proto.json_args for c in at.get("component_instance")
             if "canvas" in c.proto.component_name]
    drawn += [f.proto.srcdoc for f in at.get("iframe")]
    assert drawn, "no graph drawn"
    return drawn[0]


def test_a_database_that_does_not_answer_gets_a_message_not_a_crash(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{local_neo4j.free_port()}")
    st.cache_resource.clear()  # the settings and the store of the real server
    try:
        at = signed_in(ANN)
        assert any("graph database does not answer" in e.value for e in at.error), \
            [e.value for e in at.error]
        assert any("Neo4j does not answer at bolt://127.0.0.1:" in t.value for t in at.text)
        assert "Try again" in [b.label for b in at.button]
        assert not titles(at), "no page drawn from a database that is not there"

        monkeypatch.undo()  # Neo4j is back: the same session goes on, still signed in
        st.cache_resource.clear()
        button(at, "Try again").click().run()
        assert not at.exception, at.exception
        assert not at.error
        assert titles(at) == ["Overview"]
    finally:
        st.cache_resource.clear()


@pytest.mark.launcher
def test_a_page_whose_local_neo4j_stopped_says_so_at_once_and_how_to_start_it(
        home: Path, local_config: LocalNeo4j, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The store is connected, then its Neo4j stops: the next page says so without first
    waiting out the driver's retries (about 50 s), and names the local server's way back,
    as the demo's own dashboard (run with the local server) must."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    for key, value in local_config.env().items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    local_neo4j.start(local_config)
    try:
        at = signed_in(ANN)
        assert titles(at) == ["Overview"]

        local_neo4j.stop(local_config)
        caplog.set_level(logging.INFO, logger="neo4j")
        at.run()
        assert not at.exception, "\n".join(at.exception[0].stack_trace)
        assert any("graph database does not answer" in e.value for e in at.error)
        assert [t.value for t in at.text] == [
            f"Neo4j stopped answering at bolt://127.0.0.1:{local_config.port}. "
            "Start the local one with `schakel neo4j start`."]
        assert not titles(at)
        retried = [r.getMessage() for r in caplog.records if "retried" in r.getMessage()]
        assert not retried, "the page waited out the driver's retries"

        local_neo4j.start(local_config)
        button(at, "Try again").click().run()
        assert not at.exception, at.exception
        assert not at.error
        assert titles(at) == ["Overview"]
    finally:
        local_neo4j.stop(local_config)
        st.cache_resource.clear()


def test_signed_out_sees_only_the_sign_in(home: Path) -> None:
    at = app().run()
    assert titles(at) == ["Schakel"]
    assert not at.metric and not at.dataframe and not at.get("iframe")
    assert [t.key for t in at.text_input] == ["signin_name", "signin_password"]
    with pytest.raises(ValueError, match="navigation page"):  # no other page is registered
        at.switch_page("screens/overview.py")


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(home: Path) -> None:
    at = app().run()
    at.text_input(key="signin_name").input("ivo")
    at.text_input(key="signin_password").input("not the password")
    at.button[0].click().run()
    assert "Wrong user name or password." in [e.value for e in at.error]
    assert titles(at) == ["Schakel"]
    at.text_input(key="signin_name").input("ivo")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    # No personal data before the purpose is stated: the purpose page is all there is.
    assert titles(at) == ["Purpose of this session"]
    assert not at.metric and not at.dataframe
    straight = app()  # a URL straight to a page, without a purpose: back to the purpose
    straight.session_state["viewer"] = IVO.with_purpose(None)  # type: ignore[arg-type]
    straight.session_state["account"] = account("ivo")
    straight.session_state["signed_in_at"] = straight.session_state["seen_at"] = time.time()
    straight.run()
    assert titles(straight) == ["Purpose of this session"]
    with pytest.raises(ValueError, match="navigation page"):
        straight.switch_page("screens/explore.py")
    at.text_input(key="purpose_case").input("JIT-2026-014")
    at.text_area(key="purpose_reason").input("too short")
    button(at, "Continue").click().run()
    assert any("reason of 10" in e.value for e in at.error)
    at.text_area(key="purpose_reason").input("prepare the case meeting on the Utrecht ring")
    button(at, "Continue").click().run()
    assert titles(at) == ["Overview"]
    assert at.session_state["viewer"].purpose.case == "JIT-2026-014"


@pytest.mark.parametrize(("signed_in", "seen"), [(9 * 3600, 60), (3600, 31 * 60)])
def test_an_old_or_idle_session_signs_out(home: Path, signed_in: int, seen: int) -> None:
    at = app()
    at.session_state["viewer"] = IVO
    at.session_state["signed_in_at"] = time.time() - signed_in
    at.session_state["seen_at"] = time.time() - seen
    at.run()
    assert titles(at) == ["Schakel"]
    assert any("expired" in i.value for i in at.info)


def test_a_changed_or_removed_account_ends_its_session_at_the_next_click(home: Path) -> None:
    users = Users.of_home(home)
    tina = Viewer("tina", Role.ANALYST, ("jit",), purpose=PURPOSE)
    users.add("tina", PASSWORD, role=Role.ANALYST, teams=("jit",))
    try:
        at = signed_in(tina)
        assert titles(at) == ["Overview"]
        # Moved to another team: what she may see has changed.
        users.add("tina", PASSWORD, role=Role.ANALYST, teams=("other",), replace=True)
        at.run()
        assert titles(at) == ["Schakel"] and not at.metric
        assert any("changed or removed your account" in i.value for i in at.info)
        at = signed_in(replace(tina, teams=("other",)))  # signing in again works
        assert titles(at) == ["Overview"]
        # A new password (the old one may be known to someone else).
        users.add("tina", "another long password", role=Role.ANALYST, teams=("other",),
                  replace=True)
        assert titles(at.run()) == ["Schakel"]
        # Removed by an administrator on the Users page: her open session ends too.
        at = signed_in(replace(tina, teams=("other",)))
        admin = signed_in(ROOT, "users")
        remove = next(s for s in admin.selectbox if s.label == "User")
        assert "root" not in remove.options  # not oneself
        remove.set_value("tina")
        next(c for c in admin.checkbox if c.label.startswith("Yes")).check()
        button(admin, "Remove").click().run()
        assert any("Removed tina" in s.value for s in admin.success)
        assert "tina" not in set(admin.dataframe[0].value["name"])
        assert users.get("tina") is None
        assert titles(at.run()) == ["Schakel"]
    finally:
        users.remove("tina")


def test_a_broken_users_file_shuts_the_door_with_a_message(home: Path) -> None:
    path = Users.of_home(home).path
    kept = path.read_bytes()
    at = signed_in(ANN)
    path.write_text('{"users": {"ann": ')  # cut short, as by a hand edit
    try:
        visitor = app().run()
        visitor.text_input(key="signin_name").input("ann")
        visitor.text_input(key="signin_password").input(PASSWORD)
        visitor.button[0].click()
        for page in (at.run(), visitor.run()):  # a signed-in session, and a sign-in
            assert not page.exception and not page.metric
            assert any("No one can sign in now" in e.value for e in page.error)
            assert not any(str(path) in e.value for e in page.error)
    finally:
        path.write_bytes(kept)
    assert titles(at.run()) == ["Overview"]  # mended: the session goes on


def test_overview_shows_the_graphs_counts_and_latest_run(home: Path, scenario: Scenario) -> None:
    at = signed_in(ANN)
    assert titles(at) == ["Overview"]
    metrics = {m.label: m.value for m in at.metric}
    counts = scenario.store.count_nodes()
    assert metrics["Persons"] == f"{counts['Person']:,}"
    assert metrics["Incidents"] == f"{counts['Incident']:,}"
    assert scenario.run_id in [m.value for m in at.markdown][-1]  # whole, not cut off
    assert len(at.dataframe) >= 2  # by partner, deliveries
    deliveries = next(d.value for d in at.dataframe if "loaded" in d.value.columns)
    assert len(deliveries) == len(overview.deliveries(scenario.store, ANN))
    assert all(UTC_SECOND.fullmatch(t) for t in deliveries["loaded"])
    assert list(deliveries.columns) == ["delivery", "partner", "kind", "extracted", "loaded",
                                        "status", "rows loaded", "rows rejected"]


def test_overview_chart_puts_the_busiest_city_first(
        home: Path, scenario: Scenario) -> None:
    at = signed_in(ANN)
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    by_field = {s["encoding"]["y"]["field"]: s for s in specs if "y" in s["encoding"]}
    # Cities in order of incidents, not of name (the scenario's busiest is not its first
    # in the alphabet, so the order shows).
    places = overview.incidents_by_place(scenario.store, ANN)
    assert sorted(p["city"] for p in places)[0] != places[0]["city"]
    assert by_field["city"]["encoding"]["y"]["sort"] == "-x"
    # coloured by country: the few incidents abroad stand out (where they are: the map)
    assert by_field["city"]["encoding"]["color"]["field"] == "country"


def test_the_served_dashboard_offers_no_way_off_the_machine() -> None:
    """Streamlit's options as ``schakel dashboard`` serves it."""
    from streamlit import config

    from dashboard.serve import streamlit_command

    command = streamlit_command(Path(APP), 8501, "127.0.0.1")
    flags = command[command.index(APP) + 1:]
    options = dict(zip(flags[::2], flags[1::2], strict=True))
    assert all(o.startswith("--") and o[2:] in config._config_options_template
               for o in options), options  # each one an option Streamlit knows
    assert options["--server.address"] == "127.0.0.1"
    assert options["--browser.gatherUsageStats"] == "false"
    assert options["--client.showErrorDetails"] == "none"
    # Links to Google and ChatGPT under an unexpected error: "auto" shows them on
    # localhost, where Schakel is served.
    assert options["--client.showErrorLinks"] == "false"


def test_candidates_list_the_run_and_open_a_structure_in_explore(home: Path,
                                                                 scenario: Scenario) -> None:
    at = signed_in(ANN, "candidates")
    read = [json.loads(line) for line in (home / "audit" / "audit.jsonl").read_text()
            .splitlines()]
    listed = [r for r in read if r["action"] == "candidates.findings"][-1]
    # Strong and moderate leads are listed; the weak ones' persons are not even read
    # until asked for (their number is said).
    per_band = overview.bands(scenario.store, ANN, scenario.run_id)
    assert per_band.get("strong") and per_band.get("weak"), per_band
    default = [band for band in ("strong", "moderate") if per_band.get(band)]
    assert listed["what"]["bands"] == sorted(default)
    leads = overview.findings(scenario.store, ANN, scenario.run_id, limit=20, bands=default)
    assert leads and {f["band"] for f in leads} <= {"strong", "moderate"}
    assert [e.code[0].value for e in finding_boxes(at)] == [f["person_ref"] for f in leads]
    weak = {f["person_ref"] for f in overview.findings(scenario.store, ANN, scenario.run_id,
                                                       bands=["weak"])}
    assert weak and not weak & set(listed["persons"])
    pills = at.button_group(key="cand_bands")
    assert pills.value == default
    assert pills.options == [f"{name} lead · {per_band[name]:,}"
                             for name in ("strong", "moderate", "weak") if per_band.get(name)]
    left = per_band["weak"]
    assert f"{left:,} finding{'s' * (left != 1)} of the other leads" in " ".join(
        c.value for c in at.caption)
    # no band chosen: nothing read, and the page says what to do
    pills.set_value([]).run()
    assert not finding_boxes(at) and "Choose which leads to list." in [i.value for i in at.info]
    # all of them: the run's top 20
    at.button_group(key="cand_bands").set_value(["strong", "moderate", "weak"]).run()
    top = overview.findings(scenario.store, ANN, scenario.run_id, limit=20)
    boxes = finding_boxes(at)
    assert len(boxes) == len(top)
    # the person by codename and the start of its ref; the full ref to copy inside
    assert top[0]["codename"]
    assert boxes[0].label.startswith(
        f"#1 · {md(top[0]['codename'])} \\({top[0]['person_ref'][:8]}…\\)")
    assert boxes[0].code[0].value == top[0]["person_ref"]
    assert f"({top[0]['band']} lead)" in boxes[0].label
    assert "_" not in boxes[0].label.split(" lead) · ")[1]  # patterns by readable names
    assert "•" in boxes[0].text[0].value  # the evidence, as a list
    # grouped by pattern under its readable name, the count first
    patterns = [e.label for e in at.expander if not len(e.code)]
    assert any(re.match(r"^[A-Z][a-z].* · \d+ records? · value ", p) for p in patterns), patterns
    assert not any("_" in p.split(" · ")[0] for p in patterns), patterns
    # why (the minors and their signs) and why not (what lowered it, with its reason)
    assert any(m.value.startswith(f"**Rests on {len(top[0]['minors'])} minor")
               for m in boxes[0].markdown)
    # grouped per minor too: counts first, then the signs, the links and the records
    first = top[0]["minors"][0]
    per_minor = [e for e in boxes[0].expander
                 if re.search(r" · \d+ signs? · \d+ records? · weight ", e.label)]
    assert len(per_minor) == len(top[0]["minors"])
    assert per_minor[0].label.startswith(md(f"{first['codename']} ("))
    assert f"{len(first['markers'])} sign" in per_minor[0].label
    assert first["records"] and f"{len(first['records'])} record" in per_minor[0].label
    inside = " ".join(m.value for m in per_minor[0].markdown)
    assert "**Signs:**" in inside and "**Linked by:**" in inside and "_" not in inside
    assert per_minor[0].text[0].value.count("•") == len(first["records"])
    lowered = [i for i, f in enumerate(top) if f["counter_evidence"]]
    assert lowered, "the scenario's top findings should include counter-evidence"
    shown = " ".join(m.value for m in boxes[lowered[0]].markdown)
    assert "**Lowered by**" in shown
    assert md(top[lowered[0]]["counter_evidence"][0]["reason"]) in shown
    assert not boxes[0].warning  # nothing withdrawn yet
    # a person whose age no partner recorded may be a child: the finding says so
    unaged = [i for i, f in enumerate(top) if f["age_recorded"] is False]
    assert unaged and len(unaged) < len(top), [f["age_recorded"] for f in top]
    for i, box in enumerate(boxes):
        said = any("may be a minor themselves" in n.value for n in box.info)
        assert said == (i in unaged), i
    # all that links a person to the children is what a parent does too: ask first
    guardians = [i for i, f in enumerate(top) if f["guardian_like"]]
    assert guardians and len(guardians) < len(top), [f["guardian_like"] for f in top]
    for i, box in enumerate(boxes):
        said = any("what a parent or guardian does too" in n.value for n in box.warning)
        assert said == (i in guardians) == box.label.endswith(" · parent or guardian?"), i
        # and the reason it counts at half is among what lowered it
        halved = "is what a parent or guardian does too" in " ".join(
            m.value for m in box.markdown) and "counted at half" in " ".join(
            m.value for m in box.markdown)
        assert halved == (i in guardians), i
    # a partner withdrew data the second finding used (graph/withdrawal.py): it says so
    why = "rests on data that police-nl withdrew on 2026-12-06 (wrong identification)"
    scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.out_of_date_reason = $why",
                       {"f": top[1]["finding"], "why": why})
    try:
        again = signed_in(ANN, "candidates")
        second = finding_boxes(again)[1]
        assert second.label.endswith(" · out of date")
        assert md(why) in second.warning[0].value
    finally:
        scenario.store.run("MATCH (f:Finding {ref: $f}) REMOVE f.out_of_date_reason",
                           {"f": top[1]["finding"]})
    # a care partner named the second finding's person as a child's contact: it says who
    child = top[1]["minors"][0]
    note = json.dumps([{"ref": child["ref"], "codename": child["codename"],
                        "signals": ["S-1", "S-2"], "partners": ["youth-care"]}])
    scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.contact_of = $note",
                       {"f": top[1]["finding"], "note": note})
    try:
        boxes = finding_boxes(signed_in(ANN, "candidates"))
        assert boxes[1].label.endswith(" · named as a child's contact")
        assert not any(b.label.endswith("child's contact") for i, b in enumerate(boxes) if i != 1)
        said = " ".join(m.value for m in boxes[1].markdown)
        assert "**Named as a child's contact**" in said
        assert md(f"youth-care named this person as the one they reached about "
                  f"{person(child['ref'], child['codename'])} (2 signals)") in said
        assert any("lowers nothing" in c.value for c in boxes[1].caption)
    finally:
        scenario.store.run("MATCH (f:Finding {ref: $f}) REMOVE f.contact_of",
                           {"f": top[1]["finding"]})
    at.button(key=f"open_{top[0]['finding']}").click().run()
    assert titles(at) == ["Explore"]
    html = iframe_html(at)
    assert top[0]["person_ref"] in html
    assert re.search(r"showing (all )?[\d,]+", " ".join(c.value for c in at.caption).lower()) or \
        any("showing" in w.value for w in at.warning)


def test_a_decision_on_a_finding_is_saved_shown_to_the_team_and_can_hide_it(
        home: Path, scenario: Scenario) -> None:
    top = overview.findings(scenario.store, ANN, scenario.run_id, limit=2)
    at = signed_in(ANN, "candidates")
    first = top[0]["finding"]
    assert "Save decision" not in [b.label for b in at.button]  # nothing changed yet
    at.selectbox(key=f"review_{first}").set_value(Decision.WORK).run()
    at.button(key=f"review_{first}_save").click().run()
    assert not at.exception
    assert at.expander[0].label.endswith(" · explained (work)")
    assert any(m.value.startswith("**Reviewed:** explained: their work") and "ann" in m.value
               for m in at.markdown)
    assert at.selectbox(key=f"review_{first}").value is Decision.WORK
    # Explore draws the person still ranked, but no longer in red
    at.button(key=f"open_{first}").click().run()
    detail = at.selectbox(key="ex_detail")
    assert detail.format_func(detail.value).startswith(
        f"#1 explained · adult · {top[0]['person_ref']}")
    assert graph_view.EXPLAINED_RING in iframe_html(at)
    # a team mate sees it, and can leave the explained out of the list
    mate = signed_in(IVO, "candidates")
    assert mate.expander[0].label.endswith(" · explained (work)")
    mate.checkbox(key="cand_hide_explained").check().run()
    assert [e.label.split(" · ")[0] for e in mate.expander][:1] == ["#2"]
    assert "1 explained, not listed." in [c.value for c in mate.caption]
    # and decides otherwise: the history keeps both
    mate.checkbox(key="cand_hide_explained").uncheck().run()
    mate.selectbox(key=f"review_{first}").set_value(Decision.PURSUE).run()
    mate.button(key=f"review_{first}_save").click().run()
    assert mate.expander[0].label.endswith(" · lead to pursue")
    assert any(c.value.startswith("Before: explained: their work") for c in mate.caption)
    assert [r.by for r in reviews.of_persons(scenario.store, IVO, [top[0]["person_ref"]])[
        top[0]["person_ref"]]] == ["ivo", "ann"]
    # and Explore's details of the person say so
    mate.button(key=f"open_{first}").click().run()
    assert any(c.value.startswith("Decision: a lead to pursue — ivo") for c in mate.caption)


def test_explore_searches_draws_and_shows_details(home: Path, scenario: Scenario) -> None:
    ref = overview.findings(scenario.store, ANN, scenario.run_id, limit=1)[0]["person_ref"]
    at = signed_in(ANN, "explore")
    at.text_input(key="ex_search").input(ref[:8]).run()
    at.button(key="ex_show").click().run()
    assert not at.exception
    html = iframe_html(at)
    assert ref in html and "cdn" not in html.lower().split("vis-network")[0]
    detail = at.selectbox(key="ex_detail")
    assert ref in detail.format_func(detail.value)  # flagged first: the candidate itself
    props = at.dataframe[0].value
    assert ref in list(props["value"])
    provenance = at.dataframe[1].value  # the deliveries the candidate came from
    assert len(provenance) == len(scenario.store.run(
        "MATCH (p:Person {ref: $ref}) RETURN p.deliveries AS d", {"ref": ref})[0]["d"])
    assert all(UTC_SECOND.fullmatch(t)
               for t in provenance["loaded_at"])
    timeline = at.dataframe[2].value  # the candidate's incidents, signals and stays
    assert list(timeline.columns[:3]) == ["when", "what", "role"]
    assert len(timeline) == len(events_of(scenario.store, ref)) > 0
    # With a time window, the timeline holds what falls in it; a box shows the rest too.
    days = sorted(str(d)[:10] for d in timeline["when"])
    since = date.fromisoformat(days[len(days) // 2])
    first, last = at.slider(key="ex_window").value
    at.slider(key="ex_window").set_value((since, last)).run()
    inside = [d for d, role in zip(timeline["when"], timeline["role"], strict=True)
              if str(d)[:10] >= since.isoformat() or role == "stays"  # no end: goes on
              or (role.startswith("stayed until ") and role[-10:] >= since.isoformat())]
    assert 0 < len(at.dataframe[2].value) == len(inside) < len(timeline)
    assert any(f"{len(inside)} of {len(timeline)} events in the time window" in c.value
               for c in at.caption)
    at.checkbox(key="ex_tl_all").check().run()
    every = at.dataframe[2].value
    assert len(every) == len(timeline) and sum(every["in_window"]) == len(inside)
    at.slider(key="ex_window").set_value((first, last)).run()
    assert len(at.dataframe[2].value) == len(timeline)
    at.slider(key="ex_hops").set_value(1).run()
    assert not at.exception
    # From the details of a node one hop out: the paths from the start to it, alone.
    picker = at.selectbox(key="ex_detail")
    other = next(i for i, label in enumerate(picker.options) if ref not in label)
    picker.select_index(other).run()
    at.button(key="ex_path_here").click().run()
    assert at.radio(key="ex_mode").value == "paths"
    assert any(re.match(r"\d+ shortest paths? of 1 relationship:", c.value) for c in at.caption)
    assert at.session_state["explore"]["seeds"] == [ref]


def test_explore_draws_the_paths_between_two_and_saves_them(home: Path,
                                                            scenario: Scenario) -> None:
    ranked = [f["person_ref"] for f in overview.findings(scenario.store, ANN, scenario.run_id,
                                                           limit=8)]
    linked = [(a, b) for a, b in pairwise(ranked)
              if explore.paths(scenario.store, ANN, a, b).length]
    assert linked, "the scenario should link some of its top candidates"
    a, b = linked[0]
    want = paths_summary(explore.paths(scenario.store, ANN, a, b))
    at = signed_in(ANN, "explore")
    at.radio(key="ex_mode").set_value("paths").run()
    assert any("*From here* and *To here*" in i.value for i in at.info)
    for ref, end in ((a, "ex_from"), (b, "ex_to")):
        at.text_input(key="ex_search").input(ref).run()
        at.button(key=end).click().run()
    assert not at.exception
    assert want in [c.value for c in at.caption]
    html = iframe_html(at)
    assert a in html and b in html
    view_id = saved_for_the_team(at, "How the top two are linked")

    # A team mate opens the link: the same paths, in the same mode.
    mate = signed_in(IVO, view=view_id)
    assert mate.radio(key="ex_mode").value == "paths"
    assert want in [c.value for c in mate.caption]
    assert any(c.value.startswith("Saved view “How the top two") for c in mate.caption)
    # A node on the way left out: the paths go around it.
    picker = mate.selectbox(key="ex_detail")
    on_the_way = next(i for i, label in enumerate(picker.options)
                      if a not in label and b not in label)
    picker.select_index(on_the_way).run()
    gone = picker.options[on_the_way].split(" · ")[1]
    mate.button(key="ex_leave_out").click().run()
    around = paths_summary(explore.paths(scenario.store, ANN, a, b, hidden=[gone]))
    assert around != want
    assert any(around in c.value for c in [*mate.caption, *mate.warning])
    # Back to a neighbourhood: drawn around where the paths started.
    mate.radio(key="ex_mode").set_value("neighbourhood").run()
    assert not mate.exception
    assert any(c.value.startswith("Showing ") for c in mate.caption)
    assert a in iframe_html(mate)
    # Paths from somewhere else are a new exploration, no longer the saved view.
    mate.radio(key="ex_mode").set_value("paths").run()
    mate.text_input(key="ex_search").input(b).run()
    mate.button(key="ex_from").click().run()
    assert not any(c.value.startswith("Saved view") for c in mate.caption)
    # Clear empties both ends.
    mate.button(key="ex_clear").click().run()
    assert mate.session_state["explore"]["seeds"] == []
    assert mate.session_state["explore"]["target"] is None
    assert any("Find each end by its ref" in i.value for i in mate.info)


def test_explore_leaves_a_node_out_and_brings_it_back(home: Path, scenario: Scenario) -> None:
    ref = overview.findings(scenario.store, ANN, scenario.run_id, limit=1)[0]["person_ref"]
    at = signed_in(ANN, "explore")
    at.text_input(key="ex_search").input(ref).run()
    at.button(key="ex_show").click().run()
    before = at.session_state["explore"]
    assert "ex_leave_out" not in [b.key for b in at.button]  # not the starting point
    picker = at.selectbox(key="ex_detail")
    location = next(i for i, label in enumerate(picker.options) if label.startswith("location"))
    picker.select_index(location).run()
    gone = picker.options[location].split(" · ")[1]
    assert gone in iframe_html(at)
    at.button(key="ex_leave_out").click().run()
    assert not at.exception
    assert at.session_state["explore"]["hidden"] == [gone]
    hidden = at.multiselect(key="ex_hidden")
    assert hidden.value == [gone]
    assert hidden.format_func(gone) == "location · " + picker.options[location].split(" · ")[2]
    assert gone not in iframe_html(at) and ref in iframe_html(at)
    assert any(", 1 left out" in m.value for m in at.markdown)
    assert before["seeds"] == at.session_state["explore"]["seeds"] == [ref]
    # saved with the view: a team mate sees it without the node
    mate = signed_in(IVO, view=saved_for_the_team(at, "Without the station"))
    assert mate.multiselect(key="ex_hidden").value == [gone]
    assert gone not in iframe_html(mate)
    # taken off the sidebar's list, it is drawn again
    mate.multiselect(key="ex_hidden").set_value([]).run()
    assert not mate.exception
    assert mate.session_state["explore"]["hidden"] == []
    assert gone in iframe_html(mate)
    assert not any("left out" in m.value for m in mate.markdown)
    # Clear empties what is left out too, while the sidebar lists it
    at.button(key="ex_clear").click().run()
    assert not at.exception, at.exception
    assert at.session_state["explore"]["hidden"] == []
    assert "ex_hidden" not in [m.key for m in at.multiselect]


def test_console_runs_reads_and_refuses_writes(home: Path, scenario: Scenario) -> None:
    at = signed_in(IVO, "console")
    at.text_area(key="cs_query").input("MATCH (m:Minor) RETURN m LIMIT $n")
    at.text_area(key="cs_params").input('{"n": 4}')
    at.button(key="cs_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe[0].value) == 4
    # a list in a cell reads as written, not as JSON's \u escapes
    at.text_area(key="cs_query").input("RETURN ['Düsseldorf', $c] AS cities")
    at.text_area(key="cs_params").input('{"c": "Liège"}')
    at.button(key="cs_run").click().run()
    assert list(at.dataframe[0].value["cities"]) == ['["Düsseldorf", "Liège"]']
    at.text_area(key="cs_params").input('{"n": 4}')
    at.text_area(key="cs_query").input("MATCH (m:Minor) RETURN m LIMIT $n")
    at.button(key="cs_run").click().run()
    assert at.get("iframe")  # nodes in the result: drawn as a graph
    # Connect result nodes (on, as in Neo4j Browser): the SUSPECT_IN not returned is drawn.
    assert at.checkbox(key="cs_connect").value
    at.text_area(key="cs_query").input("MATCH (m:Minor)-[:SUSPECT_IN]->(i) RETURN m, i LIMIT 3")
    at.button(key="cs_run").click().run()
    assert any(c.value.startswith("Drawn with ") for c in at.caption)
    assert iframe_html(at).count("SUSPECT_IN") >= 3
    before = scenario.store.count_nodes()
    at.text_area(key="cs_query").input("MATCH (p:Person) SET p.hacked = true")
    at.button(key="cs_run").click().run()
    assert any("only reads" in e.value for e in at.error)
    assert scenario.store.count_nodes() == before
    history = at.selectbox(key="cs_hist_pick")
    assert len(history.options) == 5  # every query run, the refused one too
    # back in the editor from the history, parameters as they were written
    history.set_value(next(i for i, label in enumerate(history.options)
                           if "Düsseldorf" in label)).run()
    at.button(key="cs_hist_use").click().run()
    assert '"Liège"' in (at.text_area(key="cs_params").value or "")
    # An example puts its query and parameters in the editor, ready to run.
    name = next(n for n in console.EXAMPLES if n.startswith("A runaway"))
    at.selectbox(key="cs_example").set_value(name).run()
    assert at.text_area(key="cs_query").value == console.EXAMPLES[name][0]
    assert json.loads(at.text_area(key="cs_params").value or "") == console.EXAMPLES[name][1]
    at.button(key="cs_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe[0].value) > 0 and at.get("iframe")


def test_roles_decide_which_pages_exist(home: Path) -> None:
    analyst = signed_in(ANN)
    with pytest.raises(ValueError, match="navigation page"):
        analyst.switch_page("screens/console.py")
    admin = signed_in(ROOT)
    with pytest.raises(ValueError, match="navigation page"):
        admin.switch_page("screens/explore.py")
    admin.switch_page("screens/users.py").run()
    assert titles(admin) == ["Users"]
    assert {"ivo", "ann", "root", "otto"} <= set(admin.dataframe[0].value["name"])


def test_a_saved_view_round_trips_through_its_link_with_versions(home: Path,
                                                                 scenario: Scenario) -> None:
    ref = overview.findings(scenario.store, ANN, scenario.run_id, limit=1)[0]["person_ref"]
    at = signed_in(ANN, "explore")
    at.text_input(key="ex_search").input(ref).run()
    at.button(key="ex_show").click().run()
    at.slider(key="ex_hops").set_value(1).run()
    view_id = saved_for_the_team(at, "Top candidate, one hop")
    assert "version 1" in at.success[0].value

    # A second version, with two hops.
    at.slider(key="ex_hops").set_value(2).run()
    button(at, "Save").click().run()
    assert "version 2" in at.success[0].value

    # A team mate opens the link: the latest version, as saved.
    mate = signed_in(IVO, view=view_id)
    assert titles(mate) == ["Explore"]
    assert mate.slider(key="ex_hops").value == 2
    assert ref in iframe_html(mate)
    assert any("version 2 of 2" in c.value for c in mate.caption)
    # A pinned link opens the first version.
    first = signed_in(IVO, view=view_id, version="1")
    assert first.slider(key="ex_hops").value == 1
    # Show starts a new exploration: the page after the click no longer names the view.
    assert any(c.value.startswith("Saved view") for c in first.caption)
    first.text_input(key="ex_search").input(ref).run()
    first.button(key="ex_show").click().run()
    assert not any(c.value.startswith("Saved view") for c in first.caption)
    # Someone outside the team gets the same answer as for a view that does not exist.
    outsider = signed_in(OTTO, view=view_id)
    assert any("no saved view" in e.value for e in outsider.error)
    assert titles(outsider) == ["Overview"]
    assert [v.version for v in views.history(scenario.store, ANN, view_id)] == [2, 1]


def test_the_saved_views_page_lists_opens_and_deletes(home: Path, scenario: Scenario) -> None:
    view = views.save(scenario.store, ANN, name="to delete", kind=views.Kind.EXPLORE,
                      state={"seeds": [], "hops": 1})
    at = signed_in(ANN, "views")
    assert "to delete" in list(at.dataframe[0].value["name"])
    at.selectbox(key="sv_pick").set_value(view.id).run()
    assert any(f"?view={view.id}" in m.value for m in at.markdown)
    at.checkbox(key="sv_sure").check().run()
    at.button(key="sv_delete").click().run()
    assert not at.exception
    with pytest.raises(views.ViewNotFound):
        views.open_view(scenario.store, ANN, view.id)


def test_a_care_partner_sees_its_own_and_no_console(home: Path, scenario: Scenario) -> None:
    at = signed_in(CARLA)
    own = scenario.store.run("MATCH (p:Person) WHERE 'youth-care' IN p.partners "
                             "RETURN count(p) AS n")[0]["n"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Persons"] == f"{own:,}"
    # The run's findings as far as they concern this team: none shared yet (not the
    # run's total, which the Candidates page would then not list).
    assert metrics["Findings shared with your team"] == "0"
    assert "Findings" not in metrics and "Structures" not in metrics
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("screens/console.py")
    at.switch_page("screens/candidates.py").run()
    assert not at.exception and not finding_boxes(at)
    assert overview.bands(scenario.store, CARLA, scenario.run_id) == {}
    assert any("No finding of this run has been shared with your team (care)" in i.value
               for i in at.info)
    top = overview.findings(scenario.store, IVO, scenario.run_id, limit=1)[0]
    overview.share(scenario.store, IVO, top["finding"], ["care"])
    child = top["minors"][0]["ref"]
    scenario.store.run("MATCH (f:Finding {ref: $f}) SET f.contact_of = $note",
                       {"f": top["finding"], "note": json.dumps(
                           [{"ref": child, "signals": ["S-1"], "partners": ["youth-care"]}])})
    try:
        at = signed_in(CARLA)
        assert {m.label: m.value for m in at.metric}["Findings shared with your team"] == "1"
        at.switch_page("screens/candidates.py").run()
        # counted per band, as listed: only the one shared
        assert overview.bands(scenario.store, CARLA, scenario.run_id) == {top["band"]: 1}
        # One finding: listed, with no "Show the top" slider to choose among one.
        assert not at.exception and not at.slider
        assert [e.code[0].value for e in finding_boxes(at)] == [top["person_ref"]]
        assert "1 finding shared with your team" in at.caption[0].value
        # what a finding rests on names minors of any partner: not for a care partner
        assert not any(m.value.startswith("**Rests on") for m in at.markdown)
        # nor the child a care partner named the person the contact of: who named, how often
        named = " ".join(m.value for m in at.markdown if "contact" in m.value)
        assert md("youth-care named this person as the one they reached about a child "
                  "(1 signal)") in named and child not in named
        # and no decisions: reviews are the analysts' and investigators'
        assert not [s for s in at.selectbox if str(s.key).startswith("review_")]
        assert not at.checkbox
    finally:
        overview.share(scenario.store, IVO, top["finding"], [])
        scenario.store.run("MATCH (f:Finding {ref: $f}) REMOVE f.contact_of",
                           {"f": top["finding"]})


def test_the_audit_page_shows_reads_and_that_the_log_is_intact(home: Path,
                                                              scenario: Scenario) -> None:
    signed_in(ANN, "candidates")  # a read to find
    at = signed_in(ROOT, "audit")
    assert titles(at) == ["Audit log"]
    assert any(s.value.startswith("Intact") for s in at.success)
    log = at.dataframe[0].value
    assert "candidates.findings" in set(log["action"]) and "ann" in set(log["user"])
    assert all(UTC_SECOND.fullmatch(t) for t in log["at"])
    at.text_input(key="au_user").input("ann").run()
    assert set(at.dataframe[0].value["user"]) == {"ann"}
    # the review by user, within the selection
    review = at.dataframe[1].value
    assert list(review["user"]) == ["ann"]
    assert review["entries"][0] == len(at.dataframe[0].value)
    at.text_input(key="au_user").input("").run()
    assert len(at.dataframe[1].value) > 1  # ann, root and others
    # by case, and by days
    at.text_input(key="au_case").input(PURPOSE.case.lower()).run()
    assert set(at.dataframe[0].value["case"]) == {PURPOSE.case}
    at.text_input(key="au_case").input("NO-SUCH-CASE").run()
    assert len(at.dataframe[0].value) == 0
    assert "0 entries, newest first" in [c.value for c in at.caption]
    at.text_input(key="au_case").input("").run()
    yesterday = datetime.now(UTC).date() - timedelta(days=1)  # the log's days are UTC days
    at.date_input(key="au_until").set_value(yesterday).run()
    assert len(at.dataframe[0].value) == 0
    last = json.loads((home / "audit" / "audit.jsonl").read_text().splitlines()[-1])
    assert last["action"] == "audit.read" and last["what"] == {"until": yesterday.isoformat()}


def test_the_inbox_lists_acts_on_and_opens_signals(home: Path, scenario: Scenario) -> None:
    from graph.inbox import alerts

    mine = alerts.inbox(scenario.store, IVO)
    assert mine, "the scenario's deliveries and run should have signalled the team"
    at = signed_in(IVO, "inbox")
    assert titles(at) == ["Inbox"]
    table = at.dataframe[0].value
    assert set(table["to"]) <= {"jit", "ivo"} and len(table) == len(mine)
    kinds = {s.rule for s in mine}
    one = next(iter(kinds))
    at.selectbox(key="inbox_rule").set_value(one).run()
    assert len(at.dataframe[0].value) == sum(1 for s in mine if s.rule is one)
    at.selectbox(key="inbox_rule").set_value(None).run()
    first = at.selectbox(key="inbox_pick").value
    picked = next(s for s in mine if s.id == first)  # the one chosen stays chosen
    assert picked.status is alerts.Status.NEW
    button(at, "Acknowledge").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Acknowledged."
    assert alerts.open_signal(scenario.store, IVO, first).status is alerts.Status.ACKNOWLEDGED
    at.text_area(key="inbox_comment").input("called the shelter")
    button(at, "Add comment").click().run()
    assert alerts.open_signal(scenario.store, IVO, first).comments[-1].text == \
        "called the shelter"
    button(at, "Close").click().run()  # without a reason: refused, said why
    assert "reason" in at.error[0].value
    button(at, "Open in Explore").click().run()
    assert titles(at) == ["Explore"]
    assert picked.subjects[0] in iframe_html(at)
    # The new ones are counted in the menu of every page (the count is a number only).
    assert alerts.new_count(scenario.store, IVO) == sum(
        1 for s in alerts.inbox(scenario.store, IVO) if s.status is alerts.Status.NEW)


def test_a_care_partner_reads_only_its_partners_signals(home: Path, scenario: Scenario) -> None:
    from graph.inbox import alerts

    at = signed_in(CARLA, "inbox")
    assert titles(at) == ["Inbox"]
    options = at.selectbox(key="inbox_which").options
    assert all("youth-care" in o for o in options), options
    assert at.dataframe, "youth care knows minors that the police arrested"
    assert set(at.dataframe[0].value["to"]) == {"youth-care"}
    theirs = [s for s in alerts.inbox(scenario.store, IVO, addressees=["team:jit"])]
    assert theirs
    with pytest.raises(alerts.SignalNotFound):
        alerts.open_signal(scenario.store, CARLA, theirs[0].id)


def test_watch_from_explore_and_the_inbox_and_a_rule_from_the_console(
        home: Path, scenario: Scenario) -> None:
    from graph.inbox import team_rules, watchlist

    ref = overview.findings(scenario.store, ANN, scenario.run_id, limit=1)[0]["person_ref"]
    at = signed_in(ANN, "explore")
    at.text_input(key="ex_search").input(ref[:8]).run()
    at.button(key="ex_show").click().run()
    at.button(key="ex_watch").click().run()
    assert not at.exception and "Watching person" in at.success[0].value
    assert [(w.target, w.ref) for w in watchlist.mine(scenario.store, ANN)] == [
        (watchlist.Target.PERSON, ref)]

    inbox = signed_in(ANN, "inbox")
    inbox.text_input(key="inbox_city").input("Utrecht")
    button(inbox, "Watch").click().run()
    assert inbox.success[0].value == "Watching Utrecht."
    assert {w.ref for w in watchlist.mine(scenario.store, ANN)} == {ref, "Utrecht"}
    inbox.selectbox(key="inbox_unwatch").set_value(
        next(w.id for w in watchlist.mine(scenario.store, ANN) if w.ref == "Utrecht"))
    inbox.button(key="inbox_unwatch_go").click().run()
    assert {w.ref for w in watchlist.mine(scenario.store, ANN)} == {ref}
    for w in watchlist.mine(scenario.store, ANN):
        watchlist.remove(scenario.store, ANN, w.id)

    console_page = signed_in(IVO, "console")
    console_page.text_area(key="cs_query").input("MATCH (p:Person) SET p.x = 1 RETURN p")
    console_page.text_input(key="cs_rule_name").input("writes")
    button(console_page, "Save rule").click().run()
    assert any("only reads" in e.value for e in console_page.error)
    console_page.text_area(key="cs_query").input(
        "MATCH (i:Incident {kind: 'begging'}) RETURN i.ref AS ref")
    console_page.text_input(key="cs_rule_name").input("begging")
    console_page.selectbox(key="cs_rule_team").set_value("jit")
    button(console_page, "Save rule").click().run()
    assert not console_page.error, [e.value for e in console_page.error]
    (rule,) = team_rules.all_rules(scenario.store)
    assert (rule.name, str(rule.addressee), rule.owner) == ("begging", "team:jit", "ivo")
    inbox = signed_in(IVO, "inbox")
    inbox.button(key="inbox_rule_remove").click().run()
    assert team_rules.all_rules(scenario.store) == []


def test_the_console_shows_the_schema_and_warns_of_names_that_do_not_exist(
        home: Path, scenario: Scenario) -> None:
    """`MATCH (a:Adult)` once came back empty without a word: now the server's warning is
    shown; and the schema beside the editor lists what exists, a click adding it."""
    at = signed_in(IVO, "console")
    minors = scenario.store.run("MATCH (m:Minor) RETURN count(m) AS n")[0]["n"]
    at.text_area(key="cs_query").input("MATCH")
    at.pills(key="cs_schema_label").set_value("Minor").run()
    assert at.text_area(key="cs_query").value == "MATCH (:Minor)"
    assert at.pills(key="cs_schema_label").value is None  # ready for the next click
    found = console.schema(scenario.store, IVO)
    assert found.labels["Minor"] == minors and "SUSPECT_IN" in found.types
    assert "Adult" not in found.labels
    at.text_area(key="cs_query").input("MATCH (a:Adult)-[:KNOWS]->(m) RETURN a LIMIT 5")
    at.button(key="cs_run").click().run()
    warnings = [w.value for w in at.warning]
    assert any("Adult" in w and "does not exist" in w for w in warnings), warnings
    assert any("KNOWS" in w and "does not exist" in w for w in warnings), warnings
    at.text_area(key="cs_query").input("MATCH (m:Minor) RETURN count(m) AS n")
    at.button(key="cs_run").click().run()
    assert not at.warning
