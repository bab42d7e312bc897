//! Runs one validation function of the benches in a loop, for profilers that count
//! instructions (`valgrind --tool=callgrind`) or sample (`perf record`), which are
//! steadier than wall time on a shared machine.
//!
//! `cargo run --release -p jwt-lifecycle-benches --example profile_validate -- PROFILE FUNCTION N`
//! with FUNCTION one of `ours`, `ours_uncached_header`, `ours_unseen_header`,
//! `jsonwebtoken`, `jsonwebtoken_one_key`, `floor`, `ours_reject_<reason>`; N = 0
//! measures the setup alone.
//!
//! `... -- PROFILE interleave ROUNDS` times `ours`, `jsonwebtoken`, `floor`, `ours`
//! on the spaced-header token and each rejection in
//! alternating blocks of 2,000 validations and prints each one's median block, so a
//! change of load on a shared machine hits all three alike and their ratios hold. Each
//! block is timed twice: by the wall clock, and by the thread's CPU time, which leaves
//! out the time the scheduler gives to other processes (on a loaded 2-core machine a
//! block is often preempted, and the wall clock then measures the neighbours).

use jwt_lifecycle_benches::validation::{ValidationFixture, REJECTIONS};
use jwt_lifecycle_spec::profile::ProfileId;
use rustix::time::{clock_gettime, ClockId};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

const BLOCK: u32 = 2_000;

/// The next of the fixture's respaced-header tokens, in turn, so none is found in the
/// thread's cache of recently seen headers.
fn unseen(f: &ValidationFixture) -> &str {
    thread_local!(static NEXT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
    let n = NEXT.with(|c| {
        let n = (c.get() + 1) % f.unseen_headers.len();
        c.set(n);
        n
    });
    &f.unseen_headers[n]
}

fn interleave(f: &ValidationFixture, rounds: u64) {
    let mut functions: Vec<(String, Box<dyn Fn() -> bool + '_>)> = vec![
        ("ours".to_owned(), Box::new(|| f.ours(black_box(&f.good)))),
        ("jsonwebtoken".to_owned(), Box::new(|| f.jsonwebtoken(black_box(&f.good)))),
        ("floor".to_owned(), Box::new(|| f.floor(black_box(&f.good)))),
        ("ours_uncached_header".to_owned(), Box::new(|| f.ours(black_box(&f.uncached_header)))),
        ("ours_unseen_header".to_owned(), Box::new(move || f.ours(black_box(unseen(f))))),
    ];
    for (name, _) in REJECTIONS {
        let token = f.rejected(name);
        functions.push((format!("ours_reject_{name}"), Box::new(move || f.ours(black_box(token)))));
    }
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); functions.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); functions.len()];
    for _ in 0..rounds {
        for (i, (_, function)) in functions.iter().enumerate() {
            let cpu_began = thread_cpu_ns();
            let began = Instant::now();
            for _ in 0..BLOCK {
                black_box(function());
            }
            wall[i].push(began.elapsed().as_nanos() as f64 / f64::from(BLOCK));
            cpu[i].push((thread_cpu_ns() - cpu_began) as f64 / f64::from(BLOCK));
        }
    }
    let wall = medians(wall);
    let cpu = medians(cpu);
    for (i, (name, _)) in functions.iter().enumerate() {
        println!(
            "{} {name}: median {:.0} ns per validation on the CPU ({:.2}x ours), {:.0} ns by the wall clock",
            f.profile,
            cpu[i],
            cpu[i] / cpu[0],
            wall[i]
        );
    }
    println!(
        "{}: good token {} bytes, spaced-header token {} bytes",
        f.profile,
        f.good.len(),
        f.uncached_header.len()
    );
    for (clock, m) in [("cpu", &cpu), ("wall", &wall)] {
        println!(
            "{} ({clock}): jsonwebtoken/ours {:.2}x, ours/floor {:.2}x; uncached header: jsonwebtoken/ours {:.2}x, ours/floor {:.2}x; unseen header: jsonwebtoken/ours {:.2}x, ours/floor {:.2}x",
            f.profile,
            m[1] / m[0],
            m[0] / m[2],
            m[1] / m[3],
            m[3] / m[2],
            m[1] / m[4],
            m[4] / m[2]
        );
    }
}

/// The calling thread's CPU time, in nanoseconds.
fn thread_cpu_ns() -> i128 {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
}

fn medians(samples: Vec<Vec<f64>>) -> Vec<f64> {
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(profile), Some(function), Some(n)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: profile_validate PROFILE FUNCTION N");
        return ExitCode::from(2);
    };
    let (Ok(profile), Ok(n)) = (profile.parse::<ProfileId>(), n.parse::<u64>()) else {
        eprintln!("profile_validate: unknown profile or bad count");
        return ExitCode::from(2);
    };
    let f = ValidationFixture::new(profile);
    if function == "interleave" {
        interleave(&f, n.max(1));
        return ExitCode::SUCCESS;
    }
    let mut accepted = 0u64;
    for _ in 0..n {
        let ok = match function.as_str() {
            "ours" => f.ours(black_box(&f.good)),
            "ours_uncached_header" => f.ours(black_box(&f.uncached_header)),
            "ours_unseen_header" => f.ours(black_box(unseen(&f))),
            "jsonwebtoken" => f.jsonwebtoken(black_box(&f.good)),
            "jsonwebtoken_one_key" => f.jsonwebtoken_one_key(black_box(&f.good)),
            "floor" => f.floor(black_box(&f.good)),
            other => match other.strip_prefix("ours_reject_") {
                Some(name) => f.ours(black_box(f.rejected(name))),
                None => {
                    eprintln!("profile_validate: unknown function {other}");
                    return ExitCode::from(2);
                }
            },
        };
        accepted += u64::from(ok);
    }
    println!("{accepted} of {n} accepted");
    ExitCode::SUCCESS
}
