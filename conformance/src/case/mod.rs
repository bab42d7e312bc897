//! Case files (docs/formats.md §1): their types, the loader and the named tokens.
//!
//! A [`Case`] is what a file says, checked: every requirement id exists, every token
//! name used is declared, every token mints. Whether a `respond` answers a request the
//! SDK really sent is only known while running, so it is not checked here.

pub mod expect;
pub mod load;
mod locate;
pub mod ordered;
pub mod step;
pub mod token;

pub use expect::{ExpectEntry, Expected, ExpectedOutput};
pub use load::{load_dir, load_file, load_tree, parse_case, LoadError, Loaded, Skipped};
pub use ordered::OrderedMap;
pub use step::{Action, Match, Step};
pub use token::{TokenSpec, TokenTable};

use jwt_lifecycle_spec::alphabet::UnixMillis;
use jwt_lifecycle_spec::profile::ProfileId;
use jwt_lifecycle_spec::registry;
use jwt_lifecycle_spec::requirement::Level;
use serde::{Deserialize, Serialize};

/// The clock at the beginning of a case when the file gives no `start`.
pub const DEFAULT_START: UnixMillis = 1_700_000_000_000;

fn default_start() -> UnixMillis {
    DEFAULT_START
}

fn is_default_start(start: &UnixMillis) -> bool {
    *start == DEFAULT_START
}

/// A case file as written (not yet checked against the registry or its own tokens).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Unique id, `<profile or "all">/<kebab-name>`.
    pub id: String,
    /// One sentence saying the behaviour.
    pub description: String,
    /// The profiles it runs on.
    pub profiles: Vec<ProfileId>,
    /// The requirement ids it tests.
    pub requirements: Vec<String>,
    /// The clauses of those requirements it exercises, `<requirement id>/<clause name>`
    /// (see `jwt-lifecycle requirements`): what clause coverage counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<String>,
    /// The virtual clock at the beginning, Unix ms.
    #[serde(default = "default_start", skip_serializing_if = "is_default_start")]
    pub start: UnixMillis,
    /// Named tokens the suite mints before the case.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub tokens: OrderedMap<TokenSpec>,
    /// Who answers requests the SDK sends on its own (QUEUE-008): the suite, at once with
    /// 200 (`auto`, the default), or the case's own `respond` steps (`manual`).
    #[serde(default, skip_serializing_if = "Housekeeping::is_auto")]
    pub housekeeping: Housekeeping,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Who answers the requests an SDK sends on its own (QUEUE-008).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Housekeeping {
    /// The suite answers each at once with 200, after the step that sent it.
    #[default]
    Auto,
    /// The case answers them with its own `respond` steps.
    Manual,
}

impl Housekeeping {
    fn is_auto(&self) -> bool {
        *self == Housekeeping::Auto
    }
}

/// A checked case, with its tokens minted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// What the file says.
    pub file: CaseFile,
    /// The minted tokens.
    pub tokens: TokenTable,
}

