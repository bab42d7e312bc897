#!/usr/bin/env python3
"""A deliberately broken adapter for the suite's robustness tests.

It speaks protocol 1 and answers every step with no observations, except in the case
whose id ends with "-victim", where it misbehaves the way MODE (argv[1]) says, at that
case's step 1 (0-based):
  crash      exit 3 after writing to stderr
  hang       never answer
  garbage    print a line that is not JSON
  wrong      answer with a message of the wrong type ({"type":"ready"})
  error      answer {"type":"error"}
  unimpl     answer {"type":"unimplemented"}
  version    (at the handshake) announce protocol 3
  silent-exit (at the handshake) exit 0 without a word
"""
import json
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
victim = False
step = 0


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["type"]
    if kind == "hello":
        if mode == "silent-exit":
            sys.exit(0)
        send({"type": "hello", "protocol": 3 if mode == "version" else 1, "adapter": "misbehave",
              "version": "0", "profiles": ["exponea-stream"]})
    elif kind == "start":
        victim = msg["case"].endswith("-victim")
        step = 0
        send({"type": "ready"})
    elif kind in ("input", "advance"):
        if victim and step == 1:
            if mode == "crash":
                sys.stderr.write("misbehave: about to crash\n")
                sys.stderr.flush()
                sys.exit(3)
            if mode == "hang":
                time.sleep(3600)
            if mode == "garbage":
                sys.stdout.write("Hello from a debug print!\n")
                sys.stdout.flush()
                continue
            if mode == "wrong":
                send({"type": "ready"})
                step += 1
                continue
            if mode == "error":
                send({"type": "error", "message": "the SDK threw IllegalStateException"})
                step += 1
                continue
            if mode == "unimpl":
                send({"type": "unimplemented", "reason": "no flush in this SDK"})
                step += 1
                continue
        step += 1
        send({"type": "done", "observations": []})
    elif kind == "bye":
        sys.exit(0)
