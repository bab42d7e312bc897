//! Where the generated pages get their facts: the model's property catalog, the unit
//! tests named after requirement ids, and the conformance case files.
//!
//! Tests and cases are read from the repository tree at generation time (not embedded at
//! build time), so that `generate`, `matrix` and the drift test always describe the
//! tree as it is now; see [`crate::default_repo_root`]. The property catalog comes
//! from the model crate this one is compiled with.

use super::DocgenError;
use jwt_lifecycle_spec::requirement::Area;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// One model-checked property, as the traceability matrix shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PropertyRef {
    /// The requirement id the property checks.
    pub requirement: String,
    /// The property's name (`"LIFE-008: a cleared token is never attached ..."`).
    pub name: String,
    /// `always`, `eventually` or `sometimes`.
    pub kind: String,
}

/// The model's stateright properties (docs/formats.md §4: `check::property_catalog()`).
pub fn model_properties() -> Vec<PropertyRef> {
    let mut properties = property_catalog();
    properties.sort();
    properties
}

/// The model's catalog: one entry per property (a property checked on several profiles
/// is listed once).
fn property_catalog() -> Vec<PropertyRef> {
    let mut list: Vec<PropertyRef> = jwt_lifecycle_model::check::property_catalog()
        .into_iter()
        .map(|p| PropertyRef {
            requirement: p.requirement.to_owned(),
            name: p.name.to_owned(),
            kind: p.kind.as_str().to_owned(),
        })
        .collect();
    list.sort();
    list.dedup();
    list
}

/// One unit test whose function name starts with requirement ids (docs/formats.md §4).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnitTestRef {
    /// The ids its name starts with, upper case (`["REFR-001", "REFR-002"]`).
    pub requirements: Vec<String>,
    /// `path/from/repo/root.rs::function_name`.
    pub name: String,
}

/// Finds the unit tests named after requirement ids in every crate at `root` (every
/// folder with a `Cargo.toml`): `<crate>/src/**/*.rs` and `<crate>/tests/**/*.rs`.
pub fn scan_unit_tests(root: &Path) -> Result<Vec<UnitTestRef>, DocgenError> {
    let mut files = Vec::new();
    for krate in crate_dirs(root)? {
        for sub in ["src", "tests"] {
            let dir = krate.join(sub);
            if dir.is_dir() {
                collect_files(&dir, "rs", &mut files)?;
            }
        }
    }
    let mut tests = Vec::new();
    for file in files {
        let text =
            fs::read_to_string(&file).map_err(|source| DocgenError::Io { path: file.clone(), source })?;
        let rel = relative(root, &file);
        for name in test_fn_names(&text) {
            let ids = leading_ids(name);
            if !ids.is_empty() {
                tests.push(UnitTestRef { requirements: ids, name: format!("{rel}::{name}") });
            }
        }
    }
    tests.sort();
    tests.dedup();
    Ok(tests)
}

/// `dir` and every folder below it that holds a `Cargo.toml`, in path order (hidden
/// folders and `target` skipped).
fn crate_dirs(dir: &Path) -> Result<Vec<PathBuf>, DocgenError> {
    let mut found = Vec::new();
    if dir.join("Cargo.toml").is_file() {
        found.push(dir.to_path_buf());
    }
    for path in read_dir_sorted(dir)? {
        if path.is_dir() && !is_hidden(&path) && !path.ends_with("target") {
            found.extend(crate_dirs(&path)?);
        }
    }
    Ok(found)
}

/// The names of the test functions in `text`: each `fn` whose attributes include
/// `#[test]` at the start of a line (other attributes and comments may sit between them).
pub(crate) fn test_fn_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("#[test]")
        .filter(|(at, _)| starts_its_line(text, *at))
        .filter_map(|(at, attr)| declared_fn_name(skip_attributes_and_comments(&text[at + attr.len()..])))
}

/// True when only whitespace precedes byte `at` on its line (so not a comment or a string).
fn starts_its_line(text: &str, at: usize) -> bool {
    text[..at].rsplit('\n').next().is_none_or(|before| before.trim().is_empty())
}

/// `text` without the attributes (`#[...]`), comments and whitespace it starts with.
fn skip_attributes_and_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if text.starts_with("//") {
            text = text.split_once('\n').map_or("", |(_, rest)| rest);
        } else if text.starts_with("#[") {
            text = after_brackets(text);
        } else {
            return text;
        }
    }
}

/// What follows the bracketed group `text` starts with (`#[cfg(all(a, b))]` nests).
fn after_brackets(text: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth <= 1 => return &text[i + 1..],
            ']' => depth -= 1,
            _ => {}
        }
    }
    ""
}

