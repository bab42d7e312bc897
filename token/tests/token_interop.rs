//! Interop with the libraries backend teams use: PyJWT (pip) and the npm `jsonwebtoken`
//! package. Tokens they mint per profile validate here; tokens minted here verify there.
//!
//! The libraries are installed on first run into `target/interop/` (ignored, reused by
//! later runs). Without python3/node/npm, or when the registry cannot be reached, each
//! half fails when the environment variable `CI` is set (CI has Node, npm, Python and the
//! registries, so a missing one is a broken CI, not a reason to pass), and otherwise
//! prints a `SKIPPED token_interop ...: reason` line, visible past the test harness's
//! capture, and returns.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{Claims, Decision, KeyRing, Minter, RejectReason, RequestIdentity, Validator};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use token_common::*;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

fn interop_dir() -> PathBuf {
    // JWT_LIFECYCLE_INTEROP_DIR moves the install (e.g. to try the skip path offline).
    if let Some(dir) = std::env::var_os("JWT_LIFECYCLE_INTEROP_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
    target.join("interop")
}

/// Writes to the real stderr, past the test harness's capture, so logs show skips.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A missing prerequisite: a failure under `CI`, a visible skip elsewhere.
fn prerequisite_missing(what: &str, reason: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("token_interop {what}: {reason}; CI must provide it (CI is set)");
    }
    say(&format!("SKIPPED token_interop {what}: {reason} (set CI to make this a failure)"));
}

fn tools_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("interop")
}

/// Runs `cmd` with `input` on stdin, killing it after `timeout`; its stdout on success.
fn run(mut cmd: Command, input: &str, timeout: Duration) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).map_err(|e| format!("{shown}: writing stdin: {e}"))?;
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown} took over {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("{shown}: {e}")),
        }
    }
    let out = child.wait_with_output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String =
            err.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
        Err(format!("{shown} failed ({}): {tail}", out.status))
    }
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ensure_pyjwt() -> Result<PathBuf, String> {
    if !has("python3") {
        return Err("python3 is not installed".into());
    }
    let dir = interop_dir().join("py");
    if !dir.join("jwt").join("__init__.py").exists() {
        let mut cmd = Command::new("python3");
        cmd.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--retries",
            "1",
            "--timeout",
            "30",
        ])
        .arg("--target")
        .arg(&dir)
        .arg("PyJWT>=2.8,<3");
        run(cmd, "", INSTALL_TIMEOUT)
            .map_err(|e| format!("pip could not install PyJWT (registry unreachable?): {e}"))?;
    }
    Ok(dir)
}

fn ensure_node_jwt() -> Result<PathBuf, String> {
    if !has("node") || !has("npm") {
        return Err("node or npm is not installed".into());
    }
    let dir = interop_dir().join("node");
    if !dir.join("node_modules").join("jsonwebtoken").join("package.json").exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut cmd = Command::new("npm");
        cmd.args(["install", "--no-audit", "--no-fund", "--silent", "--no-save", "--fetch-retries=1"])
            .args(["--fetch-retry-maxtimeout=10000", "--fetch-timeout=30000", "--prefix"])
            .arg(&dir)
            .arg("jsonwebtoken@9");
        run(cmd, "", INSTALL_TIMEOUT)
            .map_err(|e| format!("npm could not install jsonwebtoken (registry unreachable?): {e}"))?;
    }
    Ok(dir)
}

/// One token to make: the profile, its header and claims, the key and algorithm.
struct Case {
    profile: ProfileId,
    kid: Option<&'static str>,
    alg: JwsAlgorithm,
    key: Vec<u8>,
    claims: Claims,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn clock() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(NOW)
}

fn cases(now: u64) -> Vec<Case> {
    let ids = CustomerIds(
        [("registered".to_owned(), "alice@example.com".to_owned()), ("cookie".to_owned(), "c-1".to_owned())]
            .into(),
    );
    let mut v = Vec::new();
    for alg in [JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512] {
        v.push(Case {
            profile: ProfileId::ExponeaStream,
            kid: Some("main"),
            alg,
            key: main_key(),
            claims: Claims::exponea(ids.clone(), now + 3600),
        });
    }
    v.push(Case {
        profile: ProfileId::ExponeaStream,
        kid: None,
        alg: JwsAlgorithm::HS256,
        key: default_key(),
        claims: Claims::exponea(ids, now + 86_400),
    });
    for profile in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        v.push(Case {
            profile,
            kid: None,
            alg: JwsAlgorithm::HS256,
            key: default_key(),
            claims: Claims::moengage("alice", now + 600),
        });
    }
    v.push(Case {
        profile: ProfileId::KhorosLegacy,
        kid: Some("main"),
        alg: JwsAlgorithm::HS256,
        key: main_key(),
        claims: Claims::khoros("alice", "Alice Ł", "ios", now - 5),
    });
    v.push(Case {
        profile: ProfileId::WebexConnect,
        kid: None,
        alg: JwsAlgorithm::HS256,
        key: default_key(),
        claims: Claims::webex(WEBEX_APP, Some("alice"), Some("cust-1"), Some(now + 600)),
    });
    v.push(Case {
        profile: ProfileId::WebexConnect,
        kid: Some("short"),
        alg: JwsAlgorithm::HS256,
        key: short_key(),
        claims: Claims::webex(WEBEX_APP, None, None, None),
    });
    v
}

