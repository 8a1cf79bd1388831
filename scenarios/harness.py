"""Generalisation: the analysis measured over many random worlds it was not tuned on.

For each seed, a world of :mod:`scenarios.worlds` is written, ingested into the real
Neo4j (an empty database, emptied again afterwards), projected, and ranked by each
variant of the method (the method itself, an ablation, a baseline). Every ranking is
scored against the world's truth: average precision, precision at k, recall of the top
2k, the share of each innocent class in the top k, and the recall of the disguised guilty
(a parent or youth worker who exploits) in the top 2k. The summary gives the mean and the
worst world, never the mean alone.

Beside it, the same average precision over the planted adults the data can show: those
whom at least one recorded incident, signal or shared identifier links to a minor. A
partner that records 30 % of its rows leaves some planted adults with no link to any
child; no method can rank them, and this figure says how much of a world's loss is that.
It never replaces the first: the targets are read on all planted adults.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from graph.analysis import counter as counters
from graph.analysis import ranking
from graph.analysis.evaluate import degree_baseline, evaluate
from graph.analysis.patterns import DETECTORS, minor_links, named_as_contact
from graph.analysis.projection import project
from graph.analysis.ranking import Candidate
from graph.errors import GraphError
from graph.store import Store
from ingest.load import ingest_deliveries
from ingest.pseudonymise import TeamKey
from scenarios.worlds import INNOCENT, generate_world

Ranked = list[set[str]]
Variant = Callable[[nx.Graph], Ranked]


class NotEmpty(GraphError):
    """The database holds data: the harness loads and removes worlds, so it needs none."""

    def __init__(self, nodes: int) -> None:
        super().__init__(
            f"evaluating over worlds needs an empty database (it loads synthetic worlds and "
            f"removes them again), and this one holds {nodes:,} nodes: use another "
            f"NEO4J_DATABASE or another SCHAKEL_NEO4J_DATA, or empty it with "
            f"`schakel db reset --yes`.")


def refs_of(g: nx.Graph, node: tuple[str, str]) -> set[str]:
    return set(g.nodes[node]["refs"]) or {node[1]}


def ranked_refs(g: nx.Graph, candidates: Sequence[Candidate]) -> Ranked:
    return [refs_of(g, c.node) for c in candidates]


def method(**options: Any) -> Variant:
    """The analysis's ranking with ``options`` (see :func:`graph.analysis.ranking.rank`)."""
    def run(g: nx.Graph) -> Ranked:
        return ranked_refs(g, ranking.rank(g, **options))
    return run


def reachable(g: nx.Graph, positives: set[str]) -> set[str]:
    """The references of ``positives`` whose person the graph links to at least one minor
    (an incident, a signal naming them, a shared identifier)."""
    found: set[str] = set()
    for node, attrs in g.nodes(data=True):
        if attrs.get("kind") == "person" and not attrs.get("minor"):
            mine = refs_of(g, node) & positives
            if mine and minor_links(g, node):
                found |= mine
    return found


def calibration_pairs(candidates: Sequence[Candidate], g: nx.Graph, positives: set[str]
                      ) -> list[tuple[float, bool]]:
    """(score, whether a planted exploiter or helper) for every ranked adult."""
    return [(c.score, bool(refs_of(g, c.node) & positives)) for c in candidates]


def guardian_pairs(candidates: Sequence[Candidate], g: nx.Graph, positives: set[str]
                   ) -> list[tuple[bool, bool]]:
    """(flagged as what a guardian does too, planted) for each moderate or strong lead."""
    return [(c.guardian_like, bool(refs_of(g, c.node) & positives)) for c in candidates
            if c.band != "weak"]


def contact_pairs(candidates: Sequence[Candidate], g: nx.Graph, positives: set[str]
                  ) -> list[tuple[bool, bool]]:
    """(named by a care partner as a child's contact, planted) for each moderate or strong
    lead (the finding's ``contact_of`` note, :func:`patterns.named_as_contact`)."""
    return [(bool(named_as_contact(g, c.node)), bool(refs_of(g, c.node) & positives))
            for c in candidates if c.band != "weak"]


VARIANTS: dict[str, Variant] = {
    "schakel": method(),
    "pattern sum, no counter-evidence (before)": method(
        anchored=False, counter_kinds=(), disabled={"handler_conduct"}),
    "degree to minors": degree_baseline,
}


