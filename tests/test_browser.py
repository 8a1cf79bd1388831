"""The whole dashboard in a real headless Chromium (Debian's), driven by Playwright.

Sign in, open a candidate, see the graph drawn, export it, save a view, open its link
in a fresh browser context, read the audit log as the privacy officer — while every
request the browser makes is recorded: none may leave this machine. Set
``SCHAKEL_SCREENSHOTS=<folder>`` to keep the screenshots (docs/ has the ones taken this
way).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Frame,
    Page,
    expect,
    sync_playwright,
)

from dashboard.auth import Users
from graph import explore, local_neo4j, overview, views
from graph.access import Role, Viewer
from graph.settings import Settings
from tests.conftest import Scenario
from tests.helpers import PURPOSE, SCHAKEL, cli_env

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"
TEAM_KEY = "team-key-that-must-never-be-written-anywhere"
SERVERS: dict[str, tuple[int, Path]] = {}
ANN = Viewer("ann", Role.ANALYST, ("jit",), purpose=PURPOSE)
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


@contextmanager
def dashboard(settings: Settings, home: Path, **env: str) -> Iterator[str]:
    """``schakel dashboard`` for the users of ``home`` on a free loopback port."""
    port = local_neo4j.free_port()
    log = (home / "dashboard.log").open("w")
    proc = subprocess.Popen([SCHAKEL, "dashboard", "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT,
                            env=cli_env(settings, SCHAKEL_HOME=str(home), SCHAKEL_KEY=TEAM_KEY,
                                        **env))
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard did not start: " + (home / "dashboard.log").read_text())
        SERVERS[url] = (proc.pid, home)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def server(scenario: Scenario, neo4j_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``schakel dashboard`` on a free loopback port, with two users of one team and an
    administrator (the privacy officer)."""
    home = tmp_path_factory.mktemp("browser-home")
    users = Users.of_home(home)
    users.add("ann", PASSWORD, role=Role.ANALYST, teams=("jit",))
    users.add("ivo", PASSWORD, role=Role.INVESTIGATOR, teams=("jit",))
    users.add("root", PASSWORD, role=Role.ADMIN, teams=("privacy",))
    users.add("nel", PASSWORD, role=Role.ANALYST, teams=("jit",))  # works in Dutch
    with dashboard(neo4j_settings, home) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: bin/setup --browser installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    keep = os.environ.get("SCHAKEL_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)


def sign_in(page: Page, url: str, user: str, *, go: bool = True) -> None:
    """Sign in and state the session's purpose."""
    if go:
        page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Case or request number").fill("JIT-2026-014")
    page.get_by_label("Reason").fill("prepare the case meeting on the Utrecht ring")
    page.get_by_role("button", name="Continue").click()


def logged(url: str, action: str) -> dict[str, Any]:
    """The last entry for ``action`` in the audit log of the dashboard served at ``url``.
    A download is logged as its file is made, on a thread of its own, which may end
    after the browser has the file: wait for it."""
    _, home = SERVERS[url]
    for _ in range(300):
        lines = (home / "audit" / "audit.jsonl").read_text().splitlines()
        found = [e for e in map(json.loads, lines) if e["action"] == action]
        if found:
            return found[-1]
        time.sleep(0.1)
    actions = sorted({e["action"] for e in map(json.loads, lines)})
    raise AssertionError(f"no {action} in the audit log, only {actions}")


def idle(page: Page) -> None:
    """Wait until Streamlit's run is over: what a rerun draws again (a form, an expander)
    is drawn afresh, and a click or text given to it before then is lost."""
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000)


CANVAS = "iframe[title='dashboard.canvas.canvas']"


def drawn(page: Page) -> int:
    """How many nodes vis-network drew on Explore's canvas (set once it has drawn)."""
    body = page.frame_locator(CANVAS).locator("body[data-drawn]")
    body.wait_for(timeout=60_000)
    return int(body.get_attribute("data-drawn") or 0)


def canvas_frame(page: Page) -> Frame:
    frame = page.locator(CANVAS).element_handle().content_frame()
    assert frame is not None
    return frame


def node_at(page: Page, node_id: str) -> tuple[float, float]:
    """Where on the page a node of the canvas is drawn."""
    frame = canvas_frame(page)
    box = page.locator(CANVAS).bounding_box()
    assert box is not None
    spot = frame.evaluate(
        "(id) => { const n = schakelNetwork; const p = n.canvasToDOM(n.getPositions([id])[id]);"
        " const g = document.getElementById('graph').getBoundingClientRect();"
        " return {x: p.x + g.x, y: p.y + g.y}; }", node_id)
    return box["x"] + spot["x"], box["y"] + spot["y"]


