#!/usr/bin/env python3
"""Misbehaving adapters for the fault-injection suite (conformance/tests/faults.rs).

Speaks protocol 1 and answers every step with no observations, except where MODE
(argv[1]) says otherwise. Faults "in a case" happen in the case whose id ends with
"-victim", at its step 1 (0-based) unless said otherwise; the other cases run cleanly, so
a test can check that the run recovers.

  crash-at-hello       write to stderr, exit 5 on the hello
  exit-at-once         exit 0 before reading anything
  output-before-hello  print a banner on stdout before the hello reply
  wrong-protocol       answer the hello with protocol 7
  unknown-profile      announce a profile the suite does not know
  crash                write to stderr, exit 3
  hang                 never answer
  garbage              print a line that is not JSON
  huge-line            print a line of 8 MiB
  deep-json            print a reply holding a value nested 100000 levels deep
  wrong-type           answer {"type":"ready"}
  two-replies          answer twice, in one write
  late-extra           answer, then answer again 300 ms later
  extra-after-last     like late-extra, at the case's last step
  no-flush             answer without flushing stdout, then wait
  partial-then-exit    write half a reply without a newline, exit 4
  child-holds-stdout   start a child that keeps stdout open, then exit 3
  hang-with-child      start a child that keeps stdout open, then never answer
  huge-stderr          write 1 GiB to stderr without a newline, then exit 3
"""
import json
import os
import subprocess
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
victim = False
step = 0
steps_in_victim = 3


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def say(text):
    sys.stderr.write("faults: " + text + "\n")
    sys.stderr.flush()


def start_child():
    # The child inherits stdout and stderr: the pipes stay open after this process exits.
    subprocess.Popen(["sleep", "300"])


DONE = {"type": "done", "observations": []}
UNFLUSHED = []


def misbehave():
    """Returns True when the step was answered (or is never to be)."""
    if mode == "crash":
        say("about to crash")
        sys.exit(3)
    if mode == "hang":
        time.sleep(3600)
    if mode == "garbage":
        sys.stdout.write("Hello from a debug print!\n")
        sys.stdout.flush()
        return True
    if mode == "huge-line":
        sys.stdout.write("x" * (8 << 20) + "\n")
        sys.stdout.flush()
        return True
    if mode == "deep-json":
        sys.stdout.write('{"type": "done", "observations": [], "x": ' + "[" * 100000 + "]" * 100000 + "}\n")
        sys.stdout.flush()
        return True
    if mode == "wrong-type":
        send({"type": "ready"})
        return True
    if mode == "two-replies":
        sys.stdout.write(json.dumps(DONE) + "\n" + json.dumps(DONE) + "\n")
        sys.stdout.flush()
        return True
    if mode == "late-extra":
        send(DONE)
        time.sleep(0.3)
        send(DONE)
        return True
    if mode == "no-flush":
        # Python's own stdout is flushed when stdin is read, so the reply goes to a
        # buffered writer of its own that nobody flushes (kept alive: closing flushes).
        UNFLUSHED.append(os.fdopen(os.dup(1), "w", buffering=1 << 16))
        UNFLUSHED[-1].write(json.dumps(DONE) + "\n")
        return True
    if mode == "partial-then-exit":
        sys.stdout.write('{"type":"do')
        sys.stdout.flush()
        sys.exit(4)
    if mode == "child-holds-stdout":
        start_child()
        say("left a child behind")
        sys.exit(3)
    if mode == "hang-with-child":
        start_child()
        time.sleep(3600)
    if mode == "huge-stderr":
        chunk = b"e" * (1 << 20)
        for _ in range(1024):
            os.write(2, chunk)
        sys.exit(3)
    return False


if mode == "exit-at-once":
    sys.exit(0)
if mode == "output-before-hello":
    send({"banner": "faults adapter starting"})

for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["type"]
    if kind == "hello":
        if mode == "crash-at-hello":
            say("cannot initialise the SDK")
            sys.exit(5)
        profiles = ["exponea-stream"] + (["acme-sdk"] if mode == "unknown-profile" else [])
        send({"type": "hello", "protocol": 7 if mode == "wrong-protocol" else 1, "adapter": "faults",
              "version": "0", "profiles": profiles})
    elif kind == "start":
        victim = msg["case"].endswith("-victim")
        step = 0
        send({"type": "ready"})
    elif kind in ("input", "advance"):
        if victim and mode == "extra-after-last" and step == steps_in_victim - 1:
            send(DONE)
            time.sleep(0.3)
            send(DONE)
        elif not (victim and step == 1 and misbehave()):
            send(DONE)
        step += 1
    elif kind == "bye":
        sys.exit(0)
