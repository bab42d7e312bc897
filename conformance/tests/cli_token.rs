//! `jwt-lifecycle token mint|verify` end to end: exit status 0 accepted, 1 rejected,
//! 2 usage error; `--json` prints exactly the documented object; errors name the flag.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{Claims, KeyRing, Minter};
use std::io::Write;
use std::process::{Command, Output, Stdio};

const NOW: &str = "1700000000";
const NOW_S: u64 = 1_700_000_000;

fn key() -> Vec<u8> {
    (0u8..64).collect()
}

fn key_hex() -> String {
    key().iter().map(|b| format!("{b:02x}")).collect()
}

fn cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lifecycle"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn exponea_token(exp: u64) -> String {
    let profile = ProfileId::ExponeaStream.profile();
    let mut ring = KeyRing::new();
    ring.add("k1", &key(), &[JwsAlgorithm::HS256]).unwrap();
    Minter::new(&profile, ring)
        .unwrap()
        .mint(Some("k1"), None, &Claims::exponea(CustomerIds::single("registered", "alice"), exp), NOW_S)
        .unwrap()
}

#[test]
fn verify_json_prints_exactly_the_documented_object_and_exit_codes() {
    let token = exponea_token(NOW_S + 60);
    let k = format!("k1={}", key_hex());
    let base = ["token", "verify", "--profile", "exponea-stream", "--key", &k, "--now", NOW, "--json"];
    let run = |extra: &[&str], token: &str| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.push(token);
        cli(&args, None)
    };
    let ok = run(&["--ids", r#"{"registered":"alice"}"#], &token);
    assert_eq!(stdout(&ok), "{\"accepted\":true,\"reason\":null,\"status\":200,\"code\":null}\n");
    assert_eq!(ok.status.code(), Some(0));
    let mismatch = run(&["--ids", r#"{"registered":"bob"}"#], &token);
    assert_eq!(
        stdout(&mismatch),
        "{\"accepted\":false,\"reason\":\"identity_mismatch\",\"status\":403,\"code\":null}\n"
    );
    assert_eq!(mismatch.status.code(), Some(1));
    let tampered = format!("{token}A");
    let bad = run(&["--ids", r#"{"registered":"alice"}"#], &tampered);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("\"status\":401"), "{}", stdout(&bad));
}

#[test]
fn webex_codes_show_in_json_and_the_token_can_come_from_stdin() {
    let kh = key_hex();
    let minted = cli(
        &[
            "token",
            "mint",
            "--profile",
            "webex-connect",
            "--key-hex",
            &kh,
            "--app-id",
            "TR1",
            "--user-id",
            "alice",
            "--now",
            NOW,
            "--ttl",
            "60",
        ],
        None,
    );
    assert_eq!(minted.status.code(), Some(0), "{}", stderr(&minted));
    let token = stdout(&minted);
    let verify = |now: &str, app: &str| {
        cli(
            &[
                "token",
                "verify",
                "--profile",
                "webex-connect",
                "--key-hex",
                &kh,
                "--app-id",
                app,
                "--user-id",
                "alice",
                "--now",
                now,
                "--json",
                "-",
            ],
            Some(&token),
        )
    };
    assert_eq!(
        stdout(&verify(NOW, "TR1")),
        "{\"accepted\":true,\"reason\":null,\"status\":200,\"code\":null}\n"
    );
    let expired = verify("1700000060", "TR1");
    assert_eq!(stdout(&expired), "{\"accepted\":false,\"reason\":\"expired\",\"status\":401,\"code\":40}\n");
    assert_eq!(expired.status.code(), Some(1));
    let other_app = verify(NOW, "TR2");
    assert_eq!(
        stdout(&other_app),
        "{\"accepted\":false,\"reason\":\"app_id_mismatch\",\"status\":403,\"code\":38}\n"
    );
    let empty = cli(
        &[
            "token",
            "verify",
            "--profile",
            "webex-connect",
            "--key-hex",
            &kh,
            "--app-id",
            "TR1",
            "--json",
            "-",
        ],
        Some(""),
    );
    assert_eq!(
        stdout(&empty),
        "{\"accepted\":false,\"reason\":\"not_provided\",\"status\":401,\"code\":39}\n"
    );
}

#[test]
fn human_output_says_what_was_decided() {
    let token = exponea_token(NOW_S - 1);
    let k = format!("k1={}", key_hex());
    let out = cli(
        &[
            "token",
            "verify",
            "--profile",
            "exponea-stream",
            "--key",
            &k,
            "--now",
            NOW,
            "--ids",
            r#"{"registered":"alice"}"#,
            &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("rejected: expired (401)"), "{}", stdout(&out));
    let token = exponea_token(NOW_S + 5);
    let out = cli(
        &[
            "token",
            "verify",
            "--profile",
            "exponea-stream",
            "--key",
            &k,
            "--now",
            NOW,
            "--ids",
            r#"{"registered":"alice"}"#,
            &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("accepted (200)"), "{}", stdout(&out));
    assert!(stdout(&out).contains("\"registered\":\"alice\""), "{}", stdout(&out));
}

#[test]
fn every_profile_mints_tokens_the_cli_then_accepts() {
    let kh = key_hex();
    let k = format!("main={kh}");
    let profiles: [(&str, &[&str], &[&str]); 5] = [
        ("exponea-stream", &["--ids", r#"{"registered":"alice"}"#], &["--ids", r#"{"registered":"alice"}"#]),
        ("moengage-ios", &["--identifier", "alice"], &["--identifier", "alice"]),
        ("moengage-android", &["--identifier", "alice"], &["--identifier", "alice"]),
        ("khoros-legacy", &["--user-id", "alice", "--given-name", "Alice"], &["--user-id", "alice"]),
        ("webex-connect", &["--app-id", "A", "--user-id", "alice"], &["--app-id", "A", "--user-id", "alice"]),
    ];
    for (profile, mint_extra, verify_extra) in profiles {
        let mut args = vec!["token", "mint", "--profile", profile, "--key", &k, "--now", NOW];
        args.extend_from_slice(mint_extra);
        let minted = cli(&args, None);
        assert_eq!(minted.status.code(), Some(0), "{profile}: {}", stderr(&minted));
        let token = stdout(&minted).trim().to_owned();
        let mut args = vec!["token", "verify", "--profile", profile, "--key", &k, "--now", NOW, "--json"];
        args.extend_from_slice(verify_extra);
        args.push(&token);
        let verified = cli(&args, None);
        assert_eq!(verified.status.code(), Some(0), "{profile}: {}", stdout(&verified));
    }
}

#[test]
fn usage_errors_exit_2_with_a_precise_message_and_no_panic() {
    let kh = key_hex();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", "12zz", "t"],
            "--key-hex: 'z' at position 3",
        ),
        (vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", "123", "t"], "even number"),
        (
            vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", "0011", "t"],
            "32+ random bytes",
        ),
        (vec!["token", "verify", "--profile", "exponea-stream", "t"], "no key given"),
        (vec!["token", "verify", "--profile", "exponea-stream", "--key", "nohex", "t"], "expected KID=HEX"),
        (
            vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", &kh, "--ids", "{bad", "t"],
            "--ids: expected a JSON object",
        ),
        (
            vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", &kh, "--ids", "[1]", "t"],
            "--ids",
        ),
        (vec!["token", "verify", "--profile", "exponea", "--key-hex", &kh, "t"], "unknown profile"),
        (
            vec!["token", "verify", "--profile", "khoros-legacy", "--key-hex", &kh, "--app-id", "A", "t"],
            "--app-id applies to webex-connect only",
        ),
        (vec!["token", "mint", "--profile", "exponea-stream", "--key-hex", &kh], "needs --ids"),
        (vec!["token", "mint", "--profile", "webex-connect", "--key-hex", &kh], "needs --app-id"),
        (
            vec![
                "token",
                "mint",
                "--profile",
                "exponea-stream",
                "--key-hex",
                &kh,
                "--ids",
                "{}",
                "--alg",
                "RS256",
            ],
            "--alg",
        ),
        (
            vec![
                "token",
                "mint",
                "--profile",
                "exponea-stream",
                "--key-hex",
                &kh,
                "--ids",
                "{}",
                "--now",
                NOW,
                "--ttl",
                "9999999",
            ],
            "maximum",
        ),
        (vec!["token", "mint", "--profile", "khoros-legacy", "--key-hex", &kh, "--user-id", "u"], "kid"),
        (
            vec!["token", "verify", "--profile", "exponea-stream", "--key-hex", &kh, "--now", "soon", "t"],
            "--now",
        ),
    ];
    for (args, needle) in cases {
        let out = cli(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: stderr {:?} lacks {needle:?}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
}

#[test]
fn khoros_keys_can_be_given_as_the_app_key_secret_text() {
    let secret = "app-key-secret-of-at-least-32-bytes!";
    let k = format!("app_123={secret}");
    let minted = cli(
        &["token", "mint", "--profile", "khoros-legacy", "--key-text", &k, "--user-id", "u1", "--now", NOW],
        None,
    );
    assert_eq!(minted.status.code(), Some(0), "{}", stderr(&minted));
    let token = stdout(&minted).trim().to_owned();
    // The same key as hex: CLAIM-008 says the key is the secret's UTF-8 bytes.
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    let kh = format!("app_123={hex}");
    let out = cli(
        &[
            "token",
            "verify",
            "--profile",
            "khoros-legacy",
            "--key",
            &kh,
            "--user-id",
            "u1",
            "--now",
            NOW,
            "--json",
            &token,
        ],
        None,
    );
    assert_eq!(stdout(&out), "{\"accepted\":true,\"reason\":null,\"status\":200,\"code\":null}\n");
    let short = cli(&["token", "verify", "--profile", "khoros-legacy", "--key-text", "k=short", "t"], None);
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("--key-text k"), "{}", stderr(&short));
}

#[test]
fn standard_input_is_read_with_a_bound_named_in_the_error() {
    let kh = key_hex();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lifecycle"))
        .args(["token", "verify", "--profile", "webex-connect", "--key-hex", &kh, "--app-id", "A", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // 64 MiB of token characters: the CLI must stop reading long before the end, so the
    // writer sees the pipe close (its error is expected and ignored).
    let writer = std::thread::spawn(move || {
        let block = vec![b'A'; 1 << 20];
        for _ in 0..64 {
            if stdin.write_all(&block).is_err() {
                return false;
            }
        }
        true
    });
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let wrote_everything = writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("more than 8194 bytes"), "{}", stderr(&out));
    assert!(!wrote_everything, "the CLI read all 64 MiB");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // At the limit (the token and a line ending) it is read and judged: a verdict, exit 1.
    let at_limit = format!("{}\r\n", "A".repeat(8192));
    let out = cli(
        &["token", "verify", "--profile", "webex-connect", "--key-hex", &kh, "--app-id", "A", "--json", "-"],
        Some(&at_limit),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"reason\":\"malformed\""), "{}", stdout(&out));
}

#[test]
fn mint_refuses_numeric_dates_that_verify_would_reject() {
    let kh = key_hex();
    let k = format!("main={kh}");
    // 2^53 - 1000: `exp` = now + 3600 crosses 2^53.
    let near = "9007199254739992";
    let cases: [&[&str]; 3] = [
        &["--profile", "exponea-stream", "--key-hex", &kh, "--ids", r#"{"registered":"a"}"#, "--now", near],
        &["--profile", "moengage-ios", "--key-hex", &kh, "--identifier", "a", "--exp", "9007199254740992"],
        &["--profile", "khoros-legacy", "--key", &k, "--user-id", "a", "--iat", "18446744073709551615"],
    ];
    for extra in cases {
        let mut args = vec!["token", "mint"];
        args.extend_from_slice(extra);
        let out = cli(&args, None);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stdout(&out));
        assert!(stderr(&out).contains("2^53"), "{extra:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{extra:?}: a token was printed");
    }
    // Just under the limit is minted, and verify accepts it at that instant.
    let out = cli(
        &[
            "token",
            "mint",
            "--profile",
            "moengage-ios",
            "--key-hex",
            &kh,
            "--identifier",
            "a",
            "--now",
            near,
            "--ttl",
            "999",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let token = stdout(&out).trim().to_owned();
    let out = cli(
        &[
            "token",
            "verify",
            "--profile",
            "moengage-ios",
            "--key-hex",
            &kh,
            "--identifier",
            "a",
            "--now",
            near,
            &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn help_states_the_exit_statuses() {
    for args in [&["token", "--help"][..], &["token", "mint", "--help"], &["token", "verify", "--help"]] {
        let out = cli(args, None);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.contains("Exit status: 0") && text.contains("1 the token is rejected"),
            "{args:?}: {text}"
        );
        assert!(text.contains("2 usage or I/O error"), "{args:?}: {text}");
    }
}

#[test]
fn mint_json_names_the_identifier_the_token_is_bound_to() {
    let kh = key_hex();
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["token", "mint", "--key-hex", &kh, "--now", NOW, "--json"];
        all.extend_from_slice(args);
        let out = cli(&all, None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let moengage = json(&["--profile", "moengage-ios", "--identifier", "u-7"]);
    assert_eq!(moengage["identifier"], "u-7");
    assert!(moengage["token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    let exponea = json(&["--profile", "exponea-stream", "--ids", r#"{"registered":"a"}"#]);
    assert_eq!(exponea["identifier"], serde_json::Value::Null);
    assert_eq!(exponea.as_object().map(|o| o.len()), Some(2));
}

#[test]
fn a_closed_standard_output_ends_quietly_with_the_verdict() {
    let token = exponea_token(NOW_S - 1);
    let k = format!("k1={}", key_hex());
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lifecycle"))
        .args(["token", "verify", "--profile", "exponea-stream", "--key", &k, "--now", NOW, &token])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before (or while) the verdict is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
