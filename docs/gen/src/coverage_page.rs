//! `docs/src/generated/coverage.md`: per profile, every transition of the state diagrams
//! and every clause of the requirements, with the fixed cases that exercise each (what
//! `jwt-lifecycle coverage` prints).

use super::pages::GENERATED_MARK;
use super::DocgenError;
use jwt_lifecycle_conformance::case::{load_tree, Case};
use jwt_lifecycle_conformance::coverage::{self, ClauseCoverage, Tally};
use jwt_lifecycle_spec::profile::ProfileId;
use std::fmt::Write as _;
use std::path::Path;

/// One profile's coverage by the fixed cases.
#[derive(Clone, Debug)]
pub struct ProfileCoverage {
    /// Transitions.
    pub transitions: Tally,
    /// Clauses.
    pub clauses: ClauseCoverage,
}

/// How many case ids a transition row lists before it only counts the rest: the first
/// arrows (`configure`, `send`) are taken by nearly every case.
const LISTED: usize = 3;

/// Loads the cases under `<root>/conformance/cases` with the suite's own loader (a
/// missing folder is no cases) and computes every profile's coverage.
pub fn collect(root: &Path) -> Result<Vec<ProfileCoverage>, DocgenError> {
    let dir = root.join("conformance").join("cases");
    let cases: Vec<Case> = if dir.is_dir() {
        let loaded = load_tree(&dir);
        if !loaded.errors.is_empty() {
            let errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
            return Err(DocgenError::Cases { path: dir, errors: errors.join("\n") });
        }
        loaded.cases.into_iter().map(|(_, c)| c).collect()
    } else {
        Vec::new()
    };
    Ok(ProfileId::ALL
        .into_iter()
        .map(|p| ProfileCoverage {
            transitions: coverage::of_cases(&cases, p),
            clauses: coverage::clauses_of_cases(&cases, p),
        })
        .collect())
}

fn cases_cell(cases: &[String]) -> String {
    let shown: Vec<String> = cases.iter().take(LISTED).map(|c| format!("`{c}`")).collect();
    match cases.len() {
        0 => "**none**".to_owned(),
        n if n > LISTED => format!("{} and {} more", shown.join(", "), n - LISTED),
        _ => shown.join(", "),
    }
}

/// The page.
pub fn coverage_md(profiles: &[ProfileCoverage]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{GENERATED_MARK}\n");
    out.push_str("# Coverage by profile\n\n");
    out.push_str(
        "What the fixed cases (`conformance/cases`) exercise on each profile, as \
         `jwt-lifecycle coverage` reports it. **Transitions** are the arrows of the profile's \
         state diagrams ([the lifecycle per profile](lifecycle-by-profile.md)): each case is run \
         on the reference model and its steps are classified into the arrows they take. \
         **Clauses** are the named parts of the rules whose statement lists several calls, \
         conditions or boundaries; a case names the clauses it exercises in its `clauses` field. \
         The conformance tests keep both at 100%: every transition is taken by some case, and \
         every clause of every MUST rule is named by a case that passes on the reference.\n\n",
    );
    out.push_str("| profile | transitions | clauses |\n|---|---|---|\n");
    for p in profiles {
        let t = &p.transitions;
        let _ = writeln!(
            out,
            "| `{}` | {}/{} | {}/{} |",
            t.profile,
            t.exercised(),
            t.edges().len(),
            p.clauses.exercised,
            p.clauses.total
        );
    }
    out.push('\n');
    for p in profiles {
        let t = &p.transitions;
        let _ = writeln!(out, "## {}\n", t.profile);
        let _ = writeln!(out, "### Transitions: {}/{}\n", t.exercised(), t.edges().len());
        out.push_str("| transition | from → to | requirements | steps | cases |\n|---|---|---|---|---|\n");
        for row in t.rows() {
            let _ = writeln!(
                out,
                "| `{}` | {} → {} | {} | {} | {} |",
                row.id,
                row.from,
                row.to,
                row.requirements.join(", "),
                row.count,
                cases_cell(&row.cases)
            );
        }
        out.push('\n');
        let _ = writeln!(out, "### Clauses: {}/{}\n", p.clauses.exercised, p.clauses.total);
        out.push_str("| clause | level | what it demands | cases |\n|---|---|---|---|\n");
        for row in &p.clauses.clauses {
            let cases: Vec<String> = row.cases.iter().map(|c| format!("`{c}`")).collect();
            let cases = if cases.is_empty() { "**none**".to_owned() } else { cases.join(", ") };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                row.id,
                row.level,
                row.text.replace('|', "\\|"),
                cases
            );
        }
        out.push('\n');
    }
    out
}
