"""Signals benchmark: a 1,000-row delivery into the scale-10 graph, with and without the
standing rules.

    .venv/bin/python -m bench.signals [--scale 10] [--seed 1] [--rounds 5] [--warmup 2]

First the whole scenario (the deliveries of five partners, ``--scale`` of them) is loaded
into an emptied database: once to warm the server up, then ``--whole`` times each without
the rules and with them (they run after each delivery, as in use), in turn; the median
throughput of each is printed with their ratio. Then, on the
graph loaded with the rules, it makes ``2 x (warmup + rounds)`` new deliveries of a sixth
partner (a foreign police) of 1,000 rows each: 250 incidents at places the graph knows,
600 involvements of persons the graph knows (most of them minors other partners know,
so the rules have work), and 150 signals about them. Each round loads one delivery
without the rules and one with them, in turn (so a slower moment of a shared machine hits
both), and prints, as medians over the rounds:
- the ingest itself (parse, validate, write; up to the delivery's completion) with the
  rules off and on, and their ratio (target: the rules cost the ingest <= 10 %);
- how long after the ingest the delivery's signals exist (target: <= 5 s), and how many
  it made.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import KEY, connect, neo4j
from graph.inbox.standing import STANDING, Standing
from graph.store import Store
from ingest.load import ingest_delivery
from scenarios.synth import generate

INCIDENTS, INVOLVEMENTS, SIGNALS = 250, 600, 150
KINDS = ("pickpocketing", "shoplifting", "theft", "begging")
SIGNAL_KINDS = ("no_id_documents", "carrying_cash", "unaccompanied_travel")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def known(store: Store) -> tuple[list[str], list[str], list[str]]:
    """Minors that two or more partners know, other persons, and places."""
    minors = [r["ref"] for r in store.run(
        "MATCH (p:Minor) WHERE size(p.partners) >= 2 RETURN p.ref AS ref ORDER BY ref")]
    adults = [r["ref"] for r in store.run(
        "MATCH (p:Person) WHERE NOT p:Minor RETURN p.ref AS ref ORDER BY ref LIMIT 2000")]
    places = [r["ref"] for r in store.run(
        "MATCH (l:Location) RETURN l.ref AS ref ORDER BY ref LIMIT 500")]
    return minors, adults, places


def delivery(root: Path, number: int, minors: list[str], adults: list[str],
             places: list[str]) -> Path:
    """A foreign police's delivery of 1,000 rows about persons the graph knows."""
    rng = random.Random(number)
    folder = root / f"bench-{number:03d}"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({
        "format": "exchange/1", "partner": "politie-be", "partner_kind": "foreign_police",
        "extracted_at": f"2016-04-{1 + number % 28:02d}T09:00:00+02:00",
        "pseudonymised": True, "key_id": KEY.key_id}))
    incidents = [f"BE-{number:03d}-{i:04d}" for i in range(INCIDENTS)]
    _write(folder / "incidents.csv", ["incident_ref", "kind", "occurred_at", "location_ref",
                                      "status"],
           [[ref, rng.choice(KINDS), f"2016-03-{1 + i % 28:02d}", rng.choice(places), ""]
            for i, ref in enumerate(incidents)])
    involved: list[list[object]] = []
    for i in range(INVOLVEMENTS):
        minor = i % 4 != 3
        involved.append([incidents[i % INCIDENTS],
                         rng.choice(minors) if minor else rng.choice(adults),
                         "suspect" if minor else "collector"])
    _write(folder / "involvements.csv", ["incident_ref", "person_ref", "role"],
           list({(r[0], r[1]): r for r in involved}.values()))
    _write(folder / "signals.csv", ["signal_ref", "kind", "person_ref", "observed_at",
                                    "location_ref", "related_person_ref"],
           [[f"BE-S-{number:03d}-{i:04d}", rng.choice(SIGNAL_KINDS), rng.choice(minors),
             f"2016-03-{1 + i % 28:02d}", rng.choice(places), ""] for i in range(SIGNALS)])
    return folder


