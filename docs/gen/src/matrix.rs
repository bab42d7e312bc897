//! The traceability matrix: requirement -> model properties -> unit tests -> cases,
//! and the coverage gate over it.

use super::sources::{CaseRef, PropertyRef, UnitTestRef};
use jwt_lifecycle_spec::requirement::Subject;
use jwt_lifecycle_spec::{requirement, Level, Requirement, REQUIREMENTS};
use serde::Serialize;

/// Requirements that no property or case checks, each with the reason the project
/// accepts that. A waiver is a decision, so it lives here in the code, reviewed like code.
pub const WAIVERS: &[(&str, &str)] = &[
    (
        "CONF-009",
        "A rule about the suite itself (which app calls cases and random runs send each profile), \
         so no case can list it and no model property can break it: the case loader rejects a case \
         using a call its profile lacks and the random generator draws only the profile's calls, \
         which conformance/tests/profile_calls.rs checks.",
    ),
    (
        "VALID-008",
        "Timing is not a functional behaviour a test can assert reliably on a shared machine; the \
         validator compares signatures only through the hmac crate's constant-time `verify_slice` \
         (token/src/keyring.rs), which review checks.",
    ),
];

/// The waiver reason for `id`, if it is waived.
pub fn waiver(id: &str) -> Option<&'static str> {
    WAIVERS.iter().find(|(w, _)| *w == id).map(|(_, reason)| *reason)
}

/// How a requirement is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// A property, a case or (for token rules) a unit test checks it.
    Covered,
    /// Nothing checks it, by an explicit decision in [`WAIVERS`].
    Waived,
    /// Nothing checks it and no waiver says why: the coverage gate fails.
    Uncovered,
}

/// One row of the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The requirement id.
    pub id: &'static str,
    /// MUST / SHOULD / MAY.
    pub level: Level,
    /// SDK behaviour or token.
    pub subject: Subject,
    /// The requirement's short title.
    pub title: &'static str,
    /// Names of the model properties that check it.
    pub properties: Vec<String>,
    /// `path::function` of the unit tests named after it.
    pub unit_tests: Vec<String>,
    /// Ids of the conformance cases that list it.
    pub cases: Vec<String>,
    /// The waiver's reason, when it is waived.
    pub waived: Option<&'static str>,
    /// The verdict of the coverage gate.
    pub coverage: Coverage,
}

impl Row {
    /// The row of `r`: what among `properties`, `unit_tests` and `cases` checks it.
    fn of(
        r: &Requirement,
        properties: &[PropertyRef],
        unit_tests: &[UnitTestRef],
        cases: &[CaseRef],
    ) -> Self {
        let properties: Vec<String> =
            properties.iter().filter(|p| p.requirement == r.id).map(|p| p.name.clone()).collect();
        let unit_tests: Vec<String> = unit_tests
            .iter()
            .filter(|t| t.requirements.iter().any(|id| id == r.id))
            .map(|t| t.name.clone())
            .collect();
        let cases: Vec<String> = cases
            .iter()
            .filter(|c| c.requirements.iter().any(|id| id == r.id))
            .map(|c| c.id.clone())
            .collect();
        let waived = waiver(r.id);
        let coverage = coverage(r, &properties, &unit_tests, &cases, waived);
        Row {
            id: r.id,
            level: r.level,
            subject: r.subject,
            title: r.title,
            properties,
            unit_tests,
            cases,
            waived,
            coverage,
        }
    }
}

/// A reference to a requirement id that the registry does not have.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnknownReference {
    /// The id as written.
    pub id: String,
    /// Where it was written: a property name, a unit test or a case id.
    pub by: String,
}

/// The whole matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// One row per requirement, in registry order.
    pub requirements: Vec<Row>,
    /// Ids used by properties, tests, cases or waivers that are not in the registry.
    pub unknown_references: Vec<UnknownReference>,
}

impl Matrix {
    /// Joins the registry with what checks each requirement.
    pub fn build(properties: &[PropertyRef], unit_tests: &[UnitTestRef], cases: &[CaseRef]) -> Self {
        Matrix {
            requirements: REQUIREMENTS.iter().map(|r| Row::of(r, properties, unit_tests, cases)).collect(),
            unknown_references: unknown_references(properties, unit_tests, cases),
        }
    }

    /// The rows the coverage gate rejects.
    pub fn uncovered(&self) -> impl Iterator<Item = &Row> {
        self.requirements.iter().filter(|r| r.coverage == Coverage::Uncovered)
    }

    /// Waived rows that something now checks: the waiver is stale and should go.
    pub fn stale_waivers(&self) -> impl Iterator<Item = &Row> {
        self.requirements
            .iter()
            .filter(|r| r.waived.is_some() && !(r.properties.is_empty() && r.cases.is_empty()))
    }