/// What is wrong with a case file's content (the loader adds where).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// An empty id.
    #[error("id: must not be empty")]
    EmptyId,
    /// No profiles.
    #[error("profiles: list at least one profile")]
    NoProfiles,
    /// No requirements.
    #[error("requirements: list at least one requirement id")]
    NoRequirements,
    /// A requirement id not in the registry.
    #[error("requirements[{index}]: unknown requirement id `{id}` (see `jwt-lifecycle requirements`)")]
    UnknownRequirement {
        /// Position in the list.
        index: usize,
        /// The id.
        id: String,
    },
    /// A clause id not in the registry.
    #[error("clauses[{index}]: unknown clause `{id}` (a clause is `<requirement id>/<clause name>`; see `jwt-lifecycle requirements`)")]
    UnknownClause {
        /// Position in the list.
        index: usize,
        /// The id.
        id: String,
    },
    /// A clause of a requirement the case does not list.
    #[error("clauses[{index}]: `{id}` is a clause of {requirement}, which `requirements` does not list; add it there")]
    ClauseOfUnlistedRequirement {
        /// Position in the list.
        index: usize,
        /// The clause id.
        id: String,
        /// Its requirement.
        requirement: String,
    },
    /// A clause that binds none of the case's profiles.
    #[error("clauses[{index}]: `{id}` binds none of the case's profiles; list it only in cases that run on a profile it binds")]
    ClauseNotOnProfiles {
        /// Position in the list.
        index: usize,
        /// The clause id.
        id: String,
    },
    /// A token name used but not declared.
    #[error("{path}: undefined token `{name}` (declared: {declared})")]
    UndefinedToken {
        /// JSON path of the use.
        path: String,
        /// The name.
        name: String,
        /// The names that are declared.
        declared: String,
    },
    /// A token that cannot be minted.
    #[error("tokens.{name}: {source}")]
    Mint {
        /// The token's name.
        name: String,
        /// Why.
        source: token::MintError,
    },
    /// No steps.
    #[error("steps: a case needs at least one step")]
    NoSteps,
    /// A call a listed profile's SDK does not have (CONF-009).
    #[error("steps[{index}]: profile {profile} has no `{call}` call (its calls: {calls}); list only profiles that have it")]
    CallNotInProfile {
        /// The step.
        index: usize,
        /// The call.
        call: String,
        /// The profile.
        profile: ProfileId,
        /// The profile's calls.
        calls: String,
    },
}

impl CaseError {
    /// The JSON path of the value that is wrong.
    pub fn path(&self) -> String {
        match self {
            CaseError::EmptyId => "id".into(),
            CaseError::NoProfiles => "profiles".into(),
            CaseError::NoRequirements => "requirements".into(),
            CaseError::UnknownRequirement { index, .. } => format!("requirements[{index}]"),
            CaseError::UnknownClause { index, .. }
            | CaseError::ClauseOfUnlistedRequirement { index, .. }
            | CaseError::ClauseNotOnProfiles { index, .. } => format!("clauses[{index}]"),
            CaseError::UndefinedToken { path, .. } => path.clone(),
            CaseError::Mint { name, .. } => format!("tokens.{name}"),
            CaseError::NoSteps => "steps".into(),
            CaseError::CallNotInProfile { index, .. } => format!("steps[{index}]"),
        }
    }
}

/// Every clause a case names exists, belongs to a requirement the case lists and binds
/// one of its profiles: a clause counted as exercised must be one the case can reach.
fn check_clauses(file: &CaseFile) -> Result<(), CaseError> {
    for (index, id) in file.clauses.iter().enumerate() {
        let Some((requirement, clause)) = registry::clause(id) else {
            return Err(CaseError::UnknownClause { index, id: id.clone() });
        };
        if !file.requirements.iter().any(|r| r == requirement.id) {
            return Err(CaseError::ClauseOfUnlistedRequirement {
                index,
                id: id.clone(),
                requirement: requirement.id.to_owned(),
            });
        }
        if !file.profiles.iter().any(|p| requirement.clause_applies_to(clause, *p)) {
            return Err(CaseError::ClauseNotOnProfiles { index, id: id.clone() });
        }
    }
    Ok(())
}

/// CONF-009: every call a step makes exists in every profile the case lists.
fn check_calls(file: &CaseFile) -> Result<(), CaseError> {
    for (index, step) in file.steps.iter().enumerate() {
        let Action::Call(call) = &step.action else { continue };
        for &profile in &file.profiles {
            let calls = profile.profile().calls;
            if !calls.contains(&call.kind()) {
                let names: Vec<&str> = calls.iter().map(|c| c.as_str()).collect();
                return Err(CaseError::CallNotInProfile {
                    index,
                    call: call.kind().to_string(),
                    profile,
                    calls: names.join(", "),
                });
            }
        }
    }
    Ok(())
}

impl Case {
    /// The lowest wire protocol version that can carry every step.
    pub fn min_protocol(&self) -> u64 {
        self.file.steps.iter().map(Step::min_protocol).max().unwrap_or(1)
    }

