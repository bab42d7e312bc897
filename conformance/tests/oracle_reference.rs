//! The oracle and the reference agree: the model, run on every fixed case and on random
//! sequences, breaks no monitored requirement. (The model check proves the same on every
//! path within its bounds; this covers the cases' longer and timed traces.)

mod common;

use common::hand_written_cases;
use jwt_lifecycle_conformance::case::Action;
use jwt_lifecycle_conformance::differential::{concretize, Alphabet};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn judge_on_reference(case: &jwt_lifecycle_conformance::case::Case, profile: ProfileId) -> Vec<Violation> {
    let start = case.file.start;
    let mut driver = Driver::new(Sdk::new(profile.profile()), start);
    let mut oracle = Oracle::new(&profile.profile(), start);
    let mut found = Vec::new();
    for (index, step) in case.file.steps.iter().enumerate() {
        let before = driver.now();
        let (act, seen) = match (&step.action, step.input(&case.tokens)) {
            (Action::Advance(ms), _) => {
                let seen = driver.advance(*ms);
                (Act::Advance { from: before, to: driver.now() }, seen)
            }
            (_, Some(input)) => {
                let seen = driver.input(&input);
                (Act::Input { at: before, input }, seen)
            }
            (_, None) => continue,
        };
        found.extend(oracle.step(index, &act, &seen));
    }
    found
}

fn render(case: &str, profile: ProfileId, violations: &[Violation]) -> String {
    violations.iter().map(|v| format!("{case}@{profile} step {}: {v}", v.step)).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_reference_breaks_no_monitored_requirement_on_any_fixed_case() {
    let mut broken = Vec::new();
    for case in hand_written_cases() {
        for &profile in &case.file.profiles {
            let found = judge_on_reference(&case, profile);
            if !found.is_empty() {
                broken.push(render(case.id(), profile, &found));
            }
        }
    }
    assert!(broken.is_empty(), "{} case runs:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn the_reference_breaks_no_monitored_requirement_on_random_sequences() {
    let mut runner = TestRunner::deterministic();
    let mut broken = Vec::new();
    for profile in ProfileId::ALL {
        for n in 0..300 {
            let tree =
                Alphabet::new(profile, 2).sequence_strategy(30).new_tree(&mut runner).expect("a sequence");
            let (first, rest) = tree.current();
            let moves: Vec<_> = std::iter::once(first).chain(rest).collect();
            let case = concretize(profile, &moves, &format!("random/{profile}-{n}"));
            let found = judge_on_reference(&case, profile);
            if !found.is_empty() && broken.len() < 5 {
                broken.push(format!("{}\n{}", render(case.id(), profile, &found), case.to_json_pretty()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n\n"));
}
