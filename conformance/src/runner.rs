//! Running one case against an adapter and judging it.
//!
//! Every step is judged twice: by the oracle, whose monitors name each requirement the
//! SDK breaks, and by the case's expectations. A case fails when a monitor fires (those
//! requirements are "violated") or when its expectations differ and no monitor fired
//! ("differs from the case's expectation", the case's requirements only "checked by this
//! case"). After the first difference the runner keeps driving the case while its inputs
//! still apply, so every deviation in the case is reported. An adapter that cannot be
//! talked to gives `error`; one without a call, or speaking too old a protocol for the
//! case, gives `unimplemented`. A case is `passed` only when every step was judged.

use crate::adapter::{Adapter, Started, StepReply};
use crate::case::{Action, Case, CaseFile, Expected, Housekeeping, Step};
use crate::verdict::align::{align, flatten, Alignment, Context, Gap};
use crate::verdict::deletions::merge_deletions;
use crate::verdict::ids::Bindings;
use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Observation, Output, Reply, RequestKind, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;
use serde::Serialize;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// The verdict on one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every step was judged and nothing broke.
    Passed,
    /// A monitor fired, or the expectations differ.
    Failed,
    /// The adapter could not be talked to.
    Error,
    /// The adapter does not implement something the case needs.
    Unimplemented,
    /// The adapter's expectations file disables the case.
    Disabled,
}

impl Status {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Unimplemented => "unimplemented",
            Status::Disabled => "disabled",
        }
    }
}

/// A step whose observations differ from the case's expectations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The step's index in the case.
    pub step: usize,
    /// What differs, one gap per line.
    pub message: String,
}

/// The result of one case on one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The id reported: the case id, or `<case id>@<profile>` for multi-profile cases.
    pub id: String,
    /// The case id.
    pub case: String,
    /// The profile it ran on.
    pub profile: ProfileId,
    /// The requirement ids the case checks.
    pub requirements: Vec<String>,
    /// The verdict.
    pub status: Status,
    /// The index in `steps` of the first step that decided a non-pass (None: at start).
    pub step: Option<usize>,
    /// What happened, for anything but a pass.
    pub message: Option<String>,
    /// For a failure: the case as it was observed, up to the last failing step, as a case
    /// file.
    pub trace: Option<String>,
    /// The requirements the oracle saw broken, in step order.
    pub violations: Vec<Violation>,
    /// The steps whose observations differ from the case's expectations.
    pub differences: Vec<Difference>,
    /// Wall time.
    pub duration: Duration,
    /// For a random run: the transitions its inputs took on the reference.
    pub coverage: Option<crate::coverage::Tally>,
}

impl CaseResult {
    /// A result that did not run the adapter (disabled, or a failed handshake).
    pub fn without_run(case: &Case, profile: ProfileId, status: Status, message: String) -> Self {
        CaseResult {
            id: case.report_id(profile),
            case: case.id().to_owned(),
            profile,
            requirements: case.file.requirements.clone(),
            status,
            step: None,
            message: Some(message),
            trace: None,
            violations: Vec::new(),
            differences: Vec::new(),
            duration: Duration::ZERO,
            coverage: None,
        }
    }

    /// The requirements violated, each once, in the order first seen.
    pub fn violated(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = Vec::new();
        for v in &self.violations {
            if !ids.contains(&v.requirement) {
                ids.push(v.requirement);
            }
        }
        ids
    }
}

fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Where in a case something happened, for messages.
fn locate(case: &Case, profile: ProfileId, index: usize, step: &Step) -> String {
    format!("case {} on {profile}, step {index} ({})", case.id(), step.describe())
}

/// One case being run.
struct Run<'a> {
    case: &'a Case,
    profile: ProfileId,
    oracle: Oracle,
    ids: Bindings,
    now: UnixMillis,
    violations: Vec<Violation>,
    differences: Vec<Difference>,
    /// Each step as observed, with the index of the case step it belongs to (automatic
    /// answers belong to the step that sent their request). Written as a case only when
    /// the case fails, so a passing case pays for no formatting.
    observed: Vec<(usize, Action, Vec<Observation>)>,
    last_failing: Option<usize>,
    /// Every request id the SDK reported sending (a late answer to one still applies).
    sent: std::collections::BTreeSet<u64>,
}

