//! Worked `jwt-lifecycle token` examples for backend teams, one set per profile.
//!
//! The examples are data: the book shows each command with the output it prints, and
//! `conformance/tests/book_token_examples.rs` runs every command of the committed page
//! against the built binary and compares the exit status and the output, so an example in
//! the book always works as shown.

use jwt_lifecycle_spec::ProfileId;
use std::fmt::Write as _;

/// The example key: 32 ASCII bytes, given to the CLI as hex (`--key KID=HEX`).
pub const EXAMPLE_SECRET: &str = "jwt-lifecycle-docs-example-key-1";

/// The minting instant of every example (Unix seconds), so outputs are reproducible.
pub const MINT_AT: u64 = 1_700_000_000;

/// The hex of [`EXAMPLE_SECRET`].
pub fn example_key_hex() -> String {
    EXAMPLE_SECRET.bytes().map(|b| format!("{b:02x}")).collect()
}

/// One check of a minted token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// What it shows.
    pub caption: &'static str,
    /// Arguments after `jwt-lifecycle`, without the token (the test appends it).
    pub args: Vec<String>,
    /// The exit status: 0 accepted, 1 rejected.
    pub status: i32,
    /// The exact standard output.
    pub stdout: &'static str,
}

/// Minting one token and checking it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenExample {
    /// The profile.
    pub profile: ProfileId,
    /// What the example shows, one or two sentences.
    pub text: &'static str,
    /// Arguments after `jwt-lifecycle` that mint the token (printed on stdout).
    pub mint: Vec<String>,
    /// Checks of that token.
    pub verify: Vec<Verification>,
}

fn args(list: &[&str]) -> Vec<String> {
    let key = example_key_hex();
    list.iter()
        .map(|a| {
            a.replace("{KEY}", &key)
                .replace("{SECRET}", EXAMPLE_SECRET)
                .replace("{NOW}", &MINT_AT.to_string())
        })
        .collect()
}

/// How a profile's backend checks the example token: the profile and the key flags.
struct Backend {
    profile: &'static str,
    key: &'static [&'static str],
}

const ACCEPTED: &str = "{\"accepted\":true,\"reason\":null,\"status\":200,\"code\":null}\n";

impl Backend {
    /// `token verify` at `now` (Unix seconds) of a request for `identity` (its flags),
    /// expecting exit `status` and `stdout`.
    fn check(
        &self,
        caption: &'static str,
        now: &str,
        identity: &[&str],
        status: i32,
        stdout: &'static str,
    ) -> Verification {
        let mut list = vec!["token", "verify", "--profile", self.profile];
        list.extend_from_slice(self.key);
        list.extend_from_slice(&["--now", now]);
        list.extend_from_slice(identity);
        list.push("--json");
        Verification { caption, args: args(&list), status, stdout }
    }
}

/// Every example.
pub fn token_examples() -> Vec<TokenExample> {
    vec![exponea_example(), moengage_example(), khoros_example(), webex_example()]
}

