//! `jwt-lifecycle token mint|verify`: make and check a profile's tokens by hand.
//!
//! The identity flags stand for what of a request a profile binds its tokens to (the
//! request values of its identity binding), so which flags a profile takes, and which
//! claims they fill, follow from the profile's data, never from its name.

use crate::output::{note, or_verdict, out, Outcome, Output, Stop, USAGE_OR_IO, VERDICT};
use clap::{Args, Subcommand, ValueEnum};
use jwt_lifecycle_spec::profile::{JwsAlgorithm, Presence, Profile, RequestValue};
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{
    Claims, Decision, KeyRing, MintError, Minter, RejectReason, RequestIdentity, Validator,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

/// The exit statuses, shown in `--help`.
const EXIT_STATUS: &str = "Exit status: 0 accepted (verify) or minted (mint), 1 the token is rejected (a verdict), \
                           2 usage or I/O error (bad flag values, bad hex or JSON, missing or too short keys, \
                           a token mint would have to refuse, unreadable input).";

/// Subcommands.
#[derive(Subcommand, Debug)]
#[command(after_help = EXIT_STATUS)]
pub(crate) enum TokenCommand {
    /// Mint a token for a profile (prints the compact token).
    #[command(after_help = EXIT_STATUS)]
    Mint(MintArgs),
    /// Validate a token as the profile's backend would (exit 0 accepted, 1 rejected).
    #[command(after_help = EXIT_STATUS)]
    Verify(VerifyArgs),
}

/// `--alg`: the algorithms a token can be minted with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AlgArg {
    /// HMAC with SHA-256.
    #[value(name = "HS256")]
    Hs256,
    /// HMAC with SHA-384.
    #[value(name = "HS384")]
    Hs384,
    /// HMAC with SHA-512.
    #[value(name = "HS512")]
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (needs an RSA key the profile allows).
    #[value(name = "RS256")]
    Rs256,
}

impl From<AlgArg> for JwsAlgorithm {
    fn from(alg: AlgArg) -> Self {
        match alg {
            AlgArg::Hs256 => JwsAlgorithm::HS256,
            AlgArg::Hs384 => JwsAlgorithm::HS384,
            AlgArg::Hs512 => JwsAlgorithm::HS512,
            AlgArg::Rs256 => JwsAlgorithm::RS256,
        }
    }
}

fn parse_profile(name: &str) -> Result<ProfileId, String> {
    name.parse::<ProfileId>().map_err(|e| e.to_string())
}

/// The key ring, common to both subcommands.
#[derive(Args, Debug)]
pub(crate) struct KeyArgs {
    /// The key for tokens without `kid`, as hex (at least 32 bytes).
    #[arg(long, value_name = "HEX")]
    key_hex: Option<String>,
    /// A named key of the ring, as KID=HEX; repeatable.
    #[arg(long = "key", value_name = "KID=HEX")]
    keys: Vec<String>,
    /// A named key given as text, KID=SECRET: its UTF-8 bytes are the key (Khoros app key
    /// secrets, CLAIM-008); repeatable.
    #[arg(long = "key-text", value_name = "KID=SECRET")]
    text_keys: Vec<String>,
}

/// What of the request a token is bound to (verify), or the token is made for (mint).
#[derive(Args, Debug)]
pub(crate) struct IdentityArgs {
    /// The request's customer ids, a JSON object of strings (profiles that bind a claim
    /// to the whole ids map: Exponea's `ids`).
    #[arg(long, value_name = "JSON")]
    ids: Option<String>,
    /// The identifier passed with the token (profiles whose identifier key is not
    /// `userId`: MoEngage's `sub`).
    #[arg(long)]
    identifier: Option<String>,
    /// The user (profiles whose identifier key is `userId`: Khoros, Webex Connect).
    #[arg(long)]
    user_id: Option<String>,
    /// The app's id (profiles that bind a claim to it: Webex Connect's `appId`).
    #[arg(long)]
    app_id: Option<String>,
}

