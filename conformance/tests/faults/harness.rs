//! Runs the `jwt-lifecycle` binary as a child and watches it: its exit code and output,
//! its wall time, its peak memory, and every process it leaves behind.
//!
//! Leftovers are found by a mark: the child gets a unique `JWT_FAULT_MARK` in its
//! environment, which everything it starts inherits, so after it exits any process whose
//! environment holds the mark was left behind (a zombie's environment reads empty, so
//! the dead do not count).

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The most memory one command may use.
pub(crate) const MEMORY_LIMIT_KB: u64 = 100 * 1024;
/// How long a command may run before the harness kills it: far above every bound a test
/// asserts, so that a hang fails the test instead of blocking the suite.
const HARD_LIMIT: Duration = Duration::from_secs(120);
/// The most output kept from the child.
const OUTPUT_LIMIT: u64 = 16 << 20;

static RUNS: AtomicU64 = AtomicU64::new(0);

/// The `jwt-lifecycle` binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jwt-lifecycle")
}

/// The crate directory.
pub(crate) fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How the child's stdout is connected.
pub(crate) enum Stdout {
    /// Captured.
    Captured,
    /// A pipe whose reading end is closed before the child writes.
    Closed,
    /// `/dev/full`.
    Full,
}

/// What the child reads on stdin.
#[derive(Clone)]
pub(crate) enum Input {
    /// These bytes.
    Bytes(Vec<u8>),
    /// `len` copies of `filler`, then `tail`: written in chunks, so that the test process
    /// never holds it all (a child forked from a large process counts its memory).
    Long { filler: u8, len: usize, tail: Vec<u8> },
}

impl Input {
    fn write_to(self, mut stdin: impl std::io::Write) -> std::io::Result<()> {
        match self {
            Input::Bytes(bytes) => stdin.write_all(&bytes),
            Input::Long { filler, len, tail } => {
                let chunk = vec![filler; 64 * 1024];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len());
                    stdin.write_all(&chunk[..n])?;
                    left -= n;
                }
                stdin.write_all(&tail)
            }
        }
    }
}

/// A command to run and watch.
pub(crate) struct Cli {
    command: Command,
    stdout: Stdout,
    stdin: Option<Input>,
    /// Interrupt the command (SIGINT) once a process it started runs this program.
    interrupt_when: Option<String>,
}

/// What a watched command did.
#[derive(Debug)]
pub(crate) struct Ran {
    /// What it was.
    pub(crate) args: String,
    /// Its exit code (None: killed by a signal, or by the harness).
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) elapsed: Duration,
    /// Peak resident memory, as polled from /proc.
    pub(crate) peak_kb: u64,
    /// The command lines of processes left running after it exited.
    pub(crate) survivors: Vec<String>,
    /// True when the harness had to kill it.
    pub(crate) killed: bool,
}

impl Cli {
    /// `jwt-lifecycle ARGS`.
    pub(crate) fn new(args: &[&str]) -> Self {
        let mut command = Command::new(bin());
        command.args(args);
        Self { command, stdout: Stdout::Captured, stdin: None, interrupt_when: None }
    }

    /// Connects stdout as `stdout` says.
    pub(crate) fn stdout(mut self, stdout: Stdout) -> Self {
        self.stdout = stdout;
        self
    }

    /// Feeds `input` on stdin (default: none, stdin is /dev/null).
    pub(crate) fn stdin(mut self, input: Input) -> Self {
        self.stdin = Some(input);
        self
    }

    /// Sends SIGINT to the command once one of the processes it started has `needle` in
    /// its command line, as Ctrl-C in a terminal would.
    pub(crate) fn interrupt_when_running(mut self, needle: &str) -> Self {
        self.interrupt_when = Some(needle.to_owned());
        self
    }

