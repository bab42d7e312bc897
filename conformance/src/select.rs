//! Which cases a run selects, and running the selection.
//!
//! A case runs on each of its profiles that the adapter supports (and that `--profile`
//! keeps); SHOULD/MAY-only cases need `--strict`; `--shard I/N` keeps every N-th case in
//! id order starting at the I-th, so N machines together run each case exactly once;
//! an adapter's expectations file turns named cases into `disabled` results.

use crate::adapter::{Adapter, Hello};
use crate::case::Case;
use crate::runner::{run_case, CaseResult, Status};
use jwt_lifecycle_spec::profile::ProfileId;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// `--shard I/N`: the I-th of N parts (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1..=count.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

/// A `--shard` value that is not `I/N` with 1 <= I <= N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shard `{0}`: expected I/N with 1 <= I <= N, e.g. 2/4")]
pub struct BadShard(String);

impl FromStr for Shard {
    type Err = BadShard;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadShard(s.to_owned());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// An adapter's expectations file: `{"disabled": {"<case id>": "reason"}}`. A key may
/// also be a reported id, `<case id>@<profile>`, to disable one profile only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// Disabled cases and why.
    #[serde(default)]
    pub disabled: BTreeMap<String, String>,
}

/// An expectations file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// Unreadable.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not the expected JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// What serde said.
        source: serde_json::Error,
    },
}

impl Expectations {
    /// Reads an expectations file.
    pub fn load(path: &Path) -> Result<Self, ExpectationsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ExpectationsError::Io { path: shown.clone(), source })?;
        serde_json::from_str(&text).map_err(|source| ExpectationsError::Json { path: shown, source })
    }

    /// Why `case` on `profile` is disabled, if it is.
    pub fn disabled_reason(&self, case: &Case, profile: ProfileId) -> Option<&str> {
        self.disabled
            .get(&format!("{}@{}", case.id(), profile))
            .or_else(|| self.disabled.get(case.id()))
            .map(String::as_str)
    }
}

/// What to select.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only this profile.
    pub profile: Option<ProfileId>,
    /// Include SHOULD/MAY-only cases.
    pub strict: bool,
    /// Only this shard.
    pub shard: Option<Shard>,
    /// Disabled cases.
    pub expectations: Expectations,
}

/// One case on one profile, as selected.
#[derive(Clone, Copy, Debug)]
pub struct Planned<'a> {
    /// The case.
    pub case: &'a Case,
    /// The profile.
    pub profile: ProfileId,
}

/// The (case, profile) pairs to run, in case id order, for an adapter supporting
/// `supported` profiles.
pub fn plan<'a>(cases: &'a [Case], supported: &[ProfileId], selection: &Selection) -> Vec<Planned<'a>> {
    let mut sorted: Vec<&Case> = cases.iter().filter(|c| selection.strict || !c.strict_only()).collect();
    sorted.sort_by(|a, b| a.id().cmp(b.id()));
    let mut out = Vec::new();
    for (i, case) in sorted.into_iter().enumerate() {
        if let Some(shard) = selection.shard {
            if i % shard.count != shard.index - 1 {
                continue;
            }
        }
        for &profile in &case.file.profiles {
            if supported.contains(&profile) && selection.profile.is_none_or(|p| p == profile) {
                out.push(Planned { case, profile });
            }
        }
    }
    out
}

/// Runs `planned` against `adapter`. `hello` is the adapter's handshake: when it
/// failed, every case is an `error` naming why, since nothing can be run.
pub fn run_planned(
    adapter: &mut dyn Adapter,
    hello: &Result<Hello, crate::adapter::AdapterError>,
    planned: &[Planned<'_>],
    expectations: &Expectations,
    on_result: &mut dyn FnMut(&CaseResult),
) -> Vec<CaseResult> {
    let mut results = Vec::with_capacity(planned.len());
    for p in planned {
        let result = if let Some(reason) = expectations.disabled_reason(p.case, p.profile) {
            CaseResult::without_run(p.case, p.profile, Status::Disabled, reason.to_owned())
        } else if let Err(e) = hello {
            CaseResult::without_run(
                p.case,
                p.profile,
                Status::Error,
                format!("case {} on {}, at the handshake: {e}", p.case.id(), p.profile),
            )
        } else {
            let protocol = hello.as_ref().map_or(1, |h| h.protocol);
            run_case(adapter, p.case, p.profile, protocol)
        };
        on_result(&result);
        results.push(result);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_nonsense() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { index: 2, count: 4 });
        for bad in ["0/4", "5/4", "1/0", "x", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn expectations_reject_unknown_keys() {
        assert!(serde_json::from_str::<Expectations>(r#"{"disabled":{"a":"b"}}"#).is_ok());
        assert!(serde_json::from_str::<Expectations>(r#"{"disable":{"a":"b"}}"#).is_err());
    }
}