def canvas_nodes(page: Page, where: str = "true") -> list[dict[str, Any]]:
    """The canvas's nodes for which the JavaScript condition ``where`` (on ``n``) holds."""
    return canvas_frame(page).evaluate(
        f"() => schakelNetwork.body.data.nodes.get({{filter: n => {where}}})"
        ".map(n => ({id: n.id, label: n.fullLabel, pinned: !!n.pinned, ref: n.ref}))")


def test_the_dashboard_end_to_end_and_nothing_leaves_the_machine(
        server: str, browser: Browser, scenario: Scenario, shots: Path) -> None:
    requests: list[str] = []
    errors: list[str] = []

    def context() -> BrowserContext:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.on("request", lambda r: requests.append(r.url))
        return ctx

    page = context().new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server, "ann")
    expect(page.get_by_role("heading", name="Latest analysis run")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # let the charts finish drawing for the picture
    page.screenshot(path=shots / "overview.png", full_page=True)

    page.get_by_role("link", name="Candidates").click()
    expect(page.get_by_role("button", name="Open in Explore").first).to_be_visible(
        timeout=60_000)
    # a finding's case report, as a prosecutor gets it: made on the click, offline
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="Case report (PDF)").first.click()
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF")
    assert got.value.suggested_filename == "schakel-report-1.pdf"
    assert logged(server, "report.make")["case"] == "JIT-2026-014"
    idle(page)
    page.screenshot(path=shots / "candidates.png", full_page=True)
    page.get_by_role("button", name="Open in Explore").first.click()
    expect(page.get_by_role("heading", name="Explore")).to_be_visible(timeout=60_000)
    nodes = drawn(page)
    assert nodes > 5
    page.screenshot(path=shots / "explore.png", full_page=True)
    page.locator(CANVAS).screenshot(path=shots / "graph.png")

    # An export is a file: it is logged (who took which view out, and why).
    page.get_by_text("More: expand from a list, export").click()
    nodes_csv = page.get_by_role("button", name="Nodes CSV")
    expect(nodes_csv).to_be_visible(timeout=30_000)
    idle(page)  # a click given while the page is still being drawn is lost
    with page.expect_download(timeout=60_000) as download:
        nodes_csv.click()
    assert download.value.suggested_filename == "schakel-nodes.csv"
    exported = logged(server, "export.nodes_csv")
    assert exported["user"] == "ann" and exported["records"] > nodes
    # the drawing as text is made when it is opened, and holds every node drawn
    table = page.get_by_test_id("stExpander").filter(has_text="The graph as a table")
    expect(table.get_by_test_id("stDataFrame")).to_have_count(0)
    page.get_by_text("The graph as a table").click()
    expect(table.get_by_test_id("stDataFrame")).to_have_count(2, timeout=30_000)

    page.get_by_text("Save this view").click()
    page.get_by_label("Name", exact=True).fill("Browser test view")
    page.get_by_text("my team(s)", exact=True).click()  # private is the default
    page.get_by_role("button", name="Save").click()
    saved = page.get_by_text(re.compile(r"Share link: \S*\?view="))
    expect(saved).to_be_visible(timeout=60_000)
    view_id = re.search(r"\?view=([\w-]+)", saved.inner_text()).group(1)  # type: ignore[union-attr]
    assert views.open_view(scenario.store, ANN, view_id).name == "Browser test view"

    # The shortest paths between two candidates, drawn from left to right.
    ranked = [f["person_ref"] for f in overview.findings(scenario.store, ANN, scenario.run_id,
                                                           limit=8)]
    a, b = next((a, b) for a, b in pairwise(ranked)
                if (explore.paths(scenario.store, ANN, a, b).length or 0) > 1)
    page.get_by_text("Paths between two").click()
    expect(page.get_by_text(re.compile("then choose From here and To here"))).to_be_visible(
        timeout=60_000)
    for ref, end in ((a, "From here"), (b, "To here")):
        page.get_by_label(re.compile("^Find a person")).fill(ref)
        page.get_by_label(re.compile("^Find a person")).press("Enter")
        # the matches for this ref, not those of the one before
        expect(page.get_by_role("combobox", name="Matches")).to_have_value(
            re.compile(re.escape(ref)), timeout=60_000)
        page.get_by_role("button", name=end).click()
        page.wait_for_timeout(500)
    expect(page.get_by_text(re.compile(r"^\d+ shortest paths? of"))).to_be_visible(
        timeout=60_000)
    assert drawn(page) >= 3
    page.get_by_role("heading", name="Explore").click()  # no button's tooltip in the picture
    page.screenshot(path=shots / "paths.png", full_page=True)

    # The link in a new context (no cookies, no session): sign in, and the view opens.
    other = context().new_page()
    other.on("pageerror", lambda e: errors.append(str(e)))
    other.goto(server + f"?view={view_id}")
    expect(other.get_by_text("Sign in to open the shared view")).to_be_visible(timeout=60_000)
    sign_in(other, server, "ivo", go=False)
    expect(other.get_by_text("Saved view “Browser test view”")).to_be_visible(timeout=60_000)
    assert drawn(other) == nodes

    other.get_by_role("link", name="Cypher console").click()
    other.get_by_role("button", name="Run").click()
    expect(other.get_by_text(re.compile(r"\d+ rows? .*in [\d,]+ ms"))).to_be_visible(
        timeout=60_000)
    other.screenshot(path=shots / "console.png", full_page=True)
    # A query from the history back in the editor (this crashed the page once).
    editor = other.get_by_role("textbox", name="Query")
    editor.fill("MATCH (m:Minor) RETURN count(m) AS minors")
    other.get_by_role("button", name="Run").click()
    expect(other.get_by_text(re.compile(r"^1 row in"))).to_be_visible(timeout=60_000)
    editor.fill("RETURN 'not run'")
    editor.blur()
    history = other.get_by_text(re.compile(r"^Your history"))
    expect(history).to_have_count(1, timeout=60_000)  # the page before the run has gone
    idle(other)  # the run the blur starts must be over: a rerun draws the history closed
    history.click()
    picked = other.get_by_role("combobox", name="Earlier query")
    expect(picked).to_be_visible(timeout=60_000)
    shown = picked.input_value().split(" · ", 1)[1][:40]  # "<when> · <query>"
    other.get_by_role("button", name="Put in the editor").click()
    expect(editor).to_have_value(re.compile("^" + re.escape(shown)), timeout=60_000)
    expect(other.get_by_text("This app has encountered an error")).to_have_count(0)
    other.get_by_role("link", name="Saved views").click()
    expect(other.get_by_text("Share link (latest version)")).to_be_visible(timeout=60_000)
    other.screenshot(path=shots / "views.png", full_page=True)

    # The privacy officer: ann's reads, the review by user, and the selection as CSV.
    officer = context().new_page()
    officer.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(officer, server, "root")
    officer.get_by_role("link", name="Audit log").click()
    expect(officer.get_by_text(re.compile(r"^Intact: "))).to_be_visible(timeout=60_000)
    officer.get_by_label("User", exact=True).fill("ann")
    officer.get_by_label("User", exact=True).press("Enter")
    expect(officer.get_by_text(re.compile(r"^\d+ entries, newest first"))).to_be_visible(
        timeout=60_000)
    officer.wait_for_timeout(1000)
    officer.screenshot(path=shots / "audit.png", full_page=True)
    with officer.expect_download() as download:
        officer.get_by_role("button", name="These entries as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows and {r["user"] for r in rows} == {"ann"}
    assert {"export.nodes_csv", "explore.neighbourhood"} <= {r["action"] for r in rows}
    last = logged(server, "audit.export")
    assert last["user"] == "root" and last["what"] == {"user": "ann"}
    assert last["records"] == len(rows)

    assert not errors, errors
    outside = [u for u in requests
               if not LOCAL.match(u) and not u.startswith(("data:", "blob:", "about:"))]
    assert requests and not outside, outside


HOSTILE_NAME = "<img src=x onerror=alert('name')>"
HOSTILE_CITY = "<script>alert('city')</script>"
HOSTILE_LINK = "javascript:alert('link')"


def test_markup_in_the_data_shows_as_text_in_the_real_browser(
        server: str, browser: Browser, scenario: Scenario, tmp_path: Path) -> None:
    from ingest.load import ingest_delivery
    from ingest.pseudonymise import DEMO_KEY, TeamKey
    from tests.helpers import delivery

    folder = delivery(tmp_path, {
        "locations.csv": ("location_ref,kind,city,country,lat,lon,name\n"
                          f"ZZ-HOSTILE-1,station,\"{HOSTILE_CITY}\",NL,52.1,5.1,\"{HOSTILE_NAME}\"\n"
                          f"ZZ-HOSTILE-2,shop,Utrecht,NL,52.1,5.2,{HOSTILE_LINK}\n"),
        "incidents.csv": ("incident_ref,kind,occurred_at,location_ref,status\n"
                          "ZZ-HOSTILE-I,theft,2015-06-01,ZZ-HOSTILE-1,\n"
                          "ZZ-HOSTILE-J,theft,2015-06-02,ZZ-HOSTILE-2,\n")},
        "hostile", partner="police-hostile")
    report = ingest_delivery(scenario.store, folder, TeamKey("demo", DEMO_KEY))
    assert report.rejected == 0, report
    assert scenario.store.run("MATCH (l:Location {ref: 'ZZ-HOSTILE-1'}) RETURN l.name AS n"
                              )[0]["n"] == HOSTILE_NAME

    dialogs: list[str] = []
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()

    def alert(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", alert)
    sign_in(page, server, "ivo")
    page.get_by_role("link", name="Explore").click()
    search = page.get_by_label(re.compile("^Find a person by codename or ref"))
    search.fill("ZZ-HOSTILE-1")
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Matches")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Show").click()
    summary = page.get_by_text(re.compile(r"Showing all (\d+) nodes?"))
    expect(summary).to_be_visible(timeout=60_000)
    shown = int(re.search(r"all (\d+) node", summary.inner_text()).group(1))  # type: ignore[union-attr]
    assert drawn(page) == shown >= 1  # the station (and, with a hop, the incident at it)
    frame = page.frame_locator(CANVAS)
    assert frame.locator("img").count() == 0  # the name did not become an element
    # Hover the location: its tooltip holds the markup as text.
    station = canvas_nodes(page, "(n.title || '').includes('ZZ-HOSTILE-1')")[0]
    x, y = node_at(page, station["id"])
    page.mouse.move(x, y)
    tooltip = frame.locator(".vis-tooltip")
    expect(tooltip).to_be_visible(timeout=10_000)
    text = tooltip.inner_text()
    assert HOSTILE_NAME in text and HOSTILE_CITY in text
    assert tooltip.locator("img, script").count() == 0
    # Its context menu names it as text too; and a search for the markup finds it as text.
    corner = page.locator(CANVAS).bounding_box()
    assert corner is not None
    page.mouse.move(corner["x"] + corner["width"] - 8, corner["y"] + 60)  # empty canvas
    expect(tooltip).to_be_hidden(timeout=10_000)
    idle(page)
    page.mouse.click(*node_at(page, station["id"]), button="right")
    menu = frame.locator("#menu")
    expect(menu).to_be_visible(timeout=10_000)
    assert menu.locator("img, script").count() == 0
    page.keyboard.press("Escape")
    frame.locator("#find").fill("<img")
    expect(frame.locator("body[data-found]")).to_have_attribute("data-found", re.compile("[1-9]"))
    assert frame.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []  # no alert ran, from the graph or from anywhere on the page


def test_no_secret_reaches_a_file_a_log_or_the_command_line(server: str, browser: Browser
                                                            ) -> None:
    child, home = SERVERS[server]  # schakel dashboard becomes Streamlit (exec)
    assert "streamlit" in Path(f"/proc/{child}/cmdline").read_bytes().decode()
    environ = dict(item.split("=", 1) for item in
                   Path(f"/proc/{child}/environ").read_bytes().decode().split("\0") if "=" in item)
    secret = environ["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert re.fullmatch(r"[0-9a-f]{64}", secret)  # made at start, never a fixed one
    cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode()
    written = "".join(p.read_text(errors="replace") for p in home.rglob("*") if p.is_file())
    repository = subprocess.run(["git", "grep", "-l", "-e", secret, "-e", TEAM_KEY],
                                cwd=Path(__file__).resolve().parent.parent,
                                capture_output=True, text=True, check=False).stdout
    for value in (secret, TEAM_KEY):
        assert value not in cmdline and value not in written
    assert repository.strip() in ("", "tests/test_browser.py")  # only the test's own key


def test_the_inbox_counts_new_signals_on_every_page_and_acts_on_them(
        server: str, browser: Browser, scenario: Scenario, shots: Path) -> None:
    from graph.inbox import alerts

    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    sign_in(page, server, "ann")
    new = alerts.new_count(scenario.store, ANN)
    assert new > 0, "the scenario's deliveries and run signal the team"
    link = page.get_by_role("link", name=f"Inbox · {new:,} new")
    expect(link).to_be_visible(timeout=60_000)  # in the menu of the overview page
    link.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged.")).to_be_visible(timeout=60_000)
    idle(page)  # a form filled while a rerun draws it again loses what was typed
    hostile = "<img src=x onerror=alert(1)> **bold**"
    page.get_by_label("Comment").fill(hostile)
    page.get_by_label("Comment").press("Tab")  # Streamlit takes a text area's text on blur
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible(timeout=60_000)
    shown = page.get_by_test_id("stText").filter(has_text=hostile)
    expect(shown).to_have_text(hostile, timeout=60_000)  # as text: no image, no bold
    page.get_by_role("link", name="Candidates").click()  # the count holds on every page
    expect(page.get_by_role("link", name=(f"Inbox · {new - 1:,} new" if new > 1 else "Inbox")
                            )).to_be_visible(timeout=60_000)
    page.get_by_role("link", name=re.compile("^Inbox")).click()
    expect(page.get_by_role("button", name="Open in Explore")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # let the tables finish drawing for the picture
    page.screenshot(path=shots / "inbox.png", full_page=True)
    page.get_by_role("button", name="Open in Explore").click()
    expect(page.get_by_role("heading", name="Explore")).to_be_visible(timeout=60_000)
    assert drawn(page) >= 1
    assert [u for u in requests if not LOCAL.match(u)] == []
    assert logged(server, "signals.comment")["user"] == "ann"
    ctx.close()


def test_the_map_draws_a_minors_route_offline(
        server: str, browser: Browser, scenario: Scenario, shots: Path) -> None:
    """The whole graph and a known minor's route, in the real browser, with every request
    recorded: the map fetches nothing, not even a tile."""
    (known,) = scenario.store.run(
        "MATCH (m:Minor)-[]->(i:Incident)-[:AT]->(l:Location) WHERE l.lat IS NOT NULL "
        "WITH m, count(DISTINCT l.city) AS cities WHERE cities >= 3 "
        "RETURN m.ref AS ref, m.codename AS codename, cities "
        "ORDER BY cities DESC, ref LIMIT 1")
    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server, "ann")
    page.get_by_role("link", name="Map").click()
    expect(page.get_by_role("heading", name="Map")).to_be_visible(timeout=60_000)
    frame = page.frame_locator("iframe").first
    frame.locator("body[data-drawn]").wait_for(timeout=60_000)
    assert frame.locator("path.schakel-place").count() > 5  # cities with incidents
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "map.png", full_page=True)

    page.get_by_text("A person", exact=True).click()
    idle(page)
    page.get_by_label("Person: codename or ref").fill(known["codename"])
    page.get_by_label("Person: codename or ref").press("Enter")
    body = page.frame_locator("iframe").first.locator("body[data-routes]")
    body.wait_for(timeout=60_000)
    assert int(body.get_attribute("data-routes") or 0) >= 1
    frame = page.frame_locator("iframe").first
    legend = frame.locator(".legend div[data-route='1']").filter(has_text=known["codename"])
    expect(legend).to_have_count(1, timeout=60_000)
    assert frame.locator("path.schakel-route").count() >= 1
    page.wait_for_timeout(500)
    page.locator("iframe").first.screenshot(path=shots / "map-route.png")
    # the same content as a table: the minor's stops in time order
    page.get_by_text("The map as a table").click()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=60_000)
    outside = [u for u in requests
               if not LOCAL.match(u) and not u.startswith(("data:", "blob:", "about:"))]
    assert requests and not outside, outside
    assert not errors, errors
    ctx.close()


