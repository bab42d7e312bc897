//! Transition coverage: which arrows of each profile's state diagrams
//! (`jwt_lifecycle_model::diagram`) the fixed cases and the random sequences take; and
//! clause coverage: which clauses of the registry's requirements the fixed cases name
//! (a case's `clauses` field).
//!
//! Inputs are run on the reference machine and each step is classified into arrows
//! ([`jwt_lifecycle_model::diagram::walk::Walk`]); a case is walked once per profile it
//! lists. A random run walks the reference alongside the SDK under test, so its coverage
//! says what the generated inputs exercise, whatever the SDK does with them.

use crate::case::{Action, Case};
use jwt_lifecycle_model::diagram::classify::Classified;
use jwt_lifecycle_model::diagram::walk::Walk;
use jwt_lifecycle_model::diagram::{coverable_edges, Diagram, Edge, Transition};
use jwt_lifecycle_spec::profile::ProfileId;
use jwt_lifecycle_spec::registry::{requirement, REQUIREMENTS};
use jwt_lifecycle_spec::requirement::Level;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How often, and by what, each arrow of one profile was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// The profile.
    pub profile: ProfileId,
    edges: Vec<Edge>,
    hits: BTreeMap<Transition, Hits>,
    /// Changes of state no arrow explains (the diagram lacks an arrow), with where.
    pub unexplained: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Hits {
    count: u64,
    by: BTreeSet<String>,
}

impl Tally {
    /// Nothing taken yet.
    pub fn new(profile: ProfileId) -> Self {
        Tally {
            profile,
            edges: coverable_edges(&profile.profile()),
            hits: BTreeMap::new(),
            unexplained: Vec::new(),
        }
    }

    /// Counts the arrows of one step; `by` names what took them (a case id), if worth
    /// listing.
    pub fn record(&mut self, classified: &Classified, by: Option<&str>) {
        for t in classified.taken.iter().filter(|t| !t.is_initial()) {
            let hits = self.hits.entry(*t).or_default();
            hits.count += 1;
            if let Some(by) = by {
                hits.by.insert(by.to_owned());
            }
        }
        for u in &classified.unexplained {
            let line = format!(
                "{} {} -> {}{}",
                u.diagram.as_str(),
                u.from,
                u.to,
                by.map(|b| format!(" in {b}")).unwrap_or_default()
            );
            if !self.unexplained.contains(&line) {
                self.unexplained.push(line);
            }
        }
    }

    /// Adds `other`'s counts (same profile) to these.
    pub fn merge(&mut self, other: &Tally) {
        for (t, h) in &other.hits {
            let mine = self.hits.entry(*t).or_default();
            mine.count += h.count;
            mine.by.extend(h.by.iter().cloned());
        }
        for u in &other.unexplained {
            if !self.unexplained.contains(u) {
                self.unexplained.push(u.clone());
            }
        }
    }

    /// How many times `t` was taken.
    pub fn count(&self, t: Transition) -> u64 {
        self.hits.get(&t).map_or(0, |h| h.count)
    }

    /// The profile's arrows coverage counts.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The arrows taken at least once.
    pub fn exercised(&self) -> usize {
        self.edges.iter().filter(|e| self.count(e.transition) > 0).count()
    }

    /// The arrows never taken.
    pub fn missing(&self) -> Vec<&Edge> {
        self.edges.iter().filter(|e| self.count(e.transition) == 0).collect()
    }

    /// True when every arrow was taken.
    pub fn complete(&self) -> bool {
        self.exercised() == self.edges.len()
    }

    /// One row per arrow, in diagram order.
    pub fn rows(&self) -> Vec<Row> {
        let p = self.profile;
        self.edges
            .iter()
            .map(|e| {
                let hits = self.hits.get(&e.transition).cloned().unwrap_or_default();
                Row {
                    id: e.transition.id(),
                    diagram: e.diagram(),
                    from: e.from.id(),
                    to: e.to.id(),
                    label: e.label.clone(),
                    requirements: e
                        .requirements
                        .iter()
                        .copied()
                        .filter(|id| requirement(id).is_some_and(|r| r.applies_to(p)))
                        .collect(),
                    count: hits.count,
                    cases: hits.by.into_iter().collect(),
                }
            })
            .collect()
    }

