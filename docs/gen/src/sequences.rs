//! Sequence diagrams produced by running short scenarios through the reference model.
//!
//! A scenario lists only what the app, the server and the clock do; every arrow from the
//! SDK (requests, handler calls, failures, errors) is what the model's [`Driver`] answered,
//! so the diagrams show the reference behaviour, not a drawing of it, and they change
//! when the model does (the drift test then asks for the pages to be regenerated).

use jwt_lifecycle_conformance::case::token::{mint, TokenSpec};
use jwt_lifecycle_conformance::case::OrderedMap;
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Observation, Output, Reply};
use jwt_lifecycle_spec::ProfileId;
use std::fmt::Write as _;

/// The virtual clock at the start of every scenario (docs/formats.md §1's default).
const START: u64 = 1_700_000_000_000;

/// What the outside world does at one step.
#[derive(Clone, Debug)]
enum Step {
    /// An app call; token arguments hold token names, replaced before the call.
    Call(AppCall),
    /// The server answers the most recent request the SDK sent.
    RespondLast(Reply),
    /// The clock moves forward.
    Advance(u64),
    /// A note on the SDK's lifeline.
    Note(&'static str),
    /// The steps, repeated; drawn once inside a `loop` box.
    Repeat(u32, Vec<Step>),
}

/// One scenario: a title, the profile, named tokens and the steps.
struct Scenario {
    title: String,
    profile: ProfileId,
    /// `(name, exp_in seconds)`.
    tokens: Vec<(String, i64)>,
    steps: Vec<Step>,
}

fn call(c: AppCall) -> Step {
    Step::Call(c)
}

fn set_token(name: &str, identifier: Option<&str>) -> Step {
    call(AppCall::SetToken { token: Some(name.to_owned()), identifier: identifier.map(str::to_owned) })
}

fn track(event: &str) -> Step {
    call(AppCall::Track { event: event.to_owned() })
}

fn configure() -> Step {
    call(AppCall::Configure { jwt_enabled: true, debug: false, token: None })
}

fn scenarios() -> Vec<Scenario> {
    vec![happy_path(), proactive_refresh(), one_retry(), suspension()]
}

fn tokens(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, e)| ((*n).to_owned(), *e)).collect()
}

fn happy_path() -> Scenario {
    let exponea = ProfileId::ExponeaStream;
    Scenario {
        title: format!("Happy path ({exponea})"),
        profile: exponea,
        tokens: tokens(&[("A", 3600)]),
        steps: vec![
            configure(),
            call(AppCall::RegisterHandler { throws: false }),
            set_token("A", None),
            Step::Note("A stored for the current customer (LIFE-001)"),
            track("e1"),
            call(AppCall::Flush {}),
            Step::RespondLast(Reply::OK),
            Step::Note("e1 delivered, never sent again (QUEUE-007)"),
        ],
    }
}

fn proactive_refresh() -> Scenario {
    let exponea = ProfileId::ExponeaStream;
    Scenario {
        title: format!("Proactive refresh ({exponea}, token expiring in 300 s)"),
        profile: exponea,
        tokens: tokens(&[("A", 300), ("B", 3600)]),
        steps: vec![
            configure(),
            call(AppCall::RegisterHandler { throws: false }),
            set_token("A", None),
            Step::Advance(250_000),
            Step::Note("the app fetches a new token from its backend"),
            set_token("B", None),
            Step::Note("B replaces A, A's timer is cancelled (LIFE-002, REFR-006)"),
            track("e1"),
            call(AppCall::Flush {}),
            Step::RespondLast(Reply::OK),
        ],
    }
}

