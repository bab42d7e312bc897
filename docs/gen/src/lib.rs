//! The generated pages of the book, the traceability matrix, and the drift check that
//! keeps the committed pages honest. A tool of this repository, not published: run it as
//! `cargo run -p jwt-lifecycle-docgen -- generate` (or `check`, or `matrix`).
//!
//! - [`sources`]: what the pages are made from (property catalog, unit tests, cases).
//! - [`matrix`]: requirement -> properties -> unit tests -> cases, waivers, coverage gate.
//! - [`lifecycle`]: state diagrams (Mermaid) from the profiles' data.
//! - [`sequences`]: sequence diagrams of scenarios run through the reference model.
//! - [`token_cli`]: worked `jwt-lifecycle token` examples (run by a test of the CLI).
//! - [`token_tests`]: the token tests that predate the id naming, mapped to their rules.
//! - [`real_sdks`]: the verdicts of the shipping SDKs, from their committed results.
//! - [`pages`]: Markdown rendering.
//! - [`coverage_page`]: transition and clause coverage of the fixed cases, per profile.
//!
//! Unit tests and case files are read from a repository tree at run time rather than
//! embedded at build time: `generate` writes into that tree anyway, and a build script
//! could not notice a new test or case file in another crate without rebuilding on every
//! change. The default tree is the checkout this crate sits in ([`default_repo_root`]);
//! the command line takes `--repo` for any other. The registry, the profiles, the
//! property catalog and the model behind the sequence diagrams are the ones this crate is
//! compiled with.

pub mod coverage_page;
pub mod lifecycle;
pub mod matrix;
pub mod pages;
pub mod real_sdks;
pub mod sequences;
pub mod sources;
pub mod token_cli;
pub mod token_tests;

use jwt_lifecycle_spec::requirement::Area;
use matrix::Matrix;
use sources::{CaseRef, PropertyRef, UnitTestRef};
use std::fs;
use std::path::{Path, PathBuf};

/// Why generating or checking the pages failed.
#[derive(Debug, thiserror::Error)]
pub enum DocgenError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A case file is not the JSON docs/formats.md §1 describes.
    #[error("{}: not a valid case file: {source}", path.display())]
    CaseFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A real SDK's committed results or expectations file cannot be used.
    #[error("{}: {message}; rerun `JWT_LIFECYCLE_WRITE_RESULTS=1 cargo test -p jwt-lifecycle-conformance --test real_sdks`", path.display())]
    Results {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The case folder holds files the suite's loader refuses.
    #[error("{}: the cases do not load:\n{errors}", path.display())]
    Cases {
        /// The case folder.
        path: PathBuf,
        /// The loader's messages, one per line.
        errors: String,
    },
    /// The repository tree is not where it was expected.
    #[error("{} is not a jwt-lifecycle checkout (no spec/src/registry.rs); pass --repo <path to the repository>", path.display())]
    NotARepo {
        /// The path given.
        path: PathBuf,
    },
}

/// The command that rewrites the generated pages, for messages that ask for it.
pub const REGENERATE: &str = "cargo run -p jwt-lifecycle-docgen -- generate";

/// The checkout this crate sits in: it is `docs/gen` of the repository. The crate is not
/// published, so its manifest folder is always inside a checkout; [`ensure_repo`] still
/// checks the guess before anything is read or written.
pub fn default_repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().nth(2).unwrap_or(manifest).to_path_buf()
}

/// Fails unless `root` looks like a checkout of this project.
pub fn ensure_repo(root: &Path) -> Result<(), DocgenError> {
    if root.join("spec/src/registry.rs").is_file() {
        Ok(())
    } else {
        Err(DocgenError::NotARepo { path: root.to_path_buf() })
    }
}

