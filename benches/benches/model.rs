//! The reference machine: `model/steps` (inputs per second on a long random sequence)
//! and `model/check/<profile>` (the exhaustive check at the CI bounds, 1 and 2 threads).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jwt_lifecycle_benches::mode::RunMode;
use jwt_lifecycle_benches::sequence::Sequence;
use jwt_lifecycle_spec::profile::ProfileId;
use std::hint::black_box;
use std::time::Duration;

/// Moves per sequence: long enough that building the SDK is noise.
const MOVES: usize = 20_000;

fn steps(c: &mut Criterion) {
    let sequences: Vec<Sequence> = ProfileId::ALL.iter().map(|&p| Sequence::random(p, MOVES)).collect();
    let total: usize = sequences.iter().map(|s| s.steps.len()).sum();
    let mut group = c.benchmark_group("model");
    group.throughput(Throughput::Elements(total as u64));
    group.sample_size(20);
    group.measurement_time(RunMode::current().measurement(Duration::from_secs(6)));
    group.bench_function("steps", |b| {
        b.iter(|| black_box(&sequences).iter().map(Sequence::replay).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
