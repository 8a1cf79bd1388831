"""Ingest benchmark: the whole pipeline against the ceiling of a bare UNWIND … CREATE.

    .venv/bin/python -m bench.ingest [--scales 1 10] [--seed 1] [--rounds 3] [--warmup 2]

For each scale it generates a synthetic scenario and, in the same emptied Neo4j:
- the ceiling: every row of every file sent as-is with ``UNWIND $rows AS row CREATE``
  in batches of the loader's size (no validation, no MERGE, no provenance);
- the pipeline: ``ingest_delivery`` for every delivery (validate, pseudonymise, check
  references, MERGE with provenance, decide minors), in a child process whose peak
  memory is measured, with that of the parser process it forks.
A fresh JVM compiles Neo4j's query code as it first meets it, and the pipeline meets far
more of it than a bare CREATE: on a fresh server Neo4j spent 49, then 10, then 9 and 8 s
of CPU on the same scale-10 pipeline, the ceiling 10, 4, 3 and 3 s. So ``--warmup``
rounds of both on the same scenario are run first and discarded (a server that ingests
deliveries runs for months: the warm one is the one to measure). Then ``--rounds``
rounds, ceiling and pipeline in turn, so that a slower moment of a shared machine hits
both. It prints the median of each, the median of the rounds' ratios (target: pipeline
>= 0.5 x ceiling), and peak memory at each scale (target: flat in the size of the
delivery).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import connect, neo4j, peak_rss_mib, repo
from graph.settings import Settings
from graph.store import Store
from ingest.parser import BATCH
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate

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
    with connect(settings) as store:
        baseline = peak_rss_mib()
        started = time.perf_counter()
        rows = rejected = 0
        for path in deliveries:
            report = ingest_delivery(store, Path(path), key)
            rows += report.loaded + report.rejected
            rejected += report.rejected
        seconds = time.perf_counter() - started
    parser_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "rejected": rejected, "seconds": seconds,
                      "peak_mib": peak_rss_mib(), "baseline_mib": baseline,
                      "parser_peak_mib": parser_peak}))


def pipeline(settings: Settings, scenario: Path) -> dict[str, float]:
    deliveries = [str(p) for p in sorted(scenario.iterdir()) if p.is_dir()]
    result = subprocess.run([sys.executable, "-m", "bench.ingest", "--child", *deliveries],
                            env=settings.child_env(), cwd=repo(), capture_output=True, text=True,
                            check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def measure(store: Store, settings: Settings,
            scenario: Path) -> tuple[int, float, dict[str, float]]:
    """One round: the ceiling, then the pipeline, each into an emptied database."""
    store.reset()
    rows, seconds = ceiling(store, scenario)
    store.reset()
    run = pipeline(settings, scenario)
    store.reset()
    return rows, seconds, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    results = []
    with neo4j() as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        store.ensure_schema()
        for scale in args.scales:
            scenario = Path(tmp) / f"scale-{scale:g}"
            generate(scenario, seed=args.seed, scale=scale, key=TeamKey("demo", DEMO_KEY))
            for _ in range(args.warmup):
                measure(store, settings, scenario)  # discarded
            rounds = [measure(store, settings, scenario) for _ in range(args.rounds)]
            rows = rounds[0][0]
            ceiling_s = statistics.median(r[1] for r in rounds)
            pipeline_s = statistics.median(r[2]["seconds"] for r in rounds)
            ratio = statistics.median(r[1] / r[2]["seconds"] for r in rounds)
            r = {"scale": scale, "rows": rows, "ceiling_s": ceiling_s, "pipeline_s": pipeline_s,
                 "peak_mib": max(x[2]["peak_mib"] for x in rounds),
                 "baseline_mib": min(x[2]["baseline_mib"] for x in rounds),
                 "parser_peak_mib": max(x[2]["parser_peak_mib"] for x in rounds)}
            results.append(r)
            each = ", ".join(f"{x[1] / x[2]['seconds']:.2f}" for x in rounds)
            print(f"scale {scale:g}: {rows} rows | ceiling {rows / ceiling_s:,.0f} rows/s "
                  f"({ceiling_s:.1f} s) | pipeline {rows / pipeline_s:,.0f} rows/s "
                  f"({pipeline_s:.1f} s) | ratio {ratio:.2f} "
                  f"(rounds: {each})"
                  f" | peak memory: loader {r['peak_mib']:.0f} MiB (after imports and "
                  f"connect {r['baseline_mib']:.0f} MiB), parser {r['parser_peak_mib']:.0f} MiB",
                  flush=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = [x["peak_mib"] - x["baseline_mib"] for x in (small, large)]
        print(f"rows x{large['rows'] / small['rows']:.1f} -> loader peak memory "
              f"x{large['peak_mib'] / small['peak_mib']:.2f} (above imports and connection: "
              f"{growth[0]:.0f} -> {growth[1]:.0f} MiB), parser peak "
              f"x{large['parser_peak_mib'] / small['parser_peak_mib']:.2f} "
              f"({small['parser_peak_mib']:.0f} -> {large['parser_peak_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