    /// Gives access to the command (to set a user, say).
    pub(crate) fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Runs it to the end (or to the hard limit) and reports.
    pub(crate) fn run(mut self) -> Ran {
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let mark = format!("{}-{n}-{:?}", std::process::id(), Instant::now());
        let args = format!("{:?}", self.command);
        self.command.env("JWT_FAULT_MARK", &mark).stderr(Stdio::piped());
        self.command.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        match self.stdout {
            Stdout::Captured | Stdout::Closed => self.command.stdout(Stdio::piped()),
            Stdout::Full => self.command.stdout(std::fs::File::create("/dev/full").expect("/dev/full")),
        };
        let began = Instant::now();
        let mut child = self.command.spawn().expect("spawn jwt-lifecycle");
        if let (Some(input), Some(stdin)) = (self.stdin.take(), child.stdin.take()) {
            std::thread::spawn(move || input.write_to(stdin));
        }
        let stdout = match self.stdout {
            Stdout::Closed => {
                drop(child.stdout.take());
                None
            }
            _ => child.stdout.take().map(collect),
        };
        let stderr = child.stderr.take().map(collect);
        let interrupt = self.interrupt_when.take().map(|needle| (needle, mark.clone()));
        let (code, peak_kb, killed) = watch(&mut child, began, interrupt);
        let elapsed = began.elapsed();
        let survivors = survivors(&mark);
        Ran {
            args,
            code,
            stdout: stdout.map(join).unwrap_or_default(),
            stderr: stderr.map(join).unwrap_or_default(),
            elapsed,
            peak_kb,
            survivors,
            killed,
        }
    }
}

fn collect(stream: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.take(OUTPUT_LIMIT).read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join(handle: JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// The peak resident set (VmHWM) of a live process, in kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `child`, polling its memory; kills it at the hard limit. With `interrupt`
/// (a needle and the mark), sends it SIGINT once a marked process runs the needle.
fn watch(
    child: &mut Child,
    began: Instant,
    mut interrupt: Option<(String, String)>,
) -> (Option<i32>, u64, bool) {
    let mut peak = 0;
    loop {
        if let Some((needle, mark)) = &interrupt {
            if marked(mark).iter().any(|(_, line)| line.contains(needle.as_str())) {
                // Let it get going first.
                std::thread::sleep(Duration::from_millis(500));
                let pid = nix::unistd::Pid::from_raw(child.id() as i32);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::SIGINT);
                interrupt = None;
            }
        }
        if let Some(kb) = peak_rss_kb(child.id()) {
            peak = peak.max(kb);
        }
        match child.try_wait() {
            Ok(Some(status)) => return (status.code(), peak, false),
            Ok(None) if began.elapsed() > HARD_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return (None, peak, true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for jwt-lifecycle: {e}"),
        }
    }
}

fn marked(mark: &str) -> Vec<(i32, String)> {
    let needle = format!("JWT_FAULT_MARK={mark}\0");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return found };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        if environ.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push((pid, format!("{pid}: {}", cmdline.trim())));
        }
    }
    found
}

/// The processes still carrying `mark`, after giving killed ones a moment to go; any
/// found are killed so one failing test does not leave them to the next.
fn survivors(mark: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let found = marked(mark);
        if found.is_empty() {
            return Vec::new();
        }
        if Instant::now() > deadline {
            for (pid, _) in &found {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(*pid), nix::sys::signal::SIGKILL);
            }
            return found.into_iter().map(|(_, line)| line).collect();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The largest peak resident set of any process this test binary has reaped, with
/// everything they reaped in turn (the adapters), in kB.
pub(crate) fn children_max_rss_kb() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|u| u.max_rss().max(0) as u64)
        .unwrap_or(0)
}

impl Ran {
    /// The exit code, the bounds every command in the fault suite keeps: finished by
    /// itself within `within`, no panic, under the memory limit, nothing left running.
    pub(crate) fn assert_well_behaved(&self, code: i32, within: Duration) -> &Self {
        // Shown with --nocapture: what each command cost, for the suite's record.
        eprintln!("{}: exit {:?} in {:?}, peak {} kB", self.args, self.code, self.elapsed, self.peak_kb);
        assert!(
            !self.killed,
            "{}: still running after {HARD_LIMIT:?}; killed\nstderr: {}",
            self.args, self.stderr
        );
        assert_eq!(self.code, Some(code), "{}: exit code\nstderr: {}", self.args, self.stderr);
        assert!(
            self.elapsed < within,
            "{}: took {:?}, more than {within:?}\nstderr: {}",
            self.args,
            self.elapsed,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}: panicked\n{}", self.args, self.stderr);
        assert!(
            self.peak_kb < MEMORY_LIMIT_KB,
            "{}: peak memory {} kB, over {MEMORY_LIMIT_KB} kB",
            self.args,
            self.peak_kb
        );
        assert!(
            self.survivors.is_empty(),
            "{}: processes left running:\n{}",
            self.args,
            self.survivors.join("\n")
        );
        let reaped = children_max_rss_kb();
        assert!(reaped < MEMORY_LIMIT_KB, "a process of this suite peaked at {reaped} kB");
        self
    }

    /// The report on stdout, as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("{}: stdout is not JSON ({e}): {}\nstderr: {}", self.args, self.stdout, self.stderr)
        })
    }
}
