//! Strict, single-pass JSON for the header and the claims.
//!
//! `serde_json` keeps the last of two members with the same name; a validator that
//! does so can be fooled by a token whose two parsers disagree (VALID-005). These
//! visitors reject any repeated member name, at every depth, and type-check the claims
//! the profiles read while they parse: `exp`/`nbf`/`iat` must be integers in
//! `0..2^53` (VALID-006), identity claims strings, `ids` an object of strings.
//! Member names are borrowed from the decoded buffer unless they contain escapes.
//!
//! serde's errors carry only text, so a visitor that finds a specific fault records it
//! in a side slot before failing; the caller turns that into a precise reason.

use crate::claims::{ClaimKind, Claims, KnownClaim};
use jwt_lifecycle_spec::alphabet::CustomerIds;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The largest NumericDate accepted, exclusive: 2^53 (VALID-006).
pub const NUMERIC_DATE_LIMIT: u64 = 1 << 53;

/// A specific fault found while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    Duplicate(String),
    NumericDate { claim: &'static str, found: &'static str },
    ClaimType { claim: &'static str, expected: &'static str },
}

type Slot<'f> = &'f mut Option<Fault>;

fn fail<E: de::Error>(slot: &mut Option<Fault>, fault: Fault) -> E {
    let msg = match &fault {
        Fault::Duplicate(n) => format!("duplicate member `{n}`"),
        Fault::NumericDate { claim, found } => format!("`{claim}` is {found}"),
        Fault::ClaimType { claim, expected } => format!("`{claim}` must be {expected}"),
    };
    *slot = Some(fault);
    E::custom(msg)
}

/// A member name, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Names seen in one object; a small vector, a set once the object gets large, so a
/// hostile object of many members stays linear.
#[derive(Default)]
struct SeenNames<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> SeenNames<'de> {
    /// Records `name`; false if it was seen before.
    fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(name);
        }
        if self.few.contains(&name) {
            return false;
        }
        self.few.push(name);
        if self.few.len() > 16 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

/// Any JSON value, checked for duplicate member names at every depth, then dropped.
struct StrictAny<'f>(Slot<'f>);

impl<'de> DeserializeSeed<'de> for StrictAny<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictAny<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(StrictAny(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = SeenNames::default();
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            if !seen.insert(name.clone()) {
                return Err(fail(self.0, Fault::Duplicate(name.into_owned())));
            }
            map.next_value_seed(StrictAny(&mut *self.0))?;
        }
        Ok(())
    }
}

/// A NumericDate: a non-negative integer below 2^53, nothing else.
struct NumericDate<'f> {
    claim: &'static str,
    slot: Slot<'f>,
}

impl<'de> DeserializeSeed<'de> for NumericDate<'_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl NumericDate<'_> {
    fn bad<E: de::Error>(self, found: &'static str) -> E {
        fail(self.slot, Fault::NumericDate { claim: self.claim, found })
    }
}

impl<'de> Visitor<'de> for NumericDate<'_> {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer NumericDate")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        if v < NUMERIC_DATE_LIMIT {
            Ok(v)
        } else {
            Err(self.bad("2^53 or more"))
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(self.bad("negative")),
        }
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<u64, E> {
        // serde_json hands integers too large for u64 over as f64 as well.
        Err(self.bad("not an integer (a float or out of range)"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<u64, E> {
        Err(self.bad("a boolean"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<u64, E> {
        Err(self.bad("a string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Err(self.bad("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.bad("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.bad("an object"))
    }
}

/// A string-valued member.
struct Text<'f> {
    claim: &'static str,
    slot: Slot<'f>,
}

impl<'de> DeserializeSeed<'de> for Text<'_> {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_any(self)
    }
}

impl Text<'_> {
    fn bad<E: de::Error>(self) -> E {
        fail(self.slot, Fault::ClaimType { claim: self.claim, expected: "a string" })
    }
}

impl<'de> Visitor<'de> for Text<'_> {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.bad())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.bad())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.bad())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.bad())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.bad())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.bad())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.bad())
    }
}

/// Exponea's `ids`: an object of string values, no repeated names.
struct IdsMap<'f>(Slot<'f>);

impl<'de> DeserializeSeed<'de> for IdsMap<'_> {
    type Value = CustomerIds;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CustomerIds, D::Error> {
        d.deserialize_any(self)
    }
}

impl IdsMap<'_> {
    fn bad<E: de::Error>(self) -> E {
        fail(self.0, Fault::ClaimType { claim: "ids", expected: "an object of string values" })
    }
}