def test_a_user_works_in_dutch_and_the_choice_is_remembered(
        server: str, browser: Browser, scenario: Scenario, shots: Path) -> None:
    """The installation speaks English here (SCHAKEL_LANGUAGE=en); Nel chooses Dutch on
    the sign-in page, works in it, and finds it again at her next sign-in."""
    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.goto(server)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    page.get_by_role("radio", name="Nederlands").click()
    idle(page)  # the page is drawn again in Dutch: only then fill in the form
    page.get_by_label("Gebruikersnaam").fill("nel")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Doel van de raadpleging")).to_be_visible(
        timeout=60_000)
    page.get_by_label("Zaak- of verzoeknummer").fill("JIT-2026-014")
    page.get_by_label("Reden").fill("voorbereiding zaaksoverleg Utrecht")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", name="Overzicht")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Laatste analyse")).to_be_visible(timeout=60_000)
    for link in ("Kandidaten", "Verkennen", "Kaart", "Bewaarde weergaven"):
        expect(page.get_by_role("link", name=link)).to_be_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=shots / "overview-nl.png", full_page=True)
    page.get_by_role("link", name="Kandidaten").click()
    expect(page.get_by_role("button", name="Openen in Verkennen").first).to_be_visible(
        timeout=60_000)
    page.get_by_role("button", name="Afmelden").click()
    # a new browser, the sign-in page in the installation's English: Dutch after sign-in
    again = browser.new_context().new_page()
    again.on("request", lambda r: requests.append(r.url))
    sign_in_as = again
    sign_in_as.goto(server)
    sign_in_as.get_by_label("User name").fill("nel")
    sign_in_as.get_by_label("Password", exact=True).fill(PASSWORD)
    sign_in_as.get_by_role("button", name="Sign in").click()
    expect(sign_in_as.get_by_role("heading", name="Doel van de raadpleging")).to_be_visible(
        timeout=60_000)
    assert [u for u in requests if not LOCAL.match(u)] == []
    ctx.close()