def ablation() -> dict[str, Variant]:
    """The method, and the method with each part switched off in turn."""
    variants: dict[str, Variant] = {"schakel": method()}
    variants["without the minors' markers"] = method(use_markers=False)
    variants["without any counter-evidence"] = method(counter_kinds=())
    variants["every case of a professional counted whole"] = method(caseload=None)
    for kind in sorted(counters.FACTORS):
        rest = frozenset(counters.FACTORS) - {kind}
        variants[f"without counter-evidence '{kind}'"] = method(counter_kinds=rest)
    for name in DETECTORS:
        variants[f"without pattern '{name}'"] = method(disabled={name})
    return variants


@dataclass
class WorldScore:
    seed: int
    variant: str
    k: int
    average_precision: float
    precision_at_k: float
    recall_at_2k: float
    decoy_share: float  # innocent adults in the top k, as a share of k
    class_share: dict[str, float]  # per innocent class, its share of the top k
    disguised: int  # disguised guilty in this world
    disguised_recall_at_2k: float | None  # None when the world has none
    unreachable: int = 0  # planted adults the data links to no minor
    # average precision over the others (None when there are none)
    reachable_average_precision: float | None = None


@dataclass
class Summary:
    variant: str
    worlds: int
    mean_ap: float
    worst_ap: float
    worst_seed: int
    mean_precision_at_k: float
    mean_decoy_share: float
    worst_decoy_share: float
    worst_class_share: dict[str, float]  # per innocent class, its largest share in any world
    disguised_recall_at_2k: float  # over all disguised guilty of all worlds
    unreachable: int = 0  # planted adults, over all worlds, the data links to no minor
    reachable_mean_ap: float | None = None  # over the planted adults it links to one
    reachable_worst_ap: float | None = None
    reachable_worst_seed: int | None = None


@dataclass
class Generalisation:
    seeds: list[int]
    scores: list[WorldScore] = field(default_factory=list)
    calibration: list[tuple[float, bool]] = field(default_factory=list)  # of "schakel"
    stress: str | None = None  # the stress the worlds were drawn under (worlds.STRESS)
    # of "schakel"'s moderate and strong leads: (what a guardian does too, planted)
    guardian: list[tuple[bool, bool]] = field(default_factory=list)
    # and (named by a care partner as a child's contact, planted)
    contact: list[tuple[bool, bool]] = field(default_factory=list)

    def summary(self) -> list[Summary]:
        out = []
        for variant in dict.fromkeys(s.variant for s in self.scores):
            mine = [s for s in self.scores if s.variant == variant]
            worst = min(mine, key=lambda s: s.average_precision)
            found = sum(round((s.disguised_recall_at_2k or 0) * s.disguised) for s in mine)
            planted = sum(s.disguised for s in mine)
            seen = [s for s in mine if s.reachable_average_precision is not None]
            hardest = min(seen, key=lambda s: s.reachable_average_precision or 0.0,
                          default=None)
            out.append(Summary(
                variant, len(mine), statistics.fmean(s.average_precision for s in mine),
                worst.average_precision, worst.seed,
                statistics.fmean(s.precision_at_k for s in mine),
                statistics.fmean(s.decoy_share for s in mine),
                max(s.decoy_share for s in mine),
                {c: max(s.class_share.get(c, 0.0) for s in mine) for c in INNOCENT},
                found / planted if planted else 1.0,
                sum(s.unreachable for s in mine),
                statistics.fmean(s.reachable_average_precision or 0.0 for s in seen)
                if seen else None,
                hardest.reachable_average_precision if hardest else None,
                hardest.seed if hardest else None))
        return out

    def reliability(self, bins: Sequence[float] = (0.0, 0.1, 0.2, 0.4, 0.7, 1.0001)
                    ) -> list[dict[str, Any]]:
        """For each band of scores, how many adults, the mean score, and the share of them
        that were planted exploiters or helpers: calibrated scores have the two alike."""
        rows = []
        for low, high in itertools.pairwise(bins):
            inside = [(p, y) for p, y in self.calibration if low <= p < high]
            rows.append({"from": low, "to": min(high, 1.0), "adults": len(inside),
                         "mean_score": statistics.fmean(p for p, _ in inside) if inside else None,
                         "planted": statistics.fmean(float(y) for _, y in inside)
                         if inside else None})
        return rows

    def guardian_caution(self) -> dict[str, dict[str, int]]:
        """Of the moderate and strong leads, those whose links are all what a parent or
        guardian does too (flagged on the finding) and the others: how many, and how many
        of them planted. The flag is worth its place when it picks out the innocent."""
        return _apart(self.guardian)

    def contact_caution(self) -> dict[str, dict[str, int]]:
        """The same for the leads a care partner named as a child's contact (the finding's
        note) and the others."""
        return _apart(self.contact)

    def document(self) -> dict[str, Any]:
        return {"seeds": self.seeds, "stress": self.stress,
                "summary": [asdict(s) for s in self.summary()],
                "reliability": self.reliability(),
                "guardian_caution": self.guardian_caution(),
                "contact_caution": self.contact_caution(),
                "worlds": [asdict(s) for s in self.scores]}


