"""Riding out a short database outage (a restart, a failover): retry the unit of work, not the delivery.

A unit of work is one short transaction that either committed or did not, so running it again after the
connection dropped is safe; the compare-and-set transitions turn a commit that did land into a Conflict,
which the runner already treats as "read the status again".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

from shared.logs import get_logger
from shared.resilience import log_each_wait

log = get_logger("db")
T = TypeVar("T")


# SQLSTATE classes of a server that is not there for us right now: 08 connection exception, 57P operator
# intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 "the database system is starting up / shutting
# down", which pg8000 raises as a ProgrammingError).
_DOWN_SQLSTATES = ("08", "57P")


def _sqlstate(error: BaseException | None) -> str | None:
    args = getattr(error, "args", ())
    if args and isinstance(args[0], dict):  # pg8000 carries the server's fields: {"C": "57P03", ...}
        code = args[0].get("C")
        return code if isinstance(code, str) else None
    return None


def is_database_down(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (as opposed to refusing the statement)."""
    if isinstance(exc, ConnectionError | TimeoutError):  # a socket error the driver let through unwrapped
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        code = _sqlstate(exc.orig)
        return exc.connection_invalidated or (code is not None and code.startswith(_DOWN_SQLSTATES))
    return False


def ride_out(work: Callable[[], T], *, budget_s: float) -> T:
    """Run `work`, retrying it while the database is down for up to `budget_s`; then the error stands."""
    retrying = Retrying(
        retry=retry_if_exception(is_database_down),
        stop=stop_after_delay(budget_s),
        wait=wait_exponential_jitter(initial=0.2, max=2.0),
        before_sleep=log_each_wait(log.warning, "database unreachable; retrying"),
        reraise=True,
    )
    return retrying(work)
