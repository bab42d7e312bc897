//! Scaffolding for the tests that run the shipping JavaScript SDKs under the Node kit
//! (conformance/adapters/node): installing the kit's packages, running the suite against
//! an adapter, and the committed results the book's "Real SDKs under test" page is made of.

use crate::common::{bin, crate_dir};
use jwt_lifecycle_conformance::deviation::{self, Key};
use jwt_lifecycle_conformance::select::Expectations;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The seed of the committed random runs: a fixed seed makes the run, and so the
/// deviations it finds, the same on every machine.
pub(crate) const SEED: u64 = 13;
/// Random sequences per SDK.
pub(crate) const RANDOM: u32 = 200;
/// Set to write the results files (and the trace the book shows) from this run.
pub(crate) const WRITE_RESULTS: &str = "JWT_LIFECYCLE_WRITE_RESULTS";

const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

/// One shipping SDK and its adapter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sdk {
    /// The adapter's folder under conformance/adapters/node, also its profile's name.
    pub name: &'static str,
    /// The npm package it drives.
    pub package: &'static str,
}

/// Both shipping SDKs the kit drives.
pub(crate) const SDKS: [Sdk; 2] = [
    Sdk { name: "iterable-web", package: "@iterable/web-sdk" },
    Sdk { name: "braze-web", package: "@braze/web-sdk" },
];

/// conformance/adapters/node.
pub(crate) fn node_dir() -> PathBuf {
    crate_dir().join("adapters").join("node")
}

/// Writes to the real stderr, past the test harness's capture.
pub(crate) fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs `cmd` to its end (stdin closed), killing it after `timeout`.
pub(crate) fn run(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let id = child.id();
    // The pipes are drained by wait_with_output on this thread; a watchdog ends a run
    // that hangs, so a stuck SDK fails the test instead of stalling CI.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = done.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        while !watch.load(std::sync::atomic::Ordering::Relaxed) {
            if started.elapsed() > timeout {
                let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let out = child.wait_with_output().map_err(|e| format!("{shown}: {e}"));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    out
}

fn tool_version(tool: &str) -> Result<String, String> {
    let mut cmd = Command::new(tool);
    cmd.arg("--version");
    let out = run(cmd, Duration::from_secs(60)).map_err(|e| format!("{tool} is not installed ({e})"))?;
    if !out.status.success() {
        return Err(format!("`{tool} --version` failed"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Node, npm and the kit's packages at the versions of package-lock.json: `npm ci` runs
/// once per test binary, and only when node_modules is missing or was installed from
/// another lock file (a stamp in node_modules holds the lock file it was installed from).
/// Err says what is missing.
pub(crate) fn prepared() -> Result<(), String> {
    static PREPARED: OnceLock<Result<(), String>> = OnceLock::new();
    PREPARED.get_or_init(install).clone()
}

fn install() -> Result<(), String> {
    let node = tool_version("node")?;
    tool_version("npm")?;
    let dir = node_dir();
    let lock = std::fs::read(dir.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = dir.join("node_modules").join(".jwt-lifecycle-installed-lock.json");
    if std::fs::read(&stamp).is_ok_and(|s| s == lock) {
        return Ok(());
    }
    say(&format!("real_sdks: npm ci in {} (node {node})", dir.display()));
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir);
    let out = run(cmd, INSTALL_TIMEOUT)?;
    if !out.status.success() {
        return Err(format!(
            "`npm ci` failed (is the npm registry reachable?): {}",
            String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        ));
    }
    std::fs::write(&stamp, &lock).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// The adapter's expectations file.
pub(crate) fn expectations_path(sdk: Sdk) -> PathBuf {
    node_dir().join(sdk.name).join("expectations.json")
}

/// The adapter's expectations, failing the test when the file is not usable.
pub(crate) fn expectations(sdk: Sdk) -> Expectations {
    Expectations::load(&expectations_path(sdk)).unwrap_or_else(|e| panic!("{e}"))
}

/// The committed results of the SDK's run (the book's page is generated from them).
pub(crate) fn results_path(sdk: Sdk) -> PathBuf {
    node_dir().join("results").join(format!("{}.json", sdk.name))
}

/// `jwt-lifecycle run` of the hand-written cases (and `random` sequences) against
/// `adapter` on `profile`, as a JSON report.
pub(crate) fn run_suite(
    adapter: &str,
    profile: &str,
    expectations: Option<&Path>,
    random: Option<u32>,
) -> Value {
    let cases = crate_dir().join("cases").display().to_string();
    run_suite_on(adapter, profile, &cases, expectations, random)
}

/// [`run_suite`] on the cases in `cases`.
pub(crate) fn run_suite_on(
    adapter: &str,
    profile: &str,
    cases: &str,
    expectations: Option<&Path>,
    random: Option<u32>,
) -> Value {
    let mut cmd = Command::new(bin());
    cmd.args(["run", "--adapter", adapter, "--profile", profile, "--format", "json", "--allow-empty"]);
    cmd.arg("--cases").arg(cases);
    if let Some(path) = expectations {
        cmd.arg("--expectations").arg(path);
    }
    if let Some(n) = random {
        cmd.args(["--random", &n.to_string(), "--seed", &SEED.to_string()]);
    }
    // The adapters resolve their packages from their own folder; run from the checkout's
    // root so the command line is the one the README shows.
    cmd.current_dir(crate_dir().join(".."));
    let out = run(cmd, RUN_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("not a JSON report ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    })
}

/// The adapter command line for `sdk` (relative to the checkout's root).
pub(crate) fn adapter_command(sdk: Sdk) -> String {
    format!("node conformance/adapters/node/{}/adapter.js", sdk.name)
}

/// Every result of `report` with status `status`, as `id: message` lines.
pub(crate) fn with_status(report: &Value, status: &str) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] == status)
        .map(|r| format!("{}: {}", r["case"].as_str().unwrap_or("?"), r["message"].as_str().unwrap_or("")))
        .collect()
}

/// The deviations a report shows.
pub(crate) fn observed(report: &Value) -> BTreeSet<Key> {
    deviation::observed_in_report(report).unwrap_or_else(|e| panic!("{e}"))
}

/// What of a report must not change between runs on any machine: per result its id,
/// status and violated requirements (durations and wording may).
pub(crate) fn verdicts(report: &Value) -> Vec<Value> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let violated: BTreeSet<&str> = r["violations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["requirement"].as_str())
                .collect();
            json!({"case": r["case"], "status": r["status"], "violated": violated})
        })
        .collect()
}

/// The installed version of `package`, from package-lock.json.
pub(crate) fn locked_version(package: &str) -> String {
    let path = node_dir().join("package-lock.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lock: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lock["packages"][format!("node_modules/{package}")]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("{package} is not in {}", path.display()))
        .to_owned()
}

/// The results file's contents for a run: the report, without its timings, and how it was made.
pub(crate) fn results_file(sdk: Sdk, report: &Value) -> Value {
    let mut report = report.clone();
    if let Some(results) = report["results"].as_array_mut() {
        for r in results {
            if let Some(r) = r.as_object_mut() {
                r.remove("duration_ms");
            }
        }
    }
    json!({
        "sdk": sdk.name,
        "profile": sdk.name,
        "package": sdk.package,
        "version": locked_version(sdk.package),
        "command": format!(
            "jwt-lifecycle run --adapter \"{}\" --profile {} --expectations conformance/adapters/node/{}/expectations.json --random {RANDOM} --seed {SEED}",
            adapter_command(sdk), sdk.name, sdk.name
        ),
        "report": report,
    })
}
