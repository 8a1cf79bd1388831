"""The write API's own promises, beyond what a delivery's load shows."""

from __future__ import annotations

import gc

from graph.store import Store
from graph.writes import DeliveryWriter


def test_a_landed_batch_is_freed_at_once_not_at_the_next_full_collection(
        store: Store) -> None:
    # The driver keeps a query's parameters in objects that reference each other, which
    # only Python's full collections free, and those come rarely: a large delivery's
    # batches piled up in memory (120 MB at synth scale 100) until one came.
    rows = [{"person_ref": f"P{n}", "birth_year": 2005, "sex": None, "category": None}
            for n in range(50)]
    writer = DeliveryWriter(store, "police-nl", "police-nl-2016-03")
    gc.collect()
    gc.disable()
    try:
        writer.persons(rows)
        gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collection finds, to look at it
        gc.collect()
        kept = {id(item) for found in gc.garbage if isinstance(found, list | tuple)
                for item in found}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert store.count_nodes()["Person"] == 50
    assert not kept & {id(row) for row in rows}
