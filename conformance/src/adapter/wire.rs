//! The wire protocol's messages (docs/formats.md §2; versions 1 and 2), and [`serve`], which speaks
//! the adapter's side of it for any in-process [`Adapter`].

use super::{Adapter, AdapterError, Started, StepReply, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
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
        /// The newest protocol version the suite offers.
        protocol: u64,
        /// Every version the suite offers (version 2 on); a version-1 hello has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        protocols: Option<Vec<u64>>,
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
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    // The whole line in one write: a line-buffered stdout then passes it to the pipe in
    // one write(2), and the suite wakes once per reply.
    line.push(b'\n');
    out.write_all(&line)?;
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

/// The longest line [`serve`] reads; the rest of a longer one is skipped unread.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// Reads one line of at most `limit` bytes: `None` at the end of input, `Some(None)` for
/// a longer line (consumed up to its newline without being kept).
fn read_line(input: &mut impl BufRead, limit: usize) -> std::io::Result<Option<Option<String>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(if line.is_empty() && !too_long { None } else { Some(text(line, too_long)) });
        }
        let (piece, done) = match buffer.iter().position(|b| *b == b'\n') {
            Some(i) => (&buffer[..i], i + 1),
            None => (buffer, buffer.len()),
        };
        if !too_long && line.len() + piece.len() <= limit {
            line.extend_from_slice(piece);
        } else {
            too_long = true;
            line = Vec::new();
        }
        let ended = done > piece.len();
        input.consume(done);
        if ended {
            return Ok(Some(text(line, too_long)));
        }
    }
}

fn text(line: Vec<u8>, too_long: bool) -> Option<String> {
    // Valid UTF-8 (every correct message) keeps its buffer; only invalid bytes are copied.
    (!too_long).then(|| {
        String::from_utf8(line).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// The answer to a hello offering `offered`: the newest offered version that both this
/// module and `adapter` speak, or an error saying which versions would do.
fn hello_reply(adapter: &mut dyn Adapter, offered: &[u64]) -> AdapterMessage {
    let hello = match adapter.hello() {
        Ok(hello) => hello,
        Err(e) => return AdapterMessage::Error { message: e.to_string() },
    };
    let newest = hello.protocol.min(PROTOCOL_VERSION);
    let Some(protocol) =
        offered.iter().copied().filter(|v| (MIN_PROTOCOL_VERSION..=newest).contains(v)).max()
    else {
        return AdapterMessage::Error {
            message: format!(
                "this adapter speaks protocols {MIN_PROTOCOL_VERSION} to {newest}, the suite offered {offered:?}"
            ),
        };
    };
    AdapterMessage::Hello {
        protocol,
        adapter: hello.adapter,
        version: hello.version,
        profiles: hello.profiles.iter().map(|p| p.as_str().to_owned()).collect(),
    }
}

/// Speaks the adapter's side of the protocol for `adapter`, one reply per line read,
/// until `bye` or the end of input. A line it cannot read gets an `error` reply.
pub fn serve(
    adapter: &mut dyn Adapter,
    mut input: impl BufRead,
    mut output: impl Write,
) -> Result<(), ServeError> {
    while let Some(line) = read_line(&mut input, MAX_MESSAGE_BYTES)? {
        let Some(line) = line else {
            let message = format!("unreadable message: a line longer than {MAX_MESSAGE_BYTES} bytes");
            reply(&mut output, &AdapterMessage::Error { message })?;
            continue;
        };
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
            SuiteMessage::Hello { protocol, protocols, .. } => {
                hello_reply(adapter, &protocols.unwrap_or_else(|| vec![protocol]))
            }
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
        let hello = SuiteMessage::Hello { protocol: 1, protocols: None, suite: "jwt-lifecycle/0.1.0".into() };
        assert_eq!(
            serde_json::to_value(&hello).unwrap(),
            json!({"type":"hello","protocol":1,"suite":"jwt-lifecycle/0.1.0"})
        );
        let hello = SuiteMessage::Hello { protocol: 2, protocols: Some(vec![1, 2]), suite: "s".into() };
        assert_eq!(
            serde_json::to_value(&hello).unwrap(),
            json!({"type":"hello","protocol":2,"protocols":[1,2],"suite":"s"})
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

    /// The reply lines `serve` writes for `lines` of input, parsed.
    fn served(adapter: &mut dyn Adapter, lines: &[serde_json::Value]) -> Vec<serde_json::Value> {
        let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let mut output = Vec::new();
        serve(adapter, input.as_bytes(), &mut output).unwrap();
        String::from_utf8(output).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn serve_skips_an_overlong_line_without_keeping_it() {
        use crate::adapter::reference::ReferenceAdapter;
        let mut input: Vec<u8> = vec![b'x'; MAX_MESSAGE_BYTES + 10];
        input.extend_from_slice(b"\n{\"type\":\"hello\",\"protocol\":1,\"suite\":\"s\"}\n");
        let mut output = Vec::new();
        serve(&mut ReferenceAdapter::new(), std::io::BufReader::new(&input[..]), &mut output).unwrap();
        let output = String::from_utf8(output).unwrap();
        let replies: Vec<serde_json::Value> =
            output.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(replies[0]["type"], "error");
        assert!(replies[0]["message"].as_str().unwrap().contains("longer than 4194304 bytes"));
        assert_eq!(replies[1]["type"], "hello");
        let mut lines = std::io::BufReader::with_capacity(4, &b"ab\ncdefgh\nij"[..]);
        assert_eq!(read_line(&mut lines, 5).unwrap(), Some(Some("ab".to_owned())));
        assert_eq!(read_line(&mut lines, 5).unwrap(), Some(None));
        assert_eq!(read_line(&mut lines, 5).unwrap(), Some(Some("ij".to_owned())));
        assert_eq!(read_line(&mut lines, 5).unwrap(), None);
    }

    #[test]
    fn serve_answers_the_newest_version_offered_that_it_speaks() {
        use crate::adapter::reference::ReferenceAdapter;
        let mut adapter = ReferenceAdapter::new();
        let replies = served(
            &mut adapter,
            &[
                json!({"type":"hello","protocol":2,"protocols":[1,2],"suite":"s"}),
                json!({"type":"hello","protocol":1,"suite":"s"}),
                json!({"type":"hello","protocol":3,"protocols":[2,3],"suite":"s"}),
                json!({"type":"hello","protocol":9,"protocols":[9],"suite":"s"}),
            ],
        );
        assert_eq!((replies[0]["type"].clone(), replies[0]["protocol"].clone()), (json!("hello"), json!(2)));
        assert_eq!(replies[1]["protocol"], 1);
        assert_eq!(replies[2]["protocol"], 2);
        assert_eq!(replies[3]["type"], "error");
        assert!(
            replies[3]["message"].as_str().unwrap().contains("speaks protocols 1 to 2"),
            "{}",
            replies[3]
        );
    }
}
