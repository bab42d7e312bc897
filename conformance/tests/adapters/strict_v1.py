#!/usr/bin/env python3
"""A strict protocol-1 adapter: the reference adapter (argv[1:], a command speaking the
wire protocol) behind a front that answers an error to any hello but a version-1 one, as
adapters written before version 2 do, and passes every other line through unchanged."""
import json
import subprocess
import sys

inner = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

for line in sys.stdin:
    message = json.loads(line)
    if message["type"] == "hello" and message.get("protocol") != 1 or "protocols" in message:
        sys.stdout.write(json.dumps({"type": "error", "message": "this adapter speaks protocol 1"}) + "\n")
        sys.stdout.flush()
        continue
    inner.stdin.write(line)
    inner.stdin.flush()
    if message["type"] == "bye":
        break
    sys.stdout.write(inner.stdout.readline())
    sys.stdout.flush()
inner.stdin.close()
inner.wait()