    /// The JSON form of this tally.
    pub fn summary(&self) -> ProfileCoverage {
        let total = self.edges.len();
        let exercised = self.exercised();
        ProfileCoverage {
            profile: self.profile,
            exercised,
            total,
            percent: percent(exercised, total),
            transitions: self.rows(),
            unexplained: self.unexplained.clone(),
            clauses: None,
        }
    }

    /// One line: `41/41 transitions (100%)`, and the ids never taken.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}/{} transitions ({:.0}%)",
            self.exercised(),
            self.edges.len(),
            percent(self.exercised(), self.edges.len())
        );
        let missing: Vec<String> = self.missing().iter().map(|e| e.transition.id()).collect();
        if !missing.is_empty() {
            let _ = write!(line, "; never taken: {}", missing.join(", "));
        }
        line
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64) * 100.0 / (whole as f64)
    }
}

/// One arrow and how it was exercised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// `<diagram>/<transition>`.
    pub id: String,
    /// The diagram.
    pub diagram: Diagram,
    /// Where it starts (`Stored`: any stored token's state).
    pub from: &'static str,
    /// Where it ends.
    pub to: &'static str,
    /// What makes it happen.
    pub label: String,
    /// The requirements it carries that apply to the profile.
    pub requirements: Vec<&'static str>,
    /// How many steps took it.
    pub count: u64,
    /// The cases that took it (fixed cases only).
    pub cases: Vec<String>,
}

/// One profile's transition coverage, as reports show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProfileCoverage {
    /// The profile.
    pub profile: ProfileId,
    /// Arrows taken.
    pub exercised: usize,
    /// Arrows coverage counts.
    pub total: usize,
    /// `exercised / total` in percent.
    pub percent: f64,
    /// Every arrow.
    pub transitions: Vec<Row>,
    /// Changes of state no arrow explains.
    pub unexplained: Vec<String>,
    /// The clauses the fixed cases name (only in the fixed cases' report: a random
    /// sequence names no clause).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clauses: Option<ClauseCoverage>,
}

/// One clause of a requirement that binds a profile, and the fixed cases naming it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseRow {
    /// `<requirement id>/<clause name>`.
    pub id: String,
    /// The requirement.
    pub requirement: &'static str,
    /// The requirement's level.
    pub level: Level,
    /// What the clause demands.
    pub text: &'static str,
    /// The cases that list the profile and name the clause.
    pub cases: Vec<String>,
}

/// One profile's clause coverage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClauseCoverage {
    /// Clauses some case names.
    pub exercised: usize,
    /// Clauses of the requirements that bind the profile.
    pub total: usize,
    /// `exercised / total` in percent.
    pub percent: f64,
    /// Every clause, in registry order.
    pub clauses: Vec<ClauseRow>,
}

impl ClauseCoverage {
    /// The clauses of MUST requirements no case names: what the coverage gate rejects.
    pub fn must_missing(&self) -> impl Iterator<Item = &ClauseRow> {
        self.clauses.iter().filter(|c| c.level == Level::Must && c.cases.is_empty())
    }

    /// One line: `12/12 clauses (100%)`, and the ids no case names.
    pub fn line(&self) -> String {
        let mut line = format!("{}/{} clauses ({:.0}%)", self.exercised, self.total, self.percent);
        let missing: Vec<&str> =
            self.clauses.iter().filter(|c| c.cases.is_empty()).map(|c| c.id.as_str()).collect();
        if !missing.is_empty() {
            let _ = write!(line, "; named by no case: {}", missing.join(", "));
        }
        line
    }
}

/// The clause coverage of `cases` on `profile`: each clause that binds the profile, with
/// the cases that list the profile and name the clause.
pub fn clauses_of_cases(cases: &[Case], profile: ProfileId) -> ClauseCoverage {
    let mut rows = Vec::new();
    for r in REQUIREMENTS.iter().filter(|r| r.applies_to(profile)) {
        for c in r.clauses.iter().filter(|c| r.clause_applies_to(c, profile)) {
            let id = r.clause_id(c);
            let naming = cases
                .iter()
                .filter(|case| case.file.profiles.contains(&profile) && case.file.clauses.contains(&id))
                .map(|case| case.id().to_owned())
                .collect();
            rows.push(ClauseRow { id, requirement: r.id, level: r.level, text: c.text, cases: naming });
        }
    }
    let exercised = rows.iter().filter(|r| !r.cases.is_empty()).count();
    ClauseCoverage { exercised, total: rows.len(), percent: percent(exercised, rows.len()), clauses: rows }
}

