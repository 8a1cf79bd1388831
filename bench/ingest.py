"""Ingest benchmark: the whole pipeline against the ceiling of a bare UNWIND … CREATE.

    .venv/bin/python -m bench.ingest [--scales 1 10] [--seed 1]

For each scale it generates a synthetic scenario and, in the same empty Neo4j:
- the ceiling: every row of every file sent as-is with ``UNWIND $rows AS row CREATE``
  in batches of the loader's size (no validation, no MERGE, no provenance);
- the pipeline: ``ingest_delivery`` for every delivery (validate, pseudonymise, check
  references, MERGE with provenance, derive minors), in a child process whose peak
  memory is measured.
A discarded warm-up round of both comes first. It prints rows per second of both and
their ratio (target: pipeline >= 0.5 x ceiling),
and the pipeline's peak memory at each scale (target: flat in the size of the delivery).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import neo4j, peak_rss_mib, repo
from graph.settings import Settings
from graph.store import Store
from ingest.load import BATCH
from ingest.pseudonymise import DEMO_KEY, TeamKey
from ingest.synth import generate

CEILING = "UNWIND $rows AS row CREATE (n:BenchRow) SET n = row"


def ceiling(store: Store, scenario: Path) -> tuple[int, float]:
    rows = 0
    started = time.perf_counter()
    for path in sorted(scenario.glob("*/*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            batch = []
            for row in csv.DictReader(fh):
                batch.append(row)
                if len(batch) >= BATCH:
                    store.run(CEILING, {"rows": batch})
                    rows += len(batch)
                    batch = []
            if batch:
                store.run(CEILING, {"rows": batch})
                rows += len(batch)
    return rows, time.perf_counter() - started


def child(deliveries: list[str]) -> None:
    """The pipeline, run in its own process so its peak memory is its own."""
    from ingest.load import ingest_delivery

    settings = Settings.from_env()
    key = TeamKey("demo", DEMO_KEY)
    with Store.connect(settings) as store:
        baseline = peak_rss_mib()
        started = time.perf_counter()
        rows = rejected = 0
        for path in deliveries:
            report = ingest_delivery(store, Path(path), key)
            rows += report.loaded + report.rejected
            rejected += report.rejected
        seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "rejected": rejected, "seconds": seconds,
                      "peak_mib": peak_rss_mib(), "baseline_mib": baseline}))


def pipeline(settings: Settings, scenario: Path) -> dict[str, float]:
    deliveries = [str(p) for p in sorted(scenario.iterdir()) if p.is_dir()]
    result = subprocess.run([sys.executable, "-m", "bench.ingest", "--child", *deliveries],
                            env=settings.child_env(), cwd=repo(), capture_output=True, text=True,
                            check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    results = []
    with neo4j() as settings, Store.connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        store.ensure_schema()
        # A fresh JVM compiles Neo4j's query runtime on first use; measuring that would
        # time the JIT, not the pipeline. One small round of each, discarded, warms it.
        warm = Path(tmp) / "warm-up"
        generate(warm, seed=args.seed + 1000, scale=0.3, key=TeamKey("demo", DEMO_KEY))
        ceiling(store, warm)
        store.reset()
        pipeline(settings, warm)
        for scale in args.scales:
            scenario = Path(tmp) / f"scale-{scale:g}"
            generate(scenario, seed=args.seed, scale=scale, key=TeamKey("demo", DEMO_KEY))
            store.reset()
            rows, seconds = ceiling(store, scenario)
            store.reset()
            run = pipeline(settings, scenario)
            store.reset()
            results.append({"scale": scale, "rows": rows, "ceiling_rps": rows / seconds,
                            "pipeline_rps": run["rows"] / run["seconds"],
                            "pipeline_s": run["seconds"], "ceiling_s": seconds,
                            "peak_mib": run["peak_mib"], "baseline_mib": run["baseline_mib"]})
            r = results[-1]
            print(f"scale {scale:g}: {rows} rows | ceiling {r['ceiling_rps']:,.0f} rows/s "
                  f"({seconds:.1f} s) | pipeline {r['pipeline_rps']:,.0f} rows/s "
                  f"({run['seconds']:.1f} s) | ratio {r['pipeline_rps'] / r['ceiling_rps']:.2f}"
                  f" | peak memory {run['peak_mib']:.0f} MiB "
                  f"(after imports and connect {run['baseline_mib']:.0f} MiB)", flush=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = [r["peak_mib"] - r["baseline_mib"] for r in (small, large)]
        print(f"rows x{large['rows'] / small['rows']:.1f} -> peak memory "
              f"x{large['peak_mib'] / small['peak_mib']:.2f} "
              f"(above imports and connection: {growth[0]:.0f} -> {growth[1]:.0f} MiB)")


if __name__ == "__main__":
    main()
