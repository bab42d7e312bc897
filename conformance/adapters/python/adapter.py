#!/usr/bin/env python3
"""Example jwt-lifecycle adapter: drives exponea_sdk.ExponeaSdk over the wire protocol.

The suite writes one JSON object per line to our stdin and reads exactly one reply per
line from our stdout (protocol version 2, or 1 for a suite that offers only that;
docs/adapter-protocol.md). Logs go to stderr. To adapt this to your own SDK, replace the
body of `Session` (how each input maps to an SDK call) and keep the loop in `main` as it is.
"""

from __future__ import annotations

import itertools
import json
import sys
from typing import Any, Dict, List, Optional

from exponea_sdk import ExponeaSdk, JwtErrorContext, Request, Storage, VirtualClock

PROTOCOLS = (1, 2)  # the versions this adapter speaks
PROFILE = "exponea-stream"
ADAPTER = "python-exponea-example"
VERSION = "0.1.0"


class UnsupportedCall(Exception):
    """The SDK has no counterpart for an app call (answered "unimplemented")."""


class AppHandlerError(Exception):
    """What the app's handler throws when the case registers a throwing one."""


class Session:
    """One case: a brand-new app install, its SDK instance on a virtual clock, and the
    storage that outlives a restart of the app."""

    def __init__(self, clock_ms: int) -> None:
        self.storage = Storage()
        # Request numbers are per case: a relaunched app goes on counting.
        self.request_ids = itertools.count(1)
        self.observations: List[Dict[str, Any]] = []
        self.clock = VirtualClock(clock_ms)
        self.sdk = self._launch()

    def _launch(self) -> ExponeaSdk:
        return ExponeaSdk(
            self.clock, transport=self, monitor=self, storage=self.storage, request_ids=self.request_ids
        )

    def restart(self) -> None:
        """The app process ends and starts again: the old instance, its requests in
        flight and its timers are gone (a new clock at the same instant); a new,
        unconfigured instance reads the same storage. The handler is app code of the old
        process, so it is not registered any more."""
        self.clock = VirtualClock(self.clock.now())
        self.sdk = self._launch()

    # -- what the SDK does, recorded as observations with the virtual instant ------

    def _observe(self, output: str, **fields: Any) -> None:
        self.observations.append({"at": self.clock.now(), "output": output, **fields})

    def send(self, request: Request) -> None:  # Transport
        self._observe(
            "request_sent",
            request=request.id,
            customer_ids=request.customer,
            events=request.events,
            authorization=request.authorization,
            attempt=request.attempt,
        )

    def request_failed(self, request: Request, cause: str) -> None:  # Monitor
        self._observe("request_failed", request=request.id, events=request.events, cause=cause)

    def events_deleted(self, events: List[str], rule: str) -> None:  # Monitor
        self._observe("events_deleted", events=events, rule=rule)

    def on_jwt_error(self, context: JwtErrorContext) -> None:  # the app's handler
        self._observe("handler_called", reason=context.reason, customer_ids=context.customer_ids, code=None)

    def on_jwt_error_throwing(self, context: JwtErrorContext) -> None:  # a handler that throws
        self.on_jwt_error(context)
        raise AppHandlerError(f"the app's handler throws on {context.reason}")

    # -- what the suite does -------------------------------------------------------

    def app_call(self, call: Dict[str, Any]) -> None:
        name = call.get("call")
        sdk = self.sdk
        if name == "configure":
            sdk.configure(jwt_enabled=call.get("jwt_enabled", True), token=call.get("token"))
        elif name == "set_token":
            sdk.set_sdk_auth_token(call.get("token"))  # without a token: setSdkAuthToken(nil)
        elif name == "register_handler":
            throws = call.get("throws", False)
            sdk.set_jwt_error_handler(self.on_jwt_error_throwing if throws else self.on_jwt_error)
        elif name == "identify":
            sdk.identify_customer(call["customer_ids"], call.get("token"))
        elif name == "anonymize":
            sdk.anonymize()
        elif name == "stop_integration":
            sdk.stop_integration()
        elif name == "clear_local_data":
            sdk.clear_local_customer_data()
        elif name == "track":
            sdk.track(call["event"])
        elif name == "flush":
            sdk.flush()
        elif name == "new_session":
            pass  # sessions play no part in this SDK's token lifecycle
        else:
            raise UnsupportedCall(f"the Exponea SDK has no `{name}` call")

    def respond(self, request: int, reply: Any) -> None:
        # A response body ("body") is ignored: this SDK reads only the status.
        if reply == "network_error":
            self.sdk.on_response(request, None)
        else:
            self.sdk.on_response(request, int(reply["status"]))

    def step(self, message: Dict[str, Any]) -> List[Dict[str, Any]]:
        """Applies one input or advance; returns what the SDK did because of it."""
        self.observations = []
        if message["type"] == "advance":
            self.clock.advance(int(message["ms"]))
        else:
            item = message["input"]
            if item["input"] == "app":
                self.app_call(item)
            elif item["input"] == "respond":
                self.respond(item["request"], item["reply"])
            elif item["input"] == "restart":
                self.restart()
            else:
                raise ValueError(f"unknown input kind {item['input']!r}")
        return self.observations


def handle(message: Dict[str, Any], session: Optional[Session]) -> tuple:
    """Returns (reply, session to use from now on, keep running?)."""
    kind = message.get("type")
    if kind == "hello":
        # The newest version both sides speak: a suite that offers several lists them.
        offered = message.get("protocols") or [message.get("protocol")]
        common = [v for v in offered if v in PROTOCOLS]
        if not common:
            reason = f"this adapter speaks protocols {list(PROTOCOLS)}, the suite offered {offered}"
            return {"type": "error", "message": reason}, session, True
        hello = {"type": "hello", "protocol": max(common), "adapter": ADAPTER, "version": VERSION, "profiles": [PROFILE]}
        return hello, session, True
    if kind == "start":
        if message.get("profile") != PROFILE:
            reason = f"this adapter only implements {PROFILE}, not {message.get('profile')}"
            return {"type": "unsupported", "reason": reason}, None, True
        return {"type": "ready"}, Session(int(message["clock"])), True
    if kind == "bye":
        return None, session, False
    if kind in ("input", "advance"):
        if session is None:
            return {"type": "error", "message": "no case started"}, session, True
        try:
            return {"type": "done", "observations": session.step(message)}, session, True
        except UnsupportedCall as unsupported:
            return {"type": "unimplemented", "reason": str(unsupported)}, session, True
    return {"type": "error", "message": f"unknown message type {kind!r}"}, session, True


def main() -> int:
    session: Optional[Session] = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply, session, keep_running = handle(json.loads(line), session)
        except (ValueError, KeyError, TypeError) as err:
            print(f"adapter: cannot handle {line.strip()!r}: {err}", file=sys.stderr)
            reply, keep_running = {"type": "error", "message": f"{type(err).__name__}: {err}"}, True
        if not keep_running:
            return 0
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