/// Everything the generated pages are made from.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The model's properties.
    pub properties: Vec<PropertyRef>,
    /// Unit tests named after requirement ids.
    pub unit_tests: Vec<UnitTestRef>,
    /// The conformance cases.
    pub cases: Vec<CaseRef>,
    /// Entries of [`token_tests::TOKEN_TESTS`] whose test function no longer exists.
    pub missing_token_tests: Vec<String>,
    /// Whether `docs/adapter-protocol.md` (written with the suite) exists.
    pub adapter_protocol: bool,
    /// Whether `docs/formats.md` (the case file and report formats) exists.
    pub formats: bool,
    /// Whether `docs/performance.md` (written with the benches) exists.
    pub performance: bool,
    /// The shipping SDKs' committed runs.
    pub real_sdks: Vec<real_sdks::RealSdkRun>,
    /// Transition and clause coverage of the cases, per profile.
    pub coverage: Vec<coverage_page::ProfileCoverage>,
}

impl Sources {
    /// Reads them from the repository at `root`.
    pub fn collect(root: &Path) -> Result<Self, DocgenError> {
        ensure_repo(root)?;
        let mut unit_tests = sources::scan_unit_tests(root)?;
        let (mapped, missing_token_tests) = token_tests::mapped_token_tests(root)?;
        unit_tests.extend(mapped);
        unit_tests.sort();
        Ok(Sources {
            properties: sources::model_properties(),
            unit_tests,
            missing_token_tests,
            cases: sources::case_index(root)?,
            adapter_protocol: root.join("docs/adapter-protocol.md").is_file(),
            formats: root.join("docs/formats.md").is_file(),
            performance: root.join("docs/performance.md").is_file(),
            real_sdks: real_sdks::collect(root)?,
            coverage: coverage_page::collect(root)?,
        })
    }

    /// The traceability matrix over these sources.
    pub fn matrix(&self) -> Matrix {
        Matrix::build(&self.properties, &self.unit_tests, &self.cases)
    }
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The full contents.
    pub contents: String,
}

/// The folders (relative to the repository root) whose every file is generated: a file
/// there that the generator no longer produces is stale.
pub const GENERATED_DIRS: &[&str] = &["docs/src/generated", "docs/src/rules"];

/// Every generated page, in a fixed order.
pub fn generate(sources: &Sources) -> Vec<Page> {
    let matrix = sources.matrix();
    let page = |path: &str, contents: String| Page { path: path.to_owned(), contents };
    let mut pages = vec![page("docs/spec.md", pages::spec_md())];
    for area in Area::ALL {
        pages.push(page(
            &format!("docs/src/{}", pages::area_page(area)),
            pages::area_md(area, &matrix, &sources.cases),
        ));
    }
    pages.push(page("docs/src/generated/profiles.md", pages::profiles_md()));
    pages.push(page("docs/src/generated/decisions.md", pages::decisions_md()));
    pages.push(page("docs/src/generated/matrix.md", pages::matrix_md(&matrix)));
    pages.push(page("docs/src/generated/coverage.md", coverage_page::coverage_md(&sources.coverage)));
    pages.push(page("docs/src/generated/state-diagram.md", pages::state_diagram_md()));
    pages.push(page("docs/src/generated/lifecycle-by-profile.md", pages::lifecycle_by_profile_md()));
    pages.push(page("docs/src/generated/sequences.md", pages::sequences_md()));
    pages.push(page("docs/src/generated/token-cli.md", token_cli::token_cli_md()));
    pages.push(page("docs/src/generated/real-sdks.md", real_sdks::real_sdks_md(&sources.real_sdks)));
    pages.push(page(
        "docs/src/generated/adapter-protocol.md",
        pages::include_md("The adapter protocol", "adapter-protocol.md", sources.adapter_protocol),
    ));
    pages.push(page(
        "docs/src/generated/formats.md",
        pages::include_md("File and report formats", "formats.md", sources.formats),
    ));
    pages.push(page(
        "docs/src/generated/performance.md",
        pages::include_md("Performance", "performance.md", sources.performance),
    ));
    pages
}