fn one_retry() -> Scenario {
    let exponea = ProfileId::ExponeaStream;
    Scenario {
        title: format!("401 and one retry ({exponea})"),
        profile: exponea,
        tokens: tokens(&[("A", 3600), ("B", 3600 * 2)]),
        steps: vec![
            configure(),
            call(AppCall::RegisterHandler { throws: false }),
            set_token("A", None),
            track("e1"),
            call(AppCall::Flush {}),
            Step::RespondLast(Reply::UNAUTHORIZED),
            Step::Note("the handler fetches a new token"),
            set_token("B", None),
            Step::Advance(1_000),
            Step::Note("the retry carries the token stored now (RETRY-002, LIFE-002)"),
            Step::RespondLast(Reply::UNAUTHORIZED),
            Step::Note("a rejected retry fails the request for good (RETRY-003)"),
        ],
    }
}

fn suspension() -> Scenario {
    let moengage = ProfileId::MoengageIos;
    let mut suspension_tokens: Vec<(String, i64)> = vec![("A".to_owned(), 3600)];
    for i in 1..=10 {
        suspension_tokens.push((format!("T{i}"), 3600 + i));
    }
    suspension_tokens.push(("C".to_owned(), 7200));
    Scenario {
        title: format!("Suspension ({moengage}, 10 consecutive failures)"),
        profile: moengage,
        tokens: suspension_tokens,
        steps: vec![
            configure(),
            call(AppCall::RegisterHandler { throws: false }),
            set_token("A", Some("u1")),
            track("e1"),
            call(AppCall::Flush {}),
            Step::Repeat(10, vec![Step::RespondLast(Reply::UNAUTHORIZED), set_token("T", Some("u1"))]),
            Step::Note("failure 10 in a row, sync suspended until the next session (LIMIT-001)"),
            track("e2"),
            set_token("C", Some("u1")),
            call(AppCall::Flush {}),
            Step::Note("kept, nothing sent (LIMIT-004, LIMIT-005)"),
            call(AppCall::NewSession {}),
            call(AppCall::Flush {}),
            Step::RespondLast(Reply::OK),
            call(AppCall::Flush {}),
            Step::RespondLast(Reply::OK),
        ],
    }
}

/// Runs scenarios and draws them.
struct Runner {
    driver: Driver,
    /// `(name, raw)` of the minted tokens.
    tokens: Vec<(String, String)>,
    last_request: Option<u64>,
    /// The counter of the `T<n>` tokens a repeated step hands out.
    next_numbered: u32,
    out: String,
    /// Every observation, for tests.
    seen: Vec<Observation>,
}

impl Runner {
    fn raw(&self, name: &str) -> String {
        self.tokens.iter().find(|(n, _)| n == name).map_or_else(|| name.to_owned(), |(_, raw)| raw.clone())
    }

    fn name_of(&self, raw: &str) -> String {
        self.tokens.iter().find(|(_, r)| r == raw).map_or_else(|| "?".to_owned(), |(n, _)| n.clone())
    }

    fn offset(&self, at: u64) -> String {
        let ms = at.saturating_sub(START);
        if ms.is_multiple_of(1000) {
            format!("t+{} s", ms / 1000)
        } else {
            format!("t+{ms} ms")
        }
    }

    fn step(&mut self, step: &Step, in_loop: bool) {
        match step {
            Step::Call(c) => {
                let (label, concrete) = self.concrete_call(c, in_loop);
                let _ = writeln!(self.out, "    App->>SDK: {label}");
                let seen = self.driver.input(&Input::App(concrete));
                self.draw(&seen, in_loop, false);
            }
            Step::RespondLast(reply) => {
                let Some(request) = self.last_request else { return };
                let label = match reply {
                    Reply::Status(s) => s.to_string(),
                    Reply::NetworkError => "network error".to_owned(),
                };
                let _ = writeln!(self.out, "    Server-->>SDK: {label}");
                let seen = self.driver.input(&Input::respond(request, *reply));
                self.draw(&seen, in_loop, false);
            }
            Step::Advance(ms) => {
                let _ = writeln!(self.out, "    Note over App,Server: the clock advances {} s", ms / 1000);
                let seen = self.driver.advance(*ms);
                self.draw(&seen, in_loop, true);
            }
            Step::Note(text) => {
                if !in_loop {
                    let _ = writeln!(self.out, "    Note over SDK: {text}");
                }
            }
            Step::Repeat(times, steps) => {
                // Every round runs through the model; only the first is drawn.
                let _ = writeln!(self.out, "    loop {times} times");
                let mark = self.out.len();
                for s in steps {
                    self.step(s, true);
                }
                let drawn = self.out.split_off(mark);
                for line in drawn.lines() {
                    let _ = writeln!(self.out, "    {line}");
                }
                self.out.push_str("    end\n");
                let keep = self.out.len();
                for _ in 1..*times {
                    for s in steps {
                        self.step(s, true);
                    }
                }
                self.out.truncate(keep);
            }
        }
    }

