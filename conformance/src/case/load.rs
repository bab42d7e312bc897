//! Loading case files from disk, with errors that say which file, where, and what.
//!
//! The directory walk follows symbolic links but never loops: a link back to a directory
//! it is inside is reported once and not followed, and a directory reached a second time
//! is not read again. Only regular `*.json` files are opened; a named pipe, socket or
//! device with that name is skipped with a warning (opening a pipe would block).

use super::{Case, CaseError, CaseFile};
use crate::bounded::{self, ReadError, CASE_FILE_LIMIT};
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Why cases could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A case file could not be read (unreadable, too large, not UTF-8).
    #[error(transparent)]
    Read(ReadError),
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

impl LoadError {
    /// True when a file or directory could not be read at all, as opposed to a file
    /// that was read and is wrong: the first is an I/O error, the second a finding.
    pub fn is_io(&self) -> bool {
        match self {
            LoadError::Io { .. } => true,
            LoadError::Read(e) => !matches!(e, ReadError::NotText { .. }),
            LoadError::Syntax { .. } | LoadError::Content { .. } | LoadError::DuplicateId { .. } => false,
        }
    }
}

/// Something in a case directory that was skipped; the rest still loads.
#[derive(Debug, thiserror::Error)]
pub enum Skipped {
    /// A symbolic link to a directory that contains it.
    #[error("{}: symbolic link loop (it leads back to {}); not followed", link.display(), target.display())]
    Loop {
        /// The link.
        link: PathBuf,
        /// The directory it leads back to, as first walked.
        target: PathBuf,
    },
    /// A directory already walked under another name (through a symbolic link).
    #[error("{}: the same directory as {}, already read; not read twice", link.display(), target.display())]
    Again {
        /// The link.
        link: PathBuf,
        /// The directory, as first walked.
        target: PathBuf,
    },
    /// A `*.json` name that is not a regular file.
    #[error("{}: skipped: a {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is ("named pipe").
        kind: &'static str,
    },
    /// A symbolic link that cannot be followed (dangling, or a link to itself).
    #[error("{}: skipped: cannot follow the symbolic link: {source}", path.display())]
    BadLink {
        /// The link.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What loading a directory found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The cases that loaded, sorted by id, with their files.
    pub cases: Vec<(PathBuf, Case)>,
    /// Every problem found (the cases above are then not to be run).
    pub errors: Vec<LoadError>,
    /// What was skipped, each named once.
    pub skipped: Vec<Skipped>,
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

/// Loads one case file (at most [`CASE_FILE_LIMIT`] bytes).
pub fn load_file(path: &Path) -> Result<Case, LoadError> {
    let text = bounded::read_to_string(path, CASE_FILE_LIMIT, "case files").map_err(LoadError::Read)?;
    parse_case(&text, path)
}

fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "named pipe"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// A directory's identity: a link, a bind mount or `..` reach the same one by other names.
type DirId = (u64, u64);

#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    skipped: Vec<Skipped>,
    /// Every directory walked, with the name it was first walked under.
    seen: HashMap<DirId, PathBuf>,
}

impl Walk {
    fn dir(&mut self, dir: &Path, id: DirId, ancestors: &mut Vec<DirId>) -> Result<(), LoadError> {
        self.seen.insert(id, dir.to_owned());
        ancestors.push(id);
        let io = |source| LoadError::Io { path: dir.to_owned(), source };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            entries.push((entry.path(), entry.file_type().map_err(io)?));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, file_type) in entries {
            // `metadata` follows a link without opening anything, so a pipe never blocks.
            let metadata = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(source) if file_type.is_symlink() => {
                    self.skipped.push(Skipped::BadLink { path, source });
                    continue;
                }
                Err(source) => return Err(LoadError::Io { path, source }),
            };
            if metadata.is_dir() {
                let id = (metadata.dev(), metadata.ino());
                if ancestors.contains(&id) {
                    let target = self.seen.get(&id).cloned().unwrap_or_default();
                    self.skipped.push(Skipped::Loop { link: path, target });
                } else if let Some(first) = self.seen.get(&id) {
                    self.skipped.push(Skipped::Again { link: path, target: first.clone() });
                } else {
                    self.dir(&path, id, ancestors)?;
                }
            } else if path.extension().is_some_and(|e| e == "json") {
                if metadata.is_file() {
                    self.files.push(path);
                } else {
                    self.skipped.push(Skipped::NotRegular { path, kind: kind_of(metadata.file_type()) });
                }
            }
        }
        ancestors.pop();
        Ok(())
    }
}

