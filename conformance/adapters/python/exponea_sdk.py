"""A small SDK-side JWT lifecycle following the exponea-stream profile.

This module is the "SDK under test" of the example adapter. It is written from the
requirements (spec/src/registry.rs), independently of the Rust reference model, and it
knows nothing about the conformance suite: it only needs a clock to schedule timers on,
a transport to send requests with, a monitor to report what it gives up on, and a storage
that outlives the app process (what a real SDK keeps in the Keychain and its database).

Requirement ids in comments point at the rule a piece of code implements.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Protocol

CustomerIds = Dict[str, str]

REFRESH_LEAD_MS = 60_000  # REFR-001: expired_soon at exp - 60 s
RETRY_DELAY_MS = 1_000  # RETRY-002: one retry 1 s after the rejection
MAX_ATTEMPTS = 2  # the first attempt and one retry (RETRY-003)

# Handler reasons (NOTIFY-003: the exponea-stream SDK never uses "insufficient", RETRY-006).
EXPIRED_SOON = "expired_soon"
EXPIRED = "expired"
NOT_PROVIDED = "not_provided"
INVALID = "invalid"


# --------------------------------------------------------------------------- clock


class VirtualClock:
    """A clock that only moves when told to, firing timers at their own due instants.

    A real SDK would use the platform's timers; tests and the adapter drive this one.
    Timers due at the same instant fire in the order they were scheduled.
    """

    def __init__(self, now_ms: int) -> None:
        self._now = now_ms
        self._timers: list = []  # heap of (due, seq, callback)
        self._seq = itertools.count()
        self._cancelled: set = set()

    def now(self) -> int:
        return self._now

    def schedule(self, due_ms: int, callback: Callable[[], None]) -> int:
        """Runs `callback` when the clock reaches `due_ms`; returns a handle for cancel()."""
        handle = next(self._seq)
        heapq.heappush(self._timers, (due_ms, handle, callback))
        return handle

    def cancel(self, handle: Optional[int]) -> None:
        if handle is not None:
            self._cancelled.add(handle)

    def advance(self, ms: int) -> None:
        """Moves the clock forward by `ms`, firing every timer due on the way at its instant."""
        target = self._now + ms
        while self._timers and self._timers[0][0] <= target:
            due, handle, callback = heapq.heappop(self._timers)
            if handle in self._cancelled:
                self._cancelled.discard(handle)
                continue
            self._now = max(self._now, due)
            callback()
        self._now = target


# --------------------------------------------------------------------------- token


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def unverified_exp_ms(raw: str) -> Optional[int]:
    """The token's `exp` in milliseconds, read without verifying anything.

    The SDK holds no key; it reads `exp` only to time its notifications. Anything it
    cannot read (not three base64url parts, a payload that is not a JSON object, an
    `exp` that is not a non-negative integer) means "no exp": the token is still kept
    and sent, and the server decides (LIFE-011, LIFE-012). `Bearer eyJ...`, with its
    scheme and space, is not three base64url parts.
    """
    parts = raw.split(".")
    if len(parts) != 3 or not parts[0] or not all(_BASE64URL.fullmatch(p) for p in parts):
        return None
    payload = parts[1]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict):
        return None
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int) or exp < 0:
        return None
    return exp * 1000


@dataclass
class StoredToken:
    """The token slot: the raw token, its parsed exp and the customer it is bound to."""

    raw: str
    exp_ms: Optional[int]
    customer: CustomerIds
    expired_soon_delivered: bool = False  # REFR-005: at most once per stored token

    def is_expired(self, now: int) -> bool:
        # PRE-005: expired from exp * 1000 onward, no leeway.
        return self.exp_ms is not None and now >= self.exp_ms

    def is_expiring_soon(self, now: int) -> bool:
        return self.exp_ms is not None and self.exp_ms - REFRESH_LEAD_MS <= now < self.exp_ms


# --------------------------------------------------------------------------- requests


@dataclass
class Request:
    """One HTTP request the SDK sends."""

    id: int
    customer: CustomerIds
    events: List[str]
    authorization: Optional[str]  # the token after "Bearer ", or None for no header
    attempt: int


@dataclass
class JwtErrorContext:
    """What the app's JWT error handler receives."""

    reason: str
    customer_ids: CustomerIds


