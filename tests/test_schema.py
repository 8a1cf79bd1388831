import pytest
from neo4j.exceptions import ConstraintError

from graph import schema
from graph.errors import SchemaError
from graph.store import Store

INJECTIONS = [
    "Person) DETACH DELETE n //",
    "Person`) MATCH (m) DETACH DELETE m //",
    "Person:Minor",
    "person",
    "",
    " Person",
    "Person\n",
    "`Person`",
    "SUSPECT_IN]->() DELETE r //",
    "SUSPECT_IN|VICTIM_IN",
    None,
    42,
    ["Person"],
]


@pytest.mark.parametrize("name", INJECTIONS)
def test_label_refuses_anything_outside_the_schema(name: object) -> None:
    with pytest.raises(SchemaError):
        schema.label(name)


@pytest.mark.parametrize("name", INJECTIONS)
def test_rel_type_refuses_anything_outside_the_schema(name: object) -> None:
    with pytest.raises(SchemaError):
        schema.rel_type(name)


def test_every_schema_name_passes_as_itself() -> None:
    assert [schema.label(x.value) for x in schema.Label] == [x.value for x in schema.Label]
    assert [schema.rel_type(x.value) for x in schema.Rel] == [x.value for x in schema.Rel]


def test_design_names_are_present() -> None:
    labels = {x.value for x in schema.Label}
    assert {"Person", "Minor", "Incident", "Location", "Signal", "Identifier", "Delivery",
            "Finding", "Structure", "SavedView"} <= labels
    assert set(schema.INVOLVEMENT_ROLES.values()) == {
        schema.Rel.SUSPECT_IN, schema.Rel.VICTIM_IN, schema.Rel.WITNESS_IN,
        schema.Rel.REPORTED, schema.Rel.PRESENT_AT, schema.Rel.COLLECTED_AFTER}


def test_ensure_schema_creates_a_ref_constraint_per_node_kind(store: Store) -> None:
    store.ensure_schema()  # a second time: must not fail or duplicate
    unique = {(c["labelsOrTypes"][0], tuple(c["properties"])) for c in store.constraints()
              if c["type"] == "UNIQUENESS"}
    for lab in schema.KEYED_LABELS:
        assert (lab.value, ("ref",)) in unique
    assert len(store.constraints()) == len(schema.CONSTRAINTS)
    names = {i["name"] for i in store.indexes()}
    assert {i.name for i in schema.INDEXES} <= names
    assert all(i["state"] == "ONLINE" for i in store.indexes())


@pytest.mark.parametrize("lab", [schema.Label.PERSON, schema.Label.INCIDENT,
                                 schema.Label.SAVED_VIEW])
def test_database_refuses_a_duplicate_ref(store: Store, lab: schema.Label) -> None:
    query = f"CREATE (:{schema.label(lab.value)} {{ref: $ref}})"
    store.run(query, {"ref": "p-1"})  # type: ignore[arg-type]
    with pytest.raises(ConstraintError):
        store.run(query, {"ref": "p-1"})  # type: ignore[arg-type]
    assert store.count_nodes()[lab.value] == 1


def test_reset_empties_but_keeps_the_schema(store: Store) -> None:
    store.run("UNWIND range(1, 25) AS i CREATE (:Person {ref: 'p' + i})-[:USES]->"
              "(:Identifier {ref: 'i' + i})")
    assert store.count_nodes()["Person"] == 25
    store.reset()
    assert sum(store.count_nodes().values()) == 0
    assert sum(store.count_relationships().values()) == 0
    assert len(store.constraints()) == len(schema.CONSTRAINTS)