/// Loads every regular `*.json` file under `dir` (recursively, following links without
/// looping). Collects every error, not just the first, so one run of `cases validate`
/// lists them all, and everything skipped.
pub fn load_tree(dir: &Path) -> Loaded {
    let mut walk = Walk::default();
    let root = std::fs::metadata(dir)
        .map_err(|source| LoadError::Io { path: dir.to_owned(), source })
        .and_then(|m| {
            if m.is_dir() {
                Ok((m.dev(), m.ino()))
            } else {
                let source = std::io::Error::other("not a directory");
                Err(LoadError::Io { path: dir.to_owned(), source })
            }
        })
        .and_then(|id| walk.dir(dir, id, &mut Vec::new()));
    let mut loaded = Loaded { skipped: std::mem::take(&mut walk.skipped), ..Loaded::default() };
    if let Err(e) = root {
        loaded.errors.push(e);
        return loaded;
    }
    let mut by_id: BTreeMap<String, (PathBuf, Case)> = BTreeMap::new();
    for path in walk.files {
        match load_file(&path) {
            Ok(case) => match by_id.get(case.id()) {
                Some((first, _)) => loaded.errors.push(LoadError::DuplicateId {
                    path: path.clone(),
                    id: case.id().to_owned(),
                    first: first.clone(),
                }),
                None => {
                    by_id.insert(case.id().to_owned(), (path, case));
                }
            },
            Err(e) => loaded.errors.push(e),
        }
    }
    loaded.cases = by_id.into_values().collect();
    loaded
}

/// [`load_tree`] for callers that need the cases or the errors, not what was skipped.
pub fn load_dir(dir: &Path) -> Result<Vec<(PathBuf, Case)>, Vec<LoadError>> {
    let loaded = load_tree(dir);
    if loaded.errors.is_empty() {
        Ok(loaded.cases)
    } else {
        Err(loaded.errors)
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
    fn a_clause_must_exist_belong_to_a_listed_requirement_and_bind_a_listed_profile() {
        let with = |requirements: &str, clauses: &str| {
            GOOD.replace(
                "\"requirements\": [\"CONF-001\"]",
                &format!("\"requirements\": {requirements}, \"clauses\": {clauses}"),
            )
        };
        let good = with(r#"["CONF-001", "REFR-006"]"#, r#"["REFR-006/anonymize"]"#);
        let case = parse_case(&good, Path::new("x.json")).unwrap();
        assert_eq!(case.file.clauses, ["REFR-006/anonymize"]);
        assert!(case.to_json_pretty().contains("\"clauses\": [\"REFR-006/anonymize\"]"));
        let e = err(&with(r#"["REFR-006"]"#, r#"["REFR-006/nope"]"#));
        assert!(e.contains("clauses[0]: unknown clause `REFR-006/nope`"), "{e}");
        let e = err(&with(r#"["CONF-001"]"#, r#"["REFR-006/anonymize"]"#));
        assert!(e.contains("clauses[0]: `REFR-006/anonymize` is a clause of REFR-006, which `requirements` does not list"), "{e}");
        // QUEUE-004/held binds the profiles that hold a request, not exponea-stream.
        let e = err(&with(r#"["QUEUE-004"]"#, r#"["QUEUE-004/held"]"#));
        assert!(e.contains("clauses[0]: `QUEUE-004/held` binds none of the case's profiles"), "{e}");
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

    fn messages(skipped: &[Skipped]) -> Vec<String> {
        skipped.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn symlink_loops_are_named_once_each_and_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), GOOD).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/up")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("here")).unwrap();
        std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
        let loaded = load_tree(dir.path());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.cases.len(), 1);
        let skipped = messages(&loaded.skipped);
        assert_eq!(skipped.len(), 3, "{skipped:#?}");
        assert!(skipped[0].contains("here: symbolic link loop (it leads back to"), "{skipped:#?}");
        assert!(skipped[1].contains("self: skipped: cannot follow the symbolic link"), "{skipped:#?}");
        assert!(skipped[2].contains("sub/up: symbolic link loop"), "{skipped:#?}");
    }

    #[test]
    fn a_directory_linked_twice_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/a.json"), GOOD).unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("alias")).unwrap();
        let loaded = load_tree(dir.path());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.cases.len(), 1);
        assert_eq!(loaded.skipped.len(), 1);
        assert!(
            loaded.skipped[0].to_string().contains("real: the same directory as"),
            "{:?}",
            loaded.skipped
        );
    }

    #[test]
    fn a_named_pipe_is_skipped_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), GOOD).unwrap();
        let pipe = dir.path().join("x.json");
        nix::unistd::mkfifo(&pipe, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let loaded = load_tree(dir.path());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.cases.len(), 1);
        assert_eq!(
            messages(&loaded.skipped),
            [format!("{}: skipped: a named pipe, not a regular file", pipe.display())]
        );
    }

    #[test]
    fn a_huge_case_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        std::fs::File::create(&path).unwrap().set_len(1 << 31).unwrap();
        let errors = load_dir(dir.path()).unwrap_err();
        assert!(errors[0].is_io());
        assert!(
            errors[0].to_string().contains("huge.json: larger than the 4 MiB limit for case files"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_missing_or_non_directory_root_is_an_io_error() {
        let errors = load_dir(Path::new("/nonexistent/cases")).unwrap_err();
        assert!(errors[0].is_io() && errors[0].to_string().contains("/nonexistent/cases: cannot read"));
        let file = tempfile::NamedTempFile::new().unwrap();
        let errors = load_dir(file.path()).unwrap_err();
        assert!(errors[0].to_string().contains("not a directory"), "{}", errors[0]);
    }
}
