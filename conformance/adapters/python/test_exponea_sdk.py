"""Unit tests of the example SDK and adapter: `python3 -m unittest` in this folder."""

import base64
import json
import subprocess
import sys
import unittest
from pathlib import Path

from adapter import Session, handle
from exponea_sdk import ExponeaSdk, Storage, VirtualClock, unverified_exp_ms

START = 1_700_000_000_000
HERE = Path(__file__).resolve().parent


def jwt(payload: object) -> str:
    """A token with the given payload; the signature is never checked client-side."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256"}).encode())
    return f"{header}.{b64(json.dumps(payload).encode())}.c2ln"


def token_expiring_in(seconds: int) -> str:
    return jwt({"exp": START // 1000 + seconds})


class Recorder:
    """Transport, monitor and handler at once: records what the SDK does, with the instant."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.seen = []

    def send(self, request):
        self.seen.append((self.clock.now() - START, "sent", request.id, request.events, request.authorization, request.attempt))

    def request_failed(self, request, cause):
        self.seen.append((self.clock.now() - START, "failed", request.id, cause))

    def events_deleted(self, events, rule):
        self.seen.append((self.clock.now() - START, "deleted", events, rule))

    def handler(self, context):
        self.seen.append((self.clock.now() - START, "handler", context.reason, context.customer_ids))

    def take(self):
        seen, self.seen = self.seen, []
        return seen


def running_sdk(handler: bool = True):
    clock = VirtualClock(START)
    rec = Recorder(clock)
    sdk = ExponeaSdk(clock, rec, rec)
    sdk.configure()
    if handler:
        sdk.set_jwt_error_handler(rec.handler)
    return sdk, clock, rec


class ClockTest(unittest.TestCase):
    def test_timers_fire_at_their_own_instant_in_order(self):
        clock = VirtualClock(0)
        fired = []
        clock.schedule(30, lambda: fired.append(("b", clock.now())))
        clock.schedule(10, lambda: fired.append(("a", clock.now())))
        clock.schedule(30, lambda: fired.append(("c", clock.now())))
        clock.advance(29)
        self.assertEqual(fired, [("a", 10)])
        clock.advance(1)
        self.assertEqual(fired, [("a", 10), ("b", 30), ("c", 30)])
        self.assertEqual(clock.now(), 30)

    def test_cancelled_timer_never_fires(self):
        clock = VirtualClock(0)
        fired = []
        handle = clock.schedule(5, lambda: fired.append(1))
        clock.cancel(handle)
        clock.advance(10)
        self.assertEqual(fired, [])


class ExpParsingTest(unittest.TestCase):
    def test_integer_exp_is_read_in_milliseconds(self):
        self.assertEqual(unverified_exp_ms(jwt({"exp": 1700000000})), 1_700_000_000_000)

    def test_life_011_life_012_unreadable_tokens_have_no_exp(self):
        for raw in ["", "not.a-jwt", "a.b.c.d", jwt([1]), jwt({"exp": "1"}), jwt({"exp": 1.5}),
                    jwt({"exp": True}), jwt({"exp": -1}), jwt({"sub": "x"}), "a.!!!.c"]:
            self.assertIsNone(unverified_exp_ms(raw), raw)

    def test_life_011_a_token_with_its_bearer_scheme_is_unparsable(self):
        raw = jwt({"exp": 1700000000})
        self.assertIsNotNone(unverified_exp_ms(raw))
        self.assertIsNone(unverified_exp_ms("Bearer " + raw))