/// `token mint`.
#[derive(Args, Debug)]
pub(crate) struct MintArgs {
    /// The profile (exponea-stream, moengage-ios, moengage-android, khoros-legacy, webex-connect).
    #[arg(long, value_parser = parse_profile)]
    profile: ProfileId,
    #[command(flatten)]
    keys: KeyArgs,
    /// Sign with the key of this id (default: the --key-hex key, or the only --key).
    #[arg(long)]
    kid: Option<String>,
    /// Algorithm (default: the first the profile and key allow).
    #[arg(long, value_enum)]
    alg: Option<AlgArg>,
    /// The time of minting, Unix seconds (default: the real clock).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// `exp` = now + TTL seconds (default 3600 where the profile requires `exp`; where
    /// `exp` is optional, set only when --ttl or --exp is given).
    #[arg(long, value_name = "SECONDS")]
    ttl: Option<u64>,
    /// `exp` as an absolute Unix time (overrides --ttl).
    #[arg(long, value_name = "UNIX_SECONDS")]
    exp: Option<u64>,
    #[command(flatten)]
    identity: IdentityArgs,
    /// The customer profile the token may link or unlink (profiles that bind a claim to
    /// it: Webex Connect's `customerId`).
    #[arg(long)]
    customer_id: Option<String>,
    /// `givenName`, for profiles whose tokens carry it (default: the user).
    #[arg(long)]
    given_name: Option<String>,
    /// `platform`, for profiles whose tokens carry it (default ios).
    #[arg(long)]
    platform: Option<String>,
    /// `iat`, for profiles whose tokens carry it (default: now).
    #[arg(long, value_name = "UNIX_SECONDS")]
    iat: Option<u64>,
    /// Print `{"token":...,"identifier":...}` instead of the bare token.
    #[arg(long)]
    json: bool,
}

/// `token verify`.
#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The profile (exponea-stream, moengage-ios, moengage-android, khoros-legacy, webex-connect).
    #[arg(long, value_parser = parse_profile)]
    profile: ProfileId,
    #[command(flatten)]
    keys: KeyArgs,
    /// The time of validation, Unix seconds (default: the real clock).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    #[command(flatten)]
    identity: IdentityArgs,
    /// The customer profile a link or unlink request names (profiles that bind a claim
    /// to it: Webex Connect's `customerId`).
    #[arg(long)]
    link_customer_id: Option<String>,
    /// Print exactly `{"accepted":bool,"reason":...,"status":N,"code":...}`.
    #[arg(long)]
    json: bool,
    /// The compact token, or `-` to read it from standard input (at most the profile's
    /// token size limit, plus a line ending).
    token: String,
}

/// `token mint --json`.
#[derive(Serialize)]
struct MintJson<'a> {
    token: &'a str,
    identifier: Option<&'a str>,
}

/// `token verify --json`: exactly these members, in this order.
#[derive(Serialize)]
struct VerifyJson {
    accepted: bool,
    reason: Option<RejectReason>,
    status: u16,
    code: Option<i64>,
}

/// A usage or I/O error: the message says which flag or input to fix.
struct Usage(String);

fn usage(msg: impl Into<String>) -> Usage {
    Usage(msg.into())
}

/// Runs a `token` subcommand, writing through `out` (a closed pipe ends it quietly with
/// the verdict's exit code).
pub(crate) fn run(cmd: TokenCommand, out: &mut Output) -> Outcome {
    let result = match cmd {
        TokenCommand::Mint(args) => mint(args, out),
        TokenCommand::Verify(args) => verify(args, out),
    };
    match result {
        Ok(outcome) => outcome,
        Err(Usage(msg)) => {
            note!("jwt-lifecycle token: {msg}");
            Ok(ExitCode::from(USAGE_OR_IO))
        }
    }
}

