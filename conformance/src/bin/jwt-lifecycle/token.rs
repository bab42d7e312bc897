//! `jwt-lifecycle token mint|verify`: make and check a profile's tokens by hand.
//!
//! Exit status: 0 accepted (or minted), 1 rejected, 2 usage error (bad flag values, bad
//! hex or JSON, missing or too short keys). Errors name the flag to fix.

use clap::{Args, Subcommand};
use jwt_lifecycle_spec::profile::{HmacAlgorithm, IdentityBinding, Profile};
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{Claims, Decision, KeyRing, Minter, RequestIdentity, Validator};
use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

/// Subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Mint a token for a profile (prints the compact token).
    Mint(MintArgs),
    /// Validate a token as the profile's backend would (exit 0 accepted, 1 rejected).
    Verify(VerifyArgs),
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

/// `token mint`.
#[derive(Args, Debug)]
pub(crate) struct MintArgs {
    /// The profile (exponea-stream, moengage-ios, moengage-android, khoros-legacy, webex-connect).
    #[arg(long)]
    profile: String,
    #[command(flatten)]
    keys: KeyArgs,
    /// Sign with the key of this id (default: the --key-hex key, or the only --key).
    #[arg(long)]
    kid: Option<String>,
    /// Algorithm (HS256, HS384, HS512; default: the first the profile and key allow).
    #[arg(long)]
    alg: Option<String>,
    /// The time of minting, Unix seconds (default: the real clock).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// `exp` = now + TTL seconds (default 3600 where the profile uses `exp`).
    #[arg(long, value_name = "SECONDS")]
    ttl: Option<u64>,
    /// `exp` as an absolute Unix time (overrides --ttl).
    #[arg(long, value_name = "UNIX_SECONDS")]
    exp: Option<u64>,
    /// Exponea: the `ids` map as a JSON object of strings.
    #[arg(long, value_name = "JSON")]
    ids: Option<String>,
    /// MoEngage: the identifier (`sub`).
    #[arg(long)]
    identifier: Option<String>,
    /// Khoros and Webex Connect: `userId`.
    #[arg(long)]
    user_id: Option<String>,
    /// Khoros: `givenName`.
    #[arg(long)]
    given_name: Option<String>,
    /// Khoros: `platform` (default ios).
    #[arg(long)]
    platform: Option<String>,
    /// Khoros: `iat` (default: now).
    #[arg(long, value_name = "UNIX_SECONDS")]
    iat: Option<u64>,
    /// Webex Connect: `appId`.
    #[arg(long)]
    app_id: Option<String>,
    /// Webex Connect: `customerId`.
    #[arg(long)]
    customer_id: Option<String>,
    /// Print `{"token":...,"identifier":...}` instead of the bare token.
    #[arg(long)]
    json: bool,
}

/// `token verify`.
#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The profile (exponea-stream, moengage-ios, moengage-android, khoros-legacy, webex-connect).
    #[arg(long)]
    profile: String,
    #[command(flatten)]
    keys: KeyArgs,
    /// The time of validation, Unix seconds (default: the real clock).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// Exponea: the request's customer ids, a JSON object of strings.
    #[arg(long, value_name = "JSON")]
    ids: Option<String>,
    /// MoEngage: the identifier passed with the token.
    #[arg(long)]
    identifier: Option<String>,
    /// Khoros and Webex Connect: the request's user.
    #[arg(long)]
    user_id: Option<String>,
    /// Webex Connect: the app asset's id.
    #[arg(long)]
    app_id: Option<String>,
    /// Webex Connect: the customer profile being linked or unlinked (compares `customerId`).
    #[arg(long)]
    link_customer_id: Option<String>,
    /// Print exactly `{"accepted":bool,"reason":...,"status":N,"code":...}`.
    #[arg(long)]
    json: bool,
    /// The compact token, or `-` to read it from standard input.
    token: String,
}

/// A usage error: the message says which flag to fix.
struct Usage(String);