    /// The row of `id`.
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

/// Every id a property, a unit test, a case or a waiver names that the registry lacks.
fn unknown_references(
    properties: &[PropertyRef],
    unit_tests: &[UnitTestRef],
    cases: &[CaseRef],
) -> Vec<UnknownReference> {
    let mut unknown = Vec::new();
    let mut note = |id: &str, by: String| {
        if requirement(id).is_none() {
            unknown.push(UnknownReference { id: id.to_owned(), by });
        }
    };
    for p in properties {
        note(&p.requirement, format!("property `{}`", p.name));
    }
    for t in unit_tests {
        for id in &t.requirements {
            note(id, format!("unit test `{}`", t.name));
        }
    }
    for c in cases {
        for id in &c.requirements {
            note(id, format!("case `{}`", c.id));
        }
    }
    for (id, _) in WAIVERS {
        note(id, "a waiver".to_owned());
    }
    unknown.sort();
    unknown
}

/// SDK behaviour is checked by the model's properties and the conformance cases (unit
/// tests of the model alone do not count: they do not run against an SDK or explore
/// interleavings). Token rules bind the backend, so the token module's unit tests check them.
fn coverage(
    r: &Requirement,
    properties: &[String],
    unit_tests: &[String],
    cases: &[String],
    waived: Option<&str>,
) -> Coverage {
    let checked = match r.subject {
        Subject::SdkBehaviour => !properties.is_empty() || !cases.is_empty(),
        Subject::Token => !unit_tests.is_empty() || !properties.is_empty() || !cases.is_empty(),
    };
    match (checked, waived) {
        (true, _) => Coverage::Covered,
        (false, Some(_)) => Coverage::Waived,
        (false, None) => Coverage::Uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, reqs: &[&str]) -> CaseRef {
        CaseRef {
            id: id.into(),
            requirements: reqs.iter().map(|s| s.to_string()).collect(),
            clauses: Vec::new(),
            profiles: vec!["exponea-stream".into()],
            description: "d".into(),
        }
    }

    #[test]
    fn a_case_covers_sdk_behaviour_but_a_unit_test_alone_does_not() {
        let tests = [UnitTestRef {
            requirements: vec!["LIFE-001".into()],
            name: "model/src/sdk.rs::life_001_x".into(),
        }];
        let m = Matrix::build(&[], &tests, &[case("exponea-stream/a", &["LIFE-002"])]);
        assert_eq!(m.row("LIFE-002").map(|r| r.coverage), Some(Coverage::Covered));
        assert_eq!(m.row("LIFE-001").map(|r| r.coverage), Some(Coverage::Uncovered));
        assert_eq!(m.row("LIFE-001").map(|r| r.unit_tests.len()), Some(1));
        assert!(m.uncovered().any(|r| r.id == "LIFE-001"));
    }

    #[test]
    fn a_unit_test_covers_a_token_rule() {
        let tests = [UnitTestRef {
            requirements: vec!["VALID-003".into()],
            name: "spec/src/token/mod.rs::valid_003_crit".into(),
        }];
        let m = Matrix::build(&[], &tests, &[]);
        assert_eq!(m.row("VALID-003").map(|r| r.coverage), Some(Coverage::Covered));
        assert_eq!(m.row("VALID-004").map(|r| r.coverage), Some(Coverage::Uncovered));
    }

    #[test]
    fn a_property_covers_and_unknown_ids_are_reported() {
        let props = [
            PropertyRef {
                requirement: "LIFE-008".into(),
                name: "LIFE-008: cleared".into(),
                kind: "always".into(),
            },
            PropertyRef {
                requirement: "LIFE-999".into(),
                name: "LIFE-999: typo".into(),
                kind: "always".into(),
            },
        ];
        let m = Matrix::build(&props, &[], &[case("x/y", &["NOPE-001"])]);
        assert_eq!(m.row("LIFE-008").map(|r| r.coverage), Some(Coverage::Covered));
        let ids: Vec<&str> = m.unknown_references.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["LIFE-999", "NOPE-001"]);
    }

    #[test]
    fn a_waiver_is_reported_and_goes_stale_once_something_checks_the_rule() {
        let m = Matrix::build(&[], &[], &[]);
        assert_eq!(m.row("VALID-008").map(|r| r.coverage), Some(Coverage::Waived));
        assert_eq!(m.stale_waivers().count(), 0);
        let m = Matrix::build(&[], &[], &[case("x/timing", &["VALID-008"])]);
        assert_eq!(m.stale_waivers().map(|r| r.id).collect::<Vec<_>>(), ["VALID-008"]);
    }

    #[test]
    fn every_waiver_names_a_registered_requirement_and_gives_a_reason() {
        for (id, reason) in WAIVERS {
            assert!(requirement(id).is_some(), "waiver for unknown {id}");
            assert!(reason.len() > 40, "{id}: a waiver gives its reason");
        }
    }
}
