//! Aligning a step's expected observations with what the SDK reported, so that a
//! difference reads as "missing X", "unexpected Y" or "field F of Z differs" instead of
//! a position.
//!
//! The alignment is a longest common subsequence over exact matches (a group's members
//! first put in the order the SDK reported them), then each gap between two matched pairs
//! pairs up the remaining expected and observed outputs of the same kind, in order, as
//! field differences; what is left over is missing or unexpected.

use super::ids::Bindings;
use crate::case::{ExpectEntry, Expected, Match, TokenTable};
use jwt_lifecycle_spec::alphabet::{Observation, UnixMillis};

/// One way a step's observations differ from its expectations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// An expected observation that did not come.
    Missing(Expected),
    /// An observation no expectation accounts for.
    Unexpected(Observation),
    /// An observation of the expected kind whose fields differ.
    Differs {
        /// What was expected.
        expected: Expected,
        /// What came.
        observed: Observation,
        /// Each differing field: name, expected, actual.
        fields: Vec<(&'static str, String, String)>,
    },
}

/// The outcome of aligning one step.
#[derive(Clone, Debug, Default)]
pub struct Alignment {
    /// Every difference, in the order of the step.
    pub gaps: Vec<Gap>,
    /// Pairs of (expected index in the flattened list, observed index) that matched or
    /// differed only in fields: the runner binds the case's request ids from them.
    pub pairs: Vec<(usize, usize)>,
}

/// What a comparison needs besides the two lists.
pub struct Context<'a> {
    /// The case's start, for `at`.
    pub start: UnixMillis,
    /// The case's tokens, for `authorization`.
    pub tokens: &'a TokenTable,
    /// How the case's request and ask ids map to the SDK's.
    pub ids: &'a Bindings,
}

impl Context<'_> {
    fn matches(&self, expected: &Expected, observed: &Observation) -> bool {
        expected.differences(observed, self.start, self.tokens, self.ids).is_empty()
    }

    fn field_diffs(
        &self,
        expected: &Expected,
        observed: &Observation,
    ) -> Option<Vec<(&'static str, String, String)>> {
        let diffs = expected.differences(observed, self.start, self.tokens, self.ids);
        if diffs.first().is_some_and(|d| d.field == "output") {
            return None;
        }
        Some(diffs.into_iter().map(|d| (d.field, d.expected, d.actual)).collect())
    }
}

/// The expectations of `entries` flattened, each group's members put in the order the
/// SDK reported them (so that any order of a group aligns as well as the written one).
pub fn flatten(entries: &[ExpectEntry], observed: &[Observation], ctx: &Context<'_>) -> Vec<Expected> {
    let mut flat = Vec::new();
    for entry in entries {
        match entry {
            ExpectEntry::One(e) => flat.push(e.clone()),
            ExpectEntry::AnyOrder(group) => flat.extend(order_group(group, observed, ctx)),
        }
    }
    flat
}

/// A group's members sorted by the first observation each matches, unmatched last.
fn order_group(group: &[Expected], observed: &[Observation], ctx: &Context<'_>) -> Vec<Expected> {
    let mut used = vec![false; observed.len()];
    let mut placed: Vec<(usize, Expected)> = group
        .iter()
        .map(|e| {
            let slot = (0..observed.len()).find(|&j| !used[j] && ctx.matches(e, &observed[j]));
            if let Some(j) = slot {
                used[j] = true;
            }
            (slot.unwrap_or(usize::MAX), e.clone())
        })
        .collect();
    placed.sort_by_key(|(slot, _)| *slot);
    placed.into_iter().map(|(_, e)| e).collect()
}

/// Aligns `expected` (flattened) with `observed` under `matching`.
pub fn align(
    expected: &[Expected],
    observed: &[Observation],
    matching: Match,
    ctx: &Context<'_>,
) -> Alignment {
    // The step that went as written: nothing to search for (and no mismatch to describe).
    let in_order =
        expected.len() == observed.len() && expected.iter().zip(observed).all(|(e, o)| ctx.matches(e, o));
    if in_order {
        return Alignment { gaps: Vec::new(), pairs: (0..expected.len()).map(|i| (i, i)).collect() };
    }
    let matched = longest_common(expected, observed, ctx);
    let mut out = Alignment::default();
    let (mut i, mut j) = (0, 0);
    for &(mi, mj) in matched.iter().chain(std::iter::once(&(expected.len(), observed.len()))) {
        fill_gap(&expected[i..mi], i, &observed[j..mj], j, matching, ctx, &mut out);
        if mi < expected.len() && mj < observed.len() {
            out.pairs.push((mi, mj));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    out
}

/// The pairs of an LCS of exact matches, in order.
fn longest_common(expected: &[Expected], observed: &[Observation], ctx: &Context<'_>) -> Vec<(usize, usize)> {
    let (n, m) = (expected.len(), observed.len());
    let eq: Vec<Vec<bool>> =
        expected.iter().map(|e| observed.iter().map(|o| ctx.matches(e, o)).collect()).collect();
    let mut len = vec![vec![0usize; m + 1]; n + 1];
    for a in (0..n).rev() {
        for b in (0..m).rev() {
            len[a][b] = if eq[a][b] { len[a + 1][b + 1] + 1 } else { len[a + 1][b].max(len[a][b + 1]) };
        }
    }
    let (mut a, mut b, mut pairs) = (0, 0, Vec::new());
    while a < n && b < m {
        if eq[a][b] && len[a][b] == len[a + 1][b + 1] + 1 {
            pairs.push((a, b));
            a += 1;
            b += 1;
        } else if len[a + 1][b] >= len[a][b + 1] {
            a += 1;
        } else {
            b += 1;
        }
    }
    pairs
}

/// Pairs what is left between two matches: same kind in order as field differences, the
/// rest missing or (in an exact step) unexpected.
fn fill_gap(
    expected: &[Expected],
    e_offset: usize,
    observed: &[Observation],
    o_offset: usize,
    matching: Match,
    ctx: &Context<'_>,
    out: &mut Alignment,
) {
    let mut taken = vec![false; observed.len()];
    for (ei, e) in expected.iter().enumerate() {
        let partner =
            (0..observed.len()).find(|&oj| !taken[oj] && ctx.field_diffs(e, &observed[oj]).is_some());
        match partner {
            Some(oj) => {
                taken[oj] = true;
                let fields = ctx.field_diffs(e, &observed[oj]).unwrap_or_default();
                out.pairs.push((e_offset + ei, o_offset + oj));
                out.gaps.push(Gap::Differs { expected: e.clone(), observed: observed[oj].clone(), fields });
            }
            None => out.gaps.push(Gap::Missing(e.clone())),
        }
    }
    if matching == Match::Exact {
        for (oj, o) in observed.iter().enumerate() {
            if !taken[oj] {
                out.gaps.push(Gap::Unexpected(o.clone()));
            }
        }
    }
}
