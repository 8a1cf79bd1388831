"""Page benchmark: every dashboard page in a real Chromium, on the scale-10 scenario.

    .venv/bin/python -m bench.pages [--scale 10] [--seed 1] [--rounds 3] [--language nl]

Loads a synthetic scenario into an empty Neo4j and analyses it, serves the dashboard
(``schakel dashboard``) on a free loopback port, signs in as an investigator (and as an
administrator for the users and audit pages), and times each page from the click on its
link to the moment Streamlit has finished the run and any drawing (graph, map) reports
it has drawn. Each page is visited ``--rounds`` times; the median and the slowest are
printed, with the ratio to the target (2 s) and to a baseline measured in the same run:
signing in up to the purpose page, which reads nothing from the graph (a password check
and Streamlit's own round trip).
Every request the browser makes is recorded: none may leave the machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.common import connect, dashboard, load_scenario, neo4j
from dashboard.auth import Users
from graph.access import Role
from graph.analysis.run import analyse

TARGET_S = 2.0
PASSWORD = "a bench password, long enough"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/|^(data|blob|about):")


def settled(page: Page, drawn: bool = False, *, started: bool = False) -> None:
    """Streamlit's run is over (and the drawing in the page's first frame has drawn).
    Unless the caller saw the new page already (``started``), wait for the click's run to
    start first, for at most 1.5 s: a run over before this looks is counted 1.5 s too
    slow, never too fast."""
    try:
        if not started:
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]",
                                   timeout=1500)
    except PlaywrightTimeout:
        pass
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                           timeout=120_000)
    if drawn:
        page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(
            timeout=120_000)


def timed(action: Callable[[], None], page: Page, drawn: bool = False) -> float:
    start = time.perf_counter()
    action()
    settled(page, drawn)
    return time.perf_counter() - start


def sign_in(page: Page, url: str, user: str) -> float:
    """Sign in; the time the purpose page took to answer (the baseline)."""
    page.goto(url)
    settled(page)
    page.locator("input[type=text]").first.fill(user)
    page.locator("input[type=password]").first.fill(PASSWORD)
    start = time.perf_counter()
    page.locator("[data-testid=stFormSubmitButton] button").click()
    page.locator("textarea").first.wait_for(timeout=120_000)  # the purpose page is there
    settled(page, started=True)
    seconds = time.perf_counter() - start
    page.locator(".st-key-purpose_case input").fill("BENCH-1")
    page.locator(".st-key-purpose_reason textarea").fill("page benchmark on synthetic data")
    page.locator("[data-testid=stFormSubmitButton] button").click()
    page.locator("[data-testid=stSidebarNav] a").first.wait_for(timeout=120_000)
    settled(page)
    return seconds


def link(page: Page, name: str) -> Locator:
    """The menu's link to the page ``name`` (its URL path: the same in either language;
    the overview, the default page, is the first)."""
    nav = page.locator("[data-testid=stSidebarNav] a")
    return nav.first if name == "overview" else nav.locator(f"xpath=self::*[contains("
                                                            f"@href, '/{name}')]").first


def go(page: Page, name: str, *, drawn: bool = False) -> float:
    return timed(link(page, name).click, page, drawn=drawn)


def investigator(page: Page, minor: str, times: dict[str, list[float]]) -> None:
    """Every page an investigator has, in the menu's order; Explore opened from the top
    candidate, the map both whole and for the minor with the most cities."""
    for name in ("overview", "inbox", "candidates"):
        times.setdefault(name, []).append(go(page, name))
    first = page.locator("[class*='st-key-open_'] button").first
    times.setdefault("explore (the top candidate's structure)", []).append(
        timed(first.click, page, drawn=True))
    times.setdefault("map (the whole graph)", []).append(go(page, "map", drawn=True))
    page.locator(".st-key-map_mode label:has(input[type=radio])").nth(1).click()
    settled(page)
    box = page.locator(".st-key-map_person input")
    box.wait_for(timeout=120_000)
    box.fill(minor)
    times.setdefault("map (a minor's route)", []).append(
        timed(lambda: box.press("Enter"), page, drawn=True))
    for name in ("console", "views"):
        times.setdefault(name, []).append(go(page, name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--language", default="nl", choices=("nl", "en"))
    args = parser.parse_args()
    times: dict[str, list[float]] = {}
    requests: list[str] = []
    with neo4j(heap="4g", pagecache="2g") as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        rows = load_scenario(store, Path(tmp) / "scenario", seed=args.seed, scale=args.scale)
        analyse(store, top=20)
        persons = store.count_nodes().get("Person", 0)
        minor = store.run("MATCH (m:Minor)-[]->(:Incident)-[:AT]->(l:Location) "
                          "WITH m, count(DISTINCT l.city) AS cities ORDER BY cities DESC "
                          "LIMIT 1 RETURN m.codename AS name", read_only=True)[0]["name"]
        users = Users.of_home(settings.home)
        users.add("ivo", PASSWORD, role=Role.INVESTIGATOR, teams=("jit",), replace=True)
        users.add("root", PASSWORD, role=Role.ADMIN, teams=("privacy",), replace=True)
        print(f"scale {args.scale:g}: {rows:,} rows, {persons:,} persons; "
              f"{args.rounds} rounds, language {args.language}")
        with dashboard(settings, Path(tmp) / "dashboard.log",
                       SCHAKEL_LANGUAGE=args.language) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for _ in range(args.rounds):
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                ctx.on("request", lambda r: requests.append(r.url))
                page = ctx.new_page()
                times.setdefault("baseline: sign-in to purpose page", []).append(
                    sign_in(page, url, "ivo"))
                investigator(page, minor, times)
                ctx.close()
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                ctx.on("request", lambda r: requests.append(r.url))
                page = ctx.new_page()
                sign_in(page, url, "root")
                for name in ("overview", "map", "users", "audit"):
                    times.setdefault(f"admin: {name}", []).append(go(page, name))
                ctx.close()
            browser.close()
    base = statistics.median(times["baseline: sign-in to purpose page"])
    print(f"{'page':44} {'median':>8} {'slowest':>8}  {'/ target':>8} {'/ baseline':>10}")
    worst = 0.0
    for name, values in times.items():
        med, top = statistics.median(values), max(values)
        worst = max(worst, top) if not name.startswith("baseline") else worst
        print(f"{name:44} {med:7.2f}s {top:7.2f}s  {med / TARGET_S:7.2f}x {med / base:9.1f}x")
    outside = [u for u in requests if not LOCAL.match(u)]
    print(f"slowest page {worst:.2f} s; target every page within {TARGET_S:.0f} s: "
          f"{'met' if worst <= TARGET_S else 'NOT met'}; requests beyond this machine: "
          f"{len(outside)}")


if __name__ == "__main__":
    main()