/// The name of the function `text` declares at its start (`fn name(`, `pub fn name<`,
/// `async fn name(`), if it declares one.
fn declared_fn_name(text: &str) -> Option<&str> {
    let mut rest = text;
    for qualifier in ["pub(crate) ", "pub ", "async ", "unsafe "] {
        rest = rest.strip_prefix(qualifier).unwrap_or(rest).trim_start();
    }
    let rest = rest.strip_prefix("fn ")?.trim_start();
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let after = rest[end..].trim_start();
    (end > 0 && (after.starts_with('(') || after.starts_with('<'))).then(|| &rest[..end])
}

/// The requirement ids at the start of a lower-snake function name:
/// `refr_001_refr_002_timer_fires_once` gives `["REFR-001", "REFR-002"]`.
pub fn leading_ids(name: &str) -> Vec<String> {
    let parts: Vec<&str> = name.split('_').collect();
    let mut ids = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() {
        let (prefix, number) = (parts[i], parts[i + 1]);
        let known = Area::ALL.iter().any(|a| a.prefix().eq_ignore_ascii_case(prefix));
        if !known || number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        ids.push(format!("{}-{number}", prefix.to_ascii_uppercase()));
        i += 2;
    }
    ids
}

/// The parts of a case file the docs use; the conformance loader validates the rest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CaseRef {
    /// The case id (`exponea-stream/refresh-fires-60s-before-exp`).
    pub id: String,
    /// The requirement ids it checks.
    pub requirements: Vec<String>,
    /// The clauses of those requirements it exercises (`REFR-006/anonymize`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<String>,
    /// The profiles it runs on.
    pub profiles: Vec<String>,
    /// One sentence saying the behaviour.
    pub description: String,
}

/// Reads every case file under `<root>/conformance/cases` (docs/formats.md §1). A missing
/// folder is an empty set of cases; an unreadable or malformed file is an error naming it.
pub fn case_index(root: &Path) -> Result<Vec<CaseRef>, DocgenError> {
    let dir = root.join("conformance").join("cases");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    collect_files(&dir, "json", &mut files)?;
    let mut cases = Vec::new();
    for file in files {
        let text =
            fs::read_to_string(&file).map_err(|source| DocgenError::Io { path: file.clone(), source })?;
        let case: CaseRef = serde_json::from_str(&text)
            .map_err(|source| DocgenError::CaseFile { path: file.clone(), source })?;
        cases.push(case);
    }
    cases.sort();
    Ok(cases)
}

fn collect_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<(), DocgenError> {
    for path in read_dir_sorted(dir)? {
        if path.is_dir() {
            if !is_hidden(&path) && !path.ends_with("target") {
                collect_files(&path, ext, out)?;
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, DocgenError> {
    let io = |source| DocgenError::Io { path: dir.to_path_buf(), source };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        paths.push(entry.map_err(io)?.path());
    }
    paths.sort();
    Ok(paths)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

/// `path` relative to `root`, with `/` separators whatever the platform.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_ids_reads_every_id_at_the_start_and_stops_at_the_first_word() {
        assert_eq!(leading_ids("refr_001_refr_002_timer_fires_once"), ["REFR-001", "REFR-002"]);
        assert_eq!(leading_ids("life_008_retry_after_anonymize"), ["LIFE-008"]);
        assert!(leading_ids("retry_twice_is_caught").is_empty());
        assert!(leading_ids("life_08_short").is_empty());
        assert!(leading_ids("life").is_empty());
        assert_eq!(leading_ids("valid_004"), ["VALID-004"]);
    }

    #[test]
    fn a_test_function_is_found_by_its_test_attribute_and_other_functions_are_not() {
        // Attributes spelt in pieces, so that the scan of this very file finds none of them.
        let text = concat!(
            "#[te",
            "st]\nfn conf_001_x() {}\n",
            "fn conf_002_helper_not_a_test() {}\n",
            "    #[te",
            "st]\n    #[ignore = \"slow\"]\n    // why\n    pub fn life_003_y<T>() {}\n",
            "let fn_ptr = 1; // #[te",
            "st] is a word here\nfn refr_001_z() {}\n",
            "#[te",
            "st]\n#[cfg_attr(miri, ignore)]\nasync fn pre_001_w() {}\n",
            "#[te",
            "st] fn valid_004_v() {}\n",
        );
        let names: Vec<&str> = test_fn_names(text).collect();
        assert_eq!(names, ["conf_001_x", "life_003_y", "pre_001_w", "valid_004_v"]);
    }
}
