#!/usr/bin/env python3
"""Writes corpus.jsonl: crafted hostile tokens, each with the reason the validator must give.

Written with Python's standard library only (hmac, hashlib, base64, json), independently of
the Rust code under test, so the corpus does not share its bugs. Run it from anywhere:
    python3 token/tests/data/hostile/generate.py
The output is deterministic; the test (token/tests/token_hostile.rs) reads corpus.jsonl and
asserts every entry. Keys, time and default requests are described in README.md.
"""
import base64, hashlib, hmac, json, os

NOW = 1_700_000_000
KEYS = {  # kid -> secret; the ring adds each for every profile algorithm it is long enough for
    "main": bytes(range(64)),          # 64 bytes: HS256, HS384, HS512
    "short": bytes(range(100, 132)),   # 32 bytes: HS256 only
    None: bytes(range(200, 232)),      # the default key (tokens without kid): HS256 only
}
HASH = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def enc(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode()
    return json.dumps(x, separators=(",", ":")).encode()

def sign(header, payload, kid="main", alg="HS256"):
    """Compact token over raw header/payload (dicts are JSON-encoded, str/bytes used as is)."""
    inp = b64(enc(header)) + "." + b64(enc(payload))
    mac = hmac.new(KEYS[kid], inp.encode(), HASH[alg]).digest()
    return inp + "." + b64(mac)

def sign_input(inp, kid="main", alg="HS256"):
    return inp + "." + b64(hmac.new(KEYS[kid], inp.encode(), HASH[alg]).digest())

EXP_IDS = {"registered": "alice"}
def exp_claims(**kw):
    c = {"ids": EXP_IDS, "exp": NOW + 3600}
    c.update(kw)
    return c

H = {"alg": "HS256", "typ": "JWT", "kid": "main"}
def hdr(**kw):
    h = dict(H)
    for k, v in kw.items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    return h

KHOROS = {"userId": "alice", "scope": "appUser", "platform": "ios", "givenName": "Alice", "iat": NOW - 10}
WEBEX = {"appId": "TR21063826", "userId": "alice", "exp": NOW + 3600}
MOE = {"sub": "alice", "exp": NOW + 3600}

good_exp = sign(hdr(), exp_claims())
parts = good_exp.split(".")
entries = []
def add(description, profile, token, expected, **extra):
    e = {"description": description, "profile": profile, "token": token, "expected": expected}
    e.update(extra)
    entries.append(e)

E, K, W, M = "exponea-stream", "khoros-legacy", "webex-connect", "moengage-ios"
# --- controls: tokens that must be accepted, so the harness is shown to accept at all
add("control: a good Exponea token", E, good_exp, "accepted")
add("control: Exponea HS512 with the 64-byte key", E, sign(hdr(alg="HS512"), exp_claims(), alg="HS512"), "accepted")
add("control: Exponea without kid uses the default key", E, sign(hdr(kid=None), exp_claims(), kid=None), "accepted")
add("control: a good Khoros token", K, sign(hdr(), KHOROS), "accepted")
add("control: a good Webex token; customerId is not compared outside link/unlink", W,
    sign(hdr(kid=None), dict(WEBEX, customerId="someone-else"), kid=None), "accepted")
add("control: a good MoEngage token", M, sign(hdr(), MOE), "accepted")
# --- nothing, size, structure
add("empty token", E, "", "not_provided")
add("one byte over the 8 KiB limit, rejected before decoding (junk that is not even base64)", E, "!" * 8193, "token_too_large")
add("huge header (padding member) pushes the token over 8 KiB", E, sign(hdr(pad="A" * 9000), exp_claims()), "token_too_large")
add("two parts only (signature dropped)", E, parts[0] + "." + parts[1], "malformed")
add("one part only", E, parts[0], "malformed")
add("extra dot: four parts", E, good_exp + ".", "malformed")
add("five parts (JWE-shaped)", E, ".".join(parts + parts[:2]), "malformed")
add("standard base64 '+' in the header", E, parts[0][:-1] + "+." + parts[1] + "." + parts[2], "malformed")
add("padding '=' on the header", E, sign_input(b64(enc(hdr())) + "==." + parts[1]), "malformed")
add("padding '=' on the signature", E, good_exp + "=", "malformed")
add("whitespace inside the header part", E, parts[0][:5] + " " + parts[0][5:] + "." + parts[1] + "." + parts[2], "malformed")
add("whitespace inside the payload part, correctly signed", E, sign_input(parts[0] + ". " + parts[1]), "malformed")
add("non-base64url payload without a valid signature fails the signature first", E, parts[0] + ".*" + parts[1] + "." + parts[2], "invalid_signature")
add("header is not JSON", E, sign("not json", exp_claims()), "malformed")
add("header is a JSON array", E, sign('["alg","HS256"]', exp_claims()), "malformed")
add("header is not UTF-8", E, sign(b'{"alg":"HS256","kid":"main","x":"\xff"}', exp_claims()), "malformed")
add("header has no alg", E, sign(hdr(alg=None), exp_claims()), "malformed")
add("alg is a number", E, sign(hdr(alg=256), exp_claims()), "malformed")
add("payload is prose, not JSON", E, sign(hdr(), "hello world"), "malformed")
add("payload is a JSON array", E, sign(hdr(), "[1,2,3]"), "malformed")
add("payload with a UTF-8 BOM", E, sign(hdr(), b"\xef\xbb\xbf" + enc(exp_claims())), "malformed")
add("payload is not UTF-8", E, sign(hdr(), b'{"ids":{"registered":"alice"},"exp":1700003600,"x":"\xc3\x28"}'), "malformed")
add("payload with trailing garbage after the object", E, sign(hdr(), enc(exp_claims()) + b"xx"), "malformed")
add("nested JSON bomb: 3000 nested arrays in a claim", E,
    sign(hdr(), '{"ids":{"registered":"alice"},"exp":1700003600,"x":' + "[" * 3000 + "]" * 3000 + "}"), "malformed")
add("nested JSON bomb in the header: 200 nested objects", E,
    sign('{"alg":"HS256","kid":"main","x":' + '{"a":' * 200 + "1" + "}" * 200 + "}", exp_claims()), "malformed")
# --- duplicates (VALID-005)
add("duplicate alg in the header (HS256 then none)", E, sign('{"alg":"HS256","kid":"main","alg":"none"}', exp_claims()), "duplicate_member")
add("duplicate exp in the payload", E, sign(hdr(), '{"ids":{"registered":"alice"},"exp":1700003600,"exp":1}'), "duplicate_member")
add("duplicate exp spelt with a JSON escape", E, sign(hdr(), '{"ids":{"registered":"alice"},"exp":1700003600,"\\u0065xp":9999999999}'), "duplicate_member")
add("duplicate name inside ids", E, sign(hdr(), '{"ids":{"registered":"alice","registered":"mallory"},"exp":1700003600}'), "duplicate_member")
add("duplicate name deep inside an unknown claim", E, sign(hdr(), '{"ids":{"registered":"alice"},"exp":1700003600,"x":[{"a":1,"a":2}]}'), "duplicate_member")
# --- header rules
add("crit header (b64 extension)", E, sign(hdr(crit=["b64"], b64=False), exp_claims()), "crit_not_supported")
add("crit header, empty list", E, sign(hdr(crit=[]), exp_claims()), "crit_not_supported")
add("alg none with an empty signature", E, b64(enc(hdr(alg="none"))) + "." + parts[1] + ".", "algorithm_not_allowed")
add("alg None (capitalised)", E, sign(hdr(alg="None"), exp_claims()), "algorithm_not_allowed")
add("alg hs256 (lower case)", E, sign(hdr(alg="hs256"), exp_claims()), "algorithm_not_allowed")
add("alg confusion: RS256 header, HMAC signature", E, sign(hdr(alg="RS256"), exp_claims()), "algorithm_not_allowed")
add("alg confusion: ES256 header, HMAC signature", E, sign(hdr(alg="ES256"), exp_claims()), "algorithm_not_allowed")
add("HS384 on Khoros, which allows HS256 only", K, sign(hdr(alg="HS384"), KHOROS, alg="HS384"), "algorithm_not_allowed")
add("HS512 on Webex, which allows HS256 only", W, sign(hdr(alg="HS512"), WEBEX, alg="HS512"), "algorithm_not_allowed")
add("HS512 with the 32-byte key `short`", E, sign(hdr(alg="HS512", kid="short"), exp_claims(), kid="short", alg="HS512"), "key_too_short")
add("HS384 with the 32-byte default key", E, sign(hdr(alg="HS384", kid=None), exp_claims(), kid=None, alg="HS384"), "key_too_short")
add("kid path traversal", E, sign(hdr(kid="../../../../etc/passwd"), exp_claims()), "unknown_kid")
add("kid URL", E, sign(hdr(kid="https://attacker.invalid/key.json"), exp_claims()), "unknown_kid")
add("kid SQL injection", E, sign(hdr(kid="x' UNION SELECT 'secret"), exp_claims()), "unknown_kid")
add("kid with a NUL byte", E, sign(hdr(kid="main\u0000"), exp_claims()), "unknown_kid")
add("kid empty string", E, sign(hdr(kid=""), exp_claims()), "unknown_kid")
add("Khoros token without kid", K, sign(hdr(kid=None), KHOROS, kid=None), "missing_kid")
add("typ JWS", E, sign(hdr(typ="JWS"), exp_claims()), "wrong_type")
add("typ at+jwt (an access token, not this kind)", E, sign(hdr(typ="at+jwt"), exp_claims()), "wrong_type")
add("Khoros without typ", K, sign(hdr(typ=None), KHOROS), "wrong_type")
add("Webex without typ", W, sign(hdr(typ=None), WEBEX), "wrong_type")
# --- signature
add("empty signature", E, parts[0] + "." + parts[1] + ".", "invalid_signature")
add("signature by another key", E, sign(hdr(kid="main"), exp_claims(), kid="short"), "invalid_signature")
add("signature truncated to 31 bytes", E, parts[0] + "." + parts[1] + "." + b64(base64.urlsafe_b64decode(parts[2] + "=")[:31]), "invalid_signature")
add("signature 33 bytes", E, parts[0] + "." + parts[1] + "." + b64(base64.urlsafe_b64decode(parts[2] + "=") + b"\0"), "invalid_signature")
add("payload swapped after signing (ids changed)", E, parts[0] + "." + b64(enc(exp_claims(ids={"registered": "mallory"}))) + "." + parts[2], "invalid_signature")
add("signature of the header and payload without the dot", E,
    parts[0] + "." + parts[1] + "." + b64(hmac.new(KEYS["main"], (parts[0] + parts[1]).encode(), hashlib.sha256).digest()), "invalid_signature")
# --- NumericDate (VALID-006)
add("exp as a float", E, sign(hdr(), exp_claims(exp=1700003600.5)), "invalid_numeric_date")
add("exp as an integral float 1.7e9", E, sign(hdr(), '{"ids":{"registered":"alice"},"exp":1.7000036e9}'), "invalid_numeric_date")
add("exp as a string", E, sign(hdr(), exp_claims(exp="1700003600")), "invalid_numeric_date")
add("exp = 2^53", E, sign(hdr(), exp_claims(exp=2**53)), "invalid_numeric_date")
add("exp beyond u64", E, sign(hdr(), exp_claims(exp=2**70)), "invalid_numeric_date")
add("exp negative", E, sign(hdr(), exp_claims(exp=-1)), "invalid_numeric_date")
add("exp null", E, sign(hdr(), exp_claims(exp=None)), "invalid_numeric_date")
add("nbf as a float", E, sign(hdr(), exp_claims(nbf=1.5)), "invalid_numeric_date")
add("iat as a string on Khoros", K, sign(hdr(), dict(KHOROS, iat="now")), "invalid_numeric_date")
# --- claims
add("ids is a string", E, sign(hdr(), exp_claims(ids="alice")), "invalid_claim")
add("ids has a number value", E, sign(hdr(), exp_claims(ids={"registered": 1})), "invalid_claim")
add("userId is a number on Khoros", K, sign(hdr(), dict(KHOROS, userId=42)), "invalid_claim")
add("Exponea without ids", E, sign(hdr(), {"exp": NOW + 3600}), "missing_claim")
add("Exponea without exp", E, sign(hdr(), {"ids": EXP_IDS}), "missing_claim")
add("Webex without appId", W, sign(hdr(), {"userId": "alice"}), "missing_claim")
add("MoEngage without exp", M, sign(hdr(), {"sub": "alice"}), "missing_claim")
add("Khoros without iat", K, sign(hdr(), {k: v for k, v in KHOROS.items() if k != "iat"}), "missing_claim")
# --- time (VALID-007: leeway 0)
add("expired an hour ago", E, sign(hdr(), exp_claims(exp=NOW - 3600)), "expired")
add("exp equal to now is expired", E, sign(hdr(), exp_claims(exp=NOW)), "expired")
add("exp one second ahead is not", E, sign(hdr(), exp_claims(exp=NOW + 1)), "accepted")
add("nbf one second ahead", E, sign(hdr(), exp_claims(nbf=NOW + 1)), "not_yet_valid")
add("Khoros iat in milliseconds (seed 002's example)", K, sign(hdr(), dict(KHOROS, iat=NOW * 1000)), "issued_in_future")
add("Exponea exp 91 days ahead", E, sign(hdr(), exp_claims(exp=NOW + 91 * 86400)), "lifetime_too_long")
add("Exponea exp exactly 90 days ahead is allowed", E, sign(hdr(), exp_claims(exp=NOW + 90 * 86400)), "accepted")
add("Webex exp a year ahead: no maximum lifetime", W, sign(hdr(), dict(WEBEX, exp=NOW + 365 * 86400)), "accepted")
# --- identity binding (403)
add("ids for another customer", E, sign(hdr(), exp_claims(ids={"registered": "mallory"})), "identity_mismatch")
add("ids with an extra identifier", E, sign(hdr(), exp_claims(ids={"registered": "alice", "cookie": "c"})), "identity_mismatch")
add("ids empty for an identified request", E, sign(hdr(), exp_claims(ids={})), "identity_mismatch")
add("Khoros scope admin", K, sign(hdr(), dict(KHOROS, scope="admin")), "scope_insufficient")
add("Khoros userId of another user", K, sign(hdr(), dict(KHOROS, userId="mallory")), "identity_mismatch")
add("Webex appId of another app", W, sign(hdr(), dict(WEBEX, appId="TR00000000")), "app_id_mismatch")
add("Webex userId of another user", W, sign(hdr(), dict(WEBEX, userId="mallory")), "identity_mismatch")
add("Webex customerId differs on a link request", W, sign(hdr(), dict(WEBEX, customerId="cust-2")), "identity_mismatch",
    request={"customer_ids": {"userId": "alice"}, "app_id": "TR21063826", "link_customer_id": "cust-1"})
add("MoEngage sub of another identifier", M, sign(hdr(), dict(MOE, sub="mallory")), "identity_mismatch")

# --- RS256 (RFC 8725 §2.1, §3.1): entries validated by a variant of the profile that also
# allows RS256, whose ring holds ../rsa/public.pem as the key `rsa` next to the secrets.
here = os.path.dirname(os.path.abspath(__file__))

def der_items(data):
    """The (tag, content) items of a DER sequence's content."""
    items, i = [], 0
    while i < len(data):
        tag, length = data[i], data[i + 1]
        i += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[i:i + n], "big")
            i += n
        items.append((tag, data[i:i + length]))
        i += length
    return items

