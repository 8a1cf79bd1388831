"""Canvas benchmark: Explore's interactive canvas in a real Chromium, on the scale-10 scenario.

    .venv/bin/python -m bench.canvas [--scale 10] [--seed 1] [--clicks 10] [--expansions 5]

Loads a synthetic scenario into an empty Neo4j and analyses it, serves the dashboard on a
free loopback port, signs in, opens the top candidate's structure in Explore with room
for 1,500 nodes, and measures what an analyst waits for:

- a click on a node until its details stand beside the graph (target 0.5 s);
- a double-click (expansion) until the larger drawing is on the canvas (target 1 s);
- the canvas with 500 nodes or more: frames per second and the longest frame while it is
  zoomed and panned for three seconds (fluid: no frame over 200 ms, 20 frames a second).

Baseline, in the same run: opening the structure in Explore (the page's whole run).
Every request the browser makes is recorded: none may leave the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.common import connect, dashboard, load_scenario, neo4j
from bench.pages import CHROMIUM, FLAGS, LOCAL, PASSWORD, link, settled, sign_in
from dashboard.auth import Users
from graph.access import Role
from graph.analysis.run import analyse

CANVAS = "iframe[title='dashboard.canvas.canvas']"
CAP = 1500  # room for the expansions
TARGETS = {"click → details": 0.5, "double-click → expanded": 1.0}


def canvas(page: Page) -> Frame:
    frame = page.locator(CANVAS).element_handle().content_frame()
    assert frame is not None
    return frame


def drawn(page: Page) -> int:
    body = page.frame_locator(CANVAS).locator("body[data-drawn]")
    body.wait_for(timeout=120_000)
    return int(body.get_attribute("data-drawn") or 0)


def spot(page: Page, node_id: str) -> tuple[float, float]:
    box = page.locator(CANVAS).bounding_box()
    assert box is not None
    at = canvas(page).evaluate(
        "(id) => { const n = schakelNetwork; const p = n.canvasToDOM(n.getPositions([id])[id]);"
        " const g = document.getElementById('graph').getBoundingClientRect();"
        " return {x: p.x + g.x, y: p.y + g.y}; }", node_id)
    return box["x"] + at["x"], box["y"] + at["y"]


def candidates(page: Page, count: int, tried: set[str] | None = None) -> list[dict[str, Any]]:
    """Nodes to click: persons and places that are not starting points, inside the view
    (and not among ``tried``)."""
    found: list[dict[str, Any]] = canvas(page).evaluate(
        "(count) => { const n = schakelNetwork; const g = document.getElementById('graph')"
        ".getBoundingClientRect(); return n.body.data.nodes.get({filter: x => !x.seed &&"
        " ['minor','adult','location'].includes(x.kind)}).filter(x => { const p ="
        " n.canvasToDOM(n.getPositions([x.id])[x.id]); return p.x > 20 && p.y > 20 &&"
        " p.x < g.width - 20 && p.y < g.height - 20; }).slice(0, count)"
        ".map(x => ({id: x.id, label: x.fullLabel})); }", count + len(tried or ()))
    return [n for n in found if n["id"] not in (tried or set())][:count]


def click_details(page: Page, node: dict[str, Any]) -> float:
    x, y = spot(page, node["id"])
    start = time.perf_counter()
    page.mouse.click(x, y)
    page.wait_for_function(
        "(label) => [...document.querySelectorAll('input[role=combobox]')]"
        ".some(i => i.value.includes(label))", arg=node["label"], timeout=60_000)
    return time.perf_counter() - start


def expand(page: Page, node: dict[str, Any]) -> tuple[float, int] | None:
    """The time a double-click took to draw the larger drawing, and its size; ``None`` if
    the node brought nothing new (its links were all drawn already)."""
    before = page.frame_locator(CANVAS).locator("body").get_attribute("data-drawing")
    x, y = spot(page, node["id"])
    start = time.perf_counter()
    page.mouse.dblclick(x, y)
    try:
        page.wait_for_function(
            "(before) => { const f = document.querySelector(\"" + CANVAS.replace('"', '\\"')
            + "\"); const b = f && f.contentDocument && f.contentDocument.body;"
            " return b && b.dataset.drawn && b.dataset.drawing !== before; }",
            arg=before, timeout=20_000)
    except PlaywrightTimeout:
        settled(page)
        return None
    seconds = time.perf_counter() - start
    settled(page, started=True)
    nodes = drawn(page)
    ms = page.frame_locator(CANVAS).locator("body").get_attribute("data-draw-ms")
    print(f"    expansion to {nodes:,} nodes: {seconds:.2f} s, of which drawing in the "
          f"browser {int(ms or 0) / 1000:.2f} s")
    return seconds, nodes


FLUID = """async () => {
  const n = schakelNetwork, frames = [];
  let last = performance.now(), running = true;
  function tick(t) { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); }
  requestAnimationFrame(tick);
  const start = n.getViewPosition(), scale = n.getScale();
  for (let i = 0; i < 30; i++) {
    n.moveTo({position: {x: start.x + 300 * Math.sin(i / 4), y: start.y + 200 * Math.cos(i / 5)},
              scale: scale * (1 + 0.6 * Math.sin(i / 6)), animation: false});
    await new Promise(r => setTimeout(r, 100));
  }
  running = false;
  frames.shift();
  return frames;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--expansions", type=int, default=5)
    args = parser.parse_args()
    requests: list[str] = []
    with neo4j(heap="4g", pagecache="2g") as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        rows = load_scenario(store, Path(tmp) / "scenario", seed=args.seed, scale=args.scale)
        analyse(store, top=20)
        Users.of_home(settings.home).add("ivo", PASSWORD, role=Role.INVESTIGATOR,
                                         teams=("jit",), replace=True)
        print(f"scale {args.scale:g}: {rows:,} rows; {args.clicks} clicks, "
              f"{args.expansions} expansions")
        with dashboard(settings, Path(tmp) / "dashboard.log", SCHAKEL_LANGUAGE="en") as url, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            ctx = browser.new_context(viewport={"width": 1600, "height": 1200})
            ctx.on("request", lambda r: requests.append(r.url))
            page = ctx.new_page()
            sign_in(page, url, "ivo")
            link(page, "candidates").click()
            settled(page)
            start = time.perf_counter()
            page.locator("[class*='st-key-open_'] button").first.click()
            settled(page)
            first = drawn(page)
            baseline = time.perf_counter() - start
            cap = page.locator(".st-key-ex_cap input")
            cap.fill(str(CAP))
            cap.press("Enter")
            settled(page)
            nodes = drawn(page)
            clicks = [click_details(page, n) for n in candidates(page, args.clicks)]
            grows: list[float] = []
            tried: set[str] = set()
            while (len(grows) < args.expansions or nodes < 500) and nodes < CAP:
                pick = candidates(page, 1, tried)  # (the fluidity: on 500 nodes or more)
                if not pick:
                    break
                tried.add(pick[0]["id"])
                done = expand(page, pick[0])
                if done is not None:
                    if len(grows) < args.expansions:
                        grows.append(done[0])
                    nodes = done[1]
            frames = canvas(page).evaluate(FLUID)
            browser.close()
    print(f"  baseline: the structure opened in Explore ({first} nodes): {baseline:.2f} s")
    for name, values in (("click → details", clicks), ("double-click → expanded", grows)):
        if not values:
            print(f"  {name}: not measured")
            continue
        median, worst = statistics.median(values), max(values)
        target = TARGETS[name]
        print(f"  {name:<24} n={len(values):>2}  median {median:5.2f} s  slowest {worst:5.2f} s"
              f"  · {worst / target:4.2f}x target ({target:g} s) · {median / baseline:4.2f}x "
              f"baseline  {'ok' if worst <= target else 'MISSES'}")
    fps = 1000 / statistics.mean(frames) if frames else 0.0
    longest = max(frames) if frames else 0.0
    fluid = longest <= 200 and fps >= 20
    print(f"  canvas of {nodes} nodes, zoomed and panned 3 s: {fps:.0f} frames/s, longest "
          f"frame {longest:.0f} ms  {'fluid' if fluid else 'NOT FLUID'}")
    leaks = [u for u in requests if not LOCAL.match(u)]
    print(f"  requests beyond this machine: {len(leaks)}" + (f" {leaks[:3]}" if leaks else ""))


if __name__ == "__main__":
    main()