fn parse_hex(flag: &str, hex: &str) -> Result<Vec<u8>, Usage> {
    let hex = hex.trim();
    if !hex.len().is_multiple_of(2) {
        return Err(usage(format!("{flag}: hex needs an even number of digits, got {}", hex.len())));
    }
    let digits = hex.as_bytes();
    let value = |i: usize| -> Result<u8, Usage> {
        let c = digits[i] as char;
        c.to_digit(16)
            .map(|d| d as u8)
            .ok_or_else(|| usage(format!("{flag}: {c:?} at position {} is not a hex digit", i + 1)))
    };
    (0..digits.len() / 2).map(|i| Ok(value(2 * i)? << 4 | value(2 * i + 1)?)).collect()
}

fn ring(profile: &Profile, keys: &KeyArgs) -> Result<KeyRing, Usage> {
    let mut ring = KeyRing::new();
    let algs = &profile.claims.algorithms;
    if let Some(hex) = &keys.key_hex {
        let secret = parse_hex("--key-hex", hex)?;
        ring.add_fitting(None, &secret, algs).map_err(|e| usage(format!("--key-hex: {e}")))?;
    }
    for spec in &keys.keys {
        let (kid, hex) =
            spec.split_once('=').ok_or_else(|| usage(format!("--key {spec:?}: expected KID=HEX")))?;
        let secret = parse_hex(&format!("--key {kid}"), hex)?;
        ring.add_fitting(Some(kid), &secret, algs).map_err(|e| usage(format!("--key {kid}: {e}")))?;
    }
    for spec in &keys.text_keys {
        let (kid, secret) =
            spec.split_once('=').ok_or_else(|| usage("--key-text: expected KID=SECRET, got no `=`"))?;
        ring.add_fitting(Some(kid), secret.as_bytes(), algs)
            .map_err(|e| usage(format!("--key-text {kid}: {e}")))?;
    }
    if ring.is_empty() {
        return Err(usage("no key given: pass --key-hex HEX, --key KID=HEX or --key-text KID=SECRET"));
    }
    Ok(ring)
}

fn parse_ids(json: &str) -> Result<CustomerIds, Usage> {
    serde_json::from_str::<BTreeMap<String, String>>(json).map(CustomerIds).map_err(|e| {
        usage(format!("--ids: expected a JSON object of strings like {{\"registered\":\"alice\"}}: {e}"))
    })
}

fn now_or_clock(now: Option<u64>) -> Result<u64, Usage> {
    match now {
        Some(n) => Ok(n),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| usage("the system clock is before 1970: pass --now")),
    }
}

/// The identifier key `--user-id` stands for; any other key is given with
/// `--identifier`. (A flag named after the claim, not after a vendor.)
const USER_ID_KEY: &str = "userId";