fn request_for(c: &Case) -> RequestIdentity {
    let profile = c.profile.profile();
    match c.profile {
        ProfileId::ExponeaStream => RequestIdentity::ids(c.claims.ids.clone().unwrap_or_default()),
        _ => default_request(&profile),
    }
}

fn header_json(c: &Case) -> Value {
    let mut h = json!({ "alg": c.alg.as_str(), "typ": "JWT" });
    if let Some(kid) = c.kid {
        h["kid"] = json!(kid);
    }
    h
}

fn call_tool(program: &str, script: &str, lib_dir: &Path, request: &Value) -> Result<Value, String> {
    let mut cmd = Command::new(program);
    cmd.arg(tools_dir().join(script)).arg(lib_dir);
    let out = run(cmd, &request.to_string(), RUN_TIMEOUT)?;
    serde_json::from_str(&out).map_err(|e| format!("{script} answered {out:?}: {e}"))
}

/// The full interop exchange with one library.
fn exchange(name: &str, program: &str, script: &str, lib_dir: &Path) {
    let now = clock();
    let cases = cases(now);
    // 1. Minted there, validated here.
    let mut items: Vec<Value> = cases
        .iter()
        .map(|c| json!({ "header": header_json(c), "claims": c.claims, "key_hex": hex(&c.key), "alg": c.alg.as_str() }))
        .collect();
    // Two tokens that must be refused here: signed with a key of the wrong id, and alg none.
    items.push(json!({ "header": {"alg": "HS256", "typ": "JWT", "kid": "main"}, "claims": cases[0].claims,
                       "key_hex": hex(&short_key()), "alg": "HS256" }));
    items.push(json!({ "header": {"alg": "none", "typ": "JWT"}, "claims": cases[0].claims,
                       "key_hex": "", "alg": "none" }));
    let minted = call_tool(program, script, lib_dir, &json!({ "mode": "mint", "items": items }))
        .unwrap_or_else(|e| panic!("{name} mint: {e}"));
    let version = minted["version"].as_str().unwrap_or("?").to_owned();
    let tokens: Vec<String> =
        minted["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    assert_eq!(tokens.len(), cases.len() + 2);
    for (c, token) in cases.iter().zip(&tokens) {
        let validator = Validator::new(&c.profile.profile(), corpus_ring()).unwrap();
        match validator.validate(token, &request_for(c), now) {
            Decision::Accepted(v) => assert_eq!(v.claims, c.claims, "{name} {}: claims", c.profile),
            d => panic!("{name} {version} {} {:?} token rejected here: {d}\n{token}", c.profile, c.alg),
        }
    }
    let exponea = Validator::new(&ProfileId::ExponeaStream.profile(), corpus_ring()).unwrap();
    let req = request_for(&cases[0]);
    assert_eq!(
        exponea.validate(&tokens[cases.len()], &req, now).reason(),
        Some(RejectReason::InvalidSignature)
    );
    assert_eq!(
        exponea.validate(&tokens[cases.len() + 1], &req, now).reason(),
        Some(RejectReason::AlgorithmNotAllowed)
    );

    // 2. Minted here, verified there (and a tampered one refused there).
    let mut ours = Vec::new();
    for c in &cases {
        let mut ring = KeyRing::new();
        match c.kid {
            Some(kid) => ring.add(kid, &c.key, &[c.alg]).unwrap(),
            None => ring.add_default(&c.key, &[c.alg]).unwrap(),
        }
        let token = Minter::new(&c.profile.profile(), ring)
            .unwrap()
            .mint(c.kid, Some(c.alg), &c.claims, now)
            .unwrap();
        ours.push(json!({ "token": token, "key_hex": hex(&c.key), "alg": c.alg.as_str() }));
    }
    let good = ours[0]["token"].as_str().unwrap().to_owned();
    let (head, rest) = good.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let forged_payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        serde_json::to_vec(&json!({"ids": {"registered": "mallory"}, "exp": now + 3600})).unwrap(),
    );
    ours.push(json!({ "token": format!("{head}.{forged_payload}.{sig}"), "key_hex": hex(&main_key()), "alg": "HS256" }));
    let verified = call_tool(program, script, lib_dir, &json!({ "mode": "verify", "items": ours }))
        .unwrap_or_else(|e| panic!("{name} verify: {e}"));
    let results = verified["results"].as_array().unwrap();
    for (c, r) in cases.iter().zip(results) {
        assert_eq!(r.get("error"), None, "{name} {version} refused our {} {:?} token", c.profile, c.alg);
        assert_eq!(r["claims"], serde_json::to_value(&c.claims).unwrap(), "{name} {}: claims", c.profile);
    }
    let forged = &results[cases.len()];
    assert!(forged.get("error").is_some(), "{name} accepted a forged token: {forged}");
    say(&format!(
        "token_interop {name} {version}: {} profile tokens each way, forgeries refused both ways",
        cases.len()
    ));
}

#[test]
fn pyjwt_tokens_validate_here_and_ours_verify_in_pyjwt() {
    match ensure_pyjwt() {
        Ok(dir) => exchange("PyJWT", "python3", "pyjwt_tool.py", &dir),
        Err(reason) => prerequisite_missing("PyJWT", &reason),
    }
}

#[test]
fn node_jsonwebtoken_tokens_validate_here_and_ours_verify_in_node() {
    match ensure_node_jwt() {
        Ok(dir) => exchange("npm jsonwebtoken", "node", "node_jwt_tool.js", &dir),
        Err(reason) => prerequisite_missing("npm jsonwebtoken", &reason),
    }
}
