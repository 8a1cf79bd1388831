"""Load benchmark: concurrent dashboard sessions in a real browser, on loopback.

    .venv/bin/python -m bench.load [--sessions 20] [--rounds 3] [--scale 10] [--seed 1]

Loads a synthetic scenario into an empty Neo4j, analyses it, starts ``schakel dashboard``
on a free loopback port, and drives ``--sessions`` sessions at once, each in its own
browser context of one headless Chromium (Debian's). Every session signs in, states a
purpose, and then ``--rounds`` times: the overview, the candidates, a candidate's
structure drawn in Explore, a console query. Each step waits for what the user would
wait for (the chart, the list, the drawn graph, the row count); its time is the latency.

Bounded in count (sessions x rounds x steps) and time (``--step-timeout`` per step).
Prints throughput, latency percentiles per step, errors, and checks that nothing was lost:
every session's every step done, every read in the audit log, the log intact. As a
baseline in the same run, one session alone does the same rounds first.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from playwright.async_api import Page, async_playwright

from bench.common import connect, dashboard, load_scenario, neo4j
from dashboard.auth import Users
from graph.access import Role
from graph.analysis.run import analyse
from graph.audit import AuditLog

PASSWORD = "load-test password"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
STEPS = ("sign in", "overview", "candidates", "explore", "console")


async def session(browser, url: str, user: str, rounds: int, timeout_ms: int,  # type: ignore[no-untyped-def]
                  times: dict[str, list[float]], errors: list[str]) -> int:
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900})
    page: Page = await ctx.new_page()
    done = 0

    async def step(name: str, action) -> None:  # type: ignore[no-untyped-def]
        nonlocal done
        started = time.perf_counter()
        try:
            await action()
        except Exception as exc:  # a failed step is a figure, not a crash
            errors.append(f"{user} {name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            return
        times[name].append(time.perf_counter() - started)
        done += 1

    async def sign_in() -> None:
        await page.goto(url)
        await page.get_by_label("User name").fill(user)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_label("Case or request number").fill("LOAD-1")
        await page.get_by_label("Reason").fill("load benchmark on synthetic data")
        await page.get_by_role("button", name="Continue").click()
        await page.get_by_role("heading", name="Latest analysis run").wait_for(timeout=timeout_ms)

    async def overview() -> None:
        await page.get_by_role("link", name="Overview").click()
        await page.get_by_role("heading", name="Latest analysis run").wait_for(timeout=timeout_ms)

    async def candidates() -> None:
        await page.get_by_role("link", name="Candidates").click()
        await page.get_by_role("button", name="Open in Explore").first.wait_for(
            timeout=timeout_ms)

    async def explore() -> None:
        await page.get_by_role("button", name="Open in Explore").first.click()
        await page.frame_locator("iframe").first.locator("body[data-drawn]").wait_for(
            timeout=timeout_ms)

    async def console() -> None:
        await page.get_by_role("link", name="Cypher console").click()
        await page.get_by_role("button", name="Run").click()
        await page.get_by_text(" ms", exact=False).first.wait_for(timeout=timeout_ms)

    await step("sign in", sign_in)
    for _ in range(rounds):
        await step("overview", overview)
        await step("candidates", candidates)
        await step("explore", explore)
        await step("console", console)
    await ctx.close()
    return done


async def drive(url: str, users: list[str], rounds: int, timeout_ms: int
                ) -> tuple[float, dict[str, list[float]], list[str], list[int]]:
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        started = time.perf_counter()
        done = await asyncio.gather(*(session(browser, url, u, rounds, timeout_ms, times, errors)
                                      for u in users))
        wall = time.perf_counter() - started
        await browser.close()
    return wall, times, errors, list(done)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(title: str, wall: float, times: dict[str, list[float]], errors: list[str],
           expected: int) -> float:
    steps = sum(len(v) for v in times.values())
    print(f"{title}: {steps} of {expected} steps in {wall:.1f} s = {steps / wall:.2f} steps/s; "
          f"{len(errors)} errors")
    for name in STEPS:
        v = times.get(name, [])
        if v:
            print(f"  {name:<10} n={len(v):>3}  p50 {statistics.median(v):6.2f} s  "
                  f"p90 {pct(v, 0.9):6.2f} s  p99 {pct(v, 0.99):6.2f} s  max {max(v):6.2f} s")
    for e in errors[:10]:
        print(f"  error: {e}")
    return steps / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step-timeout", type=float, default=120.0)
    args = parser.parse_args()
    timeout_ms = int(args.step_timeout * 1000)
    with neo4j(heap="4g", pagecache="2g") as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-load-") as tmp:
        rows = load_scenario(store, Path(tmp) / "scenario", seed=args.seed, scale=args.scale)
        analyse(store, top=20)
        home = Path(tmp) / "home"
        users = Users.of_home(home)
        names = [f"user{i:02d}" for i in range(args.sessions + 1)]
        for name in names:
            users.add(name, PASSWORD, role=Role.INVESTIGATOR, teams=("load",))
        # the steps find controls by their English names
        with dashboard(settings, Path(tmp) / "dashboard.log", SCHAKEL_HOME=str(home),
                       SCHAKEL_LANGUAGE="en") as url:
            print(f"scale {args.scale:g}: {rows:,} rows; {args.sessions} sessions x "
                  f"{args.rounds} rounds x {len(STEPS) - 1} steps (+ sign-in), one Chromium")
            expected_one = 1 + args.rounds * (len(STEPS) - 1)
            wall, times, errors, _ = asyncio.run(drive(url, names[:1], args.rounds, timeout_ms))
            alone = report("baseline, 1 session", wall, times, errors, expected_one)
            audit = AuditLog.of_home(home)
            before = sum(1 for _ in audit.entries())
            wall, times, errors, done = asyncio.run(drive(url, names[1:], args.rounds,
                                                          timeout_ms))
            together = report(f"{args.sessions} sessions", wall, times, errors,
                              expected_one * args.sessions)
            print(f"  throughput ratio {args.sessions} sessions / 1 session: "
                  + (f"{together / alone:.2f}x" if alone else "n/a (the baseline did no step)"))
            entries = list(audit.entries())[before:]
            users_logged = {e["user"] for e in entries}
            _, problems = audit.verify()
            print(f"  nothing lost: {sum(done)} of {expected_one * args.sessions} steps done; "
                  f"{len(entries):,} audit entries from {len(users_logged)} of "
                  f"{args.sessions} users; audit log "
                  f"{'intact' if not problems else 'NOT intact: ' + str(problems[:3])}")


if __name__ == "__main__":
    main()
