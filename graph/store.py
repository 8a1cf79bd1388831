"""The only door to Neo4j. Every query of Schakel is in ``graph/`` and passes here.

Pass a :class:`Store` around; it owns one driver. Values always travel as parameters;
labels and relationship types come only from :mod:`graph.schema`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, LiteralString, cast

import neo4j
from neo4j import Driver, GraphDatabase, Session
from neo4j._sync.work.session import Session as _DriverSession
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from graph import schema
from graph.audit import AuditLog
from graph.errors import DatabaseUnavailable, GraphError
from graph.settings import Settings


def _keep_the_connection_of_a_failed_transaction() -> None:
    """Mend a race in the neo4j driver (6.4.1, the newest on the package index here).

    When a query in a transaction fails, the driver's session gives the connection back
    to the pool at once, from the failure's callback; the transaction then closes and,
    while it does, still reads that connection. Another thread can take the connection
    in between. Then the failing thread gets ``ResultFailedError`` instead of the
    server's error, so a deadlock is not retried and a unique-key clash is not seen as
    one, and the thread that took the connection can wait two minutes for an answer
    (seen in CI, in tests/test_views.py, and reproduced in tests/test_store.py).

    The session keeps the connection instead; it gives it back once the transaction has
    closed (the transaction's closed handler), or in its own clean-up when the driver
    refuses to commit a failed transaction: the two ways the driver's code goes on.
    """
    if not callable(getattr(_DriverSession, "_transaction_error_handler", None)):
        raise ImportError("this neo4j driver is not one graph/store.py was written for: "
                          "see _keep_the_connection_of_a_failed_transaction")

    def keep_until_closed(session: _DriverSession, error: BaseException) -> None:
        """The failure of a query in ``session``'s transaction: nothing to do yet."""

    _DriverSession._transaction_error_handler = keep_until_closed  # type: ignore[method-assign]


_keep_the_connection_of_a_failed_transaction()


RETRY_DELAY_S = 0.05  # the first wait before a failed transaction is tried again


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    edition: str


def timed_out(exc: Neo4jError) -> bool:
    """Whether the server stopped a query at its transaction's time-out."""
    return "TimedOut" in (exc.code or "")


class Store:
    """Schakel's access to one Neo4j database."""

    def __init__(self, driver: Driver, database: str = "neo4j",
                 audit: AuditLog | None = None, where: str = "") -> None:
        self.driver = driver
        self.database = database
        self._audit = audit
        self._where = where  # the server's address and what to do when it does not answer

    @property
    def audit(self) -> AuditLog:
        """Where reads of personal data are logged (the home's audit log)."""
        if self._audit is None:
            raise GraphError("this store has no audit log; connect with Store.connect(settings)")
        return self._audit

    @classmethod
    def connect(cls, settings: Settings) -> Store:
        """A store for the configured server; :class:`DatabaseUnavailable` if it does not answer."""
        # Notifications ("this label does not exist yet") are for people writing queries, not
        # for Schakel's own, which count labels of an empty graph on purpose.
        # A transaction that failed on a transient error (in practice: a deadlock between
        # the two ingest writers) is retried after RETRY_DELAY_S, then twice that, and so
        # on up to the driver's 30 s in all, rather than after 1 s: the other transaction
        # of a deadlock goes on at once, and the lost second held up a whole delivery (a
        # file's next batches wait for its last one). The option is accepted by driver
        # 6.4.1 but not documented; tests/test_store.py checks that it takes effect.
        driver = GraphDatabase.driver(settings.uri, auth=settings.auth, user_agent="schakel",
                                      notifications_min_severity="OFF",
                                      initial_retry_delay=RETRY_DELAY_S)
        hint = (
            "Start the local one with `schakel neo4j start`."
            if settings.uses_local_neo4j
            else "Check NEO4J_URI and that the server runs."
        )
        where = f"{settings.uri}. {hint}"
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, OSError) as exc:
            driver.close()
            raise DatabaseUnavailable(f"Neo4j does not answer at {where}") from exc
        except AuthError as exc:
            driver.close()
            raise DatabaseUnavailable(
                f"Neo4j at {settings.uri} refused the credentials of NEO4J_USER/NEO4J_PASSWORD."
            ) from exc
        return cls(driver, settings.neo4j_database, AuditLog.of_home(settings.home), where)

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """Turn the driver's "no server" errors into :class:`DatabaseUnavailable`, whose
        message is fit for a user: Neo4j stopped or restarted after :meth:`connect`.
        The driver has already retried a managed transaction for 30 s and more by then."""
        try:
            yield
        except (ServiceUnavailable, SessionExpired) as exc:
            raise DatabaseUnavailable(
                f"Neo4j stopped answering at {self._where or 'its address'}") from exc

    def check_answers(self) -> None:
        """:class:`DatabaseUnavailable` at once if the server does not answer now, where a
        query would first retry for 30 s and more; about a millisecond when it answers.
        For the dashboard, which asks before drawing a page."""
        with self._answering():
            self.driver.verify_connectivity()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        access = neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS
        with self._answering(), \
                self.driver.session(database=self.database, default_access_mode=access) as session:
            yield session

    def run(self, query: LiteralString, params: Mapping[str, Any] | None = None, *,
            read_only: bool = False) -> list[dict[str, Any]]:
        """Run one of ``graph``'s own queries (retried on transient errors); rows as dicts."""
        with self._answering():
            records, _, _ = self.driver.execute_query(
                query, dict(params or {}), database_=self.database,
                routing_=neo4j.RoutingControl.READ if read_only else neo4j.RoutingControl.WRITE,
            )
        return [record.data() for record in records]

    # -- the server ---------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        row = self.run(
            "CALL dbms.components() YIELD name, versions, edition "
            "RETURN name, versions[0] AS version, edition",
            read_only=True,
        )[0]
        return ServerInfo(row["name"], row["version"], row["edition"])

    # -- the schema ---------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create every constraint and index of :mod:`graph.schema`; safe to repeat.

        When all of them exist and are online (every ingest after the first), this is
        one query rather than one per index.
        """
        with self.session() as session:
            online = {r["name"] for r in session.run(
                "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN name")}
            wanted: list[schema.Constraint | schema.Index] = [*schema.CONSTRAINTS, *schema.INDEXES]
            if all(item.name in online for item in wanted):
                return
            for item in wanted:
                session.run(cast(LiteralString, item.cypher)).consume()
            session.run("CALL db.awaitIndexes(300)").consume()

    def constraints(self) -> list[dict[str, Any]]:
        return self.run(
            "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type "
            "RETURN name, labelsOrTypes, properties, type",
            read_only=True,
        )

    def indexes(self) -> list[dict[str, Any]]:
        return self.run(
            "SHOW INDEXES YIELD name, labelsOrTypes, properties, type, state "
            "RETURN name, labelsOrTypes, properties, type, state",
            read_only=True,
        )

    def reset(self) -> None:
        """Delete every node and relationship; the schema stays."""
        with self.session() as session:
            session.run(
                "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()

    # -- counts ---------------------------------------------------------------------

    def count_nodes(self) -> dict[str, int]:
        """Nodes per schema label (``Minor`` counted as well as ``Person``)."""
        counts: dict[str, int] = {}
        with self.session(read_only=True) as session:
            for lab in schema.Label:
                query = f"MATCH (n:{schema.label(lab.value)}) RETURN count(n) AS c"
                counts[lab.value] = session.run(cast(LiteralString, query)).single(strict=True)["c"]
        return counts

    def count_relationships(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.session(read_only=True) as session:
            for rel in schema.Rel:
                query = f"MATCH ()-[r:{schema.rel_type(rel.value)}]->() RETURN count(r) AS c"
                counts[rel.value] = session.run(cast(LiteralString, query)).single(strict=True)["c"]
        return counts
