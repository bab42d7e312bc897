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
//! - stdout is read on the thread that waits for the reply, after a `poll(2)` bounded by
//!   the step's deadline, so every wait has a deadline and a reply costs no hand-off
//!   between threads; at most one incomplete line of at most [`MAX_LINE_BYTES`] is kept,
//!   so memory stays bounded. Lines that arrive when no reply is awaited are an error
//!   naming the message they followed.
//! - A watcher thread notices the program's exit without reaping it (the group keeps its
//!   id until it is reaped, so killing the group can never hit a stranger) and closes a
//!   pipe the waiting thread polls next to stdout, so a dead adapter is reported at once
//!   with its exit status even when a grandchild still holds stdout open.
//! - stderr goes to a tail bounded in lines and in bytes, which error messages quote.

use super::wire::{AdapterMessage, SuiteMessage, SUITE};
use super::{Adapter, AdapterError, Hello, Started, StepReply, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag};
use nix::unistd::Pid;
use std::collections::VecDeque;
use std::io::{PipeReader, PipeWriter, Read, Write};
use std::ops::RangeInclusive;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
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
/// How many complete lines are kept while none is taken as a reply: error messages quote
/// only the first, and the bound keeps a flood of lines from costing memory.
const LINES_KEPT: usize = 4;
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

/// What waiting on the program found.
enum Event {
    /// Complete lines were read (they are queued in [`Running::lines`]).
    Lines,
    /// A line longer than [`MAX_LINE_BYTES`]; nothing more is read.
    TooLong,
    /// stdout ended after bytes without a newline.
    Unterminated(String),
    /// stdout ended.
    Eof,
    /// Reading stdout failed; nothing more is read.
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

/// Cuts what is read from stdout into lines, holding at most one incomplete line of at
/// most [`MAX_LINE_BYTES`].
#[derive(Debug, Default)]
struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    /// Queues the lines `bytes` completes (while `lines` holds fewer than [`LINES_KEPT`])
    /// and returns how many it completed; `None` once a line is longer than
    /// [`MAX_LINE_BYTES`].
    fn feed(&mut self, mut bytes: &[u8], lines: &mut VecDeque<String>) -> Option<usize> {
        let mut completed = 0;
        while let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            let piece = &bytes[..end];
            if self.pending.len() + piece.len() > MAX_LINE_BYTES {
                return None;
            }
            if lines.len() < LINES_KEPT {
                // The usual reply arrives in one read: no copy through `pending`.
                let line = if self.pending.is_empty() {
                    line_text(piece)
                } else {
                    self.pending.extend_from_slice(piece);
                    line_text(&self.pending)
                };
                lines.push_back(line);
            }
            self.pending.clear();
            completed += 1;
            bytes = &bytes[end + 1..];
        }
        if self.pending.len() + bytes.len() > MAX_LINE_BYTES {
            return None;
        }
        self.pending.extend_from_slice(bytes);
        Some(completed)
    }

    /// At the end of stdout: the line left without its newline, quoted, if any.
    fn unterminated(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| quote(&line_text(&std::mem::take(&mut self.pending))))
    }
}

/// Closes `signal` when the program exits, which makes the other end of the pipe
/// readable for the thread waiting on stdout.
fn watch_exit(pid: Pid, signal: PipeWriter) {
    // WNOWAIT leaves the program a zombie, so its process group id stays reserved until
    // `Running::end` has killed the group and reaped it.
    while let Err(Errno::EINTR) = waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {}
    drop(signal);
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
    stdout: ChildStdout,
    /// Reaches its end when the program exits: the watcher thread drops the write end.
    exit_signal: PipeReader,
    /// One read's worth of stdout.
    chunk: Vec<u8>,
    splitter: LineSplitter,
    /// Complete lines read and not yet taken as a reply (at most [`LINES_KEPT`]).
    lines: VecDeque<String>,
    /// The line being sent, reused from message to message.
    outgoing: Vec<u8>,
    stderr: Arc<Mutex<StderrTail>>,
    stderr_reader: Option<JoinHandle<()>>,
    /// A read problem noticed while no reply was awaited.
    trouble: Option<Event>,
    exited: bool,
    /// stdout ended or is no longer read (after a line too long or a failed read).
    stdout_closed: bool,
    /// Set once the group is killed and the program reaped.
    ended: Option<String>,
}

impl Running {
    fn note(&mut self, event: Event) {
        match event {
            // Already queued, or already recorded by `wait`.
            Event::Lines | Event::Exited | Event::Eof => {}
            trouble => {
                if self.trouble.is_none() {
                    self.trouble = Some(trouble);
                }
            }
        }
    }

