//! Validation throughput: `validate/<profile>` (ours, jsonwebtoken, the floor, and our
//! rejections, on the same tokens) and `validate_batch/<profile>` (1 and 2 threads).
//!
//! Read the ratios from one run: the functions of a group share their tokens and run
//! back to back on the same machine state.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jwt_lifecycle_benches::mode::RunMode;
use jwt_lifecycle_benches::validation::{ValidationFixture, PROFILES, REJECTIONS};
use std::hint::black_box;
use std::time::Duration;

fn validate(c: &mut Criterion) {
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

fn validate_batch(c: &mut Criterion) {
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

criterion_group!(benches, validate, validate_batch);
criterion_main!(benches);
