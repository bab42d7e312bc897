//! An adapter in another process, spoken to in JSON lines over its stdin and stdout.
//!
//! Robustness is the point of this module: whatever the program does (fails to start,
//! exits, hangs, prints nonsense, answers twice or out of turn, leaves a child holding
//! its stdout), each call returns within the step timeout with an [`AdapterError`] that
//! says what was received, and the next case starts a fresh program.
//!
//! - The program runs in a process group of its own, and that whole group is killed when
//!   the program is stopped for any reason, so nothing it started outlives the run
//!   (a child that makes itself a session or group leader escapes; nothing short of a
//!   container can hold it).
//! - A reader thread turns stdout into a bounded channel of line batches, so every wait
//!   has a deadline and memory stays bounded; lines that arrive when no reply is awaited
//!   are an error naming the message they followed.
//! - A watcher thread reports the program's exit without reaping it (the group keeps its
//!   id until it is reaped, so killing the group can never hit a stranger), so a dead
//!   adapter is reported at once with its exit status even when a grandchild still holds
//!   the pipe.
//! - stderr goes to a tail bounded in lines and in bytes, which error messages quote.

use super::wire::{AdapterMessage, SuiteMessage, SUITE};
use super::{Adapter, AdapterError, Hello, Started, StepReply, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;
use nix::errno::Errno;
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag};
use nix::unistd::Pid;
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::ops::RangeInclusive;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
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
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;
/// How many stderr lines are kept for error messages.
const STDERR_LINES: usize = 12;
/// How many bytes of one stderr line are kept (the rest is counted, not stored).
const STDERR_LINE_BYTES: usize = 600;
/// How much of a garbage line is quoted.
const MAX_QUOTE_CHARS: usize = 300;
/// The size of one read from the adapter's stdout or stderr.
const READ_CHUNK: usize = 64 * 1024;
/// How many batches of lines may wait in the channel: bounds memory when an adapter
/// floods stdout while no reply is awaited.
const CHANNEL_BOUND: usize = 4;
/// After the program exits, how long its last output may take to come through the pipe.
const EXIT_GRACE: Duration = Duration::from_millis(300);
/// After `bye`, or after its stdout closed, how long the program gets to exit by itself.
const EXIT_WAIT: Duration = Duration::from_secs(1);

/// The process groups of the adapters running now. `Running::end` holds the lock while it
/// kills and reaps, so [`kill_running_adapters`] never signals a group id already freed.
static LIVE_GROUPS: Mutex<Vec<Pid>> = Mutex::new(Vec::new());

/// Kills every adapter this process has running, with everything they started, and
/// leaves the lock held so that no adapter starts or is reaped afterwards: for a signal
/// handler about to exit the program (an adapter runs in its own process group, so an
/// interrupt from the terminal does not reach it).
pub fn kill_running_adapters() {
    let groups = LIVE_GROUPS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for group in groups.iter() {
        let _ = killpg(*group, Signal::SIGKILL);
    }
    std::mem::forget(groups);
}

fn live_groups() -> std::sync::MutexGuard<'static, Vec<Pid>> {
    LIVE_GROUPS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the reader and watcher threads report.
enum Event {
    /// Complete lines, as read in one go.
    Lines(Vec<String>),
    /// A line longer than [`MAX_LINE_BYTES`]; nothing more is read.
    TooLong,
    /// stdout ended after bytes without a newline.
    Unterminated(String),
    /// stdout ended.
    Eof,
    /// Reading stdout failed.
    ReadFailed(String),
    /// The program exited (it is not reaped yet).
    Exited,
}

fn quote(line: &str) -> String {
    if line.chars().count() > MAX_QUOTE_CHARS {
        let cut: String = line.chars().take(MAX_QUOTE_CHARS).collect();
        format!("{cut}... ({} bytes)", line.len())
    } else {
        line.to_owned()
    }
}

fn line_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_stdout(mut stdout: impl Read, tx: SyncSender<Event>) {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = match stdout.read(&mut chunk) {
            Ok(0) => {
                if !pending.is_empty() {
                    let _ = tx.send(Event::Unterminated(quote(&line_text(&pending))));
                }
                let _ = tx.send(Event::Eof);
                return;
            }
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = tx.send(Event::ReadFailed(e.to_string()));
                return;
            }
        };
        let mut lines = Vec::new();
        for (i, piece) in chunk[..n].split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                lines.push(line_text(&std::mem::take(&mut pending)));
            }
            if pending.len() + piece.len() > MAX_LINE_BYTES {
                let _ = tx.send(Event::TooLong);
                return;
            }
            pending.extend_from_slice(piece);
        }
        if !lines.is_empty() && tx.send(Event::Lines(lines)).is_err() {
            return;
        }
    }
}

