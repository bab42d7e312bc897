//! Running one case against an adapter and judging it.
//!
//! A step passes when the adapter reports exactly the expected observations, in order
//! (docs/formats.md §1). The first step that does not is the verdict: `failed` with what was
//! expected, what was seen and the trace up to there; an adapter that cannot be talked
//! to gives `error`; an adapter without the call gives `unimplemented`. A case is
//! `passed` only when every step was observed to match.

use crate::adapter::{Adapter, AdapterError, Started, StepReply};
use crate::case::{Action, Case, CaseFile, Expected, Step};
use jwt_lifecycle_spec::alphabet::Observation;
use jwt_lifecycle_spec::profile::ProfileId;
use serde::Serialize;
use std::time::{Duration, Instant};

/// The verdict on one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every step matched.
    Passed,
    /// A step produced something other than expected.
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

/// The result of one case on one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The id reported: the case id, or `<case id>@<profile>` for multi-profile cases.
    pub id: String,
    /// The case id.
    pub case: String,
    /// The profile it ran on.
    pub profile: ProfileId,
    /// The requirement ids the case tests.
    pub requirements: Vec<String>,
    /// The verdict.
    pub status: Status,
    /// The index in `steps` of the step that decided a non-pass (None: at start).
    pub step: Option<usize>,
    /// What happened, for anything but a pass.
    pub message: Option<String>,
    /// For a failure: the case as it was observed up to the failing step, as a case file.
    pub trace: Option<String>,
    /// Wall time.
    pub duration: Duration,
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
            duration: Duration::ZERO,
        }
    }
}

fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Where in a case something happened, for messages.
fn locate(case: &Case, profile: ProfileId, index: usize, step: &Step) -> String {
    format!("case {} on {profile}, step {index} ({})", case.id(), step.describe())
}

/// The first difference between expected and observed, if any.
pub fn compare(expect: &[Expected], seen: &[Observation], case: &Case) -> Option<String> {
    let start = case.file.start;
    for (i, (e, o)) in expect.iter().zip(seen).enumerate() {
        if let Some(why) = e.mismatch(o, start, &case.tokens) {
            return Some(format!("observation {i}: {why}"));
        }
    }
    if expect.len() != seen.len() {
        let n = expect.len().min(seen.len());
        return Some(if seen.len() > expect.len() {
            format!(
                "expected {} observations, got {}; first extra: {}",
                expect.len(),
                seen.len(),
                one_line(&Expected::from_observation(&seen[n], start, &case.tokens))
            )
        } else {
            format!(
                "expected {} observations, got {}; first missing: {}",
                expect.len(),
                seen.len(),
                one_line(&expect[n])
            )
        });
    }
    None
}

