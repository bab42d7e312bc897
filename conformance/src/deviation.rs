//! Known deviations: what a shipping SDK does otherwise than its vendor documents, as the
//! suite shows it.
//!
//! The requirements follow the vendor's documentation, so a shipping SDK may fail cases for
//! real. Its adapter's expectations file lists each such failure with the documentation
//! sentence it breaks and what the SDK does instead. A listed deviation still fails its case
//! (nothing is hidden); comparing the list with a run shows when the set changes: a new
//! deviation (a regression, or a new case) or a listed one no longer seen (the SDK was fixed,
//! or the case changed), e.g. after upgrading the SDK.

use crate::runner::{CaseResult, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The requirement slot of a deviation whose case failed on its expectations alone (no
/// requirement's monitor fired, the observed outputs differ from the case's).
pub const EXPECTATION: &str = "expectation";

/// One known deviation.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// The case id, or `random/<profile>` for the random run.
    pub case: String,
    /// The requirement the suite names as violated, or [`EXPECTATION`].
    pub requirement: String,
    /// What the vendor's documentation says, paraphrased.
    pub documentation: String,
    /// Where it says so: the document's title or file, its URL, the section.
    pub source: String,
    /// What the SDK does instead, as the run's trace shows it.
    pub observed: String,
}

impl Deviation {
    /// The (case, requirement) pair it stands for.
    pub fn key(&self) -> Key {
        (self.case.clone(), self.requirement.clone())
    }
}

/// A deviation's identity: (case id, requirement id or [`EXPECTATION`]).
pub type Key = (String, String);

/// The deviations a run shows: for each failed result, each requirement it violates, or
/// [`EXPECTATION`] when it failed without a violation.
pub fn observed(results: &[CaseResult]) -> BTreeSet<Key> {
    let mut keys = BTreeSet::new();
    for r in results.iter().filter(|r| r.status == Status::Failed) {
        insert_failure(&mut keys, &r.case, r.violated());
    }
    keys
}

/// A JSON report (`jwt-lifecycle run --format json`) that is not what the suite writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a jwt-lifecycle JSON report: {0}")]
pub struct BadReport(String);

/// [`observed`] read from a JSON report.
pub fn observed_in_report(report: &serde_json::Value) -> Result<BTreeSet<Key>, BadReport> {
    let results = report["results"].as_array().ok_or_else(|| BadReport("no `results` array".into()))?;
    let mut keys = BTreeSet::new();
    for r in results {
        let case =
            r["case_id"].as_str().ok_or_else(|| BadReport(format!("a result without `case_id`: {r}")))?;
        if r["status"] != "failed" {
            continue;
        }
        let violated: Vec<&str> = r["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["requirement"].as_str())
            .collect();
        insert_failure(&mut keys, case, violated);
    }
    Ok(keys)
}

fn insert_failure(keys: &mut BTreeSet<Key>, case: &str, violated: Vec<&str>) {
    if violated.is_empty() {
        keys.insert((case.to_owned(), EXPECTATION.to_owned()));
    }
    for requirement in violated {
        keys.insert((case.to_owned(), requirement.to_owned()));
    }
}

/// How a run's deviations differ from the listed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Seen in the run, not listed.
    pub new: Vec<Key>,
    /// Listed, not seen in the run.
    pub gone: Vec<Key>,
    /// Listed more than once.
    pub duplicated: Vec<Key>,
}

impl Drift {
    /// True when the run shows exactly the listed deviations.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.gone.is_empty() && self.duplicated.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (case, req) in &self.new {
            writeln!(f, "new deviation, not listed: {case} violates {req}")?;
        }
        for (case, req) in &self.gone {
            writeln!(f, "listed deviation no longer observed: {case} / {req}")?;
        }
        for (case, req) in &self.duplicated {
            writeln!(f, "deviation listed twice: {case} / {req}")?;
        }
        Ok(())
    }
}

/// Compares the listed deviations with the ones a run shows.
pub fn compare(listed: &[Deviation], seen: &BTreeSet<Key>) -> Drift {
    let mut keys = BTreeSet::new();
    let mut duplicated = Vec::new();
    for d in listed {
        if !keys.insert(d.key()) {
            duplicated.push(d.key());
        }
    }
    Drift {
        new: seen.difference(&keys).cloned().collect(),
        gone: keys.difference(seen).cloned().collect(),
        duplicated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listed(case: &str, requirement: &str) -> Deviation {
        Deviation {
            case: case.into(),
            requirement: requirement.into(),
            documentation: "d".into(),
            source: "s".into(),
            observed: "o".into(),
        }
    }

    #[test]
    fn a_report_yields_one_key_per_violated_requirement_of_a_failure() {
        let report = json!({"results": [
            {"case_id": "a", "status": "failed", "violations": [{"requirement": "R-1"}, {"requirement": "R-2"}]},
            {"case_id": "b", "status": "failed", "violations": []},
            {"case_id": "c", "status": "passed", "violations": []},
            {"case_id": "d", "status": "unimplemented", "violations": []},
        ]});
        let keys = observed_in_report(&report).expect("a report");
        let want: BTreeSet<Key> = [("a", "R-1"), ("a", "R-2"), ("b", EXPECTATION)]
            .into_iter()
            .map(|(c, r)| (c.to_owned(), r.to_owned()))
            .collect();
        assert_eq!(keys, want);
        assert!(observed_in_report(&json!({"summary": {}})).is_err());
    }

    #[test]
    fn drift_names_new_gone_and_duplicated_deviations() {
        let seen: BTreeSet<Key> =
            [("a".to_owned(), "R-1".to_owned()), ("b".to_owned(), "R-2".to_owned())].into();
        let same = compare(&[listed("a", "R-1"), listed("b", "R-2")], &seen);
        assert!(same.is_empty(), "{same}");
        let drift = compare(&[listed("a", "R-1"), listed("a", "R-1"), listed("c", "R-3")], &seen);
        assert_eq!(drift.new, vec![("b".to_owned(), "R-2".to_owned())]);
        assert_eq!(drift.gone, vec![("c".to_owned(), "R-3".to_owned())]);
        assert_eq!(drift.duplicated, vec![("a".to_owned(), "R-1".to_owned())]);
        assert!(drift.to_string().contains("new deviation, not listed: b violates R-2"));
    }
}
