//! Validation throughput: `validate/<profile>` (ours, jsonwebtoken, the floor, and our
//! rejections, on the same tokens) and `validate_batch/<profile>` (1 and 2 threads).
//!
//! Read the ratios from one run: the functions of a group share their tokens and run
//! back to back on the same machine state.
//!
//! `JWT_BENCH_CLOCK=cpu` measures by the thread's CPU time instead of the wall clock, so
//! time the scheduler gives to other processes on a shared machine is not counted (the
//! work itself, single-threaded, is the same); the default is the wall clock.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jwt_lifecycle_benches::mode::RunMode;
use jwt_lifecycle_benches::validation::{ValidationFixture, PROFILES, REJECTIONS};
use rustix::time::{clock_gettime, ClockId};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The wall clock, or the thread's CPU time (`JWT_BENCH_CLOCK=cpu`), in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clock {
    Wall,
    ThreadCpu,
}

impl Clock {
    fn from_env() -> Self {
        match std::env::var("JWT_BENCH_CLOCK").as_deref() {
            Ok("cpu") => Clock::ThreadCpu,
            _ => Clock::Wall,
        }
    }
}

fn thread_cpu_ns() -> i128 {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
}

impl Measurement for Clock {
    type Intermediate = (Instant, i128);
    type Value = f64;

    fn start(&self) -> Self::Intermediate {
        (Instant::now(), thread_cpu_ns())
    }
    fn end(&self, (wall, cpu): Self::Intermediate) -> f64 {
        match self {
            Clock::Wall => wall.elapsed().as_nanos() as f64,
            Clock::ThreadCpu => (thread_cpu_ns() - cpu) as f64,
        }
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

/// Formats nanoseconds as criterion formats durations.
struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match ns {
            n if n < 1e3 => (1.0, "ns"),
            n if n < 1e6 => (1e-3, "µs"),
            n if n < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, ns: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let elements = match *throughput {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => n as f64,
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => n as f64,
            Throughput::Bits(n) => n as f64,
        };
        let per_second = elements * 1e9 / ns;
        let (factor, unit) = match per_second {
            p if p < 1e3 => (1.0, "elem/s"),
            p if p < 1e6 => (1e-3, "Kelem/s"),
            _ => (1e-6, "Melem/s"),
        };
        values.iter_mut().for_each(|v| *v = elements * 1e9 / *v * factor);
        unit
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn validate(c: &mut Criterion<Clock>) {
    for profile in PROFILES {
        let f = ValidationFixture::new(profile);
        let mut group = c.benchmark_group(format!("validate/{profile}"));
        group.throughput(Throughput::Elements(1));
        group.measurement_time(RunMode::current().measurement(Duration::from_secs(4)));
        group.bench_function("ours", |b| {
            b.iter(|| f.validator.validate(black_box(&f.good), black_box(&f.request), f.now_s))
        });
        group.bench_function("ours_uncached_header", |b| {
            b.iter(|| f.validator.validate(black_box(&f.uncached_header), black_box(&f.request), f.now_s))
        });
        group.bench_function("ours_unseen_header", |b| {
            let mut next = 0;
            b.iter(|| {
                next = (next + 1) % f.unseen_headers.len();
                f.validator.validate(black_box(&f.unseen_headers[next]), black_box(&f.request), f.now_s)
            })
        });
        group.bench_function("jsonwebtoken", |b| b.iter(|| f.jsonwebtoken(black_box(&f.good))));
        group.bench_function("jsonwebtoken_one_key", |b| {
            b.iter(|| f.jsonwebtoken_one_key(black_box(&f.good)))
        });
        group.bench_function("floor", |b| b.iter(|| f.floor(black_box(&f.good))));
        for (name, _) in REJECTIONS {
            let token = f.rejected(name);
            // criterion drops each returned decision inside the timed loop, so building
            // and freeing a rejection's message is part of its cost, as the claims are
            // of an acceptance's.
            group.bench_function(format!("ours_reject_{name}"), |b| {
                b.iter(|| f.validator.validate(black_box(token), black_box(&f.request), f.now_s))
            });
        }
        group.finish();
    }
}

fn validate_batch(c: &mut Criterion<Clock>) {
    for profile in PROFILES {
        let f = ValidationFixture::new(profile);
        let jobs = f.batch_jobs();
        let mut group = c.benchmark_group(format!("validate_batch/{profile}"));
        group.throughput(Throughput::Elements(jobs.len() as u64));
        group.measurement_time(RunMode::current().measurement(Duration::from_secs(4)));
        for threads in [1, 2] {
            group.bench_function(format!("threads_{threads}"), |b| {
                b.iter(|| {
                    let decisions = f.validator.validate_batch(black_box(&jobs), f.now_s, threads);
                    debug_assert!(decisions.iter().all(|d| d.is_accepted()));
                    decisions
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = validate, validate_batch
}
criterion_main!(benches);
