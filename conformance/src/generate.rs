//! Cases computed from the model: a breadth-first walk over the reference driver's
//! states, keeping the shortest path to each distinct state, written as case files with
//! the model's observations as expectations.
//!
//! The walk uses a small input alphabet (the same kind of environment the model check
//! uses): a few app calls, each answer to each request in flight, and three clock
//! advances. Time makes the state space infinite, so the walk is bounded by depth and
//! by the number of cases. A path becomes a case when its last step did something
//! observable; the requirements a case lists are attributed from what that step did.

use crate::case::{Action, Case, CaseFile, Expected, Step, TokenTable};
use crate::differential::{RAW_TOKEN, TOKENS};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{
    AppCall, AppErrorKind, CustomerIds, DeletionRule, Observation, Output, Reason, Reply, RequestId,
};
use jwt_lifecycle_spec::profile::ProfileId;
use jwt_lifecycle_spec::registry;
use std::collections::{HashSet, VecDeque};

/// The most distinct states the walk keeps (bounds memory whatever the depth).
const MAX_STATES: usize = 50_000;

/// Bounds of the walk.
#[derive(Clone, Copy, Debug)]
pub struct GenerateConfig {
    /// The longest path, in steps.
    pub depth: usize,
    /// The most cases written.
    pub max_cases: usize,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        Self { depth: 5, max_cases: 150 }
    }
}

#[derive(Clone)]
struct Node {
    driver: Driver,
    in_flight: Vec<RequestId>,
    events: usize,
    steps: Vec<Step>,
}

fn alphabet(profile: ProfileId, node: &Node) -> Vec<Action> {
    let key = profile.profile().identifier_key.unwrap_or_else(|| "registered".to_owned());
    let alice = CustomerIds::single(&key, "alice");
    let calls = profile.profile().calls;
    let mut actions: Vec<Action> = vec![
        AppCall::Configure { jwt_enabled: true, debug: false, token: None },
        AppCall::Configure { jwt_enabled: false, debug: true, token: Some("A".into()) },
        AppCall::RegisterHandler { throws: false },
        AppCall::SetToken { token: Some("A".into()), identifier: None },
        AppCall::SetToken { token: Some("S".into()), identifier: None },
        AppCall::SetToken { token: Some("E".into()), identifier: None },
        AppCall::SetToken { token: Some("N".into()), identifier: None },
        AppCall::Identify { customer_ids: alice.clone(), token: Some("A".into()) },
        AppCall::Identify { customer_ids: alice, token: None },
        AppCall::Anonymize {},
        AppCall::Logout {},
        AppCall::StopIntegration {},
        AppCall::NewSession {},
        AppCall::Track { event: format!("e{}", node.events + 1) },
        AppCall::Flush {},
    ]
    .into_iter()
    .filter(|call| calls.contains(&call.kind()))
    .map(Action::Call)
    .collect();
    for &request in &node.in_flight {
        for reply in [Reply::Status(200), Reply::Status(401), Reply::Status(403), Reply::NetworkError] {
            actions.push(Action::Respond { request, reply, body: None });
        }
    }
    actions.extend([1_000, 60_000, 3_600_000].map(Action::Advance));
    actions
}

/// The requirements a step's observations bear on, for `profile`.
fn attribute(profile: ProfileId, seen: &[Observation]) -> Vec<String> {
    let mut ids: Vec<&str> = Vec::new();
    for o in seen {
        ids.extend(match &o.output {
            Output::RequestSent { authorization: Some(_), .. } => vec!["CONF-001", "QUEUE-004"],
            Output::RequestSent { authorization: None, .. } => vec!["PRE-001", "QUEUE-004"],
            Output::HandlerCalled { reason, .. } => {
                let by_reason = match reason {
                    Reason::ExpiredSoon => "REFR-001",
                    Reason::Expired => "PRE-002",
                    Reason::NotProvided => "PRE-001",
                    Reason::Invalid | Reason::Insufficient => "RETRY-001",
                };
                vec![by_reason, "NOTIFY-001"]
            }
            Output::RequestFailed { .. } => vec!["QUEUE-005"],
            Output::TokenRequested { .. } => vec!["LIFE-001"],
            Output::EventsDeleted { rule: DeletionRule::LogoutSyncFailed, .. } => vec!["QUEUE-002"],
            Output::EventsDeleted { rule: DeletionRule::SdkNotRunning, .. } => vec!["CONF-007"],
            Output::EventsDeleted { .. } => vec!["QUEUE-006"],
            Output::AppError { error: AppErrorKind::JwtNotEnabled, .. } => vec!["CONF-004"],
            Output::AppError { error: AppErrorKind::TokenRejected, .. } => vec!["RETRY-011"],
        });
    }
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if registry::requirement(id).is_some_and(|r| r.applies_to(profile)) && !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    if out.is_empty() {
        out.push("QUEUE-001".to_owned());
    }
    out
}

