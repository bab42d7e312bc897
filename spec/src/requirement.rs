//! What a requirement is: id, level, statement, the profiles it binds, its source, and
//! the decision behind it where the vendor documents left the project to decide.

use crate::profile::ProfileId;
use serde::Serialize;
use std::fmt;

/// RFC 2119 level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// An absolute requirement: the suite runs it by default.
    #[serde(rename = "MUST")]
    Must,
    /// Recommended: the suite runs it with `--strict`.
    #[serde(rename = "SHOULD")]
    Should,
    /// Optional behaviour.
    #[serde(rename = "MAY")]
    May,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        })
    }
}

/// The area of the lifecycle a requirement belongs to; the prefix of its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Area {
    /// Configuration and modes.
    Conf,
    /// Storing, replacing, binding and clearing the token.
    Life,
    /// The proactive refresh notification.
    Refr,
    /// Pre-flight checks before a request.
    Pre,
    /// Reactions to authentication failures.
    Retry,
    /// The consecutive-failure limit and sessions.
    Limit,
    /// The event queue.
    Queue,
    /// The handler / listener / delegate.
    Notify,
    /// The claims of each profile's tokens (backend side).
    Claim,
    /// Token validation hygiene (RFC 8725).
    Valid,
}

impl Area {
    /// Every area, in the order the spec presents them.
    pub const ALL: [Area; 10] = [
        Area::Conf,
        Area::Life,
        Area::Refr,
        Area::Pre,
        Area::Retry,
        Area::Limit,
        Area::Queue,
        Area::Notify,
        Area::Claim,
        Area::Valid,
    ];

    /// The id prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Area::Conf => "CONF",
            Area::Life => "LIFE",
            Area::Refr => "REFR",
            Area::Pre => "PRE",
            Area::Retry => "RETRY",
            Area::Limit => "LIMIT",
            Area::Queue => "QUEUE",
            Area::Notify => "NOTIFY",
            Area::Claim => "CLAIM",
            Area::Valid => "VALID",
        }
    }

    /// A human title.
    pub fn title(self) -> &'static str {
        match self {
            Area::Conf => "Configuration and modes",
            Area::Life => "Token storage, binding and clearing",
            Area::Refr => "Proactive refresh",
            Area::Pre => "Pre-flight checks",
            Area::Retry => "Authentication failures and retries",
            Area::Limit => "Failure limit and sessions",
            Area::Queue => "Queued events",
            Area::Notify => "Handler notifications and error codes",
            Area::Claim => "Token claims per profile",
            Area::Valid => "Token validation hygiene",
        }
    }
}

/// Who a requirement binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The SDK: checked by the model's properties and the conformance suite.
    SdkBehaviour,
    /// The backend that mints and validates tokens: checked by the token module's tests.
    Token,
}

/// Where in a vendor document a requirement comes from: a seed file, or a public page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Source {
    /// The seed file name, or the title of a public page.
    pub document: &'static str,
    /// The section heading, as it appears in the document.
    pub section: &'static str,
    /// The public page's address, for a source that is not a seed file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'static str>,
}

impl Source {
    /// A section of a seed file.
    pub const fn seed(document: &'static str, section: &'static str) -> Source {
        Source { document, section, url: None }
    }

    /// A section of a public page: its title, its address and the section heading.
    pub const fn page(title: &'static str, url: &'static str, section: &'static str) -> Source {
        Source { document: title, section, url: Some(url) }
    }

    /// True for a seed file.
    pub fn is_seed(&self) -> bool {
        self.url.is_none()
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.url {
            None => write!(f, "{} \u{a7} {}", self.document, self.section),
            Some(url) => write!(f, "{} <{url}> \u{a7} {}", self.document, self.section),
        }
    }
}

/// One normative rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Requirement {
    /// Stable id, `AREA-NNN`.
    pub id: &'static str,
    /// MUST / SHOULD / MAY.
    pub level: Level,
    /// The area (the id's prefix).
    pub area: Area,
    /// Who the rule binds.
    pub subject: Subject,
    /// A short title.
    pub title: &'static str,
    /// The rule, in this project's words.
    pub statement: &'static str,
    /// The profiles it applies to.
    pub profiles: &'static [ProfileId],
    /// Where it comes from.
    pub source: Source,
    /// Further places in the documents that say the same.
    pub also: &'static [Source],
    /// Where the documents are vague or contradict each other: what was decided and why.
    pub decision: Option<&'static str>,
    /// The named parts of a statement that lists several calls, conditions or
    /// boundaries, each of which a case exercises on its own (empty for a rule with one
    /// part).
    pub clauses: &'static [Clause],
}

/// One named part of a requirement: one of the calls, conditions or boundaries its
/// statement lists. Cases name the clauses they exercise as `<requirement id>/<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Clause {
    /// Unique within the requirement, kebab-case.
    pub name: &'static str,
    /// What this part demands.
    pub text: &'static str,
    /// The profiles it binds when fewer than the requirement's (`None`: all of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profiles: Option<&'static [ProfileId]>,
}

impl Requirement {
    /// The clause named `name`.
    pub fn clause(&self, name: &str) -> Option<&'static Clause> {
        self.clauses.iter().find(|c| c.name == name)
    }

    /// True when `clause` (one of this requirement's) binds `profile`.
    pub fn clause_applies_to(&self, clause: &Clause, profile: ProfileId) -> bool {
        self.applies_to(profile) && clause.profiles.is_none_or(|only| only.contains(&profile))
    }

    /// The id cases use for `clause`: `<requirement id>/<clause name>`.
    pub fn clause_id(&self, clause: &Clause) -> String {
        format!("{}/{}", self.id, clause.name)
    }

    /// True when the requirement applies to `profile`.
    pub fn applies_to(&self, profile: ProfileId) -> bool {
        self.profiles.contains(&profile)
    }

    /// The number part of the id.
    pub fn number(&self) -> Option<u32> {
        self.id.rsplit('-').next()?.parse().ok()
    }
}