/// Exponea: the `ids` claim against the request's customer ids, and `exp`.
fn exponea_example() -> TokenExample {
    let backend = Backend { profile: "exponea-stream", key: &["--key", "main={KEY}"] };
    let alice = &["--ids", r#"{"registered":"alice"}"#];
    TokenExample {
        profile: ProfileId::ExponeaStream,
        text: "The `ids` claim must equal the request's customer ids exactly (CLAIM-003); a token for \
               another customer is valid but does not cover the request, so it is answered 403, which \
               the SDK does not retry (RETRY-005).",
        mint: args(&[
            "token",
            "mint",
            "--profile",
            "exponea-stream",
            "--key",
            "main={KEY}",
            "--kid",
            "main",
            "--alg",
            "HS256",
            "--now",
            "{NOW}",
            "--ttl",
            "3600",
            "--ids",
            r#"{"registered":"alice"}"#,
        ]),
        verify: vec![
            backend.check("the request for alice, 100 s later", "1700000100", alice, 0, ACCEPTED),
            backend.check(
                "a request for bob with alice's token",
                "1700000100",
                &["--ids", r#"{"registered":"bob"}"#],
                1,
                "{\"accepted\":false,\"reason\":\"identity_mismatch\",\"status\":403,\"code\":null}\n",
            ),
            backend.check(
                "the request for alice, one second after `exp`",
                "1700003601",
                alice,
                1,
                "{\"accepted\":false,\"reason\":\"expired\",\"status\":401,\"code\":null}\n",
            ),
        ],
    }
}

/// MoEngage: `sub` bound to the identifier passed with the token.
fn moengage_example() -> TokenExample {
    let backend = Backend { profile: "moengage-ios", key: &["--key-hex", "{KEY}"] };
    TokenExample {
        profile: ProfileId::MoengageIos,
        text: "The token is bound to the identifier the app passes with it, through `sub` (CLAIM-015); \
               the Android profile takes the same flags.",
        mint: args(&[
            "token",
            "mint",
            "--profile",
            "moengage-ios",
            "--key-hex",
            "{KEY}",
            "--now",
            "{NOW}",
            "--identifier",
            "u1",
        ]),
        verify: vec![backend.check(
            "the identifier the app passed",
            "1700000100",
            &["--identifier", "u1"],
            0,
            ACCEPTED,
        )],
    }
}

/// Khoros: `kid` and `typ` in the header, a text key, `iat` in seconds.
fn khoros_example() -> TokenExample {
    let backend = Backend { profile: "khoros-legacy", key: &["--key-text", "app_key_id={SECRET}"] };
    let alice = &["--user-id", "alice"];
    TokenExample {
        profile: ProfileId::KhorosLegacy,
        text: "The header carries the app key id as `kid` and `typ: JWT` (CLAIM-005); the key is the UTF-8 \
                   bytes of the app key secret, which `--key-text KID=SECRET` takes as it is (CLAIM-008); \
                   `iat` is in seconds (CLAIM-007) and `scope` is `appUser` (CLAIM-006).",
        mint: args(&[
            "token",
            "mint",
            "--profile",
            "khoros-legacy",
            "--key-text",
            "app_key_id={SECRET}",
            "--kid",
            "app_key_id",
            "--now",
            "{NOW}",
            "--user-id",
            "alice",
            "--given-name",
            "Alice",
        ]),
        verify: vec![
            backend.check("alice logging in", "1700000100", alice, 0, ACCEPTED),
            backend.check(
                "checked before it was issued (a clock behind, or an `iat` in milliseconds)",
                "1699999000",
                alice,
                1,
                "{\"accepted\":false,\"reason\":\"issued_in_future\",\"status\":401,\"code\":null}\n",
            ),
        ],
    }
}

/// Webex Connect: `appId`, an optional but enforced `exp`, and Webex's codes.
fn webex_example() -> TokenExample {
    let backend = Backend { profile: "webex-connect", key: &["--key-hex", "{KEY}"] };
    let alice = &["--app-id", "TR21063826", "--user-id", "alice"];
    TokenExample {
        profile: ProfileId::WebexConnect,
        text: "`appId` is required and must match the app (CLAIM-010); `exp` is optional but enforced \
               when present (CLAIM-013), and rejections carry Webex's codes (38 invalid, 39 missing, \
               40 expired).",
        mint: args(&[
            "token",
            "mint",
            "--profile",
            "webex-connect",
            "--key-hex",
            "{KEY}",
            "--now",
            "{NOW}",
            "--ttl",
            "600",
            "--app-id",
            "TR21063826",
            "--user-id",
            "alice",
        ]),
        verify: vec![
            backend.check("within its ten minutes", "1700000100", alice, 0, ACCEPTED),
            backend.check(
                "after `exp`",
                "1700000700",
                alice,
                1,
                "{\"accepted\":false,\"reason\":\"expired\",\"status\":401,\"code\":40}\n",
            ),
        ],
    }
}

/// Quotes an argument for a POSIX shell when it needs it.
fn shell(arg: &str) -> String {
    if arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:,".contains(c)) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `docs/src/generated/token-cli.md`.
pub fn token_cli_md() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", super::pages::GENERATED_MARK);
    out.push_str("## Minting and verifying by hand\n\n");
    let _ = writeln!(
        out,
        "`jwt-lifecycle token mint` prints a compact token; `jwt-lifecycle token verify` validates one \
         as the profile's backend would and exits 0 when it is accepted, 1 when it is rejected and 2 on a \
         usage error; `--json` prints `{{\"accepted\", \"reason\", \"status\", \"code\"}}`. Keys are given \
         in hex, `--key-hex HEX` for tokens without `kid` or `--key KID=HEX` (repeatable) for a ring, \
         or as text, `--key-text KID=SECRET`, for secrets the vendor defines as text (Khoros). \
         The examples use the 32-byte key `{EXAMPLE_SECRET}` (hex below) and fixed instants (`--now`), \
         so they print exactly what is shown; in production leave `--now` out to use the clock. A test \
         runs every example below and compares its output.\n"
    );
    for example in token_examples() {
        let _ = writeln!(out, "### `{}`\n", example.profile);
        let _ = writeln!(out, "{}\n", example.text);
        out.push_str("```sh\n");
        let mint: Vec<String> = example.mint.iter().map(|a| shell(a)).collect();
        let _ = writeln!(out, "$ jwt-lifecycle {} > token.txt", mint.join(" "));
        for v in &example.verify {
            let verify: Vec<String> = v.args.iter().map(|a| shell(a)).collect();
            let _ = writeln!(out, "\n# {}", v.caption);
            let _ = writeln!(out, "$ jwt-lifecycle {} - < token.txt", verify.join(" "));
            out.push_str(v.stdout);
        }
        out.push_str("```\n\n");
    }
    out
}