def test_a_session_survives_a_reload_a_tab_and_a_link_and_ends_as_it_should(
        server: str, browser: Browser) -> None:
    """Signed in once, a reload, a second tab, a typed address and a share link keep the
    user and the purpose; the cookie is HttpOnly and Strict, and nothing of it is in a
    URL. Signing out ends it in every tab, and neither the old cookie nor a tampered
    one, nor a claim used twice, signs anyone in again."""
    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    sign_in(page, server, "ann")
    expect(page.get_by_role("heading", name="Latest analysis run")).to_be_visible(timeout=60_000)
    cookie = next(c for c in ctx.cookies() if c["name"] == "schakel_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("schakel_session") == -1  # no script reads it
    assert not any(cookie["value"] in u for u in requests)

    page.reload()
    expect(page.get_by_role("heading", name="Latest analysis run")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Purpose: JIT-2026-014")).to_be_visible()
    tab = ctx.new_page()
    tab.goto(server + "explore")  # a typed page address, in a second tab
    expect(tab.get_by_role("heading", name="Explore")).to_be_visible(timeout=60_000)
    expect(tab.get_by_label("User name")).to_have_count(0)
    link = ctx.new_page()
    link.goto(server + "?view=no-such-view")  # a share link: opened, not a sign-in
    expect(link.get_by_text("The link names no saved view")).to_be_visible(timeout=60_000)
    link.close()

    # a claim works once: the browser's own was used, a made-up one is refused
    assert page.request.post(server + "api/session", data={"claim": "made-up"}).status == 403
    foreign = page.request.post(server + "api/session", data={"claim": "x"},
                                headers={"Origin": "https://elsewhere.example"})
    assert foreign.status == 403

    tampered = browser.new_context()
    tampered.add_cookies([{**cookie, "value": cookie["value"][:-2] + "xy"}])
    other = tampered.new_page()
    other.goto(server)
    expect(other.get_by_label("User name")).to_be_visible(timeout=60_000)
    tampered.close()

    idle(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
    tab.get_by_role("link", name="Overview").click()  # the other tab, at its next click
    expect(tab.get_by_label("User name")).to_be_visible(timeout=60_000)
    replay = browser.new_context()
    replay.add_cookies([cookie])  # the old cookie, after signing out
    again = replay.new_page()
    again.goto(server)
    expect(again.get_by_label("User name")).to_be_visible(timeout=60_000)
    replay.close()
    assert [u for u in requests if not LOCAL.match(u)] == []
    ctx.close()


def test_an_idle_session_expires_in_every_tab(neo4j_settings: Settings, browser: Browser,
                                              scenario: Scenario, tmp_path: Path) -> None:
    """With an idle limit of six seconds: a reload within it keeps the session; after it,
    the next click says the session expired, and a reload does not bring it back."""
    home = tmp_path / "home"
    Users.of_home(home).add("ann", PASSWORD, role=Role.ANALYST, teams=("jit",))
    with dashboard(neo4j_settings, home, SCHAKEL_SESSION_IDLE_MINUTES="0.1") as url:
        ctx = browser.new_context()
        page = ctx.new_page()
        sign_in(page, url, "ann")
        expect(page.get_by_role("heading", name="Latest analysis run")).to_be_visible(
            timeout=60_000)
        page.reload()
        expect(page.get_by_role("heading", name="Latest analysis run")).to_be_visible(
            timeout=60_000)
        idle(page)
        page.wait_for_timeout(7_000)
        page.get_by_role("link", name="Candidates").click()
        expect(page.get_by_text("Your session has expired")).to_be_visible(timeout=60_000)
        page.reload()
        expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
        ctx.close()


def test_the_canvas_answers_clicks_expansions_its_menu_search_and_the_timeline(
        server: str, browser: Browser, shots: Path) -> None:
    """Click: the details beside the graph; double-click: an expansion, and its undo;
    the right-click menu pins and leaves out; search highlights and opens; full width; a
    brush across the timeline narrows the drawing. Nothing leaves the machine."""
    requests: list[str] = []
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server, "ann")
    page.get_by_role("link", name="Candidates").click()
    page.get_by_role("button", name="Open in Explore").first.click()
    before = drawn(page)
    frame = page.frame_locator(CANVAS)
    details = page.get_by_role("combobox", name="Details of")

    # a click: that node's details, beside the graph
    others = canvas_nodes(page, "!n.seed && n.kind !== 'incident' && n.kind !== 'signal'")
    target = others[0]
    page.mouse.click(*node_at(page, target["id"]))
    expect(details).to_have_value(re.compile(re.escape(target["label"])), timeout=30_000)

    # a double-click expands it; the canvas's undo takes the expansion back
    drawing = frame.locator("body").get_attribute("data-drawing")
    page.mouse.dblclick(*node_at(page, target["id"]))
    expect(frame.locator("body")).not_to_have_attribute("data-drawing", drawing or "",
                                                        timeout=30_000)
    expanded = drawn(page)
    assert expanded > before
    expect(frame.get_by_role("button", name="Undo expansion")).to_be_enabled()
    page.screenshot(path=shots / "canvas-expanded.png", full_page=False)
    frame.get_by_role("button", name="Undo expansion").click()
    expect(frame.locator("body")).to_have_attribute("data-drawn", str(before), timeout=30_000)

    # search in the drawing: found, centred, and with Enter its details
    frame.locator("#find").fill(target["label"])
    expect(frame.locator("body")).to_have_attribute("data-found", "1", timeout=10_000)
    page.get_by_role("heading", name="Explore").click()  # the details move elsewhere first
    frame.locator("#find").press("Enter")
    expect(details).to_have_value(re.compile(re.escape(target["label"])), timeout=30_000)
    frame.locator("#find").fill("")

    # the menu: pin it where it is, then leave it out
    idle(page)
    page.mouse.click(*node_at(page, target["id"]), button="right")
    frame.get_by_role("menuitem", name="Pin here").click()
    expect(page.frame_locator(CANVAS).locator("body")).to_have_attribute(
        "data-drawn", str(before), timeout=30_000)
    for _ in range(50):
        if any(n["pinned"] for n in canvas_nodes(page, "n.pinned")):
            break
        page.wait_for_timeout(200)
    assert [n["id"] for n in canvas_nodes(page, "n.pinned")] == [target["id"]]
    idle(page)
    pinned_drawing = frame.locator("body").get_attribute("data-drawing") or ""
    page.mouse.click(*node_at(page, target["id"]), button="right")
    frame.get_by_role("menuitem", name="Leave out").click()
    expect(page.get_by_text("Left out (remove one to bring it back)")).to_be_visible(
        timeout=30_000)
    expect(page.frame_locator(CANVAS).locator("body")).not_to_have_attribute(
        "data-drawing", pinned_drawing, timeout=30_000)
    expect(page.frame_locator(CANVAS).locator("body[data-drawn]")).to_be_visible(timeout=30_000)
    assert target["id"] not in [n["id"] for n in canvas_nodes(page)]
    left = drawn(page)

    # a reload draws the same again: the exploration is kept with the session
    page.reload()
    expect(page.get_by_text("Left out (remove one to bring it back)")).to_be_visible(
        timeout=60_000)
    assert drawn(page) == left

    # full width: the drawing takes the page's width
    narrow = page.locator(CANVAS).bounding_box()
    assert narrow is not None
    page.get_by_text("Full width").click()
    idle(page)
    # the canvas is drawn afresh in its wider place: wait for it to be there again
    wide = None
    for _ in range(100):
        wide = page.locator(CANVAS).bounding_box() if page.locator(CANVAS).count() else None
        if wide and wide["width"] > narrow["width"] * 1.3:
            break
        page.wait_for_timeout(200)
    assert wide and wide["width"] > narrow["width"] * 1.3, (narrow, wide)
    drawn(page)

    # the timeline: a brush across it narrows the drawing to that time
    heading = page.get_by_text(re.compile(r"^Timeline of the drawing \((\d+) events?\)"))
    expect(heading).to_be_visible(timeout=30_000)
    events = int(re.search(r"\((\d+) event", heading.inner_text()).group(1))  # type: ignore[union-attr]
    chart = page.locator("[data-testid='stVegaLiteChart'] canvas, "
                         "[data-testid='stVegaLiteChart'] svg").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=8)
    page.mouse.up()
    narrowed = page.get_by_text(re.compile(r"^Timeline of the drawing \((\d+) events?\)"))
    expect(narrowed).not_to_have_text(heading.inner_text() if False else
                                      f"Timeline of the drawing ({events} events)",
                                      timeout=30_000)
    after = int(re.search(r"\((\d+) event", narrowed.inner_text()).group(1))  # type: ignore[union-attr]
    assert after < events
    assert errors == []
    assert [u for u in requests if not LOCAL.match(u)] == []
    ctx.close()


def test_an_upload_is_previewed_then_loaded_and_a_hostile_zip_refused(
        server: str, browser: Browser, scenario: Scenario, shots: Path, tmp_path: Path) -> None:
    """Last in this module: it adds a delivery to the module's graph."""
    from tests.helpers import MANIFEST, basic_files

    def zipped(path: Path, entries: dict[str, str | bytes]) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in entries.items():
                archive.writestr(name, content)
        return path

    manifest = json.dumps({**MANIFEST, "partner": "shelter-upload", "partner_kind": "shelter"})
    good = zipped(tmp_path / "maart.zip", {"manifest.json": manifest, **basic_files()})
    hostile = zipped(tmp_path / "escape.zip", {"manifest.json": manifest,
                                               "../persons.csv": "person_ref\nP1\n"})
    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    sign_in(page, server, "root")  # an administrator, on the partner's behalf
    page.get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload a delivery")).to_be_visible(timeout=60_000)
    before = scenario.store.count_nodes()

    delivery_box = page.get_by_role("region", name="Delivery (.zip)")
    delivery_box.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(hostile))
    expect(page.get_by_text("Refused: nothing of this delivery would be stored.")).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("would land outside the delivery folder")).to_be_visible()
    assert logged(server, "upload.check")["what"]["refused"] == 1

    delivery_box.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(good))
    expect(page.get_by_text("Preview: shelter-upload, delivery")).to_be_visible(timeout=60_000)
    idle(page)
    page.screenshot(path=shots / "upload.png", full_page=True)
    assert scenario.store.count_nodes() == before  # the preview stored nothing
    page.get_by_text("Load maart.zip").click()
    page.get_by_role("button", name="Load this delivery").click()
    expect(page.get_by_text(re.compile(r"Loaded maart\.zip: 11 rows of 11"))).to_be_visible(
        timeout=60_000)
    assert scenario.store.count_nodes()["Incident"] == before["Incident"] + 2
    entry = logged(server, "upload.load")
    assert entry["user"] == "root" and entry["what"]["partner"] == "shelter-upload"

    # and taken back: the withdrawal's manifest, what it would take, then withdrawn
    ref = scenario.store.run("MATCH (d:Delivery {partner: 'shelter-upload'}) "
                             "RETURN d.ref AS ref")[0]["ref"]
    withdrawal = tmp_path / "intrekking.json"
    withdrawal.write_text(json.dumps({
        "format": "exchange/withdrawal-1", "partner": "shelter-upload", "key_id": "demo",
        "pseudonymised": True, "reason": "sent to the wrong team", "deliveries": [ref]}))
    idle(page)
    page.get_by_role("region", name="Withdrawal (.json)").get_by_test_id(
        "stFileUploaderDropzoneInput").set_input_files(str(withdrawal))
    expect(page.get_by_text("sent to the wrong team")).to_be_visible(timeout=60_000)
    assert scenario.store.count_nodes()["Incident"] == before["Incident"] + 2  # not yet
    idle(page)
    page.get_by_text("Withdraw this, for shelter-upload").click()
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Withdrawn\. Marked out of date"))).to_be_visible(
        timeout=60_000)
    assert scenario.store.count_nodes()["Incident"] == before["Incident"]
    assert logged(server, "withdrawal.apply")["what"]["deliveries"] == [ref]
    assert [u for u in requests if not LOCAL.match(u)] == []
    ctx.close()
