//! The reduced model check agrees with the unreduced one (`Bounds::unreduced`): same
//! verdict on every property, and every broken property's counterexample names its
//! requirement in both (the other requirements a counterexample happens to break on the
//! way may differ: breadth-first search returns the first shortest path it meets, and
//! the two checks meet their states in different orders), for the reference machine of
//! every profile and for every mutant, on the small test bounds; and for the reference
//! machine, the same verdicts with each reduction switched off alone. Why the reductions are sound is argued in
//! `jwt_lifecycle_model::check::reduction`; this is the check that the argument's
//! assumptions hold for the machines that exist.

mod common;

use common::TABLE;
use jwt_lifecycle_model::check::{run_check, run_check_of, Bounds, CheckOptions, CheckReport};
use jwt_lifecycle_mutants::Mutant;
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::{BTreeMap, BTreeSet};

/// Per property: whether it holds, and whether its counterexample names its requirement.
type Verdicts = BTreeMap<&'static str, (bool, bool)>;

fn verdicts(report: &CheckReport) -> Verdicts {
    report
        .properties
        .iter()
        .map(|p| {
            let named: BTreeSet<&str> = p
                .counterexample
                .iter()
                .flatten()
                .filter_map(|line| line.trim_start().strip_prefix("violates "))
                .filter_map(|rest| rest.split(':').next())
                .collect();
            (p.name, (p.holds, named.contains(p.requirement)))
        })
        .collect()
}

fn options(bounds: Bounds) -> CheckOptions {
    CheckOptions { threads: 2, bounds, stop_at: None }
}

/// Runs both checks and returns their verdicts, and the two state counts.
fn both(check: impl Fn(&CheckOptions) -> CheckReport, bounds: Bounds) -> (Verdicts, Verdicts, usize, usize) {
    let reduced = check(&options(bounds));
    let unreduced = check(&options(bounds.unreduced()));
    (verdicts(&reduced), verdicts(&unreduced), reduced.unique_states, unreduced.unique_states)
}

/// Bounds with one reduction switched off.
type SwitchOff = fn(Bounds) -> Bounds;

/// Each reduction that can be switched off, as [`Bounds`] switches it off alone.
const EACH_OFF: [(&str, SwitchOff); 4] = [
    ("customer symmetry", |b| Bounds { customer_symmetry: false, ..b }),
    ("tokens nobody holds forgotten", |b| Bounds { forget_tokens: false, ..b }),
    ("done events forgotten", |b| Bounds { forget_events: false, ..b }),
    ("instants moved to their region", |b| Bounds { time_regions: false, ..b }),
];

#[test]
fn each_reduction_alone_keeps_the_verdicts_of_the_reference_machine() {
    for id in ProfileId::ALL {
        let reduced = run_check(&id.profile(), &options(Bounds::TEST));
        for (name, off) in EACH_OFF {
            let without = run_check(&id.profile(), &options(off(Bounds::TEST)));
            assert_eq!(verdicts(&reduced), verdicts(&without), "{id}: without the {name}");
            assert!(
                reduced.unique_states <= without.unique_states,
                "{id}: the {name} adds states ({} against {})",
                reduced.unique_states,
                without.unique_states
            );
        }
    }
}

#[test]
fn the_reduced_check_of_the_reference_machine_agrees_with_the_unreduced_one() {
    for id in ProfileId::ALL {
        let (reduced, unreduced, fewer, more) = both(|o| run_check(&id.profile(), o), Bounds::TEST);
        assert_eq!(reduced, unreduced, "{id}");
        assert!(reduced.values().all(|(holds, _)| *holds), "{id}: the reference breaks nothing");
        assert!(fewer < more, "{id}: the reduction explores fewer states ({fewer} against {more})");
    }
}

/// The smallest bounds that catch a mutant: the test bounds, or for the mutants that
/// need a third reply or call to show (a held request resent), one more of each, or for
/// those that need a success between failures, a fourth reply and two answers to held
/// requests.
const LADDER: [Bounds; 3] = [
    Bounds::TEST,
    Bounds { calls: 4, replies: 3, ..Bounds::TEST },
    Bounds { calls: 4, replies: 4, answers: 2, ..Bounds::TEST },
];

#[test]
fn the_reduced_check_catches_every_mutant_the_unreduced_one_catches_naming_the_same_requirements() {
    let mut differ = Vec::new();
    // A mutant the check's environment cannot reach says why in its row.
    for row in TABLE.iter().filter(|r| r.beyond_model_check.is_none()) {
        let profile = row.checked_on.profile();
        let property = jwt_lifecycle_oracle::monitor(row.breaks)
            .unwrap_or_else(|| panic!("{}: {} has no monitor", row.mutant, row.breaks))
            .property;
        let caught = |v: &Verdicts| v.get(property).is_some_and(|&(holds, named)| !holds && named);
        let mut compared = false;
        for small in LADDER {
            let bounds = Bounds { throwing_handler: row.bounds.throwing_handler, ..small };
            let (reduced, unreduced, _, _) =
                both(|o| run_check_of(&profile, o, |built| Mutant::new(row.mutant, built)), bounds);
            if reduced != unreduced {
                differ.push(format!(
                    "{} on {} at {bounds:?}:\n  reduced   {reduced:?}\n  unreduced {unreduced:?}",
                    row.mutant, row.checked_on
                ));
            }
            if caught(&unreduced) {
                assert!(caught(&reduced), "{}: the reduced check catches it too", row.mutant);
                compared = true;
                break;
            }
        }
        assert!(compared, "{}: no small bounds catch it; add a rung to LADDER", row.mutant);
    }
    assert!(differ.is_empty(), "the reduced check differs:\n{}", differ.join("\n"));
}
