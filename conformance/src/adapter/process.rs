//! An adapter in another process, spoken to in JSON lines over its stdin and stdout.
//!
//! Robustness is the point of this module: whatever the program does (fails to start,
//! exits, hangs, prints nonsense, answers out of turn), each call returns within the
//! step timeout with an [`AdapterError`] that says what was received, the child is
//! killed, and the next case starts a fresh one. A reader thread turns stdout into a
//! channel so every wait has a deadline; stderr goes to a bounded ring buffer that
//! error messages quote.

use super::wire::{AdapterMessage, SuiteMessage, SUITE};
use super::{Adapter, AdapterError, Hello, Started, StepReply, PROTOCOL_VERSION};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The per-step timeout when none is given.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// The least time a program gets to start and answer the handshake: runtimes such as
/// the JVM take seconds to start, and a busy machine slows any start-up, which a short
/// per-step timeout must not punish.
pub const MIN_STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest stdout line accepted; a longer one is garbage.
const MAX_LINE_BYTES: u64 = 4 * 1024 * 1024;
/// How many stderr lines are kept for error messages.
const STDERR_LINES: usize = 12;
/// How much of one stderr line or garbage line is kept.
const MAX_QUOTE_CHARS: usize = 300;

enum ReadEvent {
    Line(String),
    TooLong,
    Eof,
    Failed(String),
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<ReadEvent>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Running {
    fn stderr_lines(&mut self) -> Vec<String> {
        // Give the stderr reader a moment to drain what a dying process wrote last.
        if let Some(handle) = &self.stderr_reader {
            let deadline = Instant::now() + Duration::from_millis(300);
            while !handle.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.stderr.lock().map(|buf| buf.iter().cloned().collect()).unwrap_or_default()
    }

    fn exit_status(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_millis(500);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.to_string(),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return "closed its stdout; killed".to_owned();
                }
                Err(e) => return format!("unknown status: {e}"),
            }
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

fn quote(line: &str) -> String {
    if line.chars().count() > MAX_QUOTE_CHARS {
        let cut: String = line.chars().take(MAX_QUOTE_CHARS).collect();
        format!("{cut}... ({} bytes)", line.len())
    } else {
        line.to_owned()
    }
}

fn read_stdout(stdout: impl Read, tx: mpsc::Sender<ReadEvent>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = Vec::new();
        match reader.by_ref().take(MAX_LINE_BYTES + 1).read_until(b'\n', &mut buf) {
            Ok(0) => {
                let _ = tx.send(ReadEvent::Eof);
                return;
            }
            Ok(_) if buf.len() as u64 > MAX_LINE_BYTES => {
                let _ = tx.send(ReadEvent::TooLong);
                return;
            }
            Ok(_) => {
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                let line = String::from_utf8_lossy(&buf).into_owned();
                if tx.send(ReadEvent::Line(line)).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(ReadEvent::Failed(e.to_string()));
                return;
            }
        }
    }
}

fn read_stderr(stderr: impl Read, buffer: Arc<Mutex<VecDeque<String>>>) {
    let reader = BufReader::new(stderr);
    for line in reader.split(b'\n') {
        let Ok(line) = line else { return };
        let line = quote(String::from_utf8_lossy(&line).trim_end());
        if let Ok(mut buf) = buffer.lock() {
            if buf.len() == STDERR_LINES {
                buf.pop_front();
            }
            buf.push_back(line);
        }
    }
}

/// A program speaking the wire protocol.
pub struct ProcessAdapter {
    argv: Vec<String>,
    display: String,
    step_timeout: Duration,
    running: Option<Running>,
    hello: Option<Hello>,
    /// Set when the adapter speaks another protocol: it is not started again.
    refused: Option<AdapterError>,
}

impl ProcessAdapter {
    /// An adapter run as `argv[0] argv[1..]`; nothing is started until it is needed.
    pub fn new(argv: Vec<String>, step_timeout: Duration) -> Self {
        let display = argv.join(" ");
        Self { argv, display, step_timeout, running: None, hello: None, refused: None }
    }