    /// Waits until `deadline` (without a deadline, not at all) for something to happen:
    /// complete lines read, the end of stdout or a read problem, or the program's exit;
    /// `None` if nothing did. stdout is read here, on the waiting thread: a reply costs
    /// one `poll(2)` and one `read(2)`.
    fn wait(&mut self, deadline: Option<Instant>) -> Option<Event> {
        loop {
            // Rounded up, so that the wait never ends before the deadline.
            let timeout = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    PollTimeout::try_from(left.as_micros().div_ceil(1000)).unwrap_or(PollTimeout::MAX)
                }
                None => PollTimeout::ZERO,
            };
            let mut both = [
                PollFd::new(self.stdout.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.exit_signal.as_fd(), PollFlags::POLLIN),
            ];
            // A closed stdout or a reported exit stays "ready" forever: leave it out.
            let watched = match (self.stdout_closed, self.exited) {
                (false, false) => &mut both[..],
                (false, true) => &mut both[..1],
                (true, false) => &mut both[1..],
                (true, true) => return None,
            };
            match poll(watched, timeout) {
                Ok(0) if deadline.is_none_or(|deadline| Instant::now() >= deadline) => return None,
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => {
                    self.stdout_closed = true;
                    return Some(Event::ReadFailed(format!("poll: {e}")));
                }
            }
            // Flags nix does not know count as ready: the read will tell.
            let stdout_ready = both[0].any().unwrap_or(true);
            let exit_ready = both[1].any().unwrap_or(true);
            if stdout_ready {
                if let Some(event) = self.read_stdout() {
                    return Some(event);
                }
            }
            if exit_ready {
                self.exited = true;
                return Some(Event::Exited);
            }
        }
    }

    /// One read of stdout, which `poll` found ready; `None` if it completed no line.
    fn read_stdout(&mut self) -> Option<Event> {
        loop {
            match self.stdout.read(&mut self.chunk) {
                Ok(0) => {
                    self.stdout_closed = true;
                    return Some(self.splitter.unterminated().map_or(Event::Eof, Event::Unterminated));
                }
                Ok(n) => {
                    return match self.splitter.feed(&self.chunk[..n], &mut self.lines) {
                        Some(0) => None,
                        Some(_) => Some(Event::Lines),
                        None => {
                            self.stdout_closed = true;
                            Some(Event::TooLong)
                        }
                    };
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.stdout_closed = true;
                    return Some(Event::ReadFailed(e.to_string()));
                }
            }
        }
    }

    /// Takes in whatever has already arrived, without waiting. It stops at the first
    /// complete line or problem, which is all an error needs, so a program flooding its
    /// stdout costs no memory.
    fn collect_ready(&mut self) {
        while self.lines.is_empty() && self.trouble.is_none() {
            match self.wait(None) {
                Some(event) => self.note(event),
                None => return,
            }
        }
    }

    /// Waits up to `limit` for the program to exit by itself; true if it did. stdout is
    /// drained meanwhile (into the bounded queue), so a program is never kept from
    /// exiting by a full pipe.
    fn await_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.exited {
            match self.wait(Some(deadline)) {
                Some(event) => self.note(event),
                None => return self.exited,
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
    Start(Arc<str>),
    Step(Arc<str>, usize),
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
            Position::Start(case) => Position::Step(Arc::clone(case), 0),
            Position::Step(case, step) => Position::Step(Arc::clone(case), step + 1),
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
        // Created before the program, close-on-exec: the program never holds the write end.
        let (exit_signal, exit_writer) = std::io::pipe().map_err(|e| spawn_error(format!("pipe: {e}")))?;
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
        std::thread::spawn(move || watch_exit(group, exit_writer));
        let tail = Arc::new(Mutex::new(StderrTail::default()));
        let for_reader = Arc::clone(&tail);
        let stderr_reader = std::thread::spawn(move || read_stderr(stderr, for_reader));
        self.running = Some(Running {
            child,
            group,
            stdin,
            stdout,
            exit_signal,
            chunk: vec![0u8; READ_CHUNK],
            splitter: LineSplitter::default(),
            lines: VecDeque::with_capacity(LINES_KEPT),
            outgoing: Vec::with_capacity(256),
            stderr: tail,
            stderr_reader: Some(stderr_reader),
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
        let Some(running) = self.running.as_mut() else {
            return Err(AdapterError::Reported { message: "adapter is not running".into() });
        };
        // Anything that arrived since the last reply was not asked for.
        running.collect_ready();
        if let Some(error) = unasked_error(running, &self.position, waiting_for) {
            return Err(error);
        }
        // One write(2) per message, newline included: the pipe is unbuffered, and a line
        // written in two pieces wakes the adapter twice, the first time for half a line.
        running.outgoing.clear();
        if serde_json::to_writer(&mut running.outgoing, message).is_err() {
            running.outgoing.clear();
        }
        running.outgoing.push(b'\n');
        let written = running.stdin.write_all(&running.outgoing).and_then(|()| running.stdin.flush());
        if let Err(e) = written {
            let status = running.status_after_silence();
            let stderr = running.stderr_lines();
            return Err(AdapterError::Write { message: format!("{e} (adapter {status})"), stderr });
        }
        let mut deadline = Instant::now() + timeout;
        loop {
            if let Some(reply) = running.lines.pop_front() {
                let parsed = serde_json::from_str::<AdapterMessage>(&reply);
                // A first line that is not a message says more than the lines after it.
                if let (Ok(_), Some(extra)) = (&parsed, running.lines.front()) {
                    return Err(AdapterError::ExtraReply {
                        after: "after its reply to this message".into(),
                        line: quote(extra),
                    });
                }
                return Ok((reply, parsed));
            }
            let Some(event) = running.wait(Some(deadline)) else {
                if running.exited {
                    // Dead, but something it started still holds the pipe open.
                    let status = running.end();
                    let stderr = running.stderr_lines();
                    return Err(AdapterError::Exited { status, waiting_for, stderr });
                }
                running.end();
                let stderr = running.stderr_lines();
                return Err(AdapterError::Timeout { ms: timeout.as_millis() as u64, waiting_for, stderr });
            };
            match event {
                Event::Lines => {}
                Event::Exited => deadline = deadline.min(Instant::now() + EXIT_GRACE),
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
fn unasked_error(
    running: &mut Running,
    before: &Position,
    waiting_for: &'static str,
) -> Option<AdapterError> {
    if let Some(line) = running.lines.front() {
        return Some(AdapterError::ExtraReply { after: before.describe(), line: quote(line) });
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
                reason: format!("a line longer than {MAX_LINE_BYTES} bytes, {}", before.describe()),
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
        let answering = Position::Start(Arc::from(case));
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
        let mut line = serde_json::to_string(&SuiteMessage::Bye).unwrap_or_default();
        line.push('\n');
        let _ = running.stdin.write_all(line.as_bytes()).and_then(|()| running.stdin.flush());
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
    fn lines_are_split_across_reads() {
        let mut splitter = LineSplitter::default();
        let mut lines = VecDeque::new();
        assert_eq!(splitter.feed(b"{\"a\":1}\r\n{\"b\"", &mut lines), Some(1));
        assert_eq!(splitter.feed(b":2}\npartial", &mut lines), Some(1));
        assert_eq!(lines, ["{\"a\":1}", "{\"b\":2}"]);
        assert_eq!(splitter.unterminated().as_deref(), Some("partial"));
        assert_eq!(splitter.unterminated(), None);
    }

    #[test]
    fn a_flood_of_lines_keeps_only_the_first_few() {
        let mut splitter = LineSplitter::default();
        let mut lines = VecDeque::new();
        let flood = b"x\n".repeat(1000);
        assert_eq!(splitter.feed(&flood, &mut lines), Some(1000));
        assert_eq!(lines.len(), LINES_KEPT);
    }

    #[test]
    fn an_endless_line_is_refused_at_the_limit() {
        let mut splitter = LineSplitter::default();
        let mut lines = VecDeque::new();
        let chunk = vec![b'x'; READ_CHUNK];
        let mut fed = 0;
        while splitter.feed(&chunk, &mut lines).is_some() {
            fed += chunk.len();
            assert!(fed <= MAX_LINE_BYTES, "more than a line's limit was taken in");
        }
        assert!(splitter.pending.len() <= MAX_LINE_BYTES);
        assert!(lines.is_empty());
        // A line of exactly the limit, ended, is still a line.
        let mut splitter = LineSplitter::default();
        let mut line = vec![b'y'; MAX_LINE_BYTES];
        line.push(b'\n');
        assert_eq!(splitter.feed(&line, &mut lines), Some(1));
    }

    #[test]
    fn positions_name_what_a_reply_answered() {
        let start = Position::Start(Arc::from("c"));
        assert_eq!(start.next_step().describe(), "after its reply to step 0 of case c");
        assert_eq!(start.next_step().next_step().describe(), "after its reply to step 1 of case c");
        assert_eq!(Position::Nothing.describe(), "before the suite's hello");
    }
}