fn tokens() -> crate::case::OrderedMap<crate::case::TokenSpec> {
    let mut specs: Vec<(String, crate::case::TokenSpec)> = TOKENS
        .iter()
        .map(|(n, exp)| {
            ((*n).to_owned(), crate::case::TokenSpec::Minted { exp_in: *exp, claims: Default::default() })
        })
        .collect();
    specs.push((RAW_TOKEN.0.to_owned(), crate::case::TokenSpec::Raw(RAW_TOKEN.1.to_owned())));
    crate::case::OrderedMap(specs)
}

/// Walks the model for `profile` and returns the generated cases, shortest first.
pub fn generate(profile: ProfileId, config: GenerateConfig) -> Vec<Case> {
    let start = crate::case::DEFAULT_START;
    let specs = tokens();
    let table = TokenTable::mint_all(&specs, start).unwrap_or_default();
    let root = Node {
        driver: Driver::new(Sdk::new(profile.profile()), start),
        in_flight: vec![],
        events: 0,
        steps: vec![],
    };
    let mut seen: HashSet<(Driver, Vec<RequestId>)> = HashSet::new();
    seen.insert((root.driver.clone(), root.in_flight.clone()));
    let mut queue = VecDeque::from([root]);
    let mut cases = Vec::new();
    while let Some(node) = queue.pop_front() {
        if node.steps.len() >= config.depth {
            continue;
        }
        for action in alphabet(profile, &node) {
            let mut next = node.clone();
            let step = Step::exact(action, vec![]);
            let observed = match (&step.action, step.input(&table)) {
                (Action::Advance(ms), _) => next.driver.advance(*ms),
                (_, Some(input)) => next.driver.input(&input),
                (_, None) => vec![],
            };
            if let Action::Respond { request, .. } = step.action {
                next.in_flight.retain(|r| *r != request);
            }
            if let Action::Call(AppCall::Track { .. }) = step.action {
                next.events += 1;
            }
            for o in &observed {
                if let Output::RequestSent { request, .. } = o.output {
                    next.in_flight.push(request);
                }
            }
            if !seen.insert((next.driver.clone(), next.in_flight.clone())) {
                continue;
            }
            let expect = observed.iter().map(|o| Expected::from_observation(o, start, &table)).collect();
            next.steps.push(Step::exact(step.action, expect));
            if !observed.is_empty() && cases.len() < config.max_cases {
                let n = cases.len() + 1;
                let last = next.steps.last().map(|s| s.describe()).unwrap_or_default();
                let file = CaseFile {
                    id: format!("{profile}/generated-{n:03}"),
                    description: format!(
                        "Generated from the model: a shortest path to a distinct state, ending with `{last}`; requirements attributed from that step's outputs."
                    ),
                    profiles: vec![profile],
                    requirements: attribute(profile, &observed),
                    clauses: Vec::new(),
                    start,
                    tokens: specs.clone(),
                    housekeeping: Default::default(),
                    steps: next.steps.clone(),
                };
                cases.push(Case { file, tokens: table.clone() });
                if cases.len() >= config.max_cases {
                    return cases;
                }
            }
            // Time makes the space unbounded; past this many distinct states the walk
            // stops growing and only finishes the paths it already holds.
            if seen.len() < MAX_STATES {
                queue.push_back(next);
            }
        }
    }
    cases
}
