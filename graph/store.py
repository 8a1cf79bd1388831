"""The only door to Neo4j. Every query of Schakel is in ``graph/`` and passes here.

Pass a :class:`Store` around; it owns one driver. Values always travel as parameters;
labels and relationship types come only from :mod:`graph.schema`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar, cast

import neo4j
from neo4j import Driver, GraphDatabase, Session, Transaction
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.time import Date, DateTime, Duration, Time

from graph import driver as driver_mend
from graph import schema
from graph.errors import DatabaseUnavailable, GraphError
from graph.settings import Settings

if TYPE_CHECKING:
    from graph.audit import AuditLog

T = TypeVar("T")
log = logging.getLogger(__name__)


# A write transaction that fails on a transient error (in practice: a deadlock between
# the two ingest writers) is tried again after RETRY_DELAY_S, then twice that, and so on
# for up to RETRY_TIME_S in all. Not the driver's own retry of managed transactions: it
# first waits a whole second, while the other transaction of a deadlock goes on at once,
# and that lost second held up a whole delivery (a file's next batches wait for its
# last one); the driver offers no documented option to shorten it.
RETRY_DELAY_S = 0.05
RETRY_TIME_S = 30.0


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    edition: str


def plain(value: Any) -> Any:
    """A value read from Neo4j as plain Python: temporal values become ISO strings."""
    if isinstance(value, Date | DateTime | Time):
        return value.iso_format()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def quiet_driver_log() -> None:
    """Keep the driver's own log out of a terminal. It logs each retried transaction as a
    warning, and a server that stopped as an error on each connection it had open; neither
    is news to the person at the terminal, who gets the error itself as one clear message
    (see :meth:`Store._answering`)."""
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)


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
            raise GraphError("this store has no audit log: pass one to Store.connect")
        return self._audit

    @classmethod
    def connect(cls, settings: Settings, audit: AuditLog | None = None) -> Store:
        """A store for the configured server, logging reads of personal data to ``audit``
        (the caller's; see :func:`graph.audit.AuditLog.of_home`); :class:`DatabaseUnavailable`
        if the server does not answer, :class:`graph.driver.UnverifiedDriver` if the
        installed driver is not one Schakel was verified with."""
        driver_mend.apply()
        # the driver logs the server's warnings with the query's text: the console shows
        # them to whoever wrote the query; no log gets the query (it may hold a ref)
        logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
        # Notifications ("this label does not exist yet") are for people writing queries, not
        # for Schakel's own, which count labels of an empty graph on purpose.
        tls: dict[str, Any] = {}
        if settings.certificate is not None:  # TLS, trusting this CA or certificate alone
            tls = {"encrypted": True,
                   "trusted_certificates": neo4j.TrustCustomCAs(str(settings.certificate))}
        driver = GraphDatabase.driver(settings.uri, auth=settings.auth, user_agent="schakel",
                                      notifications_min_severity="OFF",
                                      max_transaction_retry_time=RETRY_TIME_S, **tls)
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
        return cls(driver, settings.neo4j_database, audit, where)

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
    def session(self, *, read_only: bool = False, fetch_size: int | None = None,
                warnings: bool = False) -> Iterator[Session]:
        """A session; ``fetch_size``: records fetched ahead (the driver's default is 1000);
        ``warnings``: with the server's warnings on each query (for a person's queries)."""
        access = neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS
        extra: dict[str, Any] = {"notifications_min_severity": "WARNING"} if warnings else {}
        with self._answering(), self.driver.session(
                database=self.database, default_access_mode=access,
                fetch_size=fetch_size or 1000, **extra) as session:
            yield session

    def write(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in a write transaction and commit it; when the server fails it on
        a transient error (``Neo4jError.is_retryable``: a deadlock, a lock time-out), try
        it again after a short wait that doubles, for up to ``RETRY_TIME_S``."""
        delay, deadline = RETRY_DELAY_S, time.monotonic() + RETRY_TIME_S
        # A lost connection is retryable too; only once the time is up does it become
        # DatabaseUnavailable (_answering), as the driver's own retries did.
        with self._answering():
            while True:
                try:
                    with self.driver.session(database=self.database) as session, \
                            session.begin_transaction() as tx:
                        result = work(tx)
                        tx.commit()
                        return result
                except (Neo4jError, DriverError) as exc:
                    if not exc.is_retryable() or time.monotonic() + delay > deadline:
                        raise
                    log.info("write transaction failed (%s); tried again in %.3fs",
                             getattr(exc, "code", None) or type(exc).__name__, delay)
                    time.sleep(delay)
                    delay *= 2

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
