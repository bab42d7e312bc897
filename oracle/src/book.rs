//! Small interning tables, so that an [`Oracle`](crate::Oracle) stays cheap to clone and
//! hash when the model checker keeps one in every state.

use jwt_lifecycle_spec::alphabet::{CustomerIds, UnixMillis};
use jwt_lifecycle_spec::client_view::ClientToken;
use std::fmt;
use std::sync::Arc;

/// A token the trace has shown, by its place in the [`Tokens`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tok(pub(crate) u32);

/// A customer the trace has shown, by its place in the [`Customers`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cust(pub(crate) u32);

/// An event the trace has shown, by its place in the belief's event list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ev(pub(crate) u32);

/// Why a token stopped being stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clearing {
    /// `anonymize` (LIFE-003).
    Anonymize,
    /// `stop_integration` (LIFE-004).
    StopIntegration,
    /// `clear_local_data` (LIFE-005).
    ClearLocalData,
    /// `identify` without a token (LIFE-006).
    IdentifyWithoutToken,
    /// `logout` (LIFE-010).
    Logout,
    /// `set_token` without a token (LIFE-015).
    ClearToken,
    /// A restart of a profile that does not keep its token.
    Restart,
}

impl Clearing {
    /// The requirement that clears the token this way.
    pub fn requirement(self) -> &'static str {
        match self {
            Clearing::Anonymize => "LIFE-003",
            Clearing::StopIntegration => "LIFE-004",
            Clearing::ClearLocalData => "LIFE-005",
            Clearing::IdentifyWithoutToken => "LIFE-006",
            Clearing::Logout => "LIFE-010",
            Clearing::ClearToken => "LIFE-015",
            Clearing::Restart => "LIFE-014",
        }
    }

    /// The call, as people write it.
    pub fn call(self) -> &'static str {
        match self {
            Clearing::Anonymize => "anonymize",
            Clearing::StopIntegration => "stop_integration",
            Clearing::ClearLocalData => "clear_local_data",
            Clearing::IdentifyWithoutToken => "identify without a token",
            Clearing::Logout => "logout",
            Clearing::ClearToken => "set_token without a token",
            Clearing::Restart => "restart",
        }
    }
}

/// What the trace says of one token string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenInfo {
    /// The compact token as the app passed it.
    pub raw: Arc<str>,
    /// `exp` in ms, when the client can read one (LIFE-011, LIFE-012).
    pub exp_ms: Option<UnixMillis>,
    /// The customer it was last stored for (LIFE-009).
    pub bound: Option<Cust>,
    /// How it was last cleared, while it is not stored again (LIFE-008).
    pub cleared: Option<Clearing>,
    /// It was replaced by another token while stored (LIFE-002).
    pub replaced: bool,
    /// The app's token callback provided it (LIFE-017).
    pub pulled: bool,
}

/// Every token string the trace has shown, in order of appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tokens(Vec<TokenInfo>);

impl Tokens {
    /// The token for `raw`, interned on first sight.
    pub fn intern(&mut self, raw: &str) -> Tok {
        if let Some(tok) = self.find(raw) {
            return tok;
        }
        let view = ClientToken::parse(raw);
        self.0.push(TokenInfo {
            raw: raw.into(),
            exp_ms: view.exp_ms,
            bound: None,
            cleared: None,
            replaced: false,
            pulled: false,
        });
        Tok(self.0.len() as u32 - 1)
    }

    /// The token for `raw`, if the trace has shown it.
    pub fn find(&self, raw: &str) -> Option<Tok> {
        self.0.iter().position(|t| &*t.raw == raw).map(|i| Tok(i as u32))
    }

    /// What is known of `tok`.
    pub fn get(&self, tok: Tok) -> &TokenInfo {
        &self.0[tok.0 as usize]
    }

    /// Every token the trace has shown, in order of appearance.
    pub fn iter(&self) -> impl Iterator<Item = (Tok, &TokenInfo)> {
        self.0.iter().enumerate().map(|(i, t)| (Tok(i as u32), t))
    }

    /// How many tokens the trace has shown.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True before the trace has shown any token.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn get_mut(&mut self, tok: Tok) -> &mut TokenInfo {
        &mut self.0[tok.0 as usize]
    }

    /// Keeps the tokens `keep` accepts, numbered in the order of their compact forms, and
    /// returns where each token went (`None`: forgotten), or `None` when every token is
    /// kept where it was.
    pub(crate) fn retain_in_order(
        &mut self,
        keep: impl Fn(Tok, &TokenInfo) -> bool,
    ) -> Option<Vec<Option<Tok>>> {
        let keeps: Vec<bool> = self.0.iter().enumerate().map(|(i, info)| keep(Tok(i as u32), info)).collect();
        let in_order = self.0.windows(2).all(|pair| pair[0].raw <= pair[1].raw);
        if in_order && keeps.iter().all(|k| *k) {
            return None;
        }
        let mut kept: Vec<(usize, TokenInfo)> =
            self.0.drain(..).enumerate().filter(|(i, _)| keeps[*i]).collect();
        kept.sort_by(|a, b| a.1.raw.cmp(&b.1.raw));
        let mut moved = vec![None; keeps.len()];
        for (new, (old, info)) in kept.into_iter().enumerate() {
            moved[old] = Some(Tok(new as u32));
            self.0.push(info);
        }
        Some(moved)
    }
}

/// Every customer the trace has shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Customers(Vec<CustomerIds>);

impl Default for Customers {
    fn default() -> Self {
        Customers(vec![CustomerIds::anonymous()])
    }
}

impl Customers {
    /// The anonymous customer.
    pub const ANONYMOUS: Cust = Cust(0);

    /// The customer for `ids`, interned on first sight.
    pub fn intern(&mut self, ids: &CustomerIds) -> Cust {
        match self.0.iter().position(|c| c == ids) {
            Some(i) => Cust(i as u32),
            None => {
                self.0.push(ids.clone());
                Cust(self.0.len() as u32 - 1)
            }
        }
    }

    /// The customer for `ids`, if the trace has shown it.
    pub fn find(&self, ids: &CustomerIds) -> Option<Cust> {
        self.0.iter().position(|c| c == ids).map(|i| Cust(i as u32))
    }

    /// The ids of `cust`.
    pub fn ids(&self, cust: Cust) -> &CustomerIds {
        &self.0[cust.0 as usize]
    }
}

/// A short human name for a token in messages: its `jti`-free position is meaningless to a
/// reader, so messages quote the start of the token itself.
pub fn short(raw: &str) -> String {
    const KEEP: usize = 24;
    if raw.chars().count() <= KEEP {
        raw.to_owned()
    } else {
        let head: String = raw.chars().take(KEEP).collect();
        format!("{head}…")
    }
}

/// Milliseconds as a signed offset in seconds, for messages (`+240 s`).
pub struct Offset(pub i128);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms % 1000 == 0 {
            write!(f, "{:+} s", ms / 1000)
        } else {
            write!(f, "{:+} ms", ms)
        }
    }
}
