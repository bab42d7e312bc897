//! `jwt-lifecycle reference-adapter` without the CLI around it: the reference adapter
//! (the model) served over stdio with the same [`serve`] loop. The process benches
//! spawn it through `CARGO_BIN_EXE_jwt-lifecycle-bench-adapter`, which cargo only sets
//! for binaries of the bench's own package; building it with the benches guarantees
//! they measure the current code, never a stale `target/release/jwt-lifecycle`.

use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::wire::serve;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut adapter = ReferenceAdapter::new();
    match serve(&mut adapter, std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jwt-lifecycle-bench-adapter: {e}");
            ExitCode::from(1)
        }
    }
}
