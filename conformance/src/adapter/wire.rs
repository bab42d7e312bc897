//! The wire protocol's messages (docs/formats.md §2, version 1), and [`serve`], which speaks
//! the adapter's side of it for any in-process [`Adapter`].

use super::{Adapter, AdapterError, Started, StepReply, PROTOCOL_VERSION};
use jwt_lifecycle_spec::alphabet::{Input, Observation, UnixMillis};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// The suite's name and version, sent in the handshake.
pub const SUITE: &str = concat!("jwt-lifecycle/", env!("CARGO_PKG_VERSION"));

/// A message from the suite to the adapter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SuiteMessage {
    /// The handshake.
    Hello {
        /// The protocol version.
        protocol: u64,
        /// The suite's name and version.
        suite: String,
    },
    /// Begin a case on a brand-new SDK.
    Start {
        /// The case id.
        case: String,
        /// The profile name.
        profile: String,
        /// The virtual clock's start, Unix ms.
        clock: UnixMillis,
    },
    /// Apply an input now.
    Input {
        /// The input.
        input: Input,
    },
    /// Advance the virtual clock.
    Advance {
        /// By this many ms.
        ms: u64,
    },
    /// The run is over.
    Bye,
}

/// A message from the adapter to the suite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AdapterMessage {
    /// The handshake reply.
    Hello {
        /// The protocol version.
        protocol: u64,
        /// The adapter's name.
        adapter: String,
        /// Its version.
        version: String,
        /// The profile names it runs.
        profiles: Vec<String>,
    },
    /// The case is started.
    Ready,
    /// The adapter cannot run the case.
    Unsupported {
        /// Why.
        reason: String,
    },
    /// The step's observations.
    Done {
        /// What the SDK did, in order.
        observations: Vec<Observation>,
    },
    /// The SDK has no such call.
    Unimplemented {
        /// Why.
        reason: String,
    },
    /// The adapter failed.
    Error {
        /// What happened.
        message: String,
    },
}

impl AdapterMessage {
    /// The `type` value.
    pub fn kind(&self) -> &'static str {
        match self {
            AdapterMessage::Hello { .. } => "hello",
            AdapterMessage::Ready => "ready",
            AdapterMessage::Unsupported { .. } => "unsupported",
            AdapterMessage::Done { .. } => "done",
            AdapterMessage::Unimplemented { .. } => "unimplemented",
            AdapterMessage::Error { .. } => "error",
        }
    }
}

/// Why [`serve`] stopped before `bye`.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reading stdin or writing stdout failed.
    #[error("stdio: {0}")]
    Io(#[from] std::io::Error),
}

fn reply(out: &mut impl Write, message: &AdapterMessage) -> Result<(), ServeError> {
    let line = serde_json::to_string(message).map_err(std::io::Error::other)?;
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn step_reply(result: Result<StepReply, AdapterError>) -> AdapterMessage {
    match result {
        Ok(StepReply::Done(observations)) => AdapterMessage::Done { observations },
        Ok(StepReply::Unimplemented(reason)) => AdapterMessage::Unimplemented { reason },
        Err(e) => AdapterMessage::Error { message: e.to_string() },
    }
}

/// Speaks the adapter's side of the protocol for `adapter`, one reply per line read,
/// until `bye` or the end of input. A line it cannot read gets an `error` reply.
pub fn serve(
    adapter: &mut dyn Adapter,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<(), ServeError> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let message = match serde_json::from_str::<SuiteMessage>(&line) {
            Ok(message) => message,
            Err(e) => {
                reply(&mut output, &AdapterMessage::Error { message: format!("unreadable message: {e}") })?;
                continue;
            }
        };
        let answer = match message {
            SuiteMessage::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => AdapterMessage::Error {
                message: format!("this adapter speaks protocol {PROTOCOL_VERSION}, not {protocol}"),
            },
            SuiteMessage::Hello { .. } => match adapter.hello() {
                Ok(hello) => AdapterMessage::Hello {
                    protocol: PROTOCOL_VERSION,
                    adapter: hello.adapter,
                    version: hello.version,
                    profiles: hello.profiles.iter().map(|p| p.as_str().to_owned()).collect(),
                },
                Err(e) => AdapterMessage::Error { message: e.to_string() },
            },
            SuiteMessage::Start { case, profile, clock } => match profile.parse() {
                Err(e) => AdapterMessage::Unsupported { reason: format!("{e}") },
                Ok(profile) => match adapter.start(&case, profile, clock) {
                    Ok(Started::Ready) => AdapterMessage::Ready,
                    Ok(Started::Unsupported(reason)) => AdapterMessage::Unsupported { reason },
                    Err(e) => AdapterMessage::Error { message: e.to_string() },
                },
            },
            SuiteMessage::Input { input } => step_reply(adapter.input(&input)),
            SuiteMessage::Advance { ms } => step_reply(adapter.advance(ms)),
            SuiteMessage::Bye => {
                adapter.finish();
                return Ok(());
            }
        };
        reply(&mut output, &answer)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_have_their_documented_shape() {
        let hello = SuiteMessage::Hello { protocol: 1, suite: "jwt-lifecycle/0.1.0".into() };
        assert_eq!(
            serde_json::to_value(&hello).unwrap(),
            json!({"type":"hello","protocol":1,"suite":"jwt-lifecycle/0.1.0"})
        );
        let start = SuiteMessage::Start { case: "c".into(), profile: "exponea-stream".into(), clock: 5 };
        assert_eq!(
            serde_json::to_value(&start).unwrap(),
            json!({"type":"start","case":"c","profile":"exponea-stream","clock":5})
        );
        let respond = SuiteMessage::Input {
            input: Input::respond(1, jwt_lifecycle_spec::alphabet::Reply::NetworkError),
        };
        assert_eq!(
            serde_json::to_value(&respond).unwrap(),
            json!({"type":"input","input":{"input":"respond","request":1,"reply":"network_error"}})
        );
        assert_eq!(
            serde_json::to_value(SuiteMessage::Advance { ms: 1000 }).unwrap(),
            json!({"type":"advance","ms":1000})
        );
        assert_eq!(serde_json::to_value(SuiteMessage::Bye).unwrap(), json!({"type":"bye"}));
        let ready: AdapterMessage = serde_json::from_str(r#"{"type":"ready"}"#).unwrap();
        assert_eq!(ready, AdapterMessage::Ready);
        let done: AdapterMessage = serde_json::from_str(
            r#"{"type":"done","observations":[{"at":1,"output":"request_sent","request":1,"customer_ids":{},"events":["e1"],"authorization":null,"attempt":1}]}"#,
        )
        .unwrap();
        assert_eq!(done.kind(), "done");
    }
}
