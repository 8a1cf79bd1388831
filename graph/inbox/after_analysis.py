"""Signals of an analysis run, to the team: what changed since the run before it.

- **new candidate**: a person in the run's top ``top`` who was not in the previous run's
  (aliases count as the same person); on a first run, every one of its top ``top``;
- **score rose**: a finding whose score rose by at least ``margin`` since the previous run;
  either headline says so when all the finding's links are what a parent or guardian does
  too (``guardian_like``), or a care partner named the person as a child's contact
  (``contact_of``), so the team asks the partners before acting;
- **structure grew**: a structure (matched to the previous run's by a shared core member)
  with minors it did not have.

A weak lead (a band in ``Changes.quiet``) raises neither: it is most often an ordinary
adult near a child, and waits on Candidates for an analyst who lists the weak leads. One
that rises out of the weak band is new to the team, which was never told of it.

A person is matched across runs by every ref its findings name, since a run's refs are
chosen afresh. The evidence is the run's finding or structure, which rests on the
deliveries of what supports it: retention takes the signal's evidence out with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from graph.inbox.alerts import (
    Addressee,
    AddresseeKind,
    Evidence,
    Merged,
    Phrase,
    Raised,
    Rule,
    merge,
)
from graph.store import Store, plain
from graph.words import QUIET
from i18n import N_

FINDINGS: LiteralString = (
    "MATCH (f:Finding {run_id: $run}) RETURN f.ref AS ref, f.run_at AS at, "
    "[f.person_ref] + coalesce(f.aliases, []) AS refs, f.rank AS rank, f.score AS score, "
    "f.band AS band, coalesce(f.deliveries, []) AS deliveries, "
    "coalesce(f.guardian_like, false) OR coalesce(f.contact_of, '[]') <> '[]' AS guardian "
    "ORDER BY f.rank")
STRUCTURES: LiteralString = (
    "MATCH (s:Structure {run_id: $run}) "
    "OPTIONAL MATCH (s)-[m:HAS_MEMBER {role: 'minor'}]->(p:Person) "
    "RETURN s.ref AS ref, s.run_at AS at, s.core AS core, collect(p.ref) AS minors, "
    "coalesce(s.deliveries, []) AS deliveries")
PREVIOUS: LiteralString = (
    "MATCH (f:Finding) WHERE f.run_id <> $run WITH f.run_id AS run, max(f.run_at) AS at "
    "WHERE at < $at RETURN run ORDER BY at DESC LIMIT 1")
RUN_AT: LiteralString = "MATCH (f:Finding {run_id: $run}) RETURN max(f.run_at) AS at"
# The headlines; a finding whose links are all what a parent does too says so.
NEW = N_("New in the top {top} of the analysis")
NEW_ASK = N_("New in the top {top} of the analysis (parent or guardian? ask the partners "
             "first)")
ROSE = N_("Score rose from {was} to {now}")
ROSE_ASK = N_("Score rose from {was} to {now} (parent or guardian? ask the partners first)")
GREW = N_("A structure gained one minor")
GREW_N = N_("A structure gained {n} minors")
MORE = N_("one minor more")
MORE_N = N_("{n} minors more")
SCORES = ("was", "now")  # written as the reader's language writes a decimal


@dataclass(frozen=True)
class Changes:
    """What an analysis run signals: the team it tells, how many of the top are watched,
    and by how much a score must rise."""

    team: str = "jit"
    top: int = 20
    margin: float = 0.10
    quiet: frozenset[str] = QUIET  # the bands that raise no signal

    def raised(self, store: Store, run: str) -> list[Raised]:
        at = store.run(RUN_AT, {"run": run}, read_only=True)
        if not at or at[0]["at"] is None:
            return []
        previous = store.run(PREVIOUS, {"run": run, "at": at[0]["at"]}, read_only=True)
        before = previous[0]["run"] if previous else None
        now_f = plain(store.run(FINDINGS, {"run": run}, read_only=True))
        old_f = plain(store.run(FINDINGS, {"run": before}, read_only=True)) if before else []
        team = Addressee(AddresseeKind.TEAM, self.team)
        out = []
        # a weak lead of the run before was not told: rising out of the band, it is new
        old_top = {ref for f in old_f if f["rank"] <= self.top and f["band"] not in self.quiet
                   for ref in f["refs"]}
        old_score = {ref: f["score"] for f in old_f for ref in f["refs"]}
        for f in now_f:
            if f["band"] in self.quiet:
                continue
            refs = tuple(sorted(f["refs"]))
            evidence = (_finding(f),)
            ask = bool(f["guardian"])
            if f["rank"] <= self.top and not old_top & set(refs):
                out.append(Raised(Rule.NEW_CANDIDATE, team, refs[0], evidence,
                                  Phrase.of(NEW_ASK if ask else NEW, top=self.top), refs))
            was = max((old_score[r] for r in refs if r in old_score), default=None)
            if was is not None and f["score"] - was >= self.margin:
                out.append(Raised(Rule.SCORE_ROSE, team, refs[0], evidence,
                                  Phrase.of(ROSE_ASK if ask else ROSE, numbers=SCORES,
                                            was=f"{was:.2f}", now=f"{f['score']:.2f}"),
                                  refs))
        if before:
            out += _grown(plain(store.run(STRUCTURES, {"run": run}, read_only=True)),
                          plain(store.run(STRUCTURES, {"run": before}, read_only=True)), team)
        return out

    def after_run(self, store: Store, run: str) -> Merged:
        return merge(store, self.raised(store, run))


def _finding(f: dict[str, Any]) -> Evidence:
    note = Phrase.of(N_("rank {rank}, score {score}"), numbers=("score",), rank=f["rank"],
                     score=f"{f['score']:.2f}")
    return Evidence(f["ref"], "finding", f.get("band") or "", str(f["at"])[:10],
                    deliveries=tuple(f["deliveries"]), note=note.english,
                    note_said=note.json())


def _grown(now: list[dict[str, Any]], before: list[dict[str, Any]],
           team: Addressee) -> list[Raised]:
    out = []
    for s in now:
        core = set(s["core"] or ())
        earlier = [b for b in before if core & set(b["core"] or ())]
        if not earlier:
            continue
        had = {m for b in earlier for m in b["minors"]}
        gained = sorted(set(s["minors"]) - had)
        if not gained:
            continue
        subject = min(core)
        grew, more = ((Phrase.of(GREW), Phrase.of(MORE)) if len(gained) == 1 else
                      (Phrase.of(GREW_N, n=len(gained)), Phrase.of(MORE_N, n=len(gained))))
        out.append(Raised(
            Rule.STRUCTURE_GREW, team, subject,
            (Evidence(s["ref"], "structure", "", str(s["at"])[:10],
                      deliveries=tuple(s["deliveries"]), note=more.english,
                      note_said=more.json()),),
            grew, tuple(sorted(core | set(gained)))))
    return out