/// The requests of `seen` the SDK sent on its own (not carrying tracked events).
fn own_requests(seen: &[Observation]) -> Vec<u64> {
    seen.iter()
        .filter_map(|o| match o.output {
            Output::RequestSent { request, kind, .. } if !kind.is_events() => Some(request),
            _ => None,
        })
        .collect()
}

/// Runs `case` on `profile` against `adapter`, which speaks wire protocol `protocol` (an
/// in-process adapter speaks the newest).
pub fn run_case(adapter: &mut dyn Adapter, case: &Case, profile: ProfileId, protocol: u64) -> CaseResult {
    let began = Instant::now();
    let mut result = CaseResult::without_run(case, profile, Status::Passed, String::new());
    result.message = None;
    let finish = |mut r: CaseResult, status: Status, step: Option<usize>, message: String| {
        r.status = status;
        r.step = step;
        r.message = Some(message);
        r.duration = began.elapsed();
        r
    };
    if case.min_protocol() > protocol {
        let message = format!(
            "case {} on {profile}: needs wire protocol {}; the adapter speaks {protocol}",
            case.id(),
            case.min_protocol()
        );
        return finish(result, Status::Unimplemented, None, message);
    }
    match adapter.start(case.id(), profile, case.file.start) {
        Ok(Started::Ready) => {}
        Ok(Started::Unsupported(reason)) => {
            let message = format!("case {} on {profile}: adapter does not support it: {reason}", case.id());
            return finish(result, Status::Unimplemented, None, message);
        }
        Err(e) => {
            return finish(
                result,
                Status::Error,
                None,
                format!("case {} on {profile}, at start: {e}", case.id()),
            )
        }
    }
    let mut run = Run {
        case,
        profile,
        oracle: Oracle::sharing(profile.shared(), case.file.start),
        ids: Bindings::default(),
        now: case.file.start,
        violations: Vec::new(),
        differences: Vec::new(),
        observed: Vec::new(),
        last_failing: None,
        sent: std::collections::BTreeSet::new(),
    };
    for (index, step) in case.file.steps.iter().enumerate() {
        match run.step(adapter, index, step) {
            Ok(Flow::Next) => {}
            Ok(Flow::Stop(why)) => {
                run.differences.push(Difference { step: index, message: why });
                run.last_failing = Some(index);
                break;
            }
            Err(Halt::Unimplemented(reason)) => {
                let at = locate(case, profile, index, step);
                let message = format!("{at}: adapter answered unimplemented: {reason}");
                return finish(result, Status::Unimplemented, Some(index), message);
            }
            Err(Halt::Error(message)) => {
                let at = locate(case, profile, index, step);
                return finish(result, Status::Error, Some(index), format!("{at}: {message}"));
            }
        }
    }
    run.into_result(result, began)
}

/// What the runner does after a step.
enum Flow {
    /// Go on.
    Next,
    /// The case's remaining inputs no longer apply (a `respond` to a request the SDK never
    /// sent): stop here, saying why.
    Stop(String),
}

/// Why a case ended early without a verdict on the SDK.
enum Halt {
    Unimplemented(String),
    Error(String),
}

