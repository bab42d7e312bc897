//! Running the exhaustive check of one profile and reporting it.

use super::domain::{Step, START};
use super::properties::{self, Kind};
use super::state::{scaled, Bounds, CheckState, Environment, LifecycleModel};
use crate::machine::Machine;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{Observation, Output};
use jwt_lifecycle_spec::profile::{Profile, ProfileId};
use serde::Serialize;
use stateright::{Checker, HasDiscoveries, Model, Path};
use std::collections::BTreeSet;
use std::time::Instant;

/// How to run a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Checker threads.
    pub threads: usize,
    /// The environment's budgets.
    pub bounds: Bounds,
    /// Stop as soon as any of these properties has a discovery (all properties are
    /// still reported; those not reached are reported as holding so far).
    pub stop_at: Option<BTreeSet<&'static str>>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { threads: 1, bounds: Bounds::CI, stop_at: None }
    }
}

/// One property's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyResult {
    /// `"<REQ-ID>: <rule>"`.
    pub name: &'static str,
    /// The requirement id.
    pub requirement: &'static str,
    /// always / eventually / sometimes.
    pub kind: &'static str,
    /// The environment it was checked in.
    pub environment: Environment,
    /// Whether it holds (for `sometimes`: whether an example was found).
    pub holds: bool,
    /// For a violated always/eventually property: the steps that break it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Vec<String>>,
}

/// The result of checking one profile.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The profile.
    pub profile: ProfileId,
    /// States generated, repeats included, over both environments.
    pub states: usize,
    /// Unique states, over both environments.
    pub unique_states: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The budgets.
    pub bounds: Bounds,
    /// The consecutive-failure limit as checked (scaled down from the profile's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_limit_checked: Option<u32>,
    /// The profile's own consecutive-failure limit, as its documents give it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_limit_documented: Option<u32>,
    /// Every applicable property.
    pub properties: Vec<PropertyResult>,
}

impl CheckReport {
    /// True when every property holds.
    pub fn all_hold(&self) -> bool {
        self.properties.iter().all(|p| p.holds)
    }

