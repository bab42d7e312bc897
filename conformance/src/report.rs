//! Reports: a text summary per requirement, JSON, and JUnit XML for CI.

use crate::runner::{CaseResult, Status};
use jwt_lifecycle_spec::registry::REQUIREMENTS;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Results in total.
    pub cases: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Errors.
    pub errors: usize,
    /// Unimplemented.
    pub unimplemented: usize,
    /// Disabled.
    pub disabled: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut s = Summary { cases: results.len(), ..Summary::default() };
        for r in results {
            match r.status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
                Status::Error => s.errors += 1,
                Status::Unimplemented => s.unimplemented += 1,
                Status::Disabled => s.disabled += 1,
            }
        }
        s
    }

    /// True when nothing failed or errored: the run's exit status is 0.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }
}

#[derive(Serialize)]
struct JsonResult<'a> {
    case: &'a str,
    case_id: &'a str,
    profile: &'a str,
    requirements: &'a [String],
    status: Status,
    step: Option<usize>,
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a str>,
    duration_ms: u64,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    adapter: &'a str,
    summary: Summary,
    results: Vec<JsonResult<'a>>,
}

/// The JSON report.
pub fn json(adapter: &str, results: &[CaseResult]) -> String {
    let report = JsonReport {
        adapter,
        summary: Summary::of(results),
        results: results
            .iter()
            .map(|r| JsonResult {
                case: &r.id,
                case_id: &r.case,
                profile: r.profile.as_str(),
                requirements: &r.requirements,
                status: r.status,
                step: r.step,
                message: r.message.as_deref(),
                trace: r.trace.as_deref(),
                duration_ms: r.duration.as_millis() as u64,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// Per requirement: the results of the cases that test it.
fn by_requirement(results: &[CaseResult]) -> BTreeMap<usize, (&'static str, Vec<&CaseResult>)> {
    let mut map: BTreeMap<usize, (&'static str, Vec<&CaseResult>)> = BTreeMap::new();
    for r in results {
        for id in &r.requirements {
            if let Some(pos) = REQUIREMENTS.iter().position(|q| q.id == id) {
                map.entry(pos).or_insert((REQUIREMENTS[pos].id, Vec::new())).1.push(r);
            }
        }
    }
    map
}

/// The text report: every non-pass with its message (and trace for failures), a
/// summary per requirement, and the totals.
pub fn text(adapter: &str, results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| r.status != Status::Passed) {
        let _ =
            writeln!(out, "{} {} [{}]", r.status.as_str().to_uppercase(), r.id, r.requirements.join(", "));
        if let Some(message) = &r.message {
            for line in message.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if let Some(trace) = &r.trace {
            let _ = writeln!(out, "  minimal trace (a case file; observed outputs as expectations):");
            for line in trace.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(out, "\nBy requirement ({adapter}):");
    for (id, rs) in by_requirement(results).into_values() {
        let count = |s: Status| rs.iter().filter(|r| r.status == s).count();
        let mut line =
            format!("  {id:<10} {:>3} passed {:>3} failed", count(Status::Passed), count(Status::Failed));
        for (status, label) in [
            (Status::Error, "errors"),
            (Status::Unimplemented, "unimplemented"),
            (Status::Disabled, "disabled"),
        ] {
            if count(status) > 0 {
                let _ = write!(line, " {:>3} {label}", count(status));
            }
        }
        let bad: Vec<&str> = rs
            .iter()
            .filter(|r| matches!(r.status, Status::Failed | Status::Error))
            .map(|r| r.id.as_str())
            .collect();
        if !bad.is_empty() {
            let _ = write!(line, "  <- {}", bad.join(", "));
        }
        let _ = writeln!(out, "{line}");
    }
    let s = Summary::of(results);
    let _ = writeln!(
        out,
        "\n{} cases: {} passed, {} failed, {} errors, {} unimplemented, {} disabled",
        s.cases, s.passed, s.failed, s.errors, s.unimplemented, s.disabled
    );
    out
}

/// The JUnit XML report: one test suite per profile, one test case per result.
pub fn junit(adapter: &str, results: &[CaseResult]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new(format!("jwt-lifecycle conformance: {adapter}"));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in results {
        let mut status = match r.status {
            Status::Passed => TestCaseStatus::success(),
            Status::Failed => TestCaseStatus::non_success(NonSuccessKind::Failure),
            Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
            Status::Unimplemented | Status::Disabled => TestCaseStatus::skipped(),
        };
        if let Some(message) = &r.message {
            let first = message.lines().next().unwrap_or_default().to_owned();
            status.set_message(first);
            let mut description = message.clone();
            if let Some(trace) = &r.trace {
                description.push_str("\n\nminimal trace:\n");
                description.push_str(trace);
            }
            status.set_description(description);
            status.set_type(r.status.as_str());
        }
        let mut case = TestCase::new(r.id.clone(), status);
        case.set_classname(format!("{}.{}", r.profile, r.requirements.join("+")));
        case.set_time(r.duration);
        suites
            .entry(r.profile.as_str())
            .or_insert_with(|| TestSuite::new(r.profile.as_str()))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().unwrap_or_default()
}