/// The flag that gives a request value for `profile`.
fn flag_for(profile: &Profile, value: RequestValue, linked_flag: &'static str) -> &'static str {
    match value {
        RequestValue::CustomerIds => "--ids",
        RequestValue::Identifier if profile.identifier_key.as_deref() == Some(USER_ID_KEY) => "--user-id",
        RequestValue::Identifier => "--identifier",
        RequestValue::AppId => "--app-id",
        RequestValue::LinkedCustomer => linked_flag,
    }
}

/// True when `flag` gives a value `profile` binds its tokens to.
fn takes_flag(profile: &Profile, flag: &str, linked_flag: &'static str) -> bool {
    profile.claims.identity.matches.iter().any(|m| flag_for(profile, m.with, linked_flag) == flag)
}

/// Refuses a flag the profile does not use, so a typo is not silently ignored; the
/// message lists the profiles that do use it.
fn only_where(
    profile: &Profile,
    flag: &str,
    given: bool,
    applies: impl Fn(&Profile) -> bool,
) -> Result<(), Usage> {
    if given && !applies(profile) {
        let names: Vec<&str> =
            ProfileId::ALL.into_iter().filter(|p| applies(&p.profile())).map(ProfileId::as_str).collect();
        return Err(usage(format!("{flag} applies to {} only, not {}", names.join(", "), profile.id)));
    }
    Ok(())
}

/// The request the identity flags describe, after refusing flags the profile does not
/// take and, for minting, missing flags for values a token must carry. One function for
/// both subcommands, so mint and verify can never disagree about a flag.
fn request_from(
    profile: &Profile,
    a: &IdentityArgs,
    linked: (&'static str, Option<&String>),
    minting: bool,
) -> Result<RequestIdentity, Usage> {
    let (linked_flag, linked_value) = linked;
    let given = [
        ("--ids", a.ids.is_some()),
        ("--identifier", a.identifier.is_some()),
        ("--user-id", a.user_id.is_some()),
        ("--app-id", a.app_id.is_some()),
        (linked_flag, linked_value.is_some()),
    ];
    for (flag, is_given) in given {
        only_where(profile, flag, is_given, |p| takes_flag(p, flag, linked_flag))?;
    }
    if minting {
        for m in profile.claims.identity.matches.iter().filter(|m| m.presence == Presence::Required) {
            let flag = flag_for(profile, m.with, linked_flag);
            if !given.iter().any(|(f, g)| *f == flag && *g) {
                let what = if flag == "--ids" { "--ids JSON" } else { flag };
                return Err(usage(format!("{} needs {what}", profile.id)));
            }
        }
    }
    let mut request = RequestIdentity::default();
    if let Some(ids) = &a.ids {
        request.customer_ids = parse_ids(ids)?;
    }
    if let Some(id) = a.identifier.as_deref().or(a.user_id.as_deref()) {
        request.customer_ids = profile.identity_for(id);
    }
    request.app_id = a.app_id.clone();
    request.link_customer_id = linked_value.cloned();
    Ok(request)
}

/// The claims of `a`'s token: those binding it to the request, then `exp`, `iat` and the
/// informational claims the profile's tokens carry.
fn mint_claims(
    a: &MintArgs,
    profile: &Profile,
    minter: &Minter,
    request: &RequestIdentity,
    now: u64,
) -> Result<Claims, Usage> {
    let rules = &profile.claims;
    only_where(profile, "--given-name", a.given_name.is_some(), |p| p.claims.mentions("givenName"))?;
    only_where(profile, "--platform", a.platform.is_some(), |p| p.claims.mentions("platform"))?;
    only_where(profile, "--iat", a.iat.is_some(), |p| p.claims.mentions("iat"))?;
    let mut claims = minter.claims_for(request).map_err(|e| usage(e.to_string()))?;
    let asked_exp = a.exp.or(a.ttl.map(|t| now.saturating_add(t)));
    claims.exp = match rules.exp {
        Presence::Required => Some(asked_exp.unwrap_or_else(|| now.saturating_add(3600))),
        Presence::Optional => asked_exp,
    };
    if rules.mentions("iat") {
        claims.iat = Some(a.iat.unwrap_or(now));
    }
    let user = request.customer_ids.0.values().next().cloned().unwrap_or_default();
    let informational = [
        ("givenName", a.given_name.clone().unwrap_or(user)),
        ("platform", a.platform.clone().unwrap_or_else(|| "ios".to_owned())),
    ];
    for (claim, value) in informational {
        if rules.informational_claims.iter().any(|c| c == claim) {
            claims.set_text(claim, value).map_err(|e| usage(e.to_string()))?;
        }
    }
    Ok(claims)
}

fn mint(a: MintArgs, out: &mut Output) -> Result<Outcome, Usage> {
    let profile = &a.profile.profile();
    let ring = ring(profile, &a.keys)?;
    let request = request_from(profile, &a.identity, ("--customer-id", a.customer_id.as_ref()), true)?;
    let now = now_or_clock(a.now)?;
    let minter = Minter::new(profile, ring).map_err(|e| usage(e.to_string()))?;
    let claims = mint_claims(&a, profile, &minter, &request, now)?;
    // With a single named key and no default, sign with it.
    let kid = a.kid.clone().or_else(|| {
        match (&a.keys.key_hex, a.keys.keys.as_slice(), a.keys.text_keys.as_slice()) {
            (None, [only], []) | (None, [], [only]) => only.split_once('=').map(|(k, _)| k.to_owned()),
            _ => None,
        }
    });
    let token =
        minter.mint(kid.as_deref(), a.alg.map(JwsAlgorithm::from), &claims, now).map_err(|e| match e {
            MintError::AlgorithmNotAllowed { .. } => usage(format!("--alg: {e}")),
            other => usage(format!("refusing to mint: {other}")),
        })?;
    // The identifier the app passes to the SDK with the token, where the profile binds
    // the token to one.
    let identifier = profile
        .claims
        .identity
        .claim_for(RequestValue::Identifier)
        .and_then(|m| claims.text(&m.claim))
        .map(str::to_owned);
    let written = if a.json {
        let line = serde_json::to_string(&MintJson { token: &token, identifier: identifier.as_deref() })
            .map_err(|e| usage(format!("could not write JSON: {e}")))?;
        out!(out, "{line}")
    } else {
        if let Some(id) = &identifier {
            note!("pass it with the identifier {id:?}");
        }
        out!(out, "{token}")
    };
    Ok(or_verdict(written, ExitCode::SUCCESS))
}

/// The token argument, or standard input for `-`, read with a bound: at most `limit`
/// bytes (the profile's token limit and a line ending) are accepted, and at most one more
/// is ever read, so an endless or huge input costs nothing.
fn read_token(arg: &str, max_token_bytes: usize) -> Result<String, Usage> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let limit = max_token_bytes + 2;
    let mut bytes = Vec::with_capacity(limit.min(64 * 1024) + 1);
    std::io::stdin()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("could not read the token from standard input: {e}")))?;
    if bytes.len() > limit {
        return Err(usage(format!(
            "standard input holds more than {limit} bytes: a token of this profile is at most {max_token_bytes} \
             bytes (and a line ending); pass the token itself"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| usage("the token on standard input is not UTF-8: a token is ASCII base64url"))?;
    Ok(text.trim().to_owned())
}

fn verify(a: VerifyArgs, out: &mut Output) -> Result<Outcome, Usage> {
    let profile = &a.profile.profile();
    let ring = ring(profile, &a.keys)?;
    let request =
        request_from(profile, &a.identity, ("--link-customer-id", a.link_customer_id.as_ref()), false)?;
    let now = now_or_clock(a.now)?;
    let token = read_token(&a.token, profile.claims.max_token_bytes)?;
    let validator = Validator::new(profile, ring).map_err(|e| usage(e.to_string()))?;
    let decision = validator.validate(&token, &request, now);
    let verdict = if decision.is_accepted() { ExitCode::SUCCESS } else { ExitCode::from(VERDICT) };
    let written = if a.json {
        let json = VerifyJson {
            accepted: decision.is_accepted(),
            reason: decision.reason(),
            status: decision.status(),
            code: decision.vendor_code(),
        };
        let line = serde_json::to_string(&json).map_err(|e| usage(format!("could not write JSON: {e}")))?;
        out!(out, "{line}")
    } else {
        write_decision(out, profile, &decision)
    };
    Ok(or_verdict(written, verdict))
}

fn write_decision(out: &mut Output, profile: &Profile, decision: &Decision) -> Result<(), Stop> {
    match decision {
        Decision::Accepted(t) => {
            let alg = t.alg.map_or("?", JwsAlgorithm::as_str);
            out!(
                out,
                "accepted (200): {} token, {alg}, kid {}",
                profile.id,
                t.kid.as_deref().unwrap_or("(default)")
            )?;
            out!(out, "claims: {}", serde_json::to_string(&t.claims).unwrap_or_default())
        }
        Decision::Rejected(_) => out!(out, "{decision}"),
    }
}