class RefreshTest(unittest.TestCase):
    def test_refr_001_expired_soon_60s_before_exp(self):
        sdk, clock, rec = running_sdk()
        sdk.set_sdk_auth_token(token_expiring_in(300))
        clock.advance(239_999)
        self.assertEqual(rec.take(), [])
        clock.advance(1)
        self.assertEqual(rec.take(), [(240_000, "handler", "expired_soon", {})])

    def test_refr_003_inside_window_notified_at_once(self):
        sdk, clock, rec = running_sdk()
        sdk.set_sdk_auth_token(token_expiring_in(30))
        self.assertEqual(rec.take(), [(0, "handler", "expired_soon", {})])

    def test_refr_004_already_expired_not_notified_at_set(self):
        sdk, clock, rec = running_sdk()
        sdk.set_sdk_auth_token(token_expiring_in(-10))
        clock.advance(100_000)
        self.assertEqual(rec.take(), [])

    def test_refr_005_expired_soon_once_per_token(self):
        sdk, clock, rec = running_sdk()
        token = token_expiring_in(300)
        sdk.set_sdk_auth_token(token)
        clock.advance(250_000)
        sdk.track("e1")
        sdk.flush()
        self.assertEqual(rec.take(), [(240_000, "handler", "expired_soon", {}), (250_000, "sent", 1, ["e1"], token, 1)])

    def test_refr_006_replacing_the_token_cancels_its_refresh(self):
        sdk, clock, rec = running_sdk()
        sdk.set_sdk_auth_token(token_expiring_in(300))
        sdk.set_sdk_auth_token(token_expiring_in(600))
        clock.advance(600_000)
        self.assertEqual(rec.take(), [(540_000, "handler", "expired_soon", {})])

    def test_refr_007_without_handler_dropped(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.set_sdk_auth_token(token_expiring_in(300))
        clock.advance(250_000)
        sdk.set_jwt_error_handler(rec.handler)
        clock.advance(10_000)
        self.assertEqual(rec.take(), [])

    def test_conf_002_project_mode_ignores_tokens(self):
        clock = VirtualClock(START)
        rec = Recorder(clock)
        sdk = ExponeaSdk(clock, rec, rec)
        sdk.configure(jwt_enabled=False)
        sdk.set_jwt_error_handler(rec.handler)
        sdk.set_sdk_auth_token(token_expiring_in(30))
        sdk.track("e1")
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], None, 1)])


class PreflightAndRetryTest(unittest.TestCase):
    def test_pre_001_no_token_not_provided_then_sent_bare(self):
        sdk, clock, rec = running_sdk()
        sdk.track("e1")
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "handler", "not_provided", {}), (0, "sent", 1, ["e1"], None, 1)])

    def test_pre_002_expired_token_notified_and_sent(self):
        sdk, clock, rec = running_sdk()
        token = token_expiring_in(-10)
        sdk.set_sdk_auth_token(token)
        sdk.track("e1")
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "handler", "expired", {}), (0, "sent", 1, ["e1"], token, 1)])

    def test_retry_001_retry_002_retry_003_one_retry_with_current_token(self):
        sdk, clock, rec = running_sdk()
        old, new = token_expiring_in(3600), token_expiring_in(3601)
        sdk.set_sdk_auth_token(old)
        sdk.track("e1")
        sdk.flush()
        sdk.on_response(1, 401)
        sdk.set_sdk_auth_token(new)
        clock.advance(999)
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], old, 1), (0, "handler", "invalid", {})])
        clock.advance(1)
        self.assertEqual(rec.take(), [(1000, "sent", 2, ["e1"], new, 2)])
        sdk.on_response(2, 401)
        clock.advance(10_000)
        self.assertEqual(rec.take(), [(1000, "failed", 2, "authentication")])

    def test_retry_005_403_with_valid_token_fails_at_once_and_keeps_token(self):
        sdk, clock, rec = running_sdk()
        token = token_expiring_in(3600)
        sdk.set_sdk_auth_token(token)
        sdk.track("e1")
        sdk.flush()
        sdk.on_response(1, 403)
        clock.advance(5000)
        sdk.track("e2")
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], token, 1), (0, "failed", 1, "forbidden"),
                                      (5000, "sent", 2, ["e2"], token, 1)])

    def test_retry_007_403_on_expired_token_is_an_expiry(self):
        sdk, clock, rec = running_sdk()
        token = token_expiring_in(-10)
        sdk.set_sdk_auth_token(token)
        sdk.track("e1")
        sdk.flush()
        rec.take()
        sdk.on_response(1, 403)
        clock.advance(1000)
        self.assertEqual(rec.take(), [(0, "handler", "expired", {}), (1000, "sent", 2, ["e1"], token, 2)])

    def test_retry_012_network_error_requeues_at_front(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.track("e1")
        sdk.flush()
        sdk.track("e2")
        sdk.on_response(1, None)
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], None, 1), (0, "sent", 2, ["e1", "e2"], None, 1)])