def rsa_private_key(path):
    """(n, d) of a PKCS#8 PEM RSA private key, read with the standard library only."""
    with open(path) as f:
        body = "".join(l for l in f.read().splitlines() if not l.startswith("-----"))
    (_, pkcs8), = der_items(base64.b64decode(body))
    octets = [c for t, c in der_items(pkcs8) if t == 0x04][0]
    (_, rsa), = der_items(octets)
    ints = [int.from_bytes(c, "big") for t, c in der_items(rsa) if t == 0x02]
    return ints[1], ints[3]  # version, n, e, d, ...

RSA_N, RSA_D = rsa_private_key(os.path.join(here, "..", "rsa", "private.pem"))
with open(os.path.join(here, "..", "rsa", "public.pem"), "rb") as f:
    RSA_PUBLIC_PEM = f.read()
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

def rs256(inp):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.1, EMSA-PKCS1-v1_5 §9.2)."""
    k = (RSA_N.bit_length() + 7) // 8
    t = SHA256_DIGEST_INFO + hashlib.sha256(inp.encode()).digest()
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return pow(int.from_bytes(em, "big"), RSA_D, RSA_N).to_bytes(k, "big")

def sign_rs(header, payload):
    inp = b64(enc(header)) + "." + b64(enc(payload))
    return inp + "." + b64(rs256(inp))

RS = {"algorithms": ["HS256", "HS384", "HS512", "RS256"]}
H_RS = {"alg": "RS256", "typ": "JWT", "kid": "rsa"}
good_rs = sign_rs(H_RS, exp_claims())
rs_parts = good_rs.split(".")
add("control: a good RS256 token, kid rsa", E, good_rs, "accepted", **RS)
add("alg switched to HS256, signed with the RSA public key as the HMAC secret (algorithm confusion)", E,
    (lambda inp: inp + "." + b64(hmac.new(RSA_PUBLIC_PEM, inp.encode(), hashlib.sha256).digest()))(
        b64(enc(dict(H_RS, alg="HS256"))) + "." + rs_parts[1]), "algorithm_not_allowed", **RS)
add("the same confusion without kid: the default secret is not the public key", E,
    (lambda inp: inp + "." + b64(hmac.new(RSA_PUBLIC_PEM, inp.encode(), hashlib.sha256).digest()))(
        b64(enc({"alg": "HS256", "typ": "JWT"})) + "." + rs_parts[1]), "invalid_signature", **RS)
add("RS256 naming the HMAC secret `main`", E, sign_rs(dict(H_RS, kid="main"), exp_claims()), "algorithm_not_allowed", **RS)
add("RS256 with alg none and kid rsa", E, b64(enc(dict(H_RS, alg="none"))) + "." + rs_parts[1] + ".", "algorithm_not_allowed", **RS)
add("RS256 payload swapped after signing", E,
    rs_parts[0] + "." + b64(enc(exp_claims(ids={"registered": "mallory"}))) + "." + rs_parts[2], "invalid_signature", **RS)
add("RS256 signature truncated by one byte", E,
    rs_parts[0] + "." + rs_parts[1] + "." + b64(base64.urlsafe_b64decode(rs_parts[2] + "==")[:-1]), "invalid_signature", **RS)
add("RS256 signature of another input", E, rs_parts[0] + "." + rs_parts[1] + "." + b64(rs256("x.y")), "invalid_signature", **RS)
add("RS256 on the profile as it is (HMAC only)", E, good_rs, "algorithm_not_allowed")

with open(os.path.join(here, "corpus.jsonl"), "w") as f:
    for e in entries:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
print(f"{len(entries)} entries")
