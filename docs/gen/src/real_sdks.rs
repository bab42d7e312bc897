//! The "Real SDKs under test" page: the verdicts of the shipping SDKs the Node kit drives,
//! from the committed results of their runs (`conformance/adapters/node/results/*.json`,
//! written by `JWT_LIFECYCLE_WRITE_RESULTS=1 cargo test -p jwt-lifecycle-conformance --test
//! real_sdks`) and their adapters' expectations files (the documentation sentence of each
//! deviation, what cannot be observed).

use crate::pages::{anchor, area_page, GENERATED_MARK};
use crate::DocgenError;
use jwt_lifecycle_conformance::deviation::{Deviation, EXPECTATION};
use jwt_lifecycle_conformance::select::Expectations;
use jwt_lifecycle_spec::{ProfileId, REQUIREMENTS};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Where the Node adapters live, relative to the repository root.
pub const NODE_DIR: &str = "conformance/adapters/node";

/// The command that rewrites the results files.
pub const WRITE_RESULTS: &str =
    "JWT_LIFECYCLE_WRITE_RESULTS=1 cargo test -p jwt-lifecycle-conformance --test real_sdks";

/// One shipping SDK's committed run.
#[derive(Clone, Debug)]
pub struct RealSdkRun {
    /// The adapter's folder name (also its profile).
    pub sdk: String,
    /// Its results file: `{sdk, profile, package, version, command, report}`.
    pub results: Value,
    /// Its adapter's expectations file.
    pub expectations: Expectations,
}

/// Reads every `results/<sdk>.json` with its `<sdk>/expectations.json`, in name order.
pub fn collect(root: &Path) -> Result<Vec<RealSdkRun>, DocgenError> {
    let dir = root.join(NODE_DIR).join("results");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DocgenError::Io { path, source }
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(io(&dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut runs = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let results: Value = serde_json::from_str(&text)
            .map_err(|source| DocgenError::Results { path: path.clone(), message: source.to_string() })?;
        let sdk = results["sdk"]
            .as_str()
            .ok_or_else(|| DocgenError::Results { path: path.clone(), message: "no `sdk` field".into() })?
            .to_owned();
        let expectations_path = root.join(NODE_DIR).join(&sdk).join("expectations.json");
        let expectations = Expectations::load(&expectations_path)
            .map_err(|e| DocgenError::Results { path: expectations_path.clone(), message: e.to_string() })?;
        runs.push(RealSdkRun { sdk, results, expectations });
    }
    Ok(runs)
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn req_link(id: &str) -> String {
    match REQUIREMENTS.iter().find(|r| r.id == id) {
        Some(r) => format!("[{}]({}#{})", r.id, area_page(r.area), anchor(r.id)),
        None => id.to_owned(),
    }
}

/// The results of a run that failed with `requirement` violated in case `case`.
fn failing<'a>(report: &'a Value, case: &str, requirement: &str) -> Option<&'a Value> {
    report["results"].as_array()?.iter().find(|r| {
        r["case_id"] == case
            && r["status"] == "failed"
            && (requirement == EXPECTATION && r["violations"].as_array().is_none_or(|v| v.is_empty())
                || r["violations"].as_array().into_iter().flatten().any(|v| v["requirement"] == requirement))
    })
}

/// A requirement's verdict on one SDK, from its run and its adapter's expectations.
fn verdict(run: &RealSdkRun, id: &str) -> String {
    let report = &run.results["report"];
    let broke: Vec<String> = report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] == "failed")
        .filter(|r| r["violations"].as_array().into_iter().flatten().any(|v| v["requirement"] == id))
        .filter_map(|r| r["case_id"].as_str().map(|c| format!("`{c}`")))
        .collect();
    if !broke.is_empty() {
        return format!("**violated** by {}", broke.join(", "));
    }
    if let Some(reason) = run.expectations.disabled_requirements.get(id) {
        return format!("disabled: {reason}");
    }
    let tally = &report["requirements"][id];
    match tally["checked"].as_u64() {
        Some(n) if n > 0 => format!("passed (checked in {n} result{})", if n == 1 { "" } else { "s" }),
        _ => "passed (its monitor judged every step; no case lists it)".to_owned(),
    }
}

