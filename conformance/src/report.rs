//! Reports: a text summary per requirement, JSON, and JUnit XML for CI.

use crate::coverage::ProfileCoverage;
use crate::runner::{CaseResult, Difference, Status};
use jwt_lifecycle_oracle::Violation;
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
    violations: Vec<JsonViolation<'a>>,
    differences: &'a [Difference],
    duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<ProfileCoverage>,
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    requirement: &'a str,
    step: usize,
    at: u64,
    message: &'a str,
}

impl<'a> From<&'a Violation> for JsonViolation<'a> {
    fn from(v: &'a Violation) -> Self {
        JsonViolation { requirement: v.requirement, step: v.step, at: v.at, message: &v.message }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    adapter: &'a str,
    summary: Summary,
    requirements: BTreeMap<&'static str, Tally>,
    results: Vec<JsonResult<'a>>,
}

/// How a requirement fared over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Results in which it was seen broken: its monitor fired, or a case checking only it
    /// differed from its expectations.
    pub violated: usize,
    /// Results that judged it: every judged run on a profile it applies to when it has a
    /// monitor, else the judged cases that list it.
    pub checked: usize,
}

/// Per requirement, how often it was checked and violated in `results`.
pub fn requirements(results: &[CaseResult]) -> BTreeMap<&'static str, Tally> {
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for r in results.iter().filter(|r| matches!(r.status, Status::Passed | Status::Failed)) {
        let violated = r.violated();
        for req in REQUIREMENTS.iter().filter(|q| q.applies_to(r.profile)) {
            let monitored = jwt_lifecycle_oracle::monitor(req.id).is_some();
            let listed = r.requirements.iter().any(|id| id == req.id);
            if !(monitored || listed) {
                continue;
            }
            let tally = tallies.entry(req.id).or_default();
            tally.checked += 1;
            let only_this =
                r.violations.is_empty() && !r.differences.is_empty() && r.requirements == [req.id];
            if violated.contains(&req.id) || only_this {
                tally.violated += 1;
            }
        }
    }
    tallies
}

/// The JSON report.
pub fn json(adapter: &str, results: &[CaseResult]) -> String {
    let report = JsonReport {
        adapter,
        summary: Summary::of(results),
        requirements: requirements(results),
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
                violations: r.violations.iter().map(JsonViolation::from).collect(),
                differences: &r.differences,
                duration_ms: r.duration.as_millis() as u64,
                coverage: r.coverage.as_ref().map(crate::coverage::Tally::summary),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// The text report: every non-pass with its message (and trace for failures), a
/// summary per requirement, and the totals.
pub fn text(adapter: &str, results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| r.status == Status::Passed && r.message.is_some()) {
        let _ = writeln!(out, "NOTE {}: {}", r.id, r.message.as_deref().unwrap_or_default());
    }
    for r in results.iter().filter(|r| r.status != Status::Passed) {
        let violated = r.violated();
        let label = if violated.is_empty() {
            format!("[{}]", r.requirements.join(", "))
        } else {
            format!("violated: {}", violated.join(", "))
        };
        let _ = writeln!(out, "{} {} {label}", r.status.as_str().to_uppercase(), r.id);
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
    let _ = writeln!(out, "\nBy requirement ({adapter}): violated / checked");
    let tallies = requirements(results);
    for req in REQUIREMENTS {
        let Some(tally) = tallies.get(req.id) else { continue };
        let mut line = format!("  {:<10} {:>3} / {:>3}", req.id, tally.violated, tally.checked);
        let broke: Vec<&str> = results
            .iter()
            .filter(|r| {
                r.violated().contains(&req.id)
                    || (r.violations.is_empty() && !r.differences.is_empty() && r.requirements == [req.id])
            })
            .map(|r| r.id.as_str())
            .collect();
        if !broke.is_empty() {
            let _ = write!(line, "  <- {}", broke.join(", "));
        }
        let _ = writeln!(out, "{line}");
    }
    let differing: Vec<&CaseResult> =
        results.iter().filter(|r| r.violations.is_empty() && !r.differences.is_empty()).collect();
    if !differing.is_empty() {
        let _ = writeln!(out, "\nDiffer from their case's expectation with no monitor firing (the case's requirements are checked by it, not proven violated):");
        for r in differing {
            let _ = writeln!(out, "  {} [{}]", r.id, r.requirements.join(", "));
        }
    }
    let covered: Vec<crate::coverage::Tally> = results.iter().filter_map(|r| r.coverage.clone()).collect();
    if !covered.is_empty() {
        let _ = write!(
            out,
            "\nTransitions exercised by the random sequences:\n{}",
            crate::coverage::text("random", &covered, None)
        );
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
        if let Some(tally) = &r.coverage {
            case.add_property((
                "transitions",
                format!("{}/{}", tally.exercised(), tally.edges().len()).as_str(),
            ));
            let missing: Vec<String> = tally.missing().iter().map(|e| e.transition.id()).collect();
            case.add_property(("transitions-missing", missing.join(" ").as_str()));
            case.set_system_out(crate::coverage::text("random", std::slice::from_ref(tally), None));
        }
        suites
            .entry(r.profile.as_str())
            .or_insert_with(|| TestSuite::new(r.profile.as_str()))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().unwrap_or_default()
}