    /// The verdict on the property named `name`, if it applies.
    pub fn property(&self, name: &str) -> Option<&PropertyResult> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// Checks the reference machine of `profile` exhaustively in both environments.
pub fn run_check(profile: &Profile, options: &CheckOptions) -> CheckReport {
    run_check_of(profile, options, |built| Sdk::new(built.clone()))
}

/// Checks the machine `build` makes from `profile` (its failure limit scaled to the
/// bounds) exhaustively in both environments, judged by `profile`.
pub fn run_check_of<M: Machine>(
    profile: &Profile,
    options: &CheckOptions,
    build: impl Fn(&Profile) -> M,
) -> CheckReport {
    let started = Instant::now();
    let judged_by = scaled(profile, options.bounds);
    let mut report = CheckReport {
        profile: profile.id,
        states: 0,
        unique_states: 0,
        seconds: 0.0,
        bounds: options.bounds.for_profile(profile),
        failure_limit_checked: judged_by.failure_limit.map(|l| l.consecutive_failures),
        failure_limit_documented: profile.failure_limit.map(|l| l.consecutive_failures),
        properties: Vec::new(),
    };
    for environment in [Environment::Adversarial, Environment::Cooperative] {
        let model = LifecycleModel::with_machine(&judged_by, build(&judged_by), environment, options.bounds);
        check_one(&model, options, &mut report);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// Checks one environment and merges its verdicts into `report`.
fn check_one<M: Machine>(model: &LifecycleModel<M>, options: &CheckOptions, report: &mut CheckReport) {
    let names: Vec<&'static str> = model.properties().iter().map(|p| p.name).collect();
    let mut builder = model.clone().checker().threads(options.threads.max(1));
    if let Some(stop) = &options.stop_at {
        let relevant: BTreeSet<&'static str> = stop.iter().copied().filter(|n| names.contains(n)).collect();
        if relevant.is_empty() {
            return;
        }
        builder = builder.finish_when(HasDiscoveries::AnyOf(relevant));
    }
    let checker = builder.spawn_bfs().join();
    report.states += checker.state_count();
    report.unique_states += checker.unique_state_count();
    let discoveries = checker.discoveries();
    for name in names {
        let Some((kind, requirement)) = properties::describe(name) else { continue };
        let found = discoveries.get(name);
        let holds = match kind {
            Kind::Sometimes => found.is_some(),
            Kind::Always | Kind::Eventually => found.is_none(),
        };
        let counterexample = match kind {
            Kind::Sometimes => None,
            _ => found.map(|path| describe_path(model, path.clone())),
        };
        let environment = model.environment();
        match report.properties.iter_mut().find(|p| p.name == name) {
            Some(existing) => {
                if existing.holds && !holds {
                    existing.holds = false;
                    existing.environment = environment;
                    existing.counterexample = counterexample;
                }
            }
            None => report.properties.push(PropertyResult {
                name,
                requirement,
                kind: kind.as_str(),
                environment,
                holds,
                counterexample,
            }),
        }
    }
}

/// The steps of `path` as readable lines: what the environment did, what the SDK did in
/// answer, and what the oracle found wrong.
pub fn describe_path<M: Machine>(model: &LifecycleModel<M>, path: Path<CheckState<M>, Step>) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, (state, action)) in path.into_vec().into_iter().enumerate() {
        let Some(action) = action else { continue };
        let mut next = state.clone();
        let judged = model.step(&mut next, &action);
        let said: Vec<String> = judged.outputs.iter().map(|o| describe_output(model, o)).collect();
        let at = (state.now - START) as f64 / 1_000.0;
        let answer = if said.is_empty() { "nothing".to_owned() } else { said.join("; ") };
        lines.push(format!("{}. [t+{at}s] {action} -> {answer}", index + 1));
        for v in &judged.violations {
            lines.push(format!("   violates {}: {}", v.requirement, name_tokens(model, &v.message)));
        }
    }
    lines
}

/// The oracle quotes tokens whole; a counterexample reads better with the domain's names.
fn name_tokens<M: Machine>(model: &LifecycleModel<M>, message: &str) -> String {
    let mut out = message.to_owned();
    for tok in super::domain::Tok::ALL {
        let raw = tok.raw();
        if model.tok_of(&raw).is_some() {
            out = out.replace(&raw, tok.name());
        }
    }
    out
}

fn describe_output<M: Machine>(model: &LifecycleModel<M>, seen: &Observation) -> String {
    let token = |raw: &Option<String>| match raw {
        None => "none".to_owned(),
        Some(raw) => model.tok_of(raw).map_or_else(|| raw.clone(), |t| t.name().to_owned()),
    };
    let at = (seen.at - START) as f64 / 1_000.0;
    let what = match &seen.output {
        Output::RequestSent { request, customer_ids, events, authorization, attempt, .. } => format!(
            "request_sent #{request} for {customer_ids} events={events:?} token={} attempt={attempt}",
            token(authorization)
        ),
        Output::HandlerCalled { reason, customer_ids, code } => {
            format!(
                "handler_called {reason} for {customer_ids}{}",
                code.map(|c| format!(" code={c}")).unwrap_or_default()
            )
        }
        Output::RequestFailed { request, events, cause } => {
            format!("request_failed #{request} events={events:?} cause={cause:?}")
        }
        Output::EventsDeleted { events, rule } => format!("events_deleted {events:?} rule={rule:?}"),
        Output::TokenRequested { ask, reason, customer_ids } => {
            format!("token_requested #{ask} for {customer_ids} reason={reason:?}")
        }
        Output::AppError { error, code } => {
            format!("app_error {error:?}{}", code.map(|c| format!(" code={c}")).unwrap_or_default())
        }
    };
    format!("{what} @t+{at}s")
}