    /// Checks a parsed file and mints its tokens.
    pub fn new(file: CaseFile) -> Result<Case, CaseError> {
        if file.id.trim().is_empty() {
            return Err(CaseError::EmptyId);
        }
        if file.profiles.is_empty() {
            return Err(CaseError::NoProfiles);
        }
        if file.requirements.is_empty() {
            return Err(CaseError::NoRequirements);
        }
        for (index, id) in file.requirements.iter().enumerate() {
            if registry::requirement(id).is_none() {
                return Err(CaseError::UnknownRequirement { index, id: id.clone() });
            }
        }
        check_clauses(&file)?;
        if file.steps.is_empty() {
            return Err(CaseError::NoSteps);
        }
        check_calls(&file)?;
        let tokens = TokenTable::mint_all(&file.tokens, file.start)
            .map_err(|(name, source)| CaseError::Mint { name, source })?;
        let undefined = |path: String, name: &str| CaseError::UndefinedToken {
            path,
            name: name.to_owned(),
            declared: {
                let names: Vec<&str> = file.tokens.keys().collect();
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            },
        };
        for (i, step) in file.steps.iter().enumerate() {
            if let Action::Call(call) = &step.action {
                if let Some(name) = step::call_token(call) {
                    if !tokens.contains(name) {
                        return Err(undefined(format!("steps[{i}].token"), name));
                    }
                }
            }
            for (j, expected) in step.expected().enumerate() {
                if let Some(name) = expected.output.authorization_name() {
                    if !tokens.contains(name) {
                        return Err(undefined(format!("steps[{i}].expect[{j}].authorization"), name));
                    }
                }
            }
        }
        Ok(Case { file, tokens })
    }

    /// The case id.
    pub fn id(&self) -> &str {
        &self.file.id
    }

    /// True when every requirement is SHOULD or MAY: such a case runs only with `--strict`.
    pub fn strict_only(&self) -> bool {
        !self
            .file
            .requirements
            .iter()
            .any(|id| registry::requirement(id).is_some_and(|r| r.level == Level::Must))
    }

    /// The id a result is reported under for `profile`: `<case id>@<profile>` when the
    /// case runs on several profiles.
    pub fn report_id(&self, profile: ProfileId) -> String {
        if self.file.profiles.len() > 1 {
            format!("{}@{}", self.file.id, profile)
        } else {
            self.file.id.clone()
        }
    }

    /// The case as pretty JSON, in file order.
    pub fn to_json_pretty(&self) -> String {
        write_pretty(&self.file)
    }
}

/// Case-file JSON: pretty-printed, but each step and each expected observation on one
/// line, which is how hand-written cases read best.
pub fn write_pretty(file: &CaseFile) -> String {
    let mut out = String::from("{\n");
    let mut fields: Vec<String> = vec![
        format!("  \"id\": {}", one_line(&file.id)),
        format!("  \"description\": {}", one_line(&file.description)),
        format!("  \"profiles\": {}", one_line(&file.profiles)),
        format!("  \"requirements\": {}", one_line(&file.requirements)),
    ];
    if !file.clauses.is_empty() {
        fields.push(format!("  \"clauses\": {}", one_line(&file.clauses)));
    }
    if !is_default_start(&file.start) {
        fields.push(format!("  \"start\": {}", file.start));
    }
    if !file.tokens.is_empty() {
        let tokens: Vec<String> = file
            .tokens
            .0
            .iter()
            .map(|(name, spec)| format!("    {}: {}", one_line(name), one_line(spec)))
            .collect();
        fields.push(format!("  \"tokens\": {{\n{}\n  }}", tokens.join(",\n")));
    }
    let steps: Vec<String> = file.steps.iter().map(|s| format!("    {}", one_line(s))).collect();
    fields.push(format!("  \"steps\": [\n{}\n  ]", steps.join(",\n")));
    out.push_str(&fields.join(",\n"));
    out.push_str("\n}\n");
    out
}

fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
