"""Mints and verifies tokens with PyJWT, for token/tests/token_interop.rs.

Reads one JSON request on stdin and writes one JSON answer on stdout:
  {"mode": "mint", "items": [{"header": {...}, "claims": {...}, "key_hex": "..", "alg": "HS256"}]}
      -> {"tokens": ["..."]}
  {"mode": "verify", "items": [{"token": "..", "key_hex": "..", "alg": "HS256"}]}
      -> {"results": [{"claims": {...}} | {"error": "..."}]}
PyJWT is imported from the folder given as the first argument (a pip --target folder).
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import jwt  # noqa: E402

request = json.load(sys.stdin)
if request["mode"] == "mint":
    tokens = []
    for item in request["items"]:
        headers = {k: v for k, v in item["header"].items() if k != "alg"}
        key = None if item["alg"] == "none" else bytes.fromhex(item["key_hex"])
        tokens.append(jwt.encode(item["claims"], key, algorithm=item["alg"], headers=headers))
    print(json.dumps({"tokens": tokens, "version": jwt.__version__}))
else:
    results = []
    for item in request["items"]:
        try:
            claims = jwt.decode(item["token"], bytes.fromhex(item["key_hex"]), algorithms=[item["alg"]], leeway=0)
            results.append({"claims": claims})
        except Exception as e:  # every PyJWT failure is an answer, not a crash
            results.append({"error": type(e).__name__ + ": " + str(e)})
    print(json.dumps({"results": results, "version": jwt.__version__}))