fn sdk_section(out: &mut String, run: &RealSdkRun) {
    let r = &run.results;
    let text = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    let _ = writeln!(
        out,
        "## {} {} (profile `{}`)\n",
        text(&r["package"]),
        text(&r["version"]),
        text(&r["profile"])
    );
    let _ = writeln!(out, "Run: `{}`\n", text(&r["command"]));
    let s = &r["report"]["summary"];
    let _ =
        writeln!(
        out,
        "{} results: {} passed, {} failed, {} errors, {} unimplemented, {} disabled. {} known deviations.\n",
        s["cases"], s["passed"], s["failed"], s["errors"], s["unimplemented"], s["disabled"],
        run.expectations.deviations.len()
    );
    let profile: Option<ProfileId> = r["profile"].as_str().and_then(|p| p.parse().ok());
    let _ = writeln!(out, "| requirement | title | verdict |\n|---|---|---|");
    for req in REQUIREMENTS.iter().filter(|q| profile.is_some_and(|p| q.applies_to(p))) {
        let _ =
            writeln!(out, "| {} | {} | {} |", req_link(req.id), cell(req.title), cell(&verdict(run, req.id)));
    }
    out.push('\n');
    if !run.expectations.disabled.is_empty() {
        let _ = writeln!(out, "Disabled cases:\n");
        for (case, reason) in &run.expectations.disabled {
            let _ = writeln!(out, "- `{case}`: {}", cell(reason));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Deviations of {}\n", text(&r["package"]));
    if run.expectations.deviations.is_empty() {
        let _ = writeln!(out, "None observed.\n");
    }
    // One entry per case: its deviations, then the trace they were observed in, once.
    let mut cases: Vec<&str> = Vec::new();
    for d in &run.expectations.deviations {
        if !cases.contains(&d.case.as_str()) {
            cases.push(&d.case);
        }
    }
    for case in cases {
        let _ = writeln!(out, "#### `{case}`\n");
        let mut trace = None;
        for d in run.expectations.deviations.iter().filter(|d| d.case == case) {
            trace = trace.or(deviation_entry(out, d, &r["report"]));
        }
        if let Some(trace) = trace {
            let _ = writeln!(
                out,
                "<details><summary>Observed trace of <code>{case}</code></summary>\n\n```json\n{}\n```\n\n</details>\n",
                trace.trim_end()
            );
        }
    }
}

/// Writes one deviation's chain; returns the trace of the failure it was observed in.
fn deviation_entry<'a>(out: &mut String, d: &Deviation, report: &'a Value) -> Option<&'a str> {
    let requirement = if d.requirement == EXPECTATION {
        "the case's expectations (no monitor fired)".to_owned()
    } else {
        req_link(&d.requirement)
    };
    let _ = writeln!(out, "- **Documentation:** {} ({})", d.documentation, d.source);
    let _ = writeln!(out, "  - **Requirement:** {requirement}");
    let _ = writeln!(out, "  - **Observed:** {}", d.observed);
    let Some(result) = failing(report, &d.case, &d.requirement) else {
        let _ = writeln!(out, "  - **Not observed in the committed run** (run `{WRITE_RESULTS}`)");
        return None;
    };
    let mut messages: Vec<&str> = result["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["requirement"] == d.requirement.as_str())
        .filter_map(|v| v["message"].as_str())
        .collect();
    if d.requirement == EXPECTATION {
        messages = result["differences"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["message"].as_str())
            .collect();
    }
    messages.dedup();
    for m in messages {
        let _ = writeln!(out, "  - **The suite says:** {}", cell(m));
    }
    result["trace"].as_str()
}

/// The page's generated part.
pub fn real_sdks_md(runs: &[RealSdkRun]) -> String {
    let mut out = format!("{GENERATED_MARK}\n\n");
    if runs.is_empty() {
        let _ = writeln!(out, "No committed results under `{NODE_DIR}/results/` (run `{WRITE_RESULTS}`).");
        return out;
    }
    for run in runs {
        sdk_section(&mut out, run);
    }
    out
}