/// Runs `case` on `profile` against `adapter`.
pub fn run_case(adapter: &mut dyn Adapter, case: &Case, profile: ProfileId) -> CaseResult {
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
    match adapter.start(case.id(), profile, case.file.start) {
        Ok(Started::Ready) => {}
        Ok(Started::Unsupported(reason)) => {
            return finish(
                result,
                Status::Unimplemented,
                None,
                format!("case {} on {profile}: adapter does not support it: {reason}", case.id()),
            )
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
    let mut observed: Vec<Step> = Vec::new();
    for (index, step) in case.file.steps.iter().enumerate() {
        let reply = match (&step.action, step.input(&case.tokens)) {
            (Action::Advance(ms), _) => adapter.advance(*ms),
            (_, Some(input)) => adapter.input(&input),
            (_, None) => Err(AdapterError::Reported { message: "step without input".into() }),
        };
        let seen = match reply {
            Ok(StepReply::Done(seen)) => seen,
            Ok(StepReply::Unimplemented(reason)) => {
                let at = locate(case, profile, index, step);
                return finish(
                    result,
                    Status::Unimplemented,
                    Some(index),
                    format!("{at}: adapter answered unimplemented: {reason}"),
                );
            }
            Err(e) => {
                let at = locate(case, profile, index, step);
                return finish(result, Status::Error, Some(index), format!("{at}: {e}"));
            }
        };
        observed.push(Step::exact(
            step.action.clone(),
            seen.iter().map(|o| Expected::from_observation(o, case.file.start, &case.tokens)).collect(),
        ));
        let expect: Vec<Expected> = step.expected().cloned().collect();
        if let Some(why) = compare(&expect, &seen, case) {
            let at = locate(case, profile, index, step);
            let expected = one_line(&step.expect);
            let actual = one_line(&observed[index].expect);
            let message = format!("{at}: {why}\n  expected: {expected}\n  actual:   {actual}");
            let trace = CaseFile {
                id: format!("{}-observed", case.id()),
                description: format!(
                    "What the adapter did on {profile} up to the failing step of {}.",
                    case.id()
                ),
                profiles: vec![profile],
                requirements: case.file.requirements.clone(),
                start: case.file.start,
                tokens: case.file.tokens.clone(),
                steps: observed,
            };
            let mut failed = finish(result, Status::Failed, Some(index), message);
            failed.trace = Some(crate::case::write_pretty(&trace));
            return failed;
        }
    }
    result.duration = began.elapsed();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::Hello;
    use crate::case::parse_case;
    use jwt_lifecycle_spec::alphabet::{CustomerIds, Input, Output, Reason, UnixMillis};
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
                protocol: crate::adapter::PROTOCOL_VERSION,
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

    fn run_with(replies: Vec<Result<StepReply, AdapterError>>) -> (CaseResult, Vec<String>) {
        let case = parse_case(CASE, Path::new("t.json")).unwrap();
        let mut adapter = Scripted { replies: replies.into(), inputs: vec![] };
        (run_case(&mut adapter, &case, ProfileId::ExponeaStream), adapter.inputs)
    }

    #[test]
    fn tokens_are_sent_minted_and_a_timer_within_tolerance_passes() {
        let (result, inputs) =
            run_with(vec![Ok(StepReply::Done(vec![])), Ok(StepReply::Done(vec![handler_at(238_500)]))]);
        assert_eq!(result.status, Status::Passed, "{:?}", result.message);
        assert!(inputs[0].contains("\"token\":\"eyJ"), "{}", inputs[0]);
        assert_eq!(inputs[1], "advance 250000");
    }

    #[test]
    fn a_timer_outside_tolerance_fails_at_its_step_with_a_trace() {
        let (result, _) =
            run_with(vec![Ok(StepReply::Done(vec![])), Ok(StepReply::Done(vec![handler_at(230_000)]))]);
        assert_eq!(result.status, Status::Failed);
        assert_eq!(result.step, Some(1));
        assert!(result.message.as_deref().unwrap().contains("240000 ± 2000 ms after start, got 230000"));
        let trace = parse_case(result.trace.as_deref().unwrap(), Path::new("trace.json")).unwrap();
        assert_eq!(trace.file.steps.len(), 2);
        assert_eq!(trace.file.steps[1].expect[0].members()[0].at, Some(230_000));
    }

    #[test]
    fn an_extra_observation_fails_nothing_more_nothing_less() {
        let (result, _) = run_with(vec![Ok(StepReply::Done(vec![handler_at(0)]))]);
        assert_eq!(result.status, Status::Failed);
        assert_eq!(result.step, Some(0));
        assert!(result.message.as_deref().unwrap().contains("expected 0 observations, got 1"));
        let (result, _) = run_with(vec![
            Ok(StepReply::Done(vec![])),
            Ok(StepReply::Done(vec![handler_at(240_000), handler_at(240_000)])),
        ]);
        assert_eq!(result.status, Status::Failed);
        assert!(result.message.as_deref().unwrap().contains("expected 1 observations, got 2"));
    }

    #[test]
    fn unimplemented_and_errors_are_never_passes() {
        let (result, _) = run_with(vec![Ok(StepReply::Unimplemented("no tokens here".into()))]);
        assert_eq!((result.status, result.step), (Status::Unimplemented, Some(0)));
        let (result, _) = run_with(vec![
            Ok(StepReply::Done(vec![])),
            Err(AdapterError::Reported { message: "boom".into() }),
        ]);
        assert_eq!((result.status, result.step), (Status::Error, Some(1)));
        let message = result.message.unwrap();
        assert!(
            message.contains("case exponea-stream/t on exponea-stream, step 1 (advance 250000)")
                && message.contains("boom"),
            "{message}"
        );
    }
}
