//! Every `jwt-lifecycle token` command the book shows prints what the book shows.
//!
//! The commands are read from the committed page, docs/src/generated/token-cli.md, and run
//! as a reader would copy them: mint into `token.txt`, then verify reading it from stdin.
//! The page is written from the examples in docs/gen/src/token_cli.rs, and the docs drift
//! test keeps it equal to them, so a change of the CLI's output fails here and a change of
//! an example fails there.

mod common;

use common::{bin, crate_dir};
use jwt_lifecycle_conformance::adapter::command::split;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};

const PAGE: &str = "docs/src/generated/token-cli.md";
const PROMPT: &str = "$ jwt-lifecycle ";
const MINT_TAIL: &str = " > token.txt";
const VERIFY_TAIL: &str = " - < token.txt";

/// One `token verify` the page shows after a mint.
#[derive(Debug)]
struct Verification {
    caption: String,
    args: Vec<String>,
    stdout: String,
}

/// One mint the page shows, with the checks of its token.
#[derive(Debug)]
struct Example {
    mint: Vec<String>,
    verify: Vec<Verification>,
}

fn words(command: &str) -> Vec<String> {
    split(command).unwrap_or_else(|e| panic!("{PAGE}: `{command}`: {e}"))
}

/// The examples of the page's `sh` blocks: a mint line, then for each check a `# caption`,
/// the verify line and the lines it prints.
fn examples(page: &str) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut caption = String::new();
    // Whether the lines that follow are the output of the last verify line.
    let mut in_output = false;
    for line in page.lines() {
        let command = line.strip_prefix(PROMPT);
        if line.is_empty() || line.starts_with("```") {
            in_output = false;
        } else if let Some(c) = line.strip_prefix("# ") {
            caption = c.to_owned();
            in_output = false;
        } else if let Some(mint) = command.and_then(|l| l.strip_suffix(MINT_TAIL)) {
            found.push(Example { mint: words(mint), verify: Vec::new() });
            in_output = false;
        } else if let Some(verify) = command.and_then(|l| l.strip_suffix(VERIFY_TAIL)) {
            let example = found.last_mut().unwrap_or_else(|| panic!("{PAGE}: a verify before any mint"));
            let mut args = words(verify);
            args.push("-".to_owned());
            example.verify.push(Verification { caption: caption.clone(), args, stdout: String::new() });
            in_output = true;
        } else if let Some(v) = found.last_mut().and_then(|e| e.verify.last_mut()).filter(|_| in_output) {
            v.stdout.push_str(line);
            v.stdout.push('\n');
        }
    }
    found
}

fn run(args: &[String], stdin: &str) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin()));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).unwrap_or_else(|e| panic!("stdin: {e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{}: {e}", bin()))
}

/// The exit status the page promises for a printed `--json` decision: 0 accepted, 1 rejected.
fn promised_status(stdout: &str) -> i32 {
    let decision: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{PAGE}: `{stdout}` is not JSON: {e}"));
    if decision["accepted"] == true {
        0
    } else {
        1
    }
}

#[test]
fn every_token_example_in_the_book_prints_what_the_book_shows() {
    let path = crate_dir().join("..").join(PAGE);
    let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = examples(&page);
    let profiles = page.lines().filter(|l| l.starts_with("### `")).count();
    assert!(
        profiles > 0 && found.len() == profiles && found.iter().all(|e| !e.verify.is_empty()),
        "{PAGE}: expected a mint and its checks under each of the {profiles} profile headings, found {found:?}"
    );
    for example in &found {
        let minted = run(&example.mint, "");
        assert!(minted.status.success(), "{:?}: {}", example.mint, String::from_utf8_lossy(&minted.stderr));
        let token = String::from_utf8_lossy(&minted.stdout).trim().to_owned();
        for v in &example.verify {
            let out = run(&v.args, &token);
            assert_eq!(
                (out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()),
                (Some(promised_status(&v.stdout)), v.stdout.as_str()),
                "{PAGE}, `{}`: stderr {}",
                v.caption,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