class ClearingAndQueueTest(unittest.TestCase):
    def test_life_008_retry_after_anonymize_carries_no_token(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.identify_customer({"registered": "alice"}, token_expiring_in(3600))
        sdk.track("e1")
        sdk.flush()
        sdk.on_response(1, 401)
        sdk.anonymize()
        rec.take()
        clock.advance(1000)
        self.assertEqual(rec.take(), [(1000, "sent", 2, ["e1"], None, 2)])

    def test_life_009_queue_003_one_customer_per_request_no_token_leak(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.track("e1")
        token = token_expiring_in(3600)
        sdk.identify_customer({"registered": "alice"}, token)
        sdk.track("e2")
        sdk.flush()
        sdk.on_response(1, 200)
        sdk.flush()
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], None, 1), (0, "sent", 2, ["e2"], token, 1)])

    def test_queue_004_one_request_in_flight(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.track("e1")
        sdk.flush()
        sdk.track("e2")
        sdk.flush()
        self.assertEqual(len(rec.take()), 1)

    def test_queue_006_conf_007_stop_deletes_queue_then_reports_tracked_events(self):
        sdk, clock, rec = running_sdk(handler=False)
        sdk.track("e1")
        sdk.flush()
        sdk.track("e2")
        sdk.stop_integration()
        sdk.track("e3")
        sdk.flush()
        sdk.on_response(1, 200)
        self.assertEqual(rec.take(), [(0, "sent", 1, ["e1"], None, 1), (0, "deleted", ["e1", "e2"], "stop_integration"),
                                      (0, "deleted", ["e3"], "sdk_not_running")])


class VersionTwoTest(unittest.TestCase):
    def test_life_015_set_token_without_a_token_clears_it_and_its_refresh(self):
        sdk, clock, rec = running_sdk()
        sdk.set_sdk_auth_token(token_expiring_in(300))
        sdk.set_sdk_auth_token(None)
        clock.advance(300_000)
        sdk.track("e1")
        sdk.flush()
        self.assertEqual(rec.take(), [(300_000, "handler", "not_provided", {}), (300_000, "sent", 1, ["e1"], None, 1)])

    def test_notify_007_a_throwing_handler_leaves_the_lifecycle_unchanged(self):
        sdk, clock, rec = running_sdk(handler=False)

        def throwing(context):
            rec.handler(context)
            raise RuntimeError("app code")

        sdk.set_jwt_error_handler(throwing)
        sdk.track("e1")
        sdk.flush()
        sdk.on_response(1, 401)
        clock.advance(1_000)
        self.assertEqual(rec.take(), [(0, "handler", "not_provided", {}), (0, "sent", 1, ["e1"], None, 1),
                                      (0, "handler", "not_provided", {}), (1_000, "sent", 2, ["e1"], None, 2)])

    def test_life_014_restart_keeps_token_customer_and_queue_and_forgets_the_handler(self):
        storage, ids = Storage(), iter(range(1, 100))
        clock = VirtualClock(START)
        rec = Recorder(clock)
        first = ExponeaSdk(clock, rec, rec, storage=storage, request_ids=ids)
        first.configure()
        first.set_jwt_error_handler(rec.handler)
        token = token_expiring_in(3600)
        first.identify_customer({"registered": "alice"}, token)
        first.track("e1")
        first.flush()
        first.track("e2")
        rec.take()
        clock = VirtualClock(clock.now())  # the old process's timers die with it
        rec.clock = clock
        second = ExponeaSdk(clock, rec, rec, storage=storage, request_ids=ids)
        second.track("e3")  # not configured yet: reported, not queued (CONF-007)
        second.configure()
        second.flush()
        second.on_response(1, 401)  # a late answer for the old process: ignored
        self.assertEqual(rec.take(), [(0, "deleted", ["e3"], "sdk_not_running"),
                                      (0, "sent", 2, ["e1", "e2"], token, 1)])
        second.on_response(2, 401)  # no handler in this process: nobody is told
        self.assertEqual(rec.take(), [])


class AdapterProtocolTest(unittest.TestCase):
    def test_handshake_announces_protocol_1_and_the_profile(self):
        reply, _, running = handle({"type": "hello", "protocol": 1, "suite": "x"}, None)
        self.assertTrue(running)
        self.assertEqual((reply["type"], reply["protocol"], reply["profiles"]), ("hello", 1, ["exponea-stream"]))

    def test_handshake_picks_version_2_when_the_suite_offers_it(self):
        reply, _, _ = handle({"type": "hello", "protocol": 2, "protocols": [1, 2], "suite": "x"}, None)
        self.assertEqual((reply["type"], reply["protocol"]), ("hello", 2))
        reply, _, _ = handle({"type": "hello", "protocol": 3, "protocols": [3], "suite": "x"}, None)
        self.assertEqual(reply["type"], "error")

    def test_restart_keeps_the_storage_and_the_request_numbers(self):
        _, session, _ = handle({"type": "start", "case": "c", "profile": "exponea-stream", "clock": START}, None)
        app = lambda **call: {"type": "input", "input": {"input": "app", **call}}  # noqa: E731
        for message in [app(call="configure"), app(call="register_handler", throws=True), app(call="track", event="e1"),
                        app(call="flush"), {"type": "input", "input": {"input": "restart"}}, app(call="configure")]:
            handle(message, session)
        reply, _, _ = handle(app(call="flush"), session)
        self.assertEqual(reply["observations"], [{"at": START, "output": "request_sent", "request": 2,
                                                   "customer_ids": {}, "events": ["e1"],
                                                   "authorization": None, "attempt": 1}])
        body = {"type": "input", "input": {"input": "respond", "request": 2, "reply": {"status": 200}, "body": {"x": 1}}}
        reply, _, _ = handle(body, session)
        self.assertEqual(reply, {"type": "done", "observations": []})

    def test_other_profiles_are_unsupported(self):
        reply, session, _ = handle({"type": "start", "case": "c", "profile": "webex-connect", "clock": START}, None)
        self.assertEqual(reply["type"], "unsupported")
        self.assertIsNone(session)

    def test_logout_is_unimplemented_not_passed(self):
        _, session, _ = handle({"type": "start", "case": "c", "profile": "exponea-stream", "clock": START}, None)
        reply, _, _ = handle({"type": "input", "input": {"input": "app", "call": "logout"}}, session)
        self.assertEqual(reply["type"], "unimplemented")

    def test_observations_carry_the_virtual_instant(self):
        session = Session(START)
        session.step({"type": "input", "input": {"input": "app", "call": "configure"}})
        session.step({"type": "input", "input": {"input": "app", "call": "register_handler"}})
        session.step({"type": "input", "input": {"input": "app", "call": "set_token", "token": token_expiring_in(300)}})
        seen = session.step({"type": "advance", "ms": 300_000})
        self.assertEqual(seen, [{"at": START + 240_000, "output": "handler_called", "reason": "expired_soon",
                                 "customer_ids": {}, "code": None}])

    def test_process_answers_one_line_per_message_and_exits_on_bye(self):
        messages = [
            {"type": "hello", "protocol": 1, "suite": "test"},
            {"type": "start", "case": "c", "profile": "exponea-stream", "clock": START},
            {"type": "input", "input": {"input": "app", "call": "configure"}},
            {"type": "input", "input": {"input": "app", "call": "track", "event": "e1"}},
            {"type": "input", "input": {"input": "app", "call": "flush"}},
            {"type": "nonsense"},
            {"type": "bye"},
        ]
        stdin = "".join(json.dumps(m) + "\n" for m in messages)
        done = subprocess.run([sys.executable, str(HERE / "adapter.py")], input=stdin, capture_output=True,
                              text=True, timeout=30, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        replies = [json.loads(line) for line in done.stdout.splitlines()]
        self.assertEqual([r["type"] for r in replies], ["hello", "ready", "done", "done", "done", "error"])
        self.assertEqual(replies[4]["observations"], [{"at": START, "output": "request_sent", "request": 1,
                                                        "customer_ids": {}, "events": ["e1"],
                                                        "authorization": None, "attempt": 1}])


if __name__ == "__main__":
    unittest.main()