    /// Parses `command` with shell-like word splitting.
    pub fn from_command_line(
        command: &str,
        step_timeout: Duration,
    ) -> Result<Self, super::command::SplitError> {
        Ok(Self::new(super::command::split(command)?, step_timeout))
    }

    fn spawn(&mut self) -> Result<(), AdapterError> {
        let Some((program, args)) = self.argv.split_first() else {
            return Err(AdapterError::Spawn {
                command: self.display.clone(),
                message: "empty command".into(),
            });
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AdapterError::Spawn { command: self.display.clone(), message: e.to_string() })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(AdapterError::Spawn {
                command: self.display.clone(),
                message: "no stdio pipes".into(),
            });
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_stdout(stdout, tx));
        let buffer = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_LINES)));
        let for_reader = Arc::clone(&buffer);
        let stderr_reader = std::thread::spawn(move || read_stderr(stderr, for_reader));
        self.running =
            Some(Running { child, stdin, lines: rx, stderr: buffer, stderr_reader: Some(stderr_reader) });
        Ok(())
    }

    /// Starts the program and shakes hands, unless it is already running.
    fn ensure_running(&mut self) -> Result<(), AdapterError> {
        if let Some(refused) = &self.refused {
            return Err(refused.clone());
        }
        if self.running.is_some() {
            return Ok(());
        }
        self.spawn()?;
        let hello = SuiteMessage::Hello { protocol: PROTOCOL_VERSION, suite: SUITE.to_owned() };
        let timeout = self.step_timeout.max(MIN_STARTUP_TIMEOUT);
        let result = self
            .exchange(&hello, "a hello reply", timeout)
            .and_then(|(line, message)| check_hello(&line, message));
        match result {
            Ok(hello) => {
                self.hello = Some(hello);
                Ok(())
            }
            Err(e) => {
                if matches!(e, AdapterError::ProtocolVersion { .. }) {
                    self.refused = Some(e.clone());
                }
                self.stop();
                Err(e)
            }
        }
    }

    fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            running.kill();
        }
    }

    /// Sends one message and waits for one reply line, which must parse. On any error
    /// the child is gone (killed or exited) when this returns.
    fn exchange(
        &mut self,
        message: &SuiteMessage,
        waiting_for: &'static str,
        timeout: Duration,
    ) -> Result<(String, Result<AdapterMessage, serde_json::Error>), AdapterError> {
        let Some(running) = self.running.as_mut() else {
            return Err(AdapterError::Reported { message: "adapter is not running".into() });
        };
        let line = serde_json::to_string(message).unwrap_or_default();
        let written = running
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| running.stdin.write_all(b"\n"))
            .and_then(|()| running.stdin.flush());
        if let Err(e) = written {
            let status = running.exit_status();
            let stderr = running.stderr_lines();
            self.stop();
            return Err(AdapterError::Write { message: format!("{e} (adapter {status})"), stderr });
        }
        let event = running.lines.recv_timeout(timeout);
        let outcome = match event {
            Ok(ReadEvent::Line(line)) => {
                let parsed = serde_json::from_str::<AdapterMessage>(&line);
                return Ok((line, parsed));
            }
            Ok(ReadEvent::TooLong) => Err(AdapterError::Garbage {
                line: String::new(),
                reason: format!("a line longer than {MAX_LINE_BYTES} bytes"),
            }),
            Ok(ReadEvent::Failed(e)) => {
                Err(AdapterError::Garbage { line: String::new(), reason: format!("unreadable stdout: {e}") })
            }
            Ok(ReadEvent::Eof) | Err(RecvTimeoutError::Disconnected) => {
                let status = running.exit_status();
                let stderr = running.stderr_lines();
                Err(AdapterError::Exited { status, waiting_for, stderr })
            }
            Err(RecvTimeoutError::Timeout) => {
                running.kill();
                let stderr = running.stderr_lines();
                Err(AdapterError::Timeout { ms: timeout.as_millis() as u64, waiting_for, stderr })
            }
        };
        self.stop();
        outcome
    }

    /// Sends `message` and returns the reply if it is one of the message types a
    /// correct adapter may answer with; anything else stops the child.
    fn request(
        &mut self,
        message: &SuiteMessage,
        waiting_for: &'static str,
        allowed: &[&str],
    ) -> Result<AdapterMessage, AdapterError> {
        let (line, parsed) = self.exchange(message, waiting_for, self.step_timeout)?;
        let error = match parsed {
            Ok(AdapterMessage::Error { message }) => {
                // The adapter is alive and said what went wrong; its next `start`
                // resets it, so it keeps running.
                return Err(AdapterError::Reported { message });
            }
            Ok(reply) if allowed.contains(&reply.kind()) => return Ok(reply),
            Ok(_) => AdapterError::Unexpected { expected: waiting_for, line: quote(&line) },
            Err(e) => AdapterError::Garbage { line: quote(&line), reason: e.to_string() },
        };
        self.stop();
        Err(error)
    }
}