/// How a committed file differs from what the generator produces now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    /// The generator produces it but it is not in the tree.
    Missing(String),
    /// It is in the tree with other contents.
    Differs(String),
    /// It is in a generated folder but the generator no longer produces it.
    Stale(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "{p}: missing"),
            Drift::Differs(p) => write!(f, "{p}: differs from the generated text"),
            Drift::Stale(p) => write!(f, "{p}: no longer generated (delete it)"),
        }
    }
}

/// Compares `pages` with the tree at `root`.
pub fn drift(root: &Path, pages: &[Page]) -> Result<Vec<Drift>, DocgenError> {
    let mut found = Vec::new();
    for page in pages {
        let path = root.join(&page.path);
        match fs::read_to_string(&path) {
            Ok(text) if text == page.contents => {}
            Ok(_) => found.push(Drift::Differs(page.path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                found.push(Drift::Missing(page.path.clone()))
            }
            Err(source) => return Err(DocgenError::Io { path, source }),
        }
    }
    for file in stale_files(root, pages)? {
        found.push(Drift::Stale(file));
    }
    Ok(found)
}

fn stale_files(root: &Path, pages: &[Page]) -> Result<Vec<String>, DocgenError> {
    let mut stale = Vec::new();
    for dir in GENERATED_DIRS {
        let dir = root.join(dir);
        if !dir.is_dir() {
            continue;
        }
        let io = |source| DocgenError::Io { path: dir.clone(), source };
        let mut entries = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io)? {
            entries.push(entry.map_err(io)?.path());
        }
        entries.sort();
        for path in entries {
            let rel = sources::relative(root, &path);
            if path.is_file() && !pages.iter().any(|p| p.path == rel) {
                stale.push(rel);
            }
        }
    }
    Ok(stale)
}

/// Writes `pages` under `root` and deletes stale generated files; returns what changed.
pub fn write(root: &Path, pages: &[Page]) -> Result<Vec<Drift>, DocgenError> {
    let changes = drift(root, pages)?;
    for change in &changes {
        match change {
            Drift::Missing(rel) | Drift::Differs(rel) => {
                let path = root.join(rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|source| DocgenError::Io { path: parent.to_path_buf(), source })?;
                }
                let contents =
                    pages.iter().find(|p| &p.path == rel).map(|p| p.contents.as_str()).unwrap_or_default();
                fs::write(&path, contents).map_err(|source| DocgenError::Io { path, source })?;
            }
            Drift::Stale(rel) => {
                let path = root.join(rel);
                fs::remove_file(&path).map_err(|source| DocgenError::Io { path, source })?;
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("jwt-lifecycle-docgen-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn write_then_drift_is_clean_and_an_edit_or_a_stray_file_is_reported() {
        let root = temp_dir("drift");
        let pages = vec![
            Page { path: "docs/spec.md".into(), contents: "a\n".into() },
            Page { path: "docs/src/generated/x.md".into(), contents: "b\n".into() },
        ];
        let first = write(&root, &pages).expect("write");
        assert_eq!(first.len(), 2);
        assert!(drift(&root, &pages).expect("drift").is_empty());

        fs::write(root.join("docs/spec.md"), "edited\n").expect("edit");
        fs::write(root.join("docs/src/generated/old.md"), "old\n").expect("stray");
        let found = drift(&root, &pages).expect("drift");
        assert_eq!(
            found,
            [Drift::Differs("docs/spec.md".into()), Drift::Stale("docs/src/generated/old.md".into())]
        );
        write(&root, &pages).expect("rewrite");
        assert!(drift(&root, &pages).expect("drift").is_empty());
        assert!(!root.join("docs/src/generated/old.md").exists());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_folder_that_is_not_the_repository_is_refused_with_a_hint() {
        let root = temp_dir("norepo");
        let err = Sources::collect(&root).expect_err("not a repo");
        assert!(err.to_string().contains("--repo"), "{err}");
        let _ = fs::remove_dir_all(&root);
    }
}