fn watch_exit(pid: Pid, tx: SyncSender<Event>) {
    // WNOWAIT leaves the program a zombie, so its process group id stays reserved until
    // `Running::end` has killed the group and reaped it.
    while let Err(Errno::EINTR) = waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {}
    let _ = tx.send(Event::Exited);
}

/// The end of the adapter's stderr, bounded in lines and in bytes per line.
#[derive(Debug, Default)]
struct StderrTail {
    lines: VecDeque<String>,
    current: Vec<u8>,
    current_len: u64,
}

impl StderrTail {
    fn push(&mut self, bytes: &[u8]) {
        for (i, piece) in bytes.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.end_line();
            }
            let room = STDERR_LINE_BYTES.saturating_sub(self.current.len());
            self.current.extend_from_slice(&piece[..piece.len().min(room)]);
            self.current_len += piece.len() as u64;
        }
    }

    fn render_current(&self) -> String {
        let text = String::from_utf8_lossy(&self.current);
        let text = text.trim_end();
        if self.current_len > self.current.len() as u64 {
            format!("{text}... ({} bytes)", self.current_len)
        } else {
            text.to_owned()
        }
    }

    fn end_line(&mut self) {
        if self.lines.len() == STDERR_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(self.render_current());
        self.current.clear();
        self.current_len = 0;
    }

    fn snapshot(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.lines.iter().cloned().collect();
        if self.current_len > 0 {
            lines.push(self.render_current());
        }
        lines
    }
}

fn read_stderr(mut stderr: impl Read, tail: Arc<Mutex<StderrTail>>) {
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        match stderr.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => match tail.lock() {
                Ok(mut tail) => tail.push(&chunk[..n]),
                Err(_) => return,
            },
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// A started program and what has been read from it.
struct Running {
    child: Child,
    group: Pid,
    stdin: ChildStdin,
    events: Receiver<Event>,
    stderr: Arc<Mutex<StderrTail>>,
    stderr_reader: Option<JoinHandle<()>>,
    /// Lines that arrived while no reply was awaited.
    unasked: Vec<String>,
    /// A read problem noticed while no reply was awaited.
    trouble: Option<Event>,
    exited: bool,
    stdout_closed: bool,
    /// Set once the group is killed and the program reaped.
    ended: Option<String>,
}

impl Running {
    fn note(&mut self, event: Event) {
        match event {
            Event::Lines(lines) => self.unasked.extend(lines),
            Event::Exited => self.exited = true,
            Event::Eof => self.stdout_closed = true,
            trouble => {
                if self.trouble.is_none() {
                    self.trouble = Some(trouble);
                }
            }
        }
    }

    /// Takes in whatever has already arrived, without waiting.
    fn collect_ready(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(event) => self.note(event),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.stdout_closed = true;
                    return;
                }
            }
        }
    }

    /// Waits up to `limit` for the program to exit by itself; true if it did.
    fn await_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.exited {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => self.note(event),
                Err(_) => return self.exited,
            }
        }
        true
    }

    /// Kills the whole process group, reaps the program and returns its exit status.
    fn end(&mut self) -> String {
        if let Some(status) = &self.ended {
            return status.clone();
        }
        let mut live = live_groups();
        // ESRCH only means the group is already empty.
        let _ = killpg(self.group, Signal::SIGKILL);
        let status = match self.child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => format!("unknown status: {e}"),
        };
        live.retain(|g| *g != self.group);
        drop(live);
        self.ended = Some(status.clone());
        status
    }

    /// The exit status of a program that stopped talking: it gets a moment to exit by
    /// itself; if it does not, it is killed and said so.
    fn status_after_silence(&mut self) -> String {
        if self.await_exit(EXIT_WAIT) {
            self.end()
        } else {
            self.end();
            "it closed its stdout but kept running; killed".to_owned()
        }
    }

    /// The stderr tail, once the program is ended (its last words included).
    fn stderr_lines(&mut self) -> Vec<String> {
        if let Some(handle) = &self.stderr_reader {
            // With the group killed the pipe closes, unless something outside the group
            // holds it; then what has arrived is enough.
            let deadline = Instant::now() + Duration::from_millis(300);
            while !handle.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        self.stderr.lock().map(|tail| tail.snapshot()).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.end();
    }
}

/// What the adapter's last reply answered, for messages about lines that came after it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Position {
    Nothing,
    Handshake,
    Start(String),
    Step(String, usize),
}