fn check_hello(line: &str, parsed: Result<AdapterMessage, serde_json::Error>) -> Result<Hello, AdapterError> {
    // Check the version before the rest of the shape: a future protocol's hello may
    // carry other fields, and the version is what the user needs to hear about.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
        if value.get("type").and_then(|t| t.as_str()) == Some("hello") {
            match value.get("protocol") {
                Some(p) if p.as_u64() == Some(PROTOCOL_VERSION) => {}
                Some(p) => return Err(AdapterError::ProtocolVersion { got: p.to_string() }),
                None => return Err(AdapterError::ProtocolVersion { got: "none".into() }),
            }
        }
    }
    match parsed {
        Ok(AdapterMessage::Hello { adapter, version, profiles, .. }) => {
            let mut known = Vec::new();
            for name in &profiles {
                match name.parse::<ProfileId>() {
                    Ok(p) => known.push(p),
                    Err(e) => {
                        return Err(AdapterError::Unexpected {
                            expected: "a hello reply",
                            line: format!("{e} in {}", quote(line)),
                        })
                    }
                }
            }
            Ok(Hello { adapter, version, profiles: known, protocol: PROTOCOL_VERSION })
        }
        Ok(AdapterMessage::Error { message }) => Err(AdapterError::Reported { message }),
        Ok(_) => Err(AdapterError::Unexpected { expected: "a hello reply", line: quote(line) }),
        Err(e) => Err(AdapterError::Garbage { line: quote(line), reason: e.to_string() }),
    }
}

fn step_reply(reply: AdapterMessage) -> StepReply {
    match reply {
        AdapterMessage::Done { observations } => StepReply::Done(observations),
        AdapterMessage::Unimplemented { reason } => StepReply::Unimplemented(reason),
        // `request` only lets `done` and `unimplemented` through.
        other => StepReply::Unimplemented(format!("unexpected {}", other.kind())),
    }
}

impl Adapter for ProcessAdapter {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        self.ensure_running()?;
        self.hello.clone().ok_or_else(|| AdapterError::Reported { message: "no handshake".into() })
    }

    fn start(&mut self, case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        self.ensure_running()?;
        let message =
            SuiteMessage::Start { case: case.to_owned(), profile: profile.as_str().to_owned(), clock };
        match self.request(&message, "ready or unsupported", &["ready", "unsupported"])? {
            AdapterMessage::Unsupported { reason } => Ok(Started::Unsupported(reason)),
            _ => Ok(Started::Ready),
        }
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        let message = SuiteMessage::Input { input: input.clone() };
        self.request(&message, "done or unimplemented", &["done", "unimplemented"]).map(step_reply)
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        self.request(&SuiteMessage::Advance { ms }, "done or unimplemented", &["done", "unimplemented"])
            .map(step_reply)
    }

    fn finish(&mut self) {
        let Some(mut running) = self.running.take() else { return };
        let line = serde_json::to_string(&SuiteMessage::Bye).unwrap_or_default();
        let _ = running.stdin.write_all(line.as_bytes()).and_then(|()| running.stdin.write_all(b"\n"));
        let _ = running.stdin.flush();
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if !matches!(running.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        running.kill();
    }
}

impl Drop for ProcessAdapter {
    fn drop(&mut self) {
        self.stop();
    }
}