def _apart(pairs: Sequence[tuple[bool, bool]]) -> dict[str, dict[str, int]]:
    """(flag, planted) pairs counted apart: the flagged leads and the others, each with how
    many of them were planted."""
    out = {}
    for name, flag in (("flagged", True), ("not_flagged", False)):
        mine = [planted for flagged, planted in pairs if flagged == flag]
        out[name] = {"leads": len(mine), "planted": sum(mine)}
    return out


def score_world(seed: int, variant: str, ranked: Ranked, truth: dict[str, Any],
                shown: set[str] | None = None) -> WorldScore:
    """``ranked`` scored against ``truth``; ``shown``: the planted adults the data links to
    a minor (:func:`reachable`), all of them when not given."""
    positives = set(truth["exploiters"]) | set(truth["helpers"])
    shown = positives if shown is None else shown & positives
    decoys = {name: set(refs) for name, refs in truth["decoys"].items()}
    s = evaluate(variant, ranked, positives, decoys)
    k = s.k
    disguised = set(truth.get("disguised", []))
    top2k = set().union(*ranked[:2 * k]) if ranked else set()
    return WorldScore(
        seed, variant, k, s.average_precision, s.precision_at_k, s.recall_at_2k,
        sum(s.decoys_in_top_k.values()) / k if k else 0.0,
        {name: n / k for name, n in s.decoys_in_top_k.items()} if k else {},
        len(disguised),
        len(disguised & top2k) / len(disguised) if disguised else None,
        len(positives - shown),
        evaluate(variant, ranked, shown, decoys).average_precision if shown else None)


def evaluate_worlds(store: Store, seeds: Iterable[int], key: TeamKey, *,
                    variants: dict[str, Variant] | None = None,
                    folder: Path | None = None,
                    progress: Callable[[int, WorldScore], None] | None = None,
                    stress: str | None = None) -> Generalisation:
    """Load each world of ``seeds`` (drawn under ``stress``, a name of
    :data:`scenarios.worlds.STRESS`, if given) into the (empty) database of ``store``, rank
    it with each variant and score it; the database is emptied after every world."""
    variants = variants or VARIANTS
    nodes = sum(store.count_nodes().values())
    if nodes:
        raise NotEmpty(nodes)
    seeds = list(seeds)
    result = Generalisation(seeds, stress=stress)
    with tempfile.TemporaryDirectory(prefix="schakel-worlds-", dir=folder) as tmp:
        for seed in seeds:
            where = Path(tmp) / f"world-{seed}"
            truth = generate_world(where, seed=seed, key=key, stress=stress)
            try:
                deliveries = sorted(p for p in where.iterdir() if p.is_dir())
                ingested = ingest_deliveries(store, deliveries, key)
                if ingested.stopped is not None:
                    raise ingested.stopped
                g = project(store)
                positives = set(truth["exploiters"]) | set(truth["helpers"])
                shown = reachable(g, positives)
                for name, variant in variants.items():
                    scored = score_world(seed, name, variant(g), truth, shown)
                    result.scores.append(scored)
                    if progress is not None:
                        progress(seed, scored)
                ranked = ranking.rank(g)
                result.calibration += calibration_pairs(ranked, g, positives)
                result.guardian += guardian_pairs(ranked, g, positives)
                result.contact += contact_pairs(ranked, g, positives)
            finally:
                store.reset()
    return result