impl Position {
    fn describe(&self) -> String {
        match self {
            Position::Nothing => "before the suite's hello".to_owned(),
            Position::Handshake => "after its reply to the handshake".to_owned(),
            Position::Start(case) => format!("after its reply to the start of case {case}"),
            Position::Step(case, step) => format!("after its reply to step {step} of case {case}"),
        }
    }

    fn next_step(&self) -> Position {
        match self {
            Position::Start(case) => Position::Step(case.clone(), 0),
            Position::Step(case, step) => Position::Step(case.clone(), step + 1),
            other => other.clone(),
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
    position: Position,
    /// Set when the adapter cannot be used at all (another protocol, an unknown
    /// profile): it is not started again.
    refused: Option<AdapterError>,
}

impl ProcessAdapter {
    /// An adapter run as `argv[0] argv[1..]`; nothing is started until it is needed.
    pub fn new(argv: Vec<String>, step_timeout: Duration) -> Self {
        let display = argv.join(" ");
        Self {
            argv,
            display,
            step_timeout,
            running: None,
            hello: None,
            position: Position::Nothing,
            refused: None,
        }
    }

    /// Parses `command` with shell-like word splitting.
    pub fn from_command_line(
        command: &str,
        step_timeout: Duration,
    ) -> Result<Self, super::command::SplitError> {
        Ok(Self::new(super::command::split(command)?, step_timeout))
    }

    fn spawn(&mut self) -> Result<(), AdapterError> {
        let spawn_error = |message: String| AdapterError::Spawn { command: self.display.clone(), message };
        let Some((program, args)) = self.argv.split_first() else {
            return Err(spawn_error("empty command".into()));
        };
        let mut live = live_groups();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A group of its own, so that ending the adapter ends everything it started.
            .process_group(0)
            .spawn()
            .map_err(|e| spawn_error(e.to_string()))?;
        let group = Pid::from_raw(child.id() as i32);
        live.push(group);
        drop(live);
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let mut live = live_groups();
            let _ = killpg(group, Signal::SIGKILL);
            let _ = child.wait();
            live.retain(|g| *g != group);
            return Err(spawn_error("no stdio pipes".into()));
        };
        let (tx, events) = mpsc::sync_channel(CHANNEL_BOUND);
        let watcher = tx.clone();
        std::thread::spawn(move || read_stdout(stdout, tx));
        std::thread::spawn(move || watch_exit(group, watcher));
        let tail = Arc::new(Mutex::new(StderrTail::default()));
        let for_reader = Arc::clone(&tail);
        let stderr_reader = std::thread::spawn(move || read_stderr(stderr, for_reader));
        self.running = Some(Running {
            child,
            group,
            stdin,
            events,
            stderr: tail,
            stderr_reader: Some(stderr_reader),
            unasked: Vec::new(),
            trouble: None,
            exited: false,
            stdout_closed: false,
            ended: None,
        });
        self.position = Position::Nothing;
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
        match self.handshake() {
            Ok(hello) => {
                self.hello = Some(hello);
                Ok(())
            }
            Err(e) => {
                if matches!(e, AdapterError::ProtocolVersion { .. } | AdapterError::UnknownProfile { .. }) {
                    self.refused = Some(e.clone());
                }
                self.stop();
                Err(e)
            }
        }
    }

    /// Offers every version this suite speaks; a strict version-1 adapter that answers
    /// the offer with an error gets one version-1 hello on the same process.
    fn handshake(&mut self) -> Result<Hello, AdapterError> {
        let timeout = self.step_timeout.max(MIN_STARTUP_TIMEOUT);
        let offer = SuiteMessage::Hello {
            protocol: PROTOCOL_VERSION,
            protocols: Some((MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).collect()),
            suite: SUITE.to_owned(),
        };
        let (line, parsed) = self.exchange(&offer, "a hello reply", timeout, Position::Handshake)?;
        if !matches!(parsed, Ok(AdapterMessage::Error { .. })) {
            return check_hello(&line, parsed, MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION);
        }
        let v1 =
            SuiteMessage::Hello { protocol: MIN_PROTOCOL_VERSION, protocols: None, suite: SUITE.to_owned() };
        let (line, parsed) = self.exchange(&v1, "a hello reply", timeout, Position::Handshake)?;
        check_hello(&line, parsed, MIN_PROTOCOL_VERSION..=MIN_PROTOCOL_VERSION)
    }

    fn stop(&mut self) {
        // Dropping `Running` kills the group and reaps the program.
        self.running = None;
    }

    /// Sends one message and waits for one reply line. On an error the adapter is
    /// stopped when this returns (a reply that does not parse is the caller's to judge).
    fn exchange(
        &mut self,
        message: &SuiteMessage,
        waiting_for: &'static str,
        timeout: Duration,
        answering: Position,
    ) -> Result<(String, Result<AdapterMessage, serde_json::Error>), AdapterError> {
        let result = self.try_exchange(message, waiting_for, timeout);
        match &result {
            Ok(_) => self.position = answering,
            Err(_) => self.stop(),
        }
        result
    }

    fn try_exchange(
        &mut self,
        message: &SuiteMessage,
        waiting_for: &'static str,
        timeout: Duration,
    ) -> Result<(String, Result<AdapterMessage, serde_json::Error>), AdapterError> {
        let before = self.position.describe();
        let Some(running) = self.running.as_mut() else {
            return Err(AdapterError::Reported { message: "adapter is not running".into() });
        };
        // Anything that arrived since the last reply was not asked for.
        running.collect_ready();
        if let Some(error) = unasked_error(running, &before, waiting_for) {
            return Err(error);
        }
        let line = serde_json::to_string(message).unwrap_or_default();
        let written = running
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| running.stdin.write_all(b"\n"))
            .and_then(|()| running.stdin.flush());
        if let Err(e) = written {
            let status = running.status_after_silence();
            let stderr = running.stderr_lines();
            return Err(AdapterError::Write { message: format!("{e} (adapter {status})"), stderr });
        }
        let mut deadline = Instant::now() + timeout;
        loop {
            let event = match running.events.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(event) => event,
                Err(RecvTimeoutError::Disconnected) => Event::Eof,
                Err(RecvTimeoutError::Timeout) if running.exited => {
                    // Dead, but something it started still holds the pipe open.
                    let status = running.end();
                    let stderr = running.stderr_lines();
                    return Err(AdapterError::Exited { status, waiting_for, stderr });
                }
                Err(RecvTimeoutError::Timeout) => {
                    running.end();
                    let stderr = running.stderr_lines();
                    return Err(AdapterError::Timeout {
                        ms: timeout.as_millis() as u64,
                        waiting_for,
                        stderr,
                    });
                }
            };
            match event {
                Event::Lines(lines) => {
                    let mut lines = lines.into_iter();
                    let reply = lines.next().unwrap_or_default();
                    running.unasked.extend(lines);
                    running.collect_ready();
                    let parsed = serde_json::from_str::<AdapterMessage>(&reply);
                    // A first line that is not a message says more than the lines after it.
                    if let (Ok(_), Some(extra)) = (&parsed, running.unasked.first()) {
                        return Err(AdapterError::ExtraReply {
                            after: "after its reply to this message".into(),
                            line: quote(extra),
                        });
                    }
                    return Ok((reply, parsed));
                }
                Event::Exited => {
                    running.exited = true;
                    deadline = deadline.min(Instant::now() + EXIT_GRACE);
                }
                Event::Eof => {
                    let status = running.status_after_silence();
                    let stderr = running.stderr_lines();
                    return Err(AdapterError::Exited { status, waiting_for, stderr });
                }
                Event::Unterminated(line) => {
                    let status = running.status_after_silence();
                    let stderr = running.stderr_lines();
                    return Err(AdapterError::Unterminated { status, line, stderr });
                }
                Event::TooLong => {
                    return Err(AdapterError::Garbage {
                        line: String::new(),
                        reason: format!("a line longer than {MAX_LINE_BYTES} bytes"),
                    })
                }
                Event::ReadFailed(e) => {
                    return Err(AdapterError::Garbage {
                        line: String::new(),
                        reason: format!("unreadable stdout: {e}"),
                    })
                }
            }
        }
    }

    /// Sends `message` and returns the reply if it is one of the message types a
    /// correct adapter may answer with; anything else stops the child.
    fn request(
        &mut self,
        message: &SuiteMessage,
        waiting_for: &'static str,
        allowed: &[&str],
        answering: Position,
    ) -> Result<AdapterMessage, AdapterError> {
        let (line, parsed) = self.exchange(message, waiting_for, self.step_timeout, answering)?;
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

/// The error for what arrived between two messages: a line nobody asked for, a read
/// problem, or the adapter's end.
fn unasked_error(running: &mut Running, before: &str, waiting_for: &'static str) -> Option<AdapterError> {
    if let Some(line) = running.unasked.first() {
        return Some(AdapterError::ExtraReply { after: before.to_owned(), line: quote(line) });
    }
    match running.trouble.take() {
        Some(Event::Unterminated(line)) => {
            let status = running.status_after_silence();
            let stderr = running.stderr_lines();
            return Some(AdapterError::Unterminated { status, line, stderr });
        }
        Some(Event::TooLong) => {
            return Some(AdapterError::Garbage {
                line: String::new(),
                reason: format!("a line longer than {MAX_LINE_BYTES} bytes, {before}"),
            })
        }
        Some(Event::ReadFailed(e)) => {
            return Some(AdapterError::Garbage {
                line: String::new(),
                reason: format!("unreadable stdout: {e}"),
            })
        }
        _ => {}
    }
    if running.exited || running.stdout_closed {
        let status = running.status_after_silence();
        let stderr = running.stderr_lines();
        return Some(AdapterError::Exited { status, waiting_for, stderr });
    }
    None
}

fn check_hello(
    line: &str,
    parsed: Result<AdapterMessage, serde_json::Error>,
    accepted: RangeInclusive<u64>,
) -> Result<Hello, AdapterError> {
    // Check the version before the rest of the shape: a future protocol's hello may
    // carry other fields, and the version is what the user needs to hear about.
    let mut protocol = None;
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
        if value.get("type").and_then(|t| t.as_str()) == Some("hello") {
            match value.get("protocol") {
                Some(p) if p.as_u64().is_some_and(|v| accepted.contains(&v)) => protocol = p.as_u64(),
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
                    Err(_) => return Err(AdapterError::UnknownProfile { name: quote(name) }),
                }
            }
            let protocol = protocol.unwrap_or(MIN_PROTOCOL_VERSION);
            Ok(Hello { adapter, version, profiles: known, protocol })
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
        let answering = Position::Start(case.to_owned());
        match self.request(&message, "ready or unsupported", &["ready", "unsupported"], answering)? {
            AdapterMessage::Unsupported { reason } => Ok(Started::Unsupported(reason)),
            _ => Ok(Started::Ready),
        }
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        let message = SuiteMessage::Input { input: input.clone() };
        let answering = self.position.next_step();
        self.request(&message, "done or unimplemented", &["done", "unimplemented"], answering).map(step_reply)
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        let answering = self.position.next_step();
        self.request(
            &SuiteMessage::Advance { ms },
            "done or unimplemented",
            &["done", "unimplemented"],
            answering,
        )
        .map(step_reply)
    }

    fn finish(&mut self) {
        let Some(mut running) = self.running.take() else { return };
        let line = serde_json::to_string(&SuiteMessage::Bye).unwrap_or_default();
        let _ = running.stdin.write_all(line.as_bytes()).and_then(|()| running.stdin.write_all(b"\n"));
        let _ = running.stdin.flush();
        running.await_exit(EXIT_WAIT);
        // Whatever the adapter left behind in its group goes with it.
        running.end();
    }
}