def load(store: Store, path: Path, standing: Standing | None) -> dict[str, float]:
    started = time.perf_counter()
    report = ingest_delivery(store, path, KEY, standing=standing)
    total = time.perf_counter() - started
    assert not report.refused and report.rejected == 0, report.rejects[:3] or report.refused
    rules = report.signals.seconds if report.signals else 0.0
    made = report.signals.created + report.signals.updated if report.signals else 0
    failed = report.signals.failed if report.signals else {}
    assert not failed, failed
    return {"rows": report.loaded, "ingest": total - rules, "rules": rules, "made": made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--whole", type=int, default=3, help="loads of the whole scenario "
                        "with the rules off and on (each)")
    args = parser.parse_args()
    with neo4j() as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-signals-") as tmp:
        root = Path(tmp)
        generate(root / "scenario", seed=args.seed, scale=args.scale, key=KEY)
        paths = sorted(p for p in (root / "scenario").iterdir() if p.is_dir())
        store.ensure_schema()
        # The first load on a fresh server is slow whatever it does (the JVM compiles
        # Neo4j's query code as it meets it: see bench/ingest.py), so it is discarded; then
        # rules off and on in turn, --whole times each.
        loads: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
        for label, rules in [("warm-up", STANDING)] + [("off", None), ("on", STANDING)] * \
                args.whole:
            store.reset()
            runs = [load(store, path, rules) for path in paths]
            if label != "warm-up":
                loads[label].append((sum(r["ingest"] + r["rules"] for r in runs),
                                     max(r["rules"] for r in runs)))
        rows = sum(r["rows"] for r in runs)
        off_s = statistics.median(t for t, _ in loads["off"])
        on_s = statistics.median(t for t, _ in loads["on"])
        print(f"scale {args.scale:g}, {len(paths)} deliveries, {rows:,.0f} rows (median of "
              f"{args.whole}): rules off {off_s:.1f} s ({rows / off_s:,.0f} rows/s); rules on "
              f"{on_s:.1f} s ({rows / on_s:,.0f} rows/s; the slowest delivery's rules "
              f"{statistics.median(m for _, m in loads['on']):.1f} s); throughput with the "
              f"rules {off_s / on_s:.2f} x without; "
              f"{store.run('MATCH (a:Alert) RETURN count(a) AS n')[0]['n']:,} signals")
        minors, adults, places = known(store)
        print(f"{len(minors):,} minors known to two partners or more, {len(adults):,} other "
              f"persons, {len(places):,} places to draw from")
        off, on = [], []
        for number in range(args.warmup + args.rounds):
            a = load(store, delivery(root, 2 * number, minors, adults, places), None)
            b = load(store, delivery(root, 2 * number + 1, minors, adults, places), STANDING)
            if number >= args.warmup:
                off.append(a)
                on.append(b)
                print(f"round {number - args.warmup + 1}: {a['rows']:.0f} rows | rules off: "
                      f"ingest {a['ingest']:.2f} s | rules on: ingest {b['ingest']:.2f} s, "
                      f"then signals {b['rules']:.2f} s ({b['made']:.0f} made or updated)")

        def median(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(r[key] for r in runs)

        ratios = [b["ingest"] / a["ingest"] for a, b in zip(off, on, strict=True)]
        together = [(b["ingest"] + b["rules"]) / a["ingest"]
                    for a, b in zip(off, on, strict=True)]
        print(f"median over {args.rounds} rounds: ingest {median(off, 'ingest'):.2f} s with the "
              f"rules off, {median(on, 'ingest'):.2f} s with them on (ratio "
              f"{statistics.median(ratios):.2f}; target <= 1.10); signals exist "
              f"{median(on, 'rules'):.2f} s after the ingest ends (max "
              f"{max(r['rules'] for r in on):.2f} s; target <= 5 s); ingest and signals "
              f"together {statistics.median(together):.2f} x the ingest alone")


if __name__ == "__main__":
    main()
