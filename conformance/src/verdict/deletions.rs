//! `events_deleted` outputs compared as one per rule.
//!
//! How an SDK groups the events it deletes at one step into `events_deleted` outputs, and
//! in what order, is not normative (QUEUE-006's decision): one output per event, one per
//! source, or one for all are the same deletion. Before a step's observations are
//! compared with its expectations, the deletions of each rule are merged into the first
//! of them, so a case writes each deletion once, as one output listing every event.

use jwt_lifecycle_spec::alphabet::{Observation, Output};
use std::borrow::Cow;

/// `observed` with every `events_deleted` merged into the first one of the same rule,
/// which keeps its place; the other outputs are unchanged.
pub fn merge_deletions(observed: &[Observation]) -> Cow<'_, [Observation]> {
    if !repeats_a_rule(observed) {
        return Cow::Borrowed(observed);
    }
    let mut merged: Vec<Observation> = Vec::with_capacity(observed.len());
    for o in observed {
        if let Output::EventsDeleted { events, rule } = &o.output {
            let first = merged.iter_mut().find_map(|m| match &mut m.output {
                Output::EventsDeleted { events: all, rule: r } if r == rule => Some(all),
                _ => None,
            });
            if let Some(all) = first {
                all.extend(events.iter().cloned());
                continue;
            }
        }
        merged.push(o.clone());
    }
    Cow::Owned(merged)
}

/// True when two `events_deleted` of `observed` name the same rule (there is something
/// to merge).
fn repeats_a_rule(observed: &[Observation]) -> bool {
    let rules: Vec<_> = observed
        .iter()
        .filter_map(|o| match &o.output {
            Output::EventsDeleted { rule, .. } => Some(rule),
            _ => None,
        })
        .collect();
    rules.iter().enumerate().any(|(i, rule)| rules[..i].contains(rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::alphabet::{DeletionRule, FailureCause};

    fn deleted(events: &[&str], rule: DeletionRule) -> Observation {
        Observation {
            at: 7,
            output: Output::EventsDeleted { events: events.iter().map(|e| (*e).to_owned()).collect(), rule },
        }
    }

    #[test]
    fn deletions_of_one_rule_become_one_output_in_the_place_of_the_first() {
        let failed = Observation {
            at: 7,
            output: Output::RequestFailed {
                request: 1,
                events: vec!["e0".into()],
                cause: FailureCause::Network,
            },
        };
        let observed = [
            deleted(&["e2"], DeletionRule::StopIntegration),
            failed.clone(),
            deleted(&["e9"], DeletionRule::SdkNotRunning),
            deleted(&["e1"], DeletionRule::StopIntegration),
        ];
        let merged = merge_deletions(&observed);
        assert_eq!(
            *merged,
            [
                deleted(&["e2", "e1"], DeletionRule::StopIntegration),
                failed,
                deleted(&["e9"], DeletionRule::SdkNotRunning)
            ]
        );
    }

    #[test]
    fn deletions_of_distinct_rules_are_left_as_they_came() {
        let observed =
            [deleted(&["e2"], DeletionRule::StopIntegration), deleted(&["e9"], DeletionRule::SdkNotRunning)];
        let merged = merge_deletions(&observed);
        assert!(matches!(merged, Cow::Borrowed(_)));
        assert_eq!(*merged, observed);
    }
}