impl Drop for ProcessAdapter {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stderr_tail_is_bounded_in_lines_and_bytes() {
        let mut tail = StderrTail::default();
        for i in 0..100 {
            tail.push(format!("line {i}\n").as_bytes());
        }
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            tail.push(&chunk);
        }
        let lines = tail.snapshot();
        assert_eq!(lines.len(), STDERR_LINES + 1);
        assert_eq!(lines[0], "line 88");
        assert!(lines[STDERR_LINES].ends_with(&format!("... ({} bytes)", 64u64 << 20)));
        assert!(tail.current.len() <= STDERR_LINE_BYTES);
        tail.push(b"\nlast");
        assert_eq!(tail.snapshot().last().map(String::as_str), Some("last"));
    }

    #[test]
    fn lines_are_split_across_reads_and_batched() {
        let (tx, rx) = mpsc::sync_channel(16);
        let input: &[u8] = b"{\"a\":1}\r\n{\"b\":2}\npartial";
        read_stdout(input, tx);
        let events: Vec<Event> = rx.iter().collect();
        assert!(matches!(&events[0], Event::Lines(l) if l == &["{\"a\":1}", "{\"b\":2}"]));
        assert!(matches!(&events[1], Event::Unterminated(l) if l == "partial"));
        assert!(matches!(events[2], Event::Eof));
    }

    #[test]
    fn an_endless_line_stops_the_reader_at_the_limit() {
        let (tx, rx) = mpsc::sync_channel(16);
        read_stdout(std::io::repeat(b'x'), tx);
        assert!(matches!(rx.recv(), Ok(Event::TooLong)));
    }

    #[test]
    fn positions_name_what_a_reply_answered() {
        let start = Position::Start("c".into());
        assert_eq!(start.next_step().describe(), "after its reply to step 0 of case c");
        assert_eq!(start.next_step().next_step().describe(), "after its reply to step 1 of case c");
        assert_eq!(Position::Nothing.describe(), "before the suite's hello");
    }
}
