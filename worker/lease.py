"""Lease keeper: synchronous pull gets no automatic ack-deadline extension, so we extend it ourselves.

While a message is held, a background thread pushes its ack deadline forward and renews the
request's claim in the database, so a slow stage is neither redelivered nor taken over.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from shared.logs import get_logger

log = get_logger("lease")


class LeaseKeeper:
    def __init__(
        self,
        extend_ack_deadlines: Callable[[list[str], int], None],
        renew_claim: Callable[[uuid.UUID, str], bool],
        *,
        ack_deadline_s: int,
        interval_s: float,
    ) -> None:
        self._extend = extend_ack_deadlines
        self._renew = renew_claim
        self.ack_deadline_s = ack_deadline_s
        self.interval_s = interval_s
        self._held: dict[str, tuple[uuid.UUID, str] | None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    @contextmanager
    def hold(self, ack_id: str) -> Iterator[Callable[[uuid.UUID, str], None]]:
        """Keep `ack_id` leased inside the block; the yielded callback names the claim to renew with it."""
        with self._lock:
            self._held[ack_id] = None

        def bind(request_id: uuid.UUID, owner: str) -> None:
            with self._lock:
                self._held[ack_id] = (request_id, owner)

        try:
            yield bind
        finally:
            with self._lock:
                self._held.pop(ack_id, None)

    def held(self) -> list[str]:
        with self._lock:
            return list(self._held)

    def extend_now(self) -> None:
        with self._lock:
            held = dict(self._held)
        if not held:
            return
        try:
            self._extend(list(held), self.ack_deadline_s)
        except Exception as exc:  # the next tick tries again; a lapse only risks a duplicate delivery
            log.warning("could not extend ack deadlines", error=str(exc), count=len(held))
        for claim in {c for c in held.values() if c is not None}:
            request_id, owner = claim
            try:
                self._renew(request_id, owner)
            except Exception as exc:
                log.warning("could not renew claim", request_id=str(request_id), error=str(exc))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.extend_now()
