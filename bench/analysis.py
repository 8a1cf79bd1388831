"""Analysis benchmark: time and peak memory of `analyse` at several scales.

    .venv/bin/python -m bench.analysis [--scales 1 10 100] [--seed 1]

For each scale it generates a synthetic scenario, ingests it into an empty Neo4j (timed
separately), then, in a child process, times the projection alone (the baseline: the
graph pulled out of Neo4j into networkx) and the whole analysis — projection, detectors,
ranking, structures, writing findings back — and reports both, their ratio and the
child's peak memory.
Between consecutive scales it prints the growth exponent of time and memory against the
number of input rows (1 = linear; n log n shows as slightly above 1).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import connect, neo4j, peak_rss_mib, repo
from graph.settings import Settings
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate

KEY = TeamKey("demo", DEMO_KEY)


def child() -> None:
    from graph.analysis.projection import project
    from graph.analysis.run import analyse

    with connect(Settings.from_env()) as store:
        started = time.perf_counter()
        project(store)  # the baseline: pulling the graph out of Neo4j, nothing more
        projection_s = time.perf_counter() - started
        started = time.perf_counter()
        result = analyse(store, top=20)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "projection_s": projection_s,
                      "peak_mib": peak_rss_mib(),
                      "persons": result.run["persons"], "candidates": result.run["candidates"],
                      "nodes": result.graph.number_of_nodes(),
                      "edges": result.graph.number_of_edges()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0, 100.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child()
        return
    rows_before: list[tuple[float, float, float]] = []
    with neo4j(heap="6g", pagecache="4g") as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        store.ensure_schema()
        for scale in args.scales:
            scenario = Path(tmp) / f"scale-{scale:g}"
            truth = generate(scenario, seed=args.seed, scale=scale, key=KEY)
            rows = sum(sum(files.values()) for files in truth["rows"].values())
            store.reset()
            started = time.perf_counter()
            for path in sorted(p for p in scenario.iterdir() if p.is_dir()):
                ingest_delivery(store, path, KEY)
            ingest_s = time.perf_counter() - started
            result = subprocess.run([sys.executable, "-m", "bench.analysis", "--child"],
                                    env=settings.child_env(), cwd=repo(), capture_output=True,
                                    text=True, check=True)
            run = json.loads(result.stdout.strip().splitlines()[-1])
            line = (f"scale {scale:g}: {rows:,} rows, {run['persons']:,} persons | ingest "
                    f"{ingest_s:.0f} s | analyse {run['seconds']:.1f} s = "
                    f"{run['seconds'] / run['projection_s']:.1f} x its projection alone "
                    f"({run['projection_s']:.1f} s), peak {run['peak_mib']:,.0f} MiB | "
                    f"projection {run['nodes']:,} nodes, "
                    f"{run['edges']:,} edges | {run['candidates']:,} candidates")
            if rows_before:
                r0, t0, m0 = rows_before[-1]
                growth = math.log(rows / r0)
                line += (f" | growth exponent: time {math.log(run['seconds'] / t0) / growth:.2f},"
                         f" memory {math.log(run['peak_mib'] / m0) / growth:.2f}")
            rows_before.append((rows, run["seconds"], run["peak_mib"]))
            print(line, flush=True)


if __name__ == "__main__":
    main()
