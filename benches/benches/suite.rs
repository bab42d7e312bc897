//! The conformance suite's costs: `suite/in_process` and `suite/process` (the default
//! run, every MUST case on every profile, through the reference adapter in process and
//! over stdio; throughput in cases), `protocol/round_trip` (one `advance 0` message
//! and its reply, against one long-lived adapter process), and `random/300_all_profiles`
//! (what `jwt-lifecycle run --reference --random 300` costs: 300 coverage-steered random
//! sequences on every profile, judged by the monitors, in process).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jwt_lifecycle_benches::mode::RunMode;
use jwt_lifecycle_benches::process::{adapter_argv, default_plan, load_cases, run_suite, started_process};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::{Adapter, StepReply};
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
use jwt_lifecycle_spec::profile::ProfileId;
use std::hint::black_box;
use std::time::Duration;

const BENCH_ADAPTER: &str = env!("CARGO_BIN_EXE_jwt-lifecycle-bench-adapter");

fn suite(c: &mut Criterion) {
    let mode = RunMode::current();
    let cases = load_cases();
    let planned = default_plan(&cases);
    let mut group = c.benchmark_group("suite");
    group.throughput(Throughput::Elements(planned.len() as u64));
    group.sample_size(20);
    group.measurement_time(mode.measurement(Duration::from_secs(8)));

    let mut reference = ReferenceAdapter::new();
    let hello = reference.hello();
    let passed = run_suite(&mut reference, &hello, &planned);
    if passed != planned.len() {
        eprintln!("note: the reference adapter passes {passed} of {} planned cases", planned.len());
    }
    group.bench_function("in_process", |b| b.iter(|| run_suite(&mut reference, &hello, black_box(&planned))));

    let (mut process, hello) = started_process(adapter_argv(BENCH_ADAPTER));
    let hello = Ok(hello);
    let passed = run_suite(&mut process, &hello, &planned);
    if passed != planned.len() {
        eprintln!("note: the process adapter passes {passed} of {} planned cases", planned.len());
    }
    group.bench_function("process", |b| b.iter(|| run_suite(&mut process, &hello, black_box(&planned))));
    group.finish();
    process.finish();
}

fn protocol(c: &mut Criterion) {
    let (mut process, _) = started_process(adapter_argv(BENCH_ADAPTER));
    let profile = ProfileId::ExponeaStream;
    let started = process.start("bench/round-trip", profile, 1_700_000_000_000);
    assert!(started.is_ok(), "the adapter does not start a case: {started:?}");
    let mut group = c.benchmark_group("protocol");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(RunMode::current().measurement(Duration::from_secs(4)));
    group.bench_function("round_trip", |b| {
        b.iter(|| match process.advance(black_box(0)) {
            Ok(StepReply::Done(seen)) => seen.len(),
            other => panic!("the adapter answered `advance 0` with {other:?}"),
        })
    });
    group.finish();
    process.finish();
}

/// One `--random 300` run over every profile (seed 1); the number of steps it drove.
fn random_300_all_profiles() -> u64 {
    let mut steps = 0;
    for profile in ProfileId::ALL {
        let mut adapter = ReferenceAdapter::new();
        let outcome = run_random(&mut adapter, profile, RandomConfig::new(300, 1), Differential::Rules, 2);
        assert!(
            outcome.divergence.is_none(),
            "{profile}: the reference broke a rule: {:?}",
            outcome.divergence
        );
        steps += outcome.steps;
    }
    steps
}

fn random(c: &mut Criterion) {
    let mut group = c.benchmark_group("random");
    // Seconds per iteration: criterion's smallest sample is enough to see the budget
    // (issue 14: under 10 s in release on the project's machine).
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    group.measurement_time(RunMode::current().measurement(Duration::from_secs(20)));
    group.bench_function("300_all_profiles", |b| b.iter(|| black_box(random_300_all_profiles())));
    group.finish();
}

criterion_group!(benches, suite, protocol, random);
criterion_main!(benches);
