//! The lifecycle as Mermaid state diagrams, drawn from the transitions the model crate
//! keeps as data per profile (`jwt_lifecycle_model::diagram`).
//!
//! Every transition cites the requirements that define it; a test checks that a
//! transition drawn for a profile cites at least one requirement that applies to that
//! profile, so the diagram cannot claim a behaviour the registry does not give that vendor.

use jwt_lifecycle_model::diagram::{edges, Diagram, Edge, State, STORED};
use jwt_lifecycle_spec::profile::Profile;
use jwt_lifecycle_spec::requirement;
use std::fmt::Write as _;

/// The requirement ids an edge shows for `profile`: those that apply to it.
pub fn shown_requirements<'a>(e: &'a Edge, profile: Option<&Profile>) -> Vec<&'a str> {
    e.requirements
        .iter()
        .copied()
        .filter(|id| match (profile, requirement(id)) {
            (Some(p), Some(r)) => r.applies_to(p.id),
            _ => true,
        })
        .collect()
}

fn write_edges(out: &mut String, indent: &str, edges: &[Edge], profile: Option<&Profile>) {
    for e in edges {
        let reqs = shown_requirements(e, profile);
        let label = match (e.label.is_empty(), reqs.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!(": {}", e.label),
            (false, false) => format!(": {} ({})", e.label, reqs.join(", ")),
        };
        let _ = writeln!(out, "{indent}{} --> {}{label}", e.from.id(), e.to.id());
    }
}

fn write_states(out: &mut String, indent: &str, states: &[State], edges: &[Edge]) {
    for st in states {
        if edges.iter().any(|e| e.from.id() == st.id() || e.to == *st) {
            let _ = writeln!(out, "{indent}state \"{}\" as {}", st.name(), st.id());
        }
    }
}

fn inside_stored(e: &Edge) -> bool {
    STORED.iter().any(|s| e.from.id() == s.id()) && STORED.contains(&e.to)
}

/// The Mermaid sources of the lifecycle's three diagrams (the SDK, the stored token, the
/// request pipeline) for `profile`, or for the union of all profiles when `None`; each
/// with its title.
pub fn state_diagrams(profile: Option<&Profile>) -> Vec<(&'static str, String)> {
    let top = edges(Diagram::Sdk, profile);
    let mut sdk = String::from("stateDiagram-v2\n    direction LR\n");
    write_states(&mut sdk, "    ", Diagram::Sdk.states(), &top);
    write_edges(&mut sdk, "    ", &top, profile);

    let token = edges(Diagram::Token, profile);
    let (inner, outer): (Vec<Edge>, Vec<Edge>) = token.into_iter().partition(inside_stored);
    let mut tok = String::from("stateDiagram-v2\n    direction LR\n");
    write_states(&mut tok, "    ", &[State::NoToken], &outer);
    write_edges(&mut tok, "    ", &outer, profile);
    tok.push_str("    state \"Token stored\" as Stored {\n");
    let all: Vec<Edge> = inner.iter().chain(outer.iter()).cloned().collect();
    write_states(&mut tok, "        ", &STORED, &all);
    write_edges(&mut tok, "        ", &inner, profile);
    tok.push_str("    }\n");

    let sync = edges(Diagram::Pipeline, profile);
    let mut pipe = String::from("stateDiagram-v2\n");
    write_states(&mut pipe, "    ", Diagram::Pipeline.states(), &sync);
    write_edges(&mut pipe, "    ", &sync, profile);

    vec![(Diagram::Sdk.title(), sdk), (Diagram::Token.title(), tok), (Diagram::Pipeline.title(), pipe)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_model::diagram::all_edges;

    fn joined(profile: Option<&Profile>) -> String {
        state_diagrams(profile).into_iter().map(|(_, d)| d).collect()
    }

    #[test]
    fn an_edge_drawn_for_a_profile_cites_a_requirement_of_that_profile() {
        for p in Profile::all() {
            for e in all_edges(Some(&p)) {
                assert!(
                    !shown_requirements(&e, Some(&p)).is_empty(),
                    "{}: {} -> {} ({}) is drawn but none of {:?} applies to the profile",
                    p.id,
                    e.from.id(),
                    e.to.id(),
                    e.label,
                    e.requirements
                );
            }
        }
    }

    #[test]
    fn labels_avoid_the_characters_mermaid_reads_as_syntax() {
        // A second `:` in a state-diagram label, a `;` or a `#` breaks Mermaid's parser.
        let mut profiles: Vec<Option<Profile>> = Profile::all().into_iter().map(Some).collect();
        profiles.push(None);
        for p in &profiles {
            for e in all_edges(p.as_ref()) {
                assert!(!e.label.contains([':', ';', '#', '{', '}']), "label `{}`", e.label);
            }
        }
    }

    #[test]
    fn profile_knobs_decide_which_states_exist() {
        let exponea = jwt_lifecycle_spec::profile::exponea_stream();
        let webex = jwt_lifecycle_spec::profile::webex_connect();
        let moengage = jwt_lifecycle_spec::ProfileId::MoengageAndroid.profile();
        let d = joined(Some(&exponea));
        assert!(d.contains("ExpiringSoon") && d.contains("RetryPending") && !d.contains("Suspended"));
        assert!(d.contains("exp − 60 s"), "{d}");
        let d = joined(Some(&webex));
        assert!(!d.contains("ExpiringSoon") && !d.contains("RetryPending") && !d.contains("Held"));
        assert!(d.contains("38/39/40"), "{d}");
        let d = joined(Some(&moengage));
        assert!(d.contains("Held") && d.contains("failure number 10 in a row") && d.contains("logout"));
        assert!(!d.contains("anonymize"), "MoEngage does not clear on anonymize: {d}");
    }
}
