//! Which cases a run selects, and running the selection.
//!
//! A case runs on each of its profiles that the adapter supports (and that `--profile`
//! keeps); SHOULD/MAY-only cases need `--strict`; `--shard I/N` keeps every N-th case in
//! id order starting at the I-th, so N machines together run each case exactly once;
//! an adapter's expectations file turns named cases into `disabled` results.

use crate::adapter::{Adapter, Hello};
use crate::bounded::{self, ReadError, EXPECTATIONS_FILE_LIMIT};
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
///
/// An adapter of a shipping SDK also lists what it is known to do otherwise than its
/// vendor documents (`deviations`, see [`crate::deviation`]) and the requirements it cannot
/// show either way (`disabled_requirements`). Neither changes a verdict: a listed deviation
/// still fails its case; the lists make a changed set of deviations visible.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// Disabled cases and why.
    #[serde(default)]
    pub disabled: BTreeMap<String, String>,
    /// Requirements the adapter cannot observe (an output the SDK does not expose), and why.
    #[serde(default)]
    pub disabled_requirements: BTreeMap<String, String>,
    /// The known deviations of the SDK under test from its documentation.
    #[serde(default)]
    pub deviations: Vec<crate::deviation::Deviation>,
}

/// An expectations file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// Unreadable, or larger than [`EXPECTATIONS_FILE_LIMIT`].
    #[error(transparent)]
    Read(ReadError),
    /// Not the expected JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// Keys that name no loaded case (a typo would otherwise disable nothing, silently).
    #[error("{path}: {} unknown id(s) under \"disabled\": {}", unknown.len(), unknown.join("; "))]
    UnknownIds {
        /// The file.
        path: String,
        /// Each unknown key with why it matches nothing.
        unknown: Vec<String>,
    },
}

impl Expectations {
    /// Reads an expectations file (at most [`EXPECTATIONS_FILE_LIMIT`] bytes).
    pub fn load(path: &Path) -> Result<Self, ExpectationsError> {
        let text = bounded::read_to_string(path, EXPECTATIONS_FILE_LIMIT, "expectations files")
            .map_err(ExpectationsError::Read)?;
        serde_json::from_str(&text)
            .map_err(|source| ExpectationsError::Json { path: path.display().to_string(), source })
    }

    /// Reads an expectations file and checks that every key names one of `cases`, as
    /// `<case id>` or `<case id>@<profile>` with a profile the case runs on.
    pub fn load_for(path: &Path, cases: &[Case]) -> Result<Self, ExpectationsError> {
        let expectations = Self::load(path)?;
        let unknown = expectations.unknown_ids(cases);
        if unknown.is_empty() {
            Ok(expectations)
        } else {
            Err(ExpectationsError::UnknownIds { path: path.display().to_string(), unknown })
        }
    }

    /// The keys that name none of `cases`, each with the reason.
    pub fn unknown_ids(&self, cases: &[Case]) -> Vec<String> {
        let by_id: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.id(), c)).collect();
        let mut unknown = Vec::new();
        for key in self.disabled.keys() {
            if by_id.contains_key(key.as_str()) {
                continue;
            }
            let Some((id, profile)) = key.rsplit_once('@') else {
                unknown.push(format!("`{key}`: no such case"));
                continue;
            };
            match (by_id.get(id), profile.parse::<ProfileId>()) {
                (None, _) => unknown.push(format!("`{key}`: no case `{id}`")),
                (Some(_), Err(_)) => unknown.push(format!("`{key}`: unknown profile `{profile}`")),
                (Some(case), Ok(p)) if !case.file.profiles.contains(&p) => {
                    unknown.push(format!("`{key}`: case `{id}` does not run on {p}"))
                }
                (Some(_), Ok(_)) => {}
            }
        }
        unknown
    }

    /// Why `case` on `profile` is disabled, if it is.
    pub fn disabled_reason(&self, case: &Case, profile: ProfileId) -> Option<&str> {
        if self.disabled.is_empty() {
            return None;
        }
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
        assert!(serde_json::from_str::<Expectations>(r#"{"deviations":[{"case":"x"}]}"#).is_err());
    }

    const CASE: &str = r#"{
      "id": "exponea-stream/t", "description": "d", "profiles": ["exponea-stream", "webex-connect"],
      "requirements": ["CONF-001"], "steps": [{"call": "flush"}]
    }"#;

    #[test]
    fn expectation_keys_must_name_a_loaded_case_and_one_of_its_profiles() {
        let cases = [crate::case::parse_case(CASE, Path::new("t.json")).unwrap()];
        let expectations: Expectations = serde_json::from_value(serde_json::json!({"disabled": {
            "exponea-stream/t": "ok",
            "exponea-stream/t@webex-connect": "ok",
            "exponea-stream/typo": "x",
            "exponea-stream/t@moengage-ios": "x",
            "exponea-stream/t@nope": "x",
            "other/x@exponea-stream": "x",
        }}))
        .unwrap();
        assert_eq!(
            expectations.unknown_ids(&cases),
            [
                "`exponea-stream/t@moengage-ios`: case `exponea-stream/t` does not run on moengage-ios",
                "`exponea-stream/t@nope`: unknown profile `nope`",
                "`exponea-stream/typo`: no such case",
                "`other/x@exponea-stream`: no case `other/x`",
            ]
        );
    }

    #[test]
    fn an_expectations_file_is_read_with_a_limit() {
        let e = Expectations::load(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("/dev/zero: larger than the 1 MiB limit for expectations files"), "{e}");
    }
}
