//! Loading case files from disk, with errors that say which file, where, and what.

use super::{Case, CaseError, CaseFile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why cases could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory or a file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not JSON, or not a case (serde's message carries the line and column).
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What serde said, with line and column.
        message: String,
    },
    /// A well-formed file whose content is wrong.
    #[error("{path}{}: {source}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Content {
        /// The file.
        path: PathBuf,
        /// The line of the value that is wrong, when it could be found.
        line: Option<usize>,
        /// What is wrong, with its JSON path.
        source: CaseError,
    },
    /// Two files with one id.
    #[error("{path}: duplicate case id `{id}` (also in {first})")]
    DuplicateId {
        /// The second file.
        path: PathBuf,
        /// The id.
        id: String,
        /// The first file.
        first: PathBuf,
    },
}

/// Parses one case from text; `path` is only used in messages.
pub fn parse_case(text: &str, path: &Path) -> Result<Case, LoadError> {
    let file: CaseFile = serde_json::from_str(text)
        .map_err(|e| LoadError::Syntax { path: path.to_owned(), message: e.to_string() })?;
    Case::new(file).map_err(|source| LoadError::Content {
        path: path.to_owned(),
        line: super::locate::line_of(text, &source.path()),
        source,
    })
}

/// Loads one case file.
pub fn load_file(path: &Path) -> Result<Case, LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    parse_case(&text, path)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io { path: dir.to_owned(), source })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io { path: dir.to_owned(), source })?;
        paths.push(entry.path());
    }
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads every `*.json` under `dir` (recursively), sorted by id. Returns every error
/// found, not just the first, so one run of `cases validate` lists them all.
pub fn load_dir(dir: &Path) -> Result<Vec<(PathBuf, Case)>, Vec<LoadError>> {
    let mut paths = Vec::new();
    walk(dir, &mut paths).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut by_id: BTreeMap<String, (PathBuf, Case)> = BTreeMap::new();
    for path in paths {
        match load_file(&path) {
            Ok(case) => match by_id.get(case.id()) {
                Some((first, _)) => errors.push(LoadError::DuplicateId {
                    path: path.clone(),
                    id: case.id().to_owned(),
                    first: first.clone(),
                }),
                None => {
                    by_id.insert(case.id().to_owned(), (path, case));
                }
            },
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(by_id.into_values().collect())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_case(text, Path::new("x.json")).unwrap_err().to_string()
    }

    const GOOD: &str = r#"{
      "id": "exponea-stream/t", "description": "d", "profiles": ["exponea-stream"],
      "requirements": ["CONF-001"], "tokens": {"A": {"exp_in": 300}},
      "steps": [{"call": "set_token", "token": "A"}]
    }"#;

    #[test]
    fn a_good_case_loads_and_mints() {
        let case = parse_case(GOOD, Path::new("x.json")).unwrap();
        assert!(case.tokens.raw("A").unwrap().starts_with("eyJ"));
        assert!(!case.strict_only());
    }

    #[test]
    fn errors_name_the_file_and_what_is_wrong() {
        assert!(err(&GOOD.replace("CONF-001", "CONF-999"))
            .contains("x.json:3: requirements[0]: unknown requirement id `CONF-999`"));
        assert!(err(&GOOD.replace("\"token\": \"A\"", "\"token\": \"Z\""))
            .contains("x.json:4: steps[0].token: undefined token `Z` (declared: A)"));
        assert!(err(&GOOD.replace("[\"exponea-stream\"]", "[\"all\"]")).contains("unknown variant `all`"));
        let e = err(&GOOD.replace("\"description\"", "\"descr\""));
        assert!(e.contains("unknown field `descr`") && e.contains("line 2"), "{e}");
        assert!(err("{").contains("x.json: EOF"));
    }

    #[test]
    fn duplicate_ids_across_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), GOOD).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.json"), GOOD).unwrap();
        let errors = load_dir(dir.path()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("duplicate case id `exponea-stream/t`"));
    }
}