impl<'de> Visitor<'de> for IdsMap<'_> {
    type Value = CustomerIds;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CustomerIds, A::Error> {
        let mut ids = BTreeMap::new();
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            let value = map.next_value_seed(Text { claim: "ids", slot: &mut *self.0 });
            let value = match value {
                Ok(v) => v,
                Err(e) => {
                    if matches!(self.0, Some(Fault::ClaimType { .. })) {
                        return Err(self.bad());
                    }
                    return Err(e);
                }
            };
            match ids.entry(name.into_owned()) {
                Entry::Occupied(e) => return Err(fail(self.0, Fault::Duplicate(e.key().clone()))),
                Entry::Vacant(e) => {
                    e.insert(value.into_owned());
                }
            }
        }
        Ok(CustomerIds(ids))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_unit<E: de::Error>(self) -> Result<CustomerIds, E> {
        Err(self.bad())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<CustomerIds, A::Error> {
        Err(self.bad())
    }
}

/// The header members the validator reads.
#[derive(Debug, Default)]
pub(crate) struct RawHeader<'de> {
    pub alg: Option<Cow<'de, str>>,
    pub kid: Option<Cow<'de, str>>,
    pub typ: Option<Cow<'de, str>>,
    pub crit: bool,
}

struct HeaderVisitor<'f>(Slot<'f>);

impl<'de> Visitor<'de> for HeaderVisitor<'_> {
    type Value = RawHeader<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader<'de>, A::Error> {
        let mut h = RawHeader::default();
        // The members read are tracked by bit; only other names need the seen-list.
        let mut known = 0u8;
        let mut others = SeenNames::default();
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            let bit = match name.as_ref() {
                "alg" => 1,
                "kid" => 2,
                "typ" => 4,
                _ => 0,
            };
            let repeated = if bit == 0 { !others.insert(name.clone()) } else { known & bit != 0 };
            if repeated {
                return Err(fail(self.0, Fault::Duplicate(name.into_owned())));
            }
            known |= bit;
            match bit {
                1 => h.alg = Some(map.next_value_seed(Text { claim: "alg", slot: &mut *self.0 })?),
                2 => h.kid = Some(map.next_value_seed(Text { claim: "kid", slot: &mut *self.0 })?),
                4 => h.typ = Some(map.next_value_seed(Text { claim: "typ", slot: &mut *self.0 })?),
                _ => {
                    h.crit |= name == "crit";
                    map.next_value_seed(StrictAny(&mut *self.0))?;
                }
            }
        }
        Ok(h)
    }
}

/// A parse failure: a recorded fault, or serde_json's own message.
#[derive(Debug)]
pub(crate) enum ParseFailure {
    Fault(Fault),
    Json(String),
}

fn finish<T>(result: Result<T, serde_json::Error>, slot: Option<Fault>) -> Result<T, ParseFailure> {
    result.map_err(|e| match slot {
        Some(f) => ParseFailure::Fault(f),
        None => ParseFailure::Json(e.to_string()),
    })
}

/// Parses a header (already UTF-8 checked).
pub(crate) fn parse_header(json: &str) -> Result<RawHeader<'_>, ParseFailure> {
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_str(json);
    let result = de.deserialize_map(HeaderVisitor(&mut slot)).and_then(|h| de.end().map(|()| h));
    finish(result, slot)
}

/// The claims and which known claims were present.
pub(crate) struct ParsedClaims {
    pub claims: Claims,
    pub present: u16,
}

struct ClaimsVisitor<'f>(Slot<'f>);

impl<'de> Visitor<'de> for ClaimsVisitor<'_> {
    type Value = ParsedClaims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParsedClaims, A::Error> {
        let mut c = Claims::default();
        let mut present: u16 = 0;
        let mut others = SeenNames::default();
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            let slot = &mut *self.0;
            let Some(known) = KnownClaim::from_name(&name) else {
                if !others.insert(name.clone()) {
                    return Err(fail(slot, Fault::Duplicate(name.into_owned())));
                }
                map.next_value_seed(StrictAny(slot))?;
                continue;
            };
            if present & known.bit() != 0 {
                return Err(fail(slot, Fault::Duplicate(name.into_owned())));
            }
            present |= known.bit();
            let claim = known.name();
            match known.kind() {
                ClaimKind::NumericDate => {
                    let value = map.next_value_seed(NumericDate { claim, slot })?;
                    known.set_numeric_date(&mut c, value);
                }
                ClaimKind::Text => {
                    let value = map.next_value_seed(Text { claim, slot })?;
                    known.set_text(&mut c, value.into_owned());
                }
                ClaimKind::Ids => c.ids = Some(map.next_value_seed(IdsMap(slot))?),
            }
        }
        Ok(ParsedClaims { claims: c, present })
    }
}