    /// The call as drawn, and as sent (token names replaced by the minted tokens).
    fn concrete_call(&mut self, c: &AppCall, in_loop: bool) -> (String, AppCall) {
        match c {
            AppCall::SetToken { token: Some(token), identifier } => {
                let name = if token == "T" {
                    self.next_numbered += 1;
                    format!("T{}", self.next_numbered)
                } else {
                    token.clone()
                };
                let shown = if in_loop { "a new token".to_owned() } else { name.clone() };
                let label = match identifier {
                    Some(id) => format!("set_token({shown}, identifier {id})"),
                    None => format!("set_token({shown})"),
                };
                (label, AppCall::SetToken { token: Some(self.raw(&name)), identifier: identifier.clone() })
            }
            AppCall::Track { event } => (format!("track({event})"), c.clone()),
            AppCall::Configure { token: None, .. } => ("configure".to_owned(), c.clone()),
            other => (other.name().to_owned(), other.clone()),
        }
    }

    fn draw(&mut self, seen: &[Observation], in_loop: bool, timed: bool) {
        for obs in seen {
            let when = if timed { format!(" at {}", self.offset(obs.at)) } else { String::new() };
            let line = match &obs.output {
                Output::RequestSent { request, customer_ids, events, authorization, attempt, .. } => {
                    self.last_request = Some(*request);
                    let auth = match authorization {
                        Some(raw) => format!(
                            "Bearer {}",
                            if in_loop { "new token".to_owned() } else { self.name_of(raw) }
                        ),
                        None => "no Authorization".to_owned(),
                    };
                    let (number, attempt) = if in_loop {
                        (String::new(), "next attempt".to_owned())
                    } else {
                        (format!(" {request}"), format!("attempt {attempt}"))
                    };
                    format!(
                        "SDK->>Server: request{number} [{}] for {customer_ids}, {auth}, {attempt}{when}",
                        events.join(", ")
                    )
                }
                Output::TokenRequested { customer_ids, .. } => {
                    format!("SDK->>App: token requested for {customer_ids}{when}")
                }
                Output::HandlerCalled { reason, customer_ids, code } => {
                    let code = code.map(|c| format!(", code {c}")).unwrap_or_default();
                    format!("SDK->>Handler: {reason} for {customer_ids}{code}{when}")
                }
                Output::RequestFailed { request, events, cause } => {
                    format!(
                        "SDK->>App: request {request} failed ({cause:?}), events [{}] gone{when}",
                        events.join(", ")
                    )
                }
                Output::EventsDeleted { events, rule } => {
                    format!("SDK->>App: events [{}] deleted ({rule:?}){when}", events.join(", "))
                }
                Output::AppError { error, code } => {
                    let code = code.map(|c| format!(", code {c}")).unwrap_or_default();
                    format!("SDK->>App: app_error {error:?}{code}{when}")
                }
            };
            let _ = writeln!(self.out, "    {}", line.replace([';', '#'], ","));
            self.seen.push(obs.clone());
        }
    }
}

