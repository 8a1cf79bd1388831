"""Codenames: derivation (stable, unique at a million persons, tied to the team key) and,
on a real Neo4j, naming at ingest, stability across deliveries, and alias merges."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from dashboard.graph_view import tooltip
from dashboard.text import person
from graph import codenames
from graph.access import Role, Viewer
from graph.audit import Selection
from graph.explore import describe, search
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import PURPOSE, delivery

KEY = TeamKey("demo", DEMO_KEY)
OTHER = b"another team's key, 32 bytes...."
ANA = Viewer("ana", Role.ANALYST, ("jit",), purpose=PURPOSE)
SHAPE = re.compile(r"(?:IJ|[A-Z])[a-zë]+ [A-Z][a-zA-Z]+ (\d\d?)")


def refs(n: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def test_a_codename_is_two_dutch_words_and_a_number_and_stays_the_same() -> None:
    key = codenames.codename_key(DEMO_KEY)
    for ref in refs(200):
        name = codenames.derive(key, ref)
        found = SHAPE.fullmatch(name)
        assert found and 2 <= int(found.group(1)) <= 99, name
        assert codenames.derive(key, ref) == name
    assert codenames.space() > 4_000_000


def test_another_team_key_gives_other_codenames() -> None:
    ours, theirs = codenames.codename_key(DEMO_KEY), codenames.codename_key(OTHER)
    same = sum(codenames.derive(ours, r) == codenames.derive(theirs, r) for r in refs(1000))
    assert same <= 2  # chance alone: 1,000 draws from 4.7 million


def test_a_million_persons_get_a_million_names_and_clashes_resolve_the_same_way() -> None:
    key = codenames.codename_key(DEMO_KEY)
    many = refs(1_000_000)
    names = codenames.allot(key, many, set())
    assert len(names) == len(many) and len(set(names.values())) == len(many)
    moved = [r for r in many if names[r] != codenames.derive(key, r)]
    assert moved  # at a million, some first choices clash (birthday bound)
    again = codenames.allot(key, list(reversed(many)), set())
    assert again == names  # the same names whatever order the refs come in


def test_a_taken_name_is_skipped_for_the_next_attempt() -> None:
    key = codenames.codename_key(DEMO_KEY)
    ref = refs(1)[0]
    first = codenames.derive(key, ref)
    names = codenames.allot(key, [ref], {first})
    assert names[ref] == codenames.derive(key, ref, 1)


def test_the_merged_person_keeps_the_older_codename() -> None:
    older = {"ref": "b", "own_codename": "Blauwe Reiger 17", "named_at": 1}
    newer = {"ref": "a", "own_codename": "Groene Eik 4", "named_at": 2}
    assert codenames.chosen([newer, older]) == "Blauwe Reiger 17"
    tie = {"ref": "a", "own_codename": "Groene Eik 4", "named_at": 1}
    assert codenames.chosen([older, tie]) == "Groene Eik 4"  # tie: smallest ref


# -- in the graph --------------------------------------------------------------------

PERSONS = "person_ref,birth_year,sex,category\n"


def _load(store: Store, root: Path, name: str, persons: str, aliases: str = "") -> None:
    files = {"persons.csv": PERSONS + persons}
    if aliases:
        files["aliases.csv"] = "person_ref,other_ref,basis\n" + aliases
    report = ingest_delivery(store, delivery(root, files, name=name), KEY)
    assert report.status == 0, report.rejects or report.refused


def _names(store: Store) -> dict[str, tuple[str, str]]:
    rows = store.run("MATCH (p:Person) RETURN p.ref AS ref, p.own_codename AS own, "
                     "p.codename AS shown")
    return {r["ref"]: (r["own"], r["shown"]) for r in rows}


def test_ingest_names_everyone_and_later_deliveries_change_no_name(
        store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, "one", "M1,2004,f,\nM2,2005,m,\nA1,1980,m,\n")
    before = _names(store)
    assert len(before) == 3 and all(own and own == shown for own, shown in before.values())
    assert len({own for own, _ in before.values()}) == 3
    _load(store, tmp_path, "two", "M1,2004,f,\nM3,2006,m,\n")
    after = _names(store)
    assert {r: after[r] for r in before} == before
    assert len({own for own, _ in after.values()}) == 4
    # the name was derived under the team key from the pseudonym
    m3 = "M3"  # the helpers' deliveries come pseudonymised: refs are stored as given
    assert after[m3][0] == codenames.derive(codenames.codename_key(DEMO_KEY), m3)


def test_a_new_alias_joins_under_the_name_in_use_and_a_merge_keeps_the_older(
        store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, "one", "M1,2004,f,\n")
    _load(store, tmp_path, "two", "M7,2004,f,\n")
    m1, m7 = "M1", "M7"
    first = _names(store)
    # a third delivery says M1 is also known as M9 (new) and as M7 (named later than M1)
    _load(store, tmp_path, "three", "M9,2004,f,\n", aliases="M9,M1,fingerprint\nM7,M1,photo\n")
    names = _names(store)
    m9 = "M9"
    assert names[m1] == first[m1]
    assert {names[r][1] for r in (m1, m7, m9)} == {first[m1][0]}
    assert names[m7][0] == first[m7][0]  # its own codename stays on its node
    found = search(store, ANA, first[m7][0])  # and is found
    assert [n.ref for n in found] == [m7]
    assert found[0].props["codename"] == first[m1][0]
    shown = search(store, ANA, first[m1][0].lower())
    assert {n.ref for n in shown} == {m1, m7, m9}


def test_a_name_another_person_holds_is_not_given_twice(store: Store) -> None:
    key = codenames.codename_key(DEMO_KEY)
    ref = refs(1)[0]
    taken = codenames.derive(key, ref)
    store.run("CREATE (:Person {ref: 'held', own_codename: $n, codename: $n, named_at: 1})",
              {"n": taken})
    store.run("CREATE (:Person {ref: $r})", {"r": ref})
    assert codenames.name_new(store, DEMO_KEY) == 1
    assert _names(store)[ref][0] == codenames.derive(key, ref, 1)


def test_a_person_is_shown_searched_and_described_by_codename(
        store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, "one", "M1,2004,f,\n")
    name = _names(store)["M1"][1]
    (found,) = search(store, ANA, name.split()[0].upper() + " " + name.split()[1])
    assert found.ref == "M1" and found.caption == name  # the graph's label
    assert tooltip(found).splitlines()[:2] == [f"{found.kind} {name}", "ref M1"]  # a hover away
    line = describe(store, ANA, ["M1"])["M1"]
    assert f"{name} (M1)" in line
    assert person("3f9a0c1e55aa", name) == f"{name} (3f9a0c1e…)"


def test_the_privacy_officer_finds_every_read_of_a_person_by_codename(
        store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, "one", "M1,2004,f,\nM2,2004,f,\n")
    _load(store, tmp_path, "two", "M2,2004,f,\n", aliases="M2,M1,fingerprint\n")
    name = _names(store)["M1"][1]
    refs = codenames.refs_of(store, name.lower())
    assert refs == ["M1", "M2"]
    assert codenames.refs_of(store, "Geen Naam 1") == []
    pick = Selection(person=refs[0], aliases=tuple(refs[1:]))
    assert pick({"persons": ["M2"]}) and pick({"persons": ["M1"]})
    assert not pick({"persons": ["M3"]})


def test_a_person_split_by_removed_alias_links_goes_by_two_codenames(
        store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, "one", "M1,2004,f,\n")
    _load(store, tmp_path, "two", "M2,2004,f,\n", aliases="M2,M1,fingerprint\n")
    joined = _names(store)
    assert joined["M1"][1] == joined["M2"][1] == joined["M1"][0]
    store.run("MATCH (:Person)-[r:SAME_AS]-(:Person) DELETE r")  # as retention would
    assert codenames.refresh(store) == 1
    split = _names(store)
    assert split["M1"][1] == joined["M1"][0] and split["M2"][1] == joined["M2"][0]
