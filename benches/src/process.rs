//! The suite's side of the suite and protocol benches: the case files, the plan, and
//! the adapter command.
//!
//! The process adapter is `jwt-lifecycle-bench-adapter` (this crate's binary: the
//! reference adapter on stdio through the same `serve` loop as `jwt-lifecycle
//! reference-adapter`), located by the bench through `CARGO_BIN_EXE_*`, so it is built
//! with the benches and always current. `JWT_BENCH_ADAPTER` replaces it with any
//! command line, e.g. `JWT_BENCH_ADAPTER="target/release/jwt-lifecycle reference-adapter"`
//! to time the CLI binary, or a shim of another SDK.

use jwt_lifecycle_conformance::adapter::command::split;
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::{Adapter, AdapterError, Hello};
use jwt_lifecycle_conformance::case::{load_dir, Case};
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Planned, Selection};
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable that overrides the adapter command.
pub const ADAPTER_ENV: &str = "JWT_BENCH_ADAPTER";

/// The case directory the suite benches load: `JWT_BENCH_CASES` when set (so that two
/// versions of the suite can be timed on one case set), else the repository's cases.
pub fn cases_dir() -> PathBuf {
    match std::env::var_os("JWT_BENCH_CASES") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("conformance").join("cases"),
    }
}

/// Loads every case file.
///
/// # Panics
/// If the case files do not load: the suite benches have nothing to run.
pub fn load_cases() -> Vec<Case> {
    match load_dir(&cases_dir()) {
        Ok(cases) => cases.into_iter().map(|(_, case)| case).collect(),
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("the case files do not load:\n{}", lines.join("\n"))
        }
    }
}

/// The default run's plan: every MUST case on every profile it lists.
pub fn default_plan(cases: &[Case]) -> Vec<Planned<'_>> {
    plan(cases, &ProfileId::ALL, &Selection::default())
}

/// Runs `planned` on `adapter`; returns how many cases passed.
pub fn run_suite(
    adapter: &mut dyn Adapter,
    hello: &Result<Hello, AdapterError>,
    planned: &[Planned<'_>],
) -> usize {
    let results = run_planned(adapter, hello, planned, &Expectations::default(), &mut |_| {});
    results.iter().filter(|r| r.status == Status::Passed).count()
}

/// The workspace root (cargo runs benches from the package's directory, `benches/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The adapter command: `JWT_BENCH_ADAPTER` split like a shell would, else `default`.
/// A relative program path with a `/` (`target/release/jwt-lifecycle`) is taken from the
/// workspace root, where the user typed it, not from `benches/`, where cargo runs us.
///
/// # Panics
/// If `JWT_BENCH_ADAPTER` cannot be split into words.
pub fn adapter_argv(default: &str) -> Vec<String> {
    match std::env::var(ADAPTER_ENV) {
        Ok(line) if !line.trim().is_empty() => {
            let mut argv = split(&line).unwrap_or_else(|e| panic!("{ADAPTER_ENV}={line:?}: {e}"));
            let program = PathBuf::from(&argv[0]);
            if program.is_relative() && argv[0].contains('/') && !program.exists() {
                argv[0] = workspace_root().join(program).to_string_lossy().into_owned();
            }
            argv
        }
        _ => vec![default.to_owned()],
    }
}

/// A process adapter on `argv`, started and past its handshake.
///
/// # Panics
/// If the adapter does not start or shake hands.
pub fn started_process(argv: Vec<String>) -> (ProcessAdapter, Hello) {
    let shown = argv.join(" ");
    let mut adapter = ProcessAdapter::new(argv, Duration::from_secs(10));
    let hello = adapter.hello().unwrap_or_else(|e| panic!("adapter `{shown}` does not start: {e}"));
    (adapter, hello)
}