/// Parses claims (already UTF-8 checked) in one pass.
pub(crate) fn parse_claims(json: &str) -> Result<ParsedClaims, ParseFailure> {
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_str(json);
    let result = de.deserialize_map(ClaimsVisitor(&mut slot)).and_then(|c| de.end().map(|()| c));
    finish(result, slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(json: &str) -> Option<Fault> {
        match parse_claims(json) {
            Err(ParseFailure::Fault(f)) => Some(f),
            _ => None,
        }
    }

    #[test]
    fn repeated_names_are_found_at_every_depth_and_through_escapes() {
        assert_eq!(fault(r#"{"exp":1,"exp":2}"#), Some(Fault::Duplicate("exp".into())));
        assert_eq!(fault(r#"{"exp":1,"\u0065xp":2}"#), Some(Fault::Duplicate("exp".into())));
        assert_eq!(fault(r#"{"x":{"a":1,"a":2}}"#), Some(Fault::Duplicate("a".into())));
        assert_eq!(fault(r#"{"x":[{"a":1},{"b":[{"c":1,"c":1}]}]}"#), Some(Fault::Duplicate("c".into())));
        assert!(matches!(fault(r#"{"ids":{"a":"1","a":"2"}}"#), Some(Fault::Duplicate(_))));
        assert!(matches!(fault(r#"{"other":1,"other":1}"#), Some(Fault::Duplicate(_))));
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let ok = format!("{{{}}}", many.join(","));
        assert!(parse_claims(&ok).is_ok());
        let dup = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(fault(&dup), Some(Fault::Duplicate("k3".into())));
    }

    #[test]
    fn numeric_dates_are_integers_in_range() {
        assert_eq!(parse_claims(r#"{"exp":0}"#).map(|c| c.claims.exp).ok(), Some(Some(0)));
        let max = NUMERIC_DATE_LIMIT - 1;
        assert_eq!(parse_claims(&format!("{{\"exp\":{max}}}")).map(|c| c.claims.exp).ok(), Some(Some(max)));
        for bad in [
            "1.5",
            "1e9",
            "-1",
            "\"1\"",
            "9007199254740992",
            "18446744073709551616",
            "null",
            "true",
            "[]",
            "{}",
        ] {
            assert!(
                matches!(fault(&format!("{{\"iat\":{bad}}}")), Some(Fault::NumericDate { claim: "iat", .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn claim_types_are_checked() {
        assert!(matches!(fault(r#"{"ids":"x"}"#), Some(Fault::ClaimType { claim: "ids", .. })));
        assert!(matches!(fault(r#"{"ids":{"a":1}}"#), Some(Fault::ClaimType { claim: "ids", .. })));
        assert!(matches!(fault(r#"{"sub":1}"#), Some(Fault::ClaimType { claim: "sub", .. })));
        let c = parse_claims(r#"{"ids":{"registered":"a\"b"},"sub":"s"}"#).ok().map(|c| c.claims);
        assert_eq!(c.and_then(|c| c.ids).map(|i| i.0["registered"].clone()), Some("a\"b".to_owned()));
    }

    #[test]
    fn non_objects_and_trailing_data_are_json_failures() {
        for bad in ["[]", "1", "\"x\"", "{} x", "{", ""] {
            assert!(matches!(parse_claims(bad), Err(ParseFailure::Json(_))), "{bad}");
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
        assert!(matches!(parse_claims(&deep), Err(ParseFailure::Json(_))));
    }

    #[test]
    fn header_reads_alg_kid_typ_and_crit() {
        let h = parse_header(r#"{"alg":"HS256","kid":"k","typ":"JWT","crit":["b64"]}"#).ok();
        let h = h.map(|h| (h.alg.map(|a| a.into_owned()), h.kid.map(|k| k.into_owned()), h.crit));
        assert_eq!(h, Some((Some("HS256".into()), Some("k".into()), true)));
        assert!(matches!(
            parse_header(r#"{"alg":"HS256","alg":"none"}"#),
            Err(ParseFailure::Fault(Fault::Duplicate(_)))
        ));
        assert!(matches!(parse_header(r#"{"alg":1}"#), Err(ParseFailure::Fault(Fault::ClaimType { .. }))));
    }
}