/// Runs `case` on the reference for `profile` and returns the arrows its steps take.
pub fn walk_case(case: &Case, profile: ProfileId) -> Classified {
    let mut walk = Walk::new(&profile.profile(), case.file.start);
    let mut all = Classified::default();
    for step in &case.file.steps {
        let walked = match (&step.action, step.input(&case.tokens)) {
            (Action::Advance(ms), _) => walk.advance(*ms),
            (_, Some(input)) => walk.input(&input),
            (_, None) => continue,
        };
        all.extend(walked.classified);
    }
    all
}

/// The transition coverage of `cases` on `profile` (each case that lists it).
pub fn of_cases(cases: &[Case], profile: ProfileId) -> Tally {
    let mut tally = Tally::new(profile);
    for case in cases.iter().filter(|c| c.file.profiles.contains(&profile)) {
        tally.record(&walk_case(case, profile), Some(case.id()));
    }
    tally
}

/// The text table of `tallies`: per profile, each arrow with its count and requirements;
/// then, when given (one per tally, same order), each clause with the cases naming it.
pub fn text(source: &str, tallies: &[Tally], clauses: Option<&[ClauseCoverage]>) -> String {
    let mut out = String::new();
    for (i, t) in tallies.iter().enumerate() {
        let _ = writeln!(out, "{} ({source}): {}", t.profile, t.line());
        for row in t.rows() {
            let mark = if row.count > 0 { "x" } else { " " };
            let _ = writeln!(
                out,
                "  [{mark}] {:<36} {:>5}  {} -> {}: {} ({})",
                row.id,
                row.count,
                row.from,
                row.to,
                row.label,
                row.requirements.join(", ")
            );
        }
        for u in &t.unexplained {
            let _ = writeln!(out, "  unexplained change of state: {u}");
        }
        if let Some(c) = clauses.and_then(|all| all.get(i)) {
            let _ = writeln!(out, "{} ({source}): {}", t.profile, c.line());
            for row in &c.clauses {
                let mark = if row.cases.is_empty() { " " } else { "x" };
                let _ = writeln!(out, "  [{mark}] {:<36} {:>5}  {}", row.id, row.cases.len(), row.text);
            }
        }
        out.push('\n');
    }
    let (done, total): (usize, usize) =
        tallies.iter().fold((0, 0), |(d, n), t| (d + t.exercised(), n + t.edges().len()));
    let _ = writeln!(out, "{done}/{total} transitions exercised over {} profile(s)", tallies.len());
    if let Some(all) = clauses {
        let (done, total) = all.iter().fold((0, 0), |(d, n), c| (d + c.exercised, n + c.total));
        let _ = writeln!(out, "{done}/{total} clauses named by a case over {} profile(s)", all.len());
    }
    out
}

/// The JSON report of `tallies`, with each profile's clause coverage when given (one
/// per tally, same order).
pub fn json(source: &str, tallies: &[Tally], clauses: Option<&[ClauseCoverage]>) -> String {
    #[derive(Serialize)]
    struct Totals {
        exercised: usize,
        total: usize,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        source: &'a str,
        exercised: usize,
        total: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        clauses: Option<Totals>,
        profiles: Vec<ProfileCoverage>,
    }
    let profiles: Vec<ProfileCoverage> = tallies
        .iter()
        .enumerate()
        .map(|(i, t)| ProfileCoverage { clauses: clauses.and_then(|c| c.get(i)).cloned(), ..t.summary() })
        .collect();
    let report = Report {
        source,
        exercised: profiles.iter().map(|p| p.exercised).sum(),
        total: profiles.iter().map(|p| p.total).sum(),
        clauses: clauses.map(|all| Totals {
            exercised: all.iter().map(|c| c.exercised).sum(),
            total: all.iter().map(|c| c.total).sum(),
        }),
        profiles,
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}
