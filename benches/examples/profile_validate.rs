//! Runs one validation function of the benches in a loop, for profilers that count
//! instructions (`valgrind --tool=callgrind`) or sample (`perf record`), which are
//! steadier than wall time on a shared machine.
//!
//! `cargo run --release -p jwt-lifecycle-benches --example profile_validate -- PROFILE FUNCTION N`
//! with FUNCTION one of `ours`, `jsonwebtoken`, `jsonwebtoken_one_key`, `floor`,
//! `ours_reject_<reason>`; N = 0 measures the setup alone.

use jwt_lifecycle_benches::validation::ValidationFixture;
use jwt_lifecycle_spec::profile::ProfileId;
use std::hint::black_box;
use std::process::ExitCode;

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
    let mut accepted = 0u64;
    for _ in 0..n {
        let ok = match function.as_str() {
            "ours" => f.ours(black_box(&f.good)),
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