class Transport(Protocol):
    """Sends a request; the answer comes back through ExponeaSdk.on_response()."""

    def send(self, request: Request) -> None: ...


class Monitor(Protocol):
    """Where the SDK reports data it gives up on (QUEUE-001: nothing is lost silently)."""

    def request_failed(self, request: Request, cause: str) -> None: ...

    def events_deleted(self, events: List[str], rule: str) -> None: ...


@dataclass
class _Queued:
    event: str
    customer: CustomerIds


@dataclass
class Storage:
    """What the SDK keeps across app launches (LIFE-014): the token with the customer it
    is bound to, the current customer, and every event not yet delivered, those of the
    request in flight included (they go back to the front of the queue at the next launch).
    """

    token: Optional[StoredToken] = None
    customer: CustomerIds = field(default_factory=dict)
    queue: List[_Queued] = field(default_factory=list)
    sending: List[_Queued] = field(default_factory=list)


# --------------------------------------------------------------------------- the SDK


class ExponeaSdk:
    """The JWT lifecycle of an Exponea-style SDK in Data hub stream mode."""

    def __init__(
        self,
        clock: VirtualClock,
        transport: Transport,
        monitor: Monitor,
        storage: Optional[Storage] = None,
        request_ids: Optional[Iterator[int]] = None,
    ) -> None:
        """A new, unconfigured instance over `storage` (a fresh install without one).

        `request_ids` numbers the requests; an app that relaunches keeps counting.
        """
        self._clock = clock
        self._transport = transport
        self._monitor = monitor
        self._store = storage if storage is not None else Storage()
        self._running = False
        self._jwt_enabled = True
        self._refresh_timer: Optional[int] = None
        # Whether this instance has timed the stored token (a kept one is not, yet).
        self._token_timed = False
        self._handler: Optional[Callable[[JwtErrorContext], None]] = None
        self._in_flight: Optional[Request] = None  # also set while its retry is pending
        self._retry_timer: Optional[int] = None
        self._request_ids = request_ids if request_ids is not None else itertools.count(1)
        # LIFE-014: the request in flight when the last process ended was never answered;
        # its events go back to the front of the queue.
        self._store.queue[:0] = self._store.sending
        self._store.sending = []

    # ------------------------------------------------------------------ app API

    def configure(self, jwt_enabled: bool = True, token: Optional[str] = None) -> None:
        """Starts the SDK. jwt_enabled=False is project mode, where tokens are ignored (CONF-002).

        A second configure takes the new mode and keeps the token, the customer, the queue
        and the handler (CONF-003's decision). A token kept across a launch is timed again
        at the first configure with JWT (LIFE-014); a token this instance has timed keeps
        its one notification, delivered or dropped (REFR-007).
        """
        self._running = True
        self._jwt_enabled = jwt_enabled
        if not jwt_enabled:
            self._clock.cancel(self._refresh_timer)
            self._refresh_timer = None
        if token is not None:
            self.set_sdk_auth_token(token)  # CONF-006: as a set-token right after configuring
        elif self._store.token is not None and jwt_enabled and not self._token_timed:
            self._token_timed = True
            self._schedule_refresh(self._store.token)

    def set_jwt_error_handler(self, handler: Callable[[JwtErrorContext], None]) -> None:
        if not self._running:
            return  # like every call, it needs a running SDK (CONF-007; see README)
        self._handler = handler  # NOTIFY-006: one handler, the last registered

    def set_sdk_auth_token(self, raw: Optional[str]) -> None:
        """Stores `raw` for the current customer and schedules its refresh notification;
        `None` clears the stored token (LIFE-015)."""
        if not self._running:
            return  # CONF-007: nothing stored
        if raw is None:
            self._clear_token()  # LIFE-015, REFR-006
            return
        if not self._jwt_enabled:
            return  # CONF-002 (project mode): nothing stored
        self._clear_token()  # LIFE-002 / REFR-006: replaces the old token and its timer
        token = StoredToken(raw, unverified_exp_ms(raw), dict(self._store.customer))
        self._store.token = token
        self._token_timed = True
        self._schedule_refresh(token)

    def _schedule_refresh(self, token: StoredToken) -> None:
        """REFR-001, REFR-003, REFR-004: the refresh notification of a token just stored
        (or kept across a launch and timed again at configure)."""
        if token.exp_ms is None:
            return  # LIFE-012: nothing to time
        now = self._clock.now()
        due = token.exp_ms - REFRESH_LEAD_MS
        if now >= token.exp_ms:
            return  # REFR-004: the next pre-flight check reports it
        if now >= due:
            self._notify_expiring_soon(token)  # REFR-003: already inside the window
        else:
            self._refresh_timer = self._clock.schedule(due, lambda: self._refresh_due(token))

    def identify_customer(self, customer_ids: CustomerIds, token: Optional[str] = None) -> None:
        """Switches customer; without a token the stored one is cleared (LIFE-006, LIFE-007)."""
        if not self._running:
            return
        self._store.customer = dict(customer_ids)
        if token is None:
            self._clear_token()
        else:
            self.set_sdk_auth_token(token)

    def anonymize(self) -> None:
        """Clears the token and starts an anonymous customer; the queue is kept (LIFE-003, QUEUE-006)."""
        if not self._running:
            return
        self._clear_token()
        self._store.customer = {}

    def stop_integration(self) -> None:
        """Clears the token, discards the queue and stops sending (LIFE-004, QUEUE-006, CONF-007)."""
        if not self._running:
            return
        self._clear_token()
        self._discard_queue("stop_integration")
        self._running = False

    def clear_local_customer_data(self) -> None:
        """Clears the token, the customer and the queue (LIFE-005, QUEUE-006)."""
        if not self._running:
            return
        self._clear_token()
        self._store.customer = {}
        self._discard_queue("clear_local_data")

    def track(self, event: str) -> None:
        """Queues `event` for the current customer (QUEUE-003)."""
        if not self._running:
            self._monitor.events_deleted([event], "sdk_not_running")  # CONF-007
            return
        self._store.queue.append(_Queued(event, dict(self._store.customer)))

    def flush(self) -> None:
        """Sends the head run of one customer's events, if nothing is in flight (QUEUE-004)."""
        queue = self._store.queue
        if not self._running or self._in_flight is not None or not queue:
            return
        customer = queue[0].customer
        run = list(itertools.takewhile(lambda q: q.customer == customer, queue))
        del queue[: len(run)]
        self._store.sending = run
        events = [q.event for q in run]
        token = self._token_for(customer)
        self._preflight(token, customer)
        self._send(customer, events, token.raw if token else None, attempt=1)

    # ------------------------------------------------------------------ server side

    def on_response(self, request_id: int, status: Optional[int]) -> None:
        """The server's answer to a request; `status` None is a network failure."""
        request = self._in_flight
        if request is None or request.id != request_id or self._retry_timer is not None:
            return  # not the request we are waiting for: nothing to do
        if status is not None and 200 <= status < 300:
            self._in_flight = None  # QUEUE-007: delivered
            self._store.sending = []
            return
        if status not in (401, 403):
            # RETRY-012: not an authentication failure; the events go back to the front.
            self._in_flight = None
            self._store.sending = []
            self._store.queue[:0] = [_Queued(e, request.customer) for e in request.events]
            return
        if not self._jwt_enabled:
            # Project mode has no JWT lifecycle (CONF-002): nothing to refresh or retry with.
            self._fail(request, "authentication")
            return
        now = self._clock.now()
        carried = request.authorization
        expired = carried is not None and _expired(carried, now)
        if status == 403 and carried is not None and not expired:
            # RETRY-005 / RETRY-006: scope insufficient; no handler, no retry, token kept.
            self._fail(request, "forbidden")
            return
        if request.attempt >= MAX_ATTEMPTS:
            self._fail(request, "authentication")  # RETRY-003: no further retry or call
            return
        # RETRY-001 / RETRY-004 / RETRY-007: tell the handler why, then retry once.
        reason = NOT_PROVIDED if carried is None else EXPIRED if expired else INVALID
        self._notify(reason, request.customer)
        self._retry_timer = self._clock.schedule(now + RETRY_DELAY_MS, lambda: self._retry(request))

    # ------------------------------------------------------------------ internals

    def _token_for(self, customer: CustomerIds) -> Optional[StoredToken]:
        # LIFE-009: a token is only ever attached to its own customer's requests; in
        # project mode to none (CONF-002), although a token kept from before stays stored.
        token = self._store.token
        if self._jwt_enabled and token is not None and token.customer == customer:
            return token
        return None

    def _preflight(self, token: Optional[StoredToken], customer: CustomerIds) -> None:
        """PRE-001..PRE-003: checks before the first attempt of a request."""
        if not self._jwt_enabled:
            return
        now = self._clock.now()
        if token is None:
            self._notify(NOT_PROVIDED, customer)
        elif token.is_expired(now):
            self._notify(EXPIRED, token.customer)
        elif token.is_expiring_soon(now):
            self._notify_expiring_soon(token)

    def _send(self, customer: CustomerIds, events: List[str], authorization: Optional[str], attempt: int) -> None:
        request = Request(next(self._request_ids), dict(customer), list(events), authorization, attempt)
        self._in_flight = request
        self._transport.send(request)

    def _retry(self, failed: Request) -> None:
        """RETRY-002: the retry carries the token stored now; no pre-flight (PRE-004)."""
        self._retry_timer = None
        if not self._running:
            return
        token = self._token_for(failed.customer)
        self._send(failed.customer, failed.events, token.raw if token else None, failed.attempt + 1)

    def _fail(self, request: Request, cause: str) -> None:
        self._in_flight = None
        self._store.sending = []
        self._monitor.request_failed(request, cause)  # QUEUE-005

    def _refresh_due(self, token: StoredToken) -> None:
        self._refresh_timer = None
        if token is self._store.token:  # REFR-006: only for the token still stored
            self._notify_expiring_soon(token)

    def _notify_expiring_soon(self, token: StoredToken) -> None:
        # REFR-005: at most once per stored token. A notification dropped because no
        # handler was registered (REFR-007) was not delivered, so a later pre-flight may.
        if token.expired_soon_delivered or self._handler is None:
            return
        token.expired_soon_delivered = True
        self._notify(EXPIRED_SOON, token.customer)

    def _notify(self, reason: str, customer: CustomerIds) -> None:
        if self._handler is None or not self._jwt_enabled:  # NOTIFY-002, CONF-002
            return
        try:
            self._handler(JwtErrorContext(reason, dict(customer)))
        except Exception:  # noqa: BLE001 - NOTIFY-007: what app code throws never reaches the lifecycle
            pass

    def _discard_queue(self, rule: str) -> None:
        """Deletes every undelivered event, the in-flight request's first (QUEUE-006).

        Events stay queued until a 2xx delivers them (QUEUE-007), so those of the request
        in flight are deleted too; its late answer is then ignored.
        """
        discarded = []
        if self._in_flight is not None:
            discarded.extend(self._in_flight.events)
            self._in_flight = None
            self._store.sending = []
            self._clock.cancel(self._retry_timer)
            self._retry_timer = None
        discarded.extend(q.event for q in self._store.queue)
        self._store.queue.clear()
        if discarded:
            self._monitor.events_deleted(discarded, rule)

    def _clear_token(self) -> None:
        self._store.token = None
        self._clock.cancel(self._refresh_timer)
        self._refresh_timer = None


def _expired(raw: str, now: int) -> bool:
    exp = unverified_exp_ms(raw)
    return exp is not None and now >= exp
