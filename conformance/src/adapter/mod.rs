//! The SDK under test, seen through one interface.
//!
//! [`Adapter`] is what the runner drives. Three implementations:
//! - [`reference::ReferenceAdapter`]: the model;
//! - [`process::ProcessAdapter`]: any program speaking the wire protocol on stdio
//!   (docs/formats.md §2), restarted after it crashes, hangs or talks nonsense;
//! - anything a Rust SDK implements itself.
//!
//! [`wire`] holds the protocol's messages and [`wire::serve`], which puts any in-process
//! adapter on stdio (that is what `jwt-lifecycle reference-adapter` runs).

pub mod command;
pub mod process;
pub mod reference;
pub mod wire;

use jwt_lifecycle_spec::alphabet::{Input, Observation, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;

/// The newest wire protocol version this suite speaks (docs/adapter-protocol.md).
pub const PROTOCOL_VERSION: u64 = 2;
/// The oldest wire protocol version this suite still speaks: a version-1 adapter runs
/// every case that needs no version-2 input.
pub const MIN_PROTOCOL_VERSION: u64 = 1;

/// What an adapter says about itself in the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The adapter's name.
    pub adapter: String,
    /// The adapter's (or its SDK's) version.
    pub version: String,
    /// The profiles it can run.
    pub profiles: Vec<ProfileId>,
    /// The protocol version the conversation uses: for a process adapter the version
    /// negotiated in the handshake, for an in-process one the newest it implements.
    /// Cases needing a newer version cannot be run on it.
    pub protocol: u64,
}

/// The answer to starting a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// A fresh SDK is ready on the virtual clock.
    Ready,
    /// The adapter cannot run this case (reported `unimplemented`).
    Unsupported(String),
}

/// The answer to one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepReply {
    /// Everything the SDK did because of the step, in order.
    Done(Vec<Observation>),
    /// The SDK has no such call (reported `unimplemented`, never passed).
    Unimplemented(String),
}

/// Something went wrong talking to the adapter. The case is reported `error` with this
/// message; a process adapter is restarted for the next case.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdapterError {
    /// The adapter program could not be started.
    #[error("cannot start adapter `{command}`: {message}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        message: String,
    },
    /// The adapter exited (or closed its stdout) while the suite waited for a reply.
    #[error("adapter exited ({status}) while the suite waited for {waiting_for}{}", stderr_tail(.stderr))]
    Exited {
        /// The exit status, as far as known.
        status: String,
        /// The reply the suite waited for.
        waiting_for: &'static str,
        /// The last lines the adapter wrote to stderr.
        stderr: Vec<String>,
    },
    /// No reply within the per-step timeout; the adapter was killed.
    #[error("no reply within {ms} ms while waiting for {waiting_for}; adapter killed (if it did answer, it must flush stdout after each line){}", stderr_tail(.stderr))]
    Timeout {
        /// The timeout.
        ms: u64,
        /// The reply the suite waited for.
        waiting_for: &'static str,
        /// The last lines the adapter wrote to stderr.
        stderr: Vec<String>,
    },
    /// A line on stdout that is not a protocol message.
    #[error("adapter wrote a line that is not a protocol message ({reason}): {line:?}")]
    Garbage {
        /// The line (truncated).
        line: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A well-formed message of the wrong type.
    #[error("expected {expected}, adapter answered: {line}")]
    Unexpected {
        /// What the suite waited for.
        expected: &'static str,
        /// The line received (truncated).
        line: String,
    },
    /// The adapter speaks another protocol version; the suite stops using it.
    #[error(
        "adapter speaks protocol {got}, this suite speaks protocols {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}; not using it"
    )]
    ProtocolVersion {
        /// The version the adapter announced.
        got: String,
    },
    /// The handshake names a profile this suite does not know; the suite stops using it.
    #[error("adapter announces profile `{name}`, which this suite does not know (known: {}); not using it", ProfileId::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))]
    UnknownProfile {
        /// The name announced.
        name: String,
    },
    /// More lines than messages: a second reply to one message, or output nobody asked
    /// for. The adapter is stopped: its replies no longer pair with the suite's messages.
    #[error("adapter wrote an extra line {after} (one reply per message): {line}")]
    ExtraReply {
        /// What the extra line followed ("after its reply to step 1 of case X").
        after: String,
        /// The extra line (truncated).
        line: String,
    },
    /// The adapter's stdout ended in the middle of a line.
    #[error("adapter exited ({status}) after writing an unterminated line (no newline): {line}{}", stderr_tail(.stderr))]
    Unterminated {
        /// The exit status.
        status: String,
        /// The unterminated line (truncated).
        line: String,
        /// The last lines the adapter wrote to stderr.
        stderr: Vec<String>,
    },
    /// The adapter answered `{"type":"error"}`.
    #[error("adapter reported an error: {message}")]
    Reported {
        /// Its message.
        message: String,
    },
    /// Writing to the adapter failed.
    #[error("cannot write to the adapter: {message}{}", stderr_tail(.stderr))]
    Write {
        /// Why.
        message: String,
        /// The last lines the adapter wrote to stderr.
        stderr: Vec<String>,
    },
}

fn stderr_tail(lines: &[String]) -> String {
    if lines.is_empty() {
        String::new()
    } else {
        format!("; last stderr lines:\n    {}", lines.join("\n    "))
    }
}

/// An SDK under test.
///
/// The runner calls [`Adapter::hello`] once, then for each case [`Adapter::start`]
/// followed by one [`Adapter::input`] or [`Adapter::advance`] per step, and
/// [`Adapter::finish`] at the end of the run.
pub trait Adapter {
    /// The handshake: who the adapter is and which profiles it runs.
    fn hello(&mut self) -> Result<Hello, AdapterError>;

    /// Resets to a brand-new SDK following `profile` on a virtual clock set to `clock`,
    /// with the request counter back to 1.
    fn start(&mut self, case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError>;

    /// Applies an input at the current virtual instant.
    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError>;

    /// Moves the virtual clock forward by `ms`, firing timers at their due instants.
    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError>;

    /// The run is over (a process adapter is told `bye`).
    fn finish(&mut self) {}
}

impl<A: Adapter + ?Sized> Adapter for Box<A> {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        (**self).hello()
    }
    fn start(&mut self, case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        (**self).start(case, profile, clock)
    }
    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        (**self).input(input)
    }
    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        (**self).advance(ms)
    }
    fn finish(&mut self) {
        (**self).finish()
    }
}
