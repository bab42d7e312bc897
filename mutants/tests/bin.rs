//! The `jwt-lifecycle-mutant` binary's command line, and the machine it wraps.

mod common;

use common::mutant_bin;
use std::path::Path;
use std::process::Command;

#[test]
fn an_unknown_mutant_is_a_usage_error_that_lists_the_mutants() {
    let out = Command::new(mutant_bin()).args(["--mutant", "bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bogus") && stderr.contains("never_refresh"), "{stderr}");
}

#[test]
fn the_handshake_names_the_mutant_and_only_the_profiles_asked_for() {
    let mut child = Command::new(mutant_bin())
        .args(["--mutant", "retry_twice", "--profile", "exponea-stream", "--profile", "khoros-legacy"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, r#"{{"type":"hello","protocol":1,"suite":"jwt-lifecycle/test"}}"#).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hello: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap_or_default()).unwrap();
    assert_eq!(hello["adapter"], "jwt-lifecycle-mutant+retry_twice", "{hello}");
    assert_eq!(hello["profiles"], serde_json::json!(["exponea-stream", "khoros-legacy"]), "{hello}");
}

/// The reference machine carries no deliberate bug: no mutation type, hook or flag in its
/// source (issue 16). Mutants live in this crate alone.
#[test]
fn the_machine_has_no_mutation_code() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/src");
    let mut offending = Vec::new();
    let mut dirs = vec![model];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if line.to_lowercase().contains("mutat") {
                        offending.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(offending.is_empty(), "mutation code in the machine:\n{}", offending.join("\n"));
}