fn usage(msg: impl Into<String>) -> Usage {
    Usage(msg.into())
}

/// Runs a `token` subcommand.
pub(crate) fn run(cmd: TokenCommand) -> ExitCode {
    let result = match cmd {
        TokenCommand::Mint(args) => mint(args),
        TokenCommand::Verify(args) => verify(args),
    };
    match result {
        Ok(code) => code,
        Err(Usage(msg)) => {
            eprintln!("jwt-lifecycle token: {msg}");
            ExitCode::from(2)
        }
    }
}

fn parse_profile(name: &str) -> Result<Profile, Usage> {
    name.parse::<ProfileId>().map(ProfileId::profile).map_err(|e| usage(format!("--profile: {e}")))
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

fn parse_alg(alg: &str) -> Result<HmacAlgorithm, Usage> {
    match alg {
        "HS256" => Ok(HmacAlgorithm::HS256),
        "HS384" => Ok(HmacAlgorithm::HS384),
        "HS512" => Ok(HmacAlgorithm::HS512),
        other => Err(usage(format!("--alg: {other:?} is not one of HS256, HS384, HS512"))),
    }
}

/// Refuses identity flags the profile does not use, so a typo is not silently ignored.
/// Identity flags belong to the claims that bind a token to an identity, so which flags a
/// profile takes follows from its data, not from its name.
fn only_for(profile: &Profile, flag: &str, given: bool, allowed: &[IdentityBinding]) -> Result<(), Usage> {
    if given && !allowed.contains(&profile.claims.identity) {
        let names: Vec<&str> = ProfileId::ALL
            .into_iter()
            .filter(|p| allowed.contains(&p.profile().claims.identity))
            .map(ProfileId::as_str)
            .collect();
        return Err(usage(format!("{flag} applies to {} only, not {}", names.join(", "), profile.id)));
    }
    Ok(())
}

const EXPONEA: &[IdentityBinding] = &[IdentityBinding::IdsMap];
const MOENGAGE: &[IdentityBinding] = &[IdentityBinding::Subject];
const KHOROS: &[IdentityBinding] = &[IdentityBinding::KhorosUser];
const WEBEX: &[IdentityBinding] = &[IdentityBinding::WebexApp];
const USERS: &[IdentityBinding] = &[IdentityBinding::KhorosUser, IdentityBinding::WebexApp];

fn required(flag: &str, value: Option<String>, profile: &Profile) -> Result<String, Usage> {
    value.ok_or_else(|| usage(format!("{} needs {flag}", profile.id)))
}

fn mint(a: MintArgs) -> Result<ExitCode, Usage> {
    let profile = parse_profile(&a.profile)?;
    let ring = ring(&profile, &a.keys)?;
    only_for(&profile, "--ids", a.ids.is_some(), EXPONEA)?;
    only_for(&profile, "--identifier", a.identifier.is_some(), MOENGAGE)?;
    only_for(&profile, "--user-id", a.user_id.is_some(), USERS)?;
    only_for(&profile, "--given-name", a.given_name.is_some(), KHOROS)?;
    only_for(&profile, "--platform", a.platform.is_some(), KHOROS)?;
    only_for(&profile, "--iat", a.iat.is_some(), KHOROS)?;
    only_for(&profile, "--app-id", a.app_id.is_some(), WEBEX)?;
    only_for(&profile, "--customer-id", a.customer_id.is_some(), WEBEX)?;
    let now = now_or_clock(a.now)?;
    let exp = a.exp.unwrap_or_else(|| now.saturating_add(a.ttl.unwrap_or(3600)));
    let alg = a.alg.as_deref().map(parse_alg).transpose()?;
    let mut identifier = None;
    let claims = match profile.claims.identity {
        IdentityBinding::IdsMap => {
            Claims::exponea(parse_ids(&required("--ids JSON", a.ids, &profile)?)?, exp)
        }
        IdentityBinding::Subject => {
            let id = required("--identifier", a.identifier, &profile)?;
            let claims = Claims::moengage(&id, exp);
            identifier = Some(id);
            claims
        }
        IdentityBinding::KhorosUser => {
            let user = required("--user-id", a.user_id, &profile)?;
            let name = a.given_name.unwrap_or_else(|| user.clone());
            Claims::khoros(&user, &name, a.platform.as_deref().unwrap_or("ios"), a.iat.unwrap_or(now))
        }
        IdentityBinding::WebexApp => {
            let app = required("--app-id", a.app_id, &profile)?;
            // Webex exp is optional: only set when asked for.
            let exp = a.exp.or(a.ttl.map(|t| now.saturating_add(t)));
            Claims::webex(&app, a.user_id.as_deref(), a.customer_id.as_deref(), exp)
        }
    };
    // With a single named key and no default, sign with it.
    let kid =
        a.kid.or_else(|| match (&a.keys.key_hex, a.keys.keys.as_slice(), a.keys.text_keys.as_slice()) {
            (None, [only], []) | (None, [], [only]) => only.split_once('=').map(|(k, _)| k.to_owned()),
            _ => None,
        });
    let token = Minter::new(&profile, ring)
        .mint(kid.as_deref(), alg, &claims, now)
        .map_err(|e| usage(e.to_string()))?;
    if a.json {
        println!("{}", serde_json::json!({ "token": token, "identifier": identifier }));
    } else {
        println!("{token}");
        if let Some(id) = identifier {
            eprintln!("pass it with the identifier {id:?}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_token(arg: &str) -> Result<String, Usage> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| usage(format!("could not read the token from standard input: {e}")))?;
    Ok(text.trim().to_owned())
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Usage> {
    let profile = parse_profile(&a.profile)?;
    let ring = ring(&profile, &a.keys)?;
    only_for(&profile, "--ids", a.ids.is_some(), EXPONEA)?;
    only_for(&profile, "--identifier", a.identifier.is_some(), MOENGAGE)?;
    only_for(&profile, "--user-id", a.user_id.is_some(), USERS)?;
    only_for(&profile, "--app-id", a.app_id.is_some(), WEBEX)?;
    only_for(&profile, "--link-customer-id", a.link_customer_id.is_some(), WEBEX)?;
    let now = now_or_clock(a.now)?;
    let customer_ids = match profile.claims.identity {
        IdentityBinding::IdsMap => a.ids.as_deref().map(parse_ids).transpose()?.unwrap_or_default(),
        _ => match a.identifier.as_deref().or(a.user_id.as_deref()) {
            Some(id) => profile.identity_for(id),
            None => CustomerIds::anonymous(),
        },
    };
    let request = RequestIdentity { customer_ids, app_id: a.app_id, link_customer_id: a.link_customer_id };
    let token = read_token(&a.token)?;
    let validator = Validator::new(&profile, ring).map_err(|e| usage(e.to_string()))?;
    let decision = validator.validate(&token, &request, now);
    if a.json {
        // Exactly this shape and member order; the reason is a snake_case identifier.
        let reason = decision.reason().map_or_else(|| "null".to_owned(), |r| format!("\"{}\"", r.as_str()));
        let code = decision.vendor_code().map_or_else(|| "null".to_owned(), |c| c.to_string());
        let line = format!(
            "{{\"accepted\":{},\"reason\":{reason},\"status\":{},\"code\":{code}}}",
            decision.is_accepted(),
            decision.status()
        );
        println!("{line}");
    } else {
        match &decision {
            Decision::Accepted(t) => {
                let alg = t.alg.map_or("?", HmacAlgorithm::as_str);
                println!(
                    "accepted (200): {} token, {alg}, kid {}",
                    profile.id,
                    t.kid.as_deref().unwrap_or("(default)")
                );
                println!("claims: {}", serde_json::to_string(&t.claims).unwrap_or_default());
            }
            Decision::Rejected(_) => println!("{decision}"),
        }
    }
    Ok(if decision.is_accepted() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