impl Run<'_> {
    fn step(&mut self, adapter: &mut dyn Adapter, index: usize, step: &Step) -> Result<Flow, Halt> {
        let Some((act, input)) = self.act_for(step)? else {
            return Ok(Flow::Stop(format!(
                "step {index} ({}): the case's inputs no longer apply: it answers a request the SDK never sent",
                step.describe()
            )));
        };
        let seen = match &input {
            None => adapter.advance(match step.action {
                Action::Advance(ms) => ms,
                _ => 0,
            }),
            Some(input) => adapter.input(input),
        };
        let seen = match seen {
            Ok(StepReply::Done(seen)) => seen,
            Ok(StepReply::Unimplemented(reason)) => return Err(Halt::Unimplemented(reason)),
            Err(e) => return Err(Halt::Error(e.to_string())),
        };
        self.check_stamps(&act, &seen)?;
        let judged = self.oracle.judge(index, &act, &seen);
        self.note_violations(judged.violations, index);
        self.compare(index, step, &seen, &judged.own_preflights);
        let own = own_requests(&seen);
        self.record(index, &step.action, input.as_ref(), seen);
        self.now = act.end();
        self.answer_housekeeping(adapter, index, own)?;
        Ok(Flow::Next)
    }

    /// The oracle's act and the input to send; `None` when a `respond` answers a request
    /// the SDK never sent.
    #[allow(clippy::type_complexity)]
    fn act_for(&self, step: &Step) -> Result<Option<(Act, Option<Input>)>, Halt> {
        let at = self.now;
        Ok(Some(match &step.action {
            Action::Advance(ms) => (Act::Advance { from: at, to: at.saturating_add(*ms) }, None),
            _ => {
                let Some(input) = step.input(&self.case.tokens) else { return Ok(None) };
                let Some(input) = self.translate(input) else { return Ok(None) };
                (Act::Input { at, input: input.clone() }, Some(input))
            }
        }))
    }

    /// The case's request and ask numbers in the SDK's numbering.
    fn translate(&self, input: Input) -> Option<Input> {
        match input {
            Input::Respond { request, reply, body } => {
                let actual = self.ids.request_of(request);
                if !self.sent.contains(&actual) {
                    return None;
                }
                Some(Input::Respond { request: actual, reply, body })
            }
            Input::App(AppCall::ProvideToken { ask, token }) => {
                Some(Input::App(AppCall::ProvideToken { ask: self.ids.ask_of(ask), token }))
            }
            other => Some(other),
        }
    }

    /// Observations belong to their step: stamped inside it, in order. Anything else is
    /// the adapter's clock gone wrong, not the SDK's behaviour.
    fn check_stamps(&self, act: &Act, seen: &[Observation]) -> Result<(), Halt> {
        let (from, to) = (act.at(), act.end());
        let mut last = from;
        for o in seen {
            if o.at < last || o.at > to {
                return Err(Halt::Error(format!(
                    "adapter reported {} stamped {} ms after start, outside this step's interval [{}, {}] or before the observation it follows",
                    o.output.name(),
                    i128::from(o.at) - i128::from(self.case.file.start),
                    from - self.case.file.start,
                    to - self.case.file.start
                )));
            }
            last = o.at;
        }
        Ok(())
    }

    fn note_violations(&mut self, found: Vec<Violation>, index: usize) {
        if found.is_empty() {
            return;
        }
        self.last_failing = Some(index);
        for mut v in found {
            v.message = self.name_tokens(&v.message);
            self.violations.push(v);
        }
    }

    /// The oracle quotes tokens whole; reports use the case's names for them.
    fn name_tokens(&self, message: &str) -> String {
        let mut out = message.to_owned();
        for name in self.case.tokens.names() {
            if let Some(raw) = self.case.tokens.raw(name) {
                out = out.replace(&format!("token {raw}"), &format!("token {name}"));
            }
        }
        out
    }

    /// The case's expectations against the observations, leaving out requests the SDK
    /// sends on its own and their pre-flight notifications (`own_preflights`, indices in
    /// `seen`) unless the step expects a request of such a kind, with the deletions of
    /// each rule merged (their grouping is not normative).
    fn compare(&mut self, index: usize, step: &Step, seen: &[Observation], own_preflights: &[usize]) {
        let expected_kinds: Vec<RequestKind> =
            step.expected().filter_map(|e| e.output.request_kind()).collect();
        let expects_own = expected_kinds.iter().any(|k| !k.is_events());
        let compared_here = |i: usize, o: &Observation| match &o.output {
            Output::RequestSent { kind, .. } => kind.is_events() || expected_kinds.contains(kind),
            _ => expects_own || !own_preflights.contains(&i),
        };
        let kept: Cow<'_, [Observation]> = if seen.iter().enumerate().all(|(i, o)| compared_here(i, o)) {
            Cow::Borrowed(seen)
        } else {
            seen.iter().enumerate().filter(|(i, o)| compared_here(*i, o)).map(|(_, o)| o.clone()).collect()
        };
        let compared = merge_deletions(&kept);
        let ctx = Context { start: self.case.file.start, tokens: &self.case.tokens, ids: &self.ids };
        let flat = flatten(&step.expect, &compared, &ctx);
        let alignment = align(&flat, &compared, step.matching, &ctx);
        self.bind(&flat, &compared, &alignment);
        if !alignment.gaps.is_empty() {
            let at = locate(self.case, self.profile, index, step);
            let lines: Vec<String> = alignment.gaps.iter().map(|g| self.describe_gap(g)).collect();
            self.differences
                .push(Difference { step: index, message: format!("{at}:\n    {}", lines.join("\n    ")) });
            self.last_failing = Some(index);
        }
    }

    /// Binds the case's request and ask numbers from the aligned pairs.
    fn bind(&mut self, flat: &[Expected], compared: &[Observation], alignment: &Alignment) {
        use crate::case::ExpectedOutput;
        for &(e, o) in &alignment.pairs {
            match (&flat[e].output, &compared[o].output) {
                (
                    ExpectedOutput::RequestSent { request: Some(case), .. },
                    Output::RequestSent { request, .. },
                ) => self.ids.bind_request(*case, *request),
                (
                    ExpectedOutput::TokenRequested { ask: Some(case), .. },
                    Output::TokenRequested { ask, .. },
                ) => self.ids.bind_ask(*case, *ask),
                _ => {}
            }
        }
    }

    fn describe_gap(&self, gap: &Gap) -> String {
        let start = self.case.file.start;
        let tokens = &self.case.tokens;
        let written = |o: &Observation| one_line(&Expected::from_observation(o, start, tokens));
        match gap {
            Gap::Missing(e) => format!("missing {}", one_line(e)),
            Gap::Unexpected(o) => format!("unexpected {}", written(o)),
            Gap::Differs { expected, observed, fields } => {
                let each: Vec<String> = fields
                    .iter()
                    .map(|(f, e, a)| format!("field {f} differs: expected {e}, got {a}"))
                    .collect();
                format!("{} {}: {}", observed.output.name(), written(observed), each.join("; "))
                    + &format!(" (expected {})", one_line(expected))
            }
        }
    }

    fn record(&mut self, index: usize, written: &Action, input: Option<&Input>, seen: Vec<Observation>) {
        for o in &seen {
            if let Output::RequestSent { request, .. } = o.output {
                self.sent.insert(request);
            }
        }
        // The trace speaks the SDK's numbering: a respond step answers the SDK's id.
        let action = match (input, written) {
            (Some(Input::Respond { request, reply, body }), Action::Respond { .. }) => {
                Action::Respond { request: *request, reply: *reply, body: body.clone() }
            }
            _ => written.clone(),
        };
        self.observed.push((index, action, seen));
    }

    /// QUEUE-008: requests the SDK sent on its own in this step are answered 200 at once,
    /// unless the case answers them itself; the oracle judges what follows.
    fn answer_housekeeping(
        &mut self,
        adapter: &mut dyn Adapter,
        index: usize,
        own: Vec<u64>,
    ) -> Result<(), Halt> {
        if self.case.file.housekeeping == Housekeeping::Manual {
            return Ok(());
        }
        for request in own {
            let input = Input::respond(request, Reply::OK);
            let seen = match adapter.input(&input) {
                Ok(StepReply::Done(seen)) => seen,
                Ok(StepReply::Unimplemented(reason)) => return Err(Halt::Unimplemented(reason)),
                Err(e) => return Err(Halt::Error(format!("answering housekeeping request {request}: {e}"))),
            };
            let act = Act::Input { at: self.now, input: input.clone() };
            self.check_stamps(&act, &seen)?;
            let found = self.oracle.step(index, &act, &seen);
            self.note_violations(found, index);
            let answer = Action::Respond { request, reply: Reply::OK, body: None };
            self.record(index, &answer, Some(&input), seen);
        }
        Ok(())
    }

    fn into_result(self, mut result: CaseResult, began: Instant) -> CaseResult {
        result.duration = began.elapsed();
        if self.violations.is_empty() && self.differences.is_empty() {
            return result;
        }
        result.status = Status::Failed;
        result.step =
            self.violations.iter().map(|v| v.step).chain(self.differences.iter().map(|d| d.step)).min();
        result.message = Some(self.summary());
        result.trace = Some(self.trace());
        result.violations = self.violations;
        result.differences = self.differences;
        result
    }

    fn summary(&self) -> String {
        let mut lines = Vec::new();
        for v in &self.violations {
            let step = &self.case.file.steps[v.step];
            lines.push(format!(
                "violated {} at {}: {}",
                v.requirement,
                locate(self.case, self.profile, v.step, step),
                v.message
            ));
        }
        if !self.differences.is_empty() {
            let checked = self.case.file.requirements.join(", ");
            let note = if self.violations.is_empty() {
                format!("differs from the case's expectation (checked by this case: {checked})")
            } else {
                "also differs from the case's expectation".to_owned()
            };
            lines.push(note);
            for d in &self.differences {
                lines.push(format!("  {}", d.message));
            }
        }
        if self.ids.renumbered() {
            lines.push(
                "note: the SDK numbers its requests differently; the trace uses its numbering".to_owned(),
            );
        }
        lines.join("\n")
    }

    fn trace(&self) -> String {
        let upto = self.last_failing.unwrap_or(usize::MAX);
        let start = self.case.file.start;
        let steps = self
            .observed
            .iter()
            .filter(|(i, _, _)| *i <= upto)
            .map(|(_, action, seen)| {
                let expect =
                    seen.iter().map(|o| Expected::from_observation(o, start, &self.case.tokens)).collect();
                Step::exact(action.clone(), expect)
            })
            .collect();
        let file = CaseFile {
            id: format!("{}-observed", self.case.id()),
            description: format!(
                "What the adapter did on {} up to the last failing step of {}.",
                self.profile,
                self.case.id()
            ),
            profiles: vec![self.profile],
            requirements: self.case.file.requirements.clone(),
            clauses: Vec::new(),
            start: self.case.file.start,
            tokens: self.case.file.tokens.clone(),
            housekeeping: Housekeeping::Manual,
            steps,
        };
        crate::case::write_pretty(&file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::{AdapterError, Hello};
    use crate::case::parse_case;
    use jwt_lifecycle_spec::alphabet::{CustomerIds, Reason};
    use std::collections::VecDeque;
    use std::path::Path;

    /// Answers each step with the next scripted reply.
    struct Scripted {
        replies: VecDeque<Result<StepReply, AdapterError>>,
        inputs: Vec<String>,
    }

    impl Adapter for Scripted {
        fn hello(&mut self) -> Result<Hello, AdapterError> {
            Ok(Hello {
                adapter: "scripted".into(),
                version: "0".into(),
                profiles: ProfileId::ALL.to_vec(),
                protocol: 2,
            })
        }
        fn start(&mut self, _: &str, _: ProfileId, _: UnixMillis) -> Result<Started, AdapterError> {
            Ok(Started::Ready)
        }
        fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
            self.inputs.push(serde_json::to_string(input).unwrap());
            self.replies.pop_front().unwrap_or(Ok(StepReply::Done(vec![])))
        }
        fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
            self.inputs.push(format!("advance {ms}"));
            self.replies.pop_front().unwrap_or(Ok(StepReply::Done(vec![])))
        }
    }

    const CASE: &str = r#"{
      "id": "exponea-stream/t", "description": "d", "profiles": ["exponea-stream"],
      "requirements": ["REFR-001"], "tokens": {"A": {"exp_in": 300}},
      "steps": [
        {"call": "configure"},
        {"call": "register_handler"},
        {"call": "set_token", "token": "A"},
        {"advance": 250000, "expect": [{"at": 240000, "tolerance_ms": 2000, "output": "handler_called", "reason": "expired_soon"}]}
      ]
    }"#;

    fn handler_at(ms: u64) -> Observation {
        Observation {
            at: crate::case::DEFAULT_START + ms,
            output: Output::HandlerCalled {
                reason: Reason::ExpiredSoon,
                customer_ids: CustomerIds::anonymous(),
                code: None,
            },
        }
    }

    fn quiet() -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(vec![]))
    }

    fn run_with(replies: Vec<Result<StepReply, AdapterError>>) -> (CaseResult, Vec<String>) {
        let case = parse_case(CASE, Path::new("t.json")).unwrap();
        let mut adapter = Scripted { replies: replies.into(), inputs: vec![] };
        (run_case(&mut adapter, &case, ProfileId::ExponeaStream, 2), adapter.inputs)
    }

    #[test]
    fn tokens_are_sent_minted_and_a_timer_within_tolerance_passes() {
        let (result, inputs) =
            run_with(vec![quiet(), quiet(), quiet(), Ok(StepReply::Done(vec![handler_at(238_500)]))]);
        assert_eq!(result.status, Status::Passed, "{:?}", result.message);
        assert!(inputs[2].contains("\"token\":\"eyJ"), "{}", inputs[2]);
        assert_eq!(inputs[3], "advance 250000");
    }

    #[test]
    fn a_timer_outside_tolerance_names_the_rule_and_leaves_a_trace() {
        let (result, _) =
            run_with(vec![quiet(), quiet(), quiet(), Ok(StepReply::Done(vec![handler_at(230_000)]))]);
        assert_eq!(result.status, Status::Failed);
        assert_eq!(result.step, Some(3));
        assert_eq!(result.violated(), ["REFR-001"], "{:?}", result.violations);
        let message = result.message.as_deref().unwrap();
        assert!(message.contains("240000 ± 2000 ms after start, got 230000"), "{message}");
        let trace = parse_case(result.trace.as_deref().unwrap(), Path::new("trace.json")).unwrap();
        assert_eq!(trace.file.steps.len(), 4);
        assert_eq!(trace.file.steps[3].expect[0].members()[0].at, Some(230_000));
    }

    #[test]
    fn an_extra_observation_is_unexpected_and_a_missing_one_is_missing() {
        let (result, _) = run_with(vec![Ok(StepReply::Done(vec![handler_at(0)]))]);
        assert_eq!(result.status, Status::Failed);
        let message = result.message.as_deref().unwrap();
        assert!(message.contains("step 0 (configure)") && message.contains("unexpected {"), "{message}");
        assert!(result.violated().contains(&"NOTIFY-002"), "no handler is registered yet: {message}");
        let (result, _) = run_with(vec![quiet(), quiet(), quiet(), quiet()]);
        let message = result.message.as_deref().unwrap();
        assert!(message.contains("missing {\"at\":240000"), "{message}");
        assert_eq!(result.violated(), ["REFR-001"], "{message}");
    }

    #[test]
    fn every_deviation_in_a_case_is_reported_not_only_the_first() {
        let (result, _) = run_with(vec![Ok(StepReply::Done(vec![handler_at(0)])), quiet(), quiet(), quiet()]);
        assert_eq!(result.differences.len(), 2, "{:?}", result.differences);
        assert_eq!(result.differences.iter().map(|d| d.step).collect::<Vec<_>>(), [0, 3]);
    }

    #[test]
    fn unimplemented_and_errors_are_never_passes() {
        let (result, _) = run_with(vec![Ok(StepReply::Unimplemented("no tokens here".into()))]);
        assert_eq!((result.status, result.step), (Status::Unimplemented, Some(0)));
        let (result, _) = run_with(vec![quiet(), Err(AdapterError::Reported { message: "boom".into() })]);
        assert_eq!((result.status, result.step), (Status::Error, Some(1)));
        let message = result.message.unwrap();
        assert!(
            message.contains("case exponea-stream/t on exponea-stream, step 1 (register_handler)")
                && message.contains("boom"),
            "{message}"
        );
    }

    #[test]
    fn a_stamp_outside_the_step_is_the_adapters_fault() {
        let (result, _) =
            run_with(vec![quiet(), quiet(), quiet(), Ok(StepReply::Done(vec![handler_at(300_000)]))]);
        assert_eq!(result.status, Status::Error, "{:?}", result.message);
        assert!(result.message.unwrap().contains("outside this step's interval"));
    }

    #[test]
    fn a_version_2_case_is_unimplemented_for_a_version_1_adapter() {
        let text = CASE.replace(r#"{"call": "register_handler"},"#, r#"{"restart": true},"#);
        let case = parse_case(&text, Path::new("t.json")).unwrap();
        let mut adapter = Scripted { replies: VecDeque::new(), inputs: vec![] };
        let result = run_case(&mut adapter, &case, ProfileId::ExponeaStream, 1);
        assert_eq!(result.status, Status::Unimplemented);
        assert!(result.message.unwrap().contains("needs wire protocol 2"));
        assert!(adapter.inputs.is_empty(), "nothing was sent");
    }
}