fn run(scenario: &Scenario) -> (String, Vec<Observation>) {
    let mut tokens = Vec::new();
    for (name, exp_in) in &scenario.tokens {
        let spec = TokenSpec::Minted { exp_in: Some(*exp_in), claims: OrderedMap::default() };
        // Minting a token with a positive exp_in cannot fail.
        tokens.push((name.clone(), mint(&spec, START).unwrap_or_default()));
    }
    let profile = scenario.profile.profile();
    let handler = capitalized(&profile.handler_term);
    let mut runner = Runner {
        driver: Driver::new(Sdk::new(profile), START),
        tokens,
        last_request: None,
        next_numbered: 0,
        out: String::new(),
        seen: Vec::new(),
    };
    let _ = writeln!(
        runner.out,
        "sequenceDiagram\n    participant App\n    participant Handler as {handler}\n    participant SDK\n    participant Server"
    );
    for step in &scenario.steps {
        runner.step(step, false);
    }
    (runner.out, runner.seen)
}

/// `text` with its first letter in upper case, as a participant's box shows a name.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The sequence diagrams, each with its title and Mermaid source.
pub fn sequence_diagrams() -> Vec<(String, String)> {
    scenarios().iter().map(|s| (s.title.clone(), run(s).0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::alphabet::Reason;

    fn observed(title_start: &str) -> Vec<Observation> {
        let all = scenarios();
        let s =
            all.iter().find(|s| s.title.starts_with(title_start)).unwrap_or_else(|| panic!("{title_start}"));
        run(s).1
    }

    #[test]
    fn the_refresh_diagram_shows_the_model_notifying_60_s_before_exp() {
        let seen = observed("Proactive refresh");
        let refresh = seen
            .iter()
            .find(|o| matches!(o.output, Output::HandlerCalled { reason: Reason::ExpiredSoon, .. }));
        let at = refresh.map(|o| o.at).unwrap_or_else(|| panic!("no expired_soon in {seen:?}"));
        assert!((START + 240_000).abs_diff(at) <= 2_000, "expired_soon at {at}");
    }

    #[test]
    fn the_retry_diagram_shows_a_second_attempt_with_the_new_token_then_a_failure() {
        let seen = observed("401 and one retry");
        let attempts: Vec<u32> = seen
            .iter()
            .filter_map(|o| match &o.output {
                Output::RequestSent { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .collect();
        assert_eq!(attempts, [1, 2], "{seen:?}");
        assert!(seen.iter().any(|o| matches!(o.output, Output::RequestFailed { .. })), "{seen:?}");
    }

    #[test]
    fn the_suspension_diagram_sends_nothing_between_the_tenth_failure_and_the_new_session() {
        let seen = observed("Suspension");
        let sent = seen.iter().filter(|o| matches!(o.output, Output::RequestSent { .. })).count();
        // 1 first attempt + 9 resends on a new token, then nothing until the new session,
        // then the held request and the events tracked while suspended.
        assert_eq!(sent, 12, "{seen:?}");
    }

    #[test]
    fn the_handler_is_named_as_its_profile_names_it() {
        for scenario in scenarios() {
            let term = scenario.profile.profile().handler_term;
            let (source, _) = run(&scenario);
            let expected = format!("participant Handler as {}", capitalized(&term));
            assert!(source.contains(&expected), "{}: no `{expected}` in\n{source}", scenario.title);
        }
        assert_eq!(capitalized("authentication listener"), "Authentication listener");
    }

    #[test]
    fn every_diagram_has_sdk_arrows_and_no_mermaid_separators_in_messages() {
        for (title, source) in sequence_diagrams() {
            assert!(source.contains("SDK->>"), "{title}: the model produced nothing\n{source}");
            for line in source.lines().skip(1) {
                let text = line.split_once(':').map_or("", |(_, t)| t);
                assert!(!text.contains([':', ';', '#']), "{title}: `{line}`");
            }
        }
    }
}
