//! The model check has teeth: every mutant breaks the safety property of the requirement
//! it is meant to break, and the counterexample names that requirement.

mod common;

use common::TABLE;
use jwt_lifecycle_model::check::{run_check_of, CheckOptions};
use jwt_lifecycle_mutants::{Mutant, Mutation};
use std::collections::BTreeSet;

#[test]
fn every_mutant_breaks_the_monitor_it_is_meant_to_break_in_the_model_check() {
    let mut survivors = Vec::new();
    for row in TABLE.iter().filter(|r| r.beyond_model_check.is_none()) {
        let property = jwt_lifecycle_oracle::monitor(row.breaks)
            .unwrap_or_else(|| panic!("{}: {} has no monitor", row.mutant, row.breaks))
            .property;
        let options =
            CheckOptions { threads: 1, bounds: row.bounds, stop_at: Some(BTreeSet::from([property])) };
        let report =
            run_check_of(&row.checked_on.profile(), &options, |profile| Mutant::new(row.mutant, profile));
        match report.property(property) {
            Some(result) if !result.holds => {
                let trace = result.counterexample.clone().unwrap_or_default();
                let named = trace.iter().any(|line| line.contains(&format!("violates {}:", row.breaks)));
                assert!(
                    named,
                    "{}: the counterexample names {}:\n{}",
                    row.mutant,
                    row.breaks,
                    trace.join("\n")
                );
            }
            _ => survivors.push(format!("{} on {} did not break {}", row.mutant, row.checked_on, row.breaks)),
        }
    }
    assert!(survivors.is_empty(), "mutants the model check did not catch:\n{}", survivors.join("\n"));
}

#[test]
fn a_mutant_beyond_the_model_check_says_why() {
    for row in TABLE {
        if let Some(why) = row.beyond_model_check {
            assert!(why.len() > 40, "{}: give the reason the model check cannot reach it", row.mutant);
        }
    }
}

#[test]
fn every_mutant_has_one_row() {
    let listed: Vec<Mutation> = TABLE.iter().map(|r| r.mutant).collect();
    let unique: BTreeSet<Mutation> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a mutant has two rows");
    let missing: Vec<&Mutation> = Mutation::all().iter().filter(|m| !unique.contains(m)).collect();
    assert!(missing.is_empty(), "mutants without a row: {missing:?}");
}
