//! The common shape of a header or claims set, read without serde.
//!
//! Nearly every token a backend library writes is a flat object: string members without
//! escapes, integer times, Exponea's `ids` as an object of plain strings. This reader
//! handles exactly that shape and nothing else; on anything outside it (an escape, a
//! control character, a nested value it does not expect, a float, a repeated name, a
//! header member other than `alg`, `kid`, `typ`) it gives up and returns `None`, and the
//! caller parses the same bytes with the strict serde path of [`crate::strict_json`],
//! which decides every error. So this path only ever accepts, and only what the strict
//! path accepts with the same result (the proptests below compare the two on arbitrary
//! near-JSON).

use crate::claims::{ClaimKind, Claims, KnownClaim};
use crate::strict_json::{RawHeader, NUMERIC_DATE_LIMIT};
use jwt_lifecycle_spec::alphabet::CustomerIds;
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// The most digits of an integer read here; longer ones go to the strict path.
const MAX_DIGITS: usize = 15;

/// The most members of unknown names tracked for repeats; more go to the strict path.
const MAX_OTHER_MEMBERS: usize = 8;

/// The position of the first `"`, `\\` or control character in `bytes`, eight bytes at a
/// time: a string's end, or the reason to leave it to the strict path.
fn first_special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // Each test flags the lowest matching byte exactly (a false flag can only appear
    // above a true one), so the lowest flag of their union is the first special byte.
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    for (i, chunk) in chunks.enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let flags =
            zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\'))) | below_space;
        if flags != 0 {
            return Some(i * 8 + (flags.trailing_zeros() / 8) as usize);
        }
    }
    let done = bytes.len() - tail.len();
    tail.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|p| done + p)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace (RFC 8259 §2: space, tab, line feed, carriage return).
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Consumes `byte` after optional whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A string without escapes or control characters, after optional whitespace.
    // Inlined at every use, so that the cursor's position stays in a register across
    // the members of a claims set instead of being stored and reloaded per string.
    #[inline(always)]
    fn plain_string(&mut self) -> Option<&'a str> {
        // Compact JSON (the common case) has the quote right here.
        if self.peek() != Some(b'"') {
            self.eat(b'"')?;
        } else {
            self.at += 1;
        }
        let start = self.at;
        let bytes = self.text.as_bytes();
        let end = start + first_special(bytes.get(start..)?)?;
        if bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are ASCII quotes in a `str`, so this is a character boundary.
        self.text.get(start..end)
    }

    /// A non-negative integer of at most [`MAX_DIGITS`] digits without a leading zero,
    /// not followed by a fraction or an exponent.
    fn plain_uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = bytes.get(self.at) {
            value = value * 10 + u64::from(d - b'0');
            self.at += 1;
            if self.at - start > MAX_DIGITS {
                return None;
            }
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && bytes[start] == b'0';
        if digits == 0 || leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(value)
    }

    /// A value of a member no profile reads: a plain string, a plain integer (optionally
    /// negative), `true`, `false` or `null`.
    fn skip_simple_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.plain_string().map(|_| ()),
            b'-' => {
                self.at += 1;
                // `-` must be followed by digits right away.
                matches!(self.peek(), Some(b'0'..=b'9')).then_some(())?;
                self.plain_uint().map(|_| ())
            }
            b'0'..=b'9' => self.plain_uint().map(|_| ()),
            _ => {
                for word in ["true", "false", "null"] {
                    if self.text[self.at..].starts_with(word) {
                        self.at += word.len();
                        return Some(());
                    }
                }
                None
            }
        }
    }

    /// After a member: `Some(true)` for `,` (another member follows), `Some(false)` for
    /// the closing `}`.
    fn next_member(&mut self) -> Option<bool> {
        self.skip_ws();
        let more = match self.peek()? {
            b',' => true,
            b'}' => false,
            _ => return None,
        };
        self.at += 1;
        Some(more)
    }

    /// `{` and, if the object is empty, its `}`: true when members follow.
    fn open_object(&mut self) -> Option<bool> {
        self.eat(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(false);
        }
        Some(true)
    }

    /// Nothing but whitespace is left.
    fn at_end(&mut self) -> Option<()> {
        self.skip_ws();
        (self.at == self.text.len()).then_some(())
    }
}

/// The position of the first byte at or after `at` that is not JSON whitespace
/// (RFC 8259 §2: space, tab, line feed, carriage return).
fn skip_ws(json: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = json.get(at) {
        at += 1;
    }
    at
}

/// Whether a byte may stand in a header value read here: printable ASCII but `"` and `\\`.
const PLAIN_VALUE: [bool; 256] = plain_value_table();

const fn plain_value_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        table[b as usize] = b != b'"' && b != b'\\';
        b += 1;
    }
    table
}

/// A header value at `at`: a string of printable ASCII without `"` or `\\`, and the
/// position after it. Anything else (an escape, a control character, any non-ASCII
/// byte) is left to the strict path.
fn ascii_value(json: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if json.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let mut end = start;
    while PLAIN_VALUE[usize::from(*json.get(end)?)] {
        end += 1;
    }
    (json[end] == b'"').then(|| (&json[start..end], end + 1))
}

/// The header members the validator checks, as bytes: read by [`header`] (printable
/// ASCII) or taken from the strict parser's [`RawHeader`] (UTF-8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FlatHeader<'a> {
    pub alg: Option<&'a [u8]>,
    pub kid: Option<&'a [u8]>,
    pub typ: Option<&'a [u8]>,
    pub crit: bool,
}

impl<'a> FlatHeader<'a> {
    /// The strict parser's header, as the checks read it.
    pub(crate) fn of(raw: &'a RawHeader<'_>) -> Self {
        FlatHeader {
            alg: raw.alg.as_deref().map(str::as_bytes),
            kid: raw.kid.as_deref().map(str::as_bytes),
            typ: raw.typ.as_deref().map(str::as_bytes),
            crit: raw.crit,
        }
    }
}

/// A header of `alg`, `kid` and `typ` members whose values are printable ASCII strings
/// without escapes, each at most once, read from the decoded bytes.
///
/// Member names are matched as their five bytes with the quotes (`"alg"`), so a name is
/// never scanned: a name written any other way (with an escape, another name) is not
/// one of the three and goes to the strict path. Only ASCII is accepted, so an accepted
/// header is valid UTF-8 without a separate check.
pub(crate) fn header(json: &[u8]) -> Option<FlatHeader<'_>> {
    let mut h = FlatHeader::default();
    let mut at = skip_ws(json, 0);
    if json.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_ws(json, at + 1);
    if json.get(at) != Some(&b'}') {
        loop {
            let name: [u8; 5] = json.get(at..at + 5)?.try_into().ok()?;
            let slot = match &name {
                b"\"alg\"" => &mut h.alg,
                b"\"kid\"" => &mut h.kid,
                b"\"typ\"" => &mut h.typ,
                _ => return None,
            };
            at = skip_ws(json, at + 5);
            if json.get(at) != Some(&b':') {
                return None;
            }
            let (value, next) = ascii_value(json, skip_ws(json, at + 1))?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(value);
            at = skip_ws(json, next);
            match json.get(at)? {
                b',' => at = skip_ws(json, at + 1),
                b'}' => break,
                _ => return None,
            }
        }
    }
    (skip_ws(json, at + 1) == json.len()).then_some(h)
}

/// An `ids` object of plain string members with distinct names.
fn ids(c: &mut Cursor<'_>) -> Option<CustomerIds> {
    let mut ids = BTreeMap::new();
    let mut more = c.open_object()?;
    while more {
        let name = c.plain_string()?;
        c.eat(b':')?;
        let value = c.plain_string()?;
        match ids.entry(name.to_owned()) {
            Entry::Occupied(_) => return None,
            Entry::Vacant(e) => {
                e.insert(value.to_owned());
            }
        }
        more = c.next_member()?;
    }
    Some(CustomerIds(ids))
}

/// A claims set of known claims of the right shape and simple members of other names,
/// written into `claims` (which must start empty); the mask of the known claims present.
/// On `None`, `claims` holds whatever was read so far and is to be discarded.
pub(crate) fn claims_into(json: &str, claims: &mut Claims) -> Option<u16> {
    let mut c = Cursor::new(json);
    let mut present: u16 = 0;
    let mut others: [&str; MAX_OTHER_MEMBERS] = [""; MAX_OTHER_MEMBERS];
    let mut other_count = 0;
    let mut more = c.open_object()?;
    while more {
        let name = c.plain_string()?;
        c.eat(b':')?;
        match KnownClaim::from_name(name) {
            Some(known) => {
                if present & known.bit() != 0 {
                    return None;
                }
                present |= known.bit();
                match known.kind() {
                    ClaimKind::NumericDate => {
                        let value = c.plain_uint().filter(|v| *v < NUMERIC_DATE_LIMIT)?;
                        known.set_numeric_date(claims, value);
                    }
                    ClaimKind::Text => {
                        let value = c.plain_string()?;
                        known.set_text(claims, value.to_owned());
                    }
                    ClaimKind::Ids => claims.ids = Some(ids(&mut c)?),
                }
            }
            None => {
                if others[..other_count].contains(&name) || other_count == MAX_OTHER_MEMBERS {
                    return None;
                }
                others[other_count] = name;
                other_count += 1;
                c.skip_simple_value()?;
            }
        }
        more = c.next_member()?;
    }
    c.at_end()?;
    Some(present)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strict_json::{self, ParsedClaims};
    use proptest::prelude::*;

    /// [`claims_into`] a fresh claims set.
    fn claims(json: &str) -> Option<ParsedClaims> {
        let mut claims = Claims::default();
        claims_into(json, &mut claims).map(|present| ParsedClaims { claims, present })
    }

    fn fast_and_strict_agree(json: &str) {
        let strict = strict_json::parse_claims(json).ok().map(|p| (p.claims, p.present));
        if let Some(fast) = claims(json) {
            assert_eq!(Some((fast.claims, fast.present)), strict, "{json}");
        }
    }

    #[test]
    fn special_bytes_are_found_in_and_after_whole_words() {
        for len in 0..20 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    // Bytes of multi-byte characters and DEL are not special.
                    if at > 0 {
                        bytes[at - 1] = 0xc3;
                    }
                    assert_eq!(first_special(&bytes), Some(at), "{bytes:?}");
                }
            }
            assert_eq!(first_special(&vec![0x7f; len]), None);
            assert_eq!(first_special(&vec![b' '; len]), None);
        }
    }

    #[test]
    fn the_common_shapes_take_the_fast_path() {
        for json in [
            r#"{"ids":{"registered":"alice","cookie":"c-1"},"exp":1700003600}"#,
            r#"{"userId":"alice","scope":"appUser","platform":"ios","givenName":"Alice Ł","iat":1699999990}"#,
            r#"{ "appId" : "TR1", "userId": "alice", "exp": 0, "iss": "me", "n": -3, "b": true, "z": null }"#,
            "{}",
        ] {
            assert!(claims(json).is_some(), "{json}");
            fast_and_strict_agree(json);
        }
        let h = header(b" {\"alg\": \"HS256\",\t\"typ\": \"JWT\", \"kid\": \"k-1\"}\n");
        let expected = FlatHeader { alg: Some(b"HS256"), kid: Some(b"k-1"), typ: Some(b"JWT"), crit: false };
        assert_eq!(h, Some(expected));
        assert!(header(b"{}").is_some());
    }

    #[test]
    fn anything_unusual_is_left_to_the_strict_path() {
        for json in [
            r#"{"exp":1,"exp":2}"#,
            r#"{"\u0065xp":1}"#,
            r#"{"sub":"a\"b"}"#,
            r#"{"exp":1.0}"#,
            r#"{"exp":1e9}"#,
            r#"{"exp":01}"#,
            r#"{"exp":-1}"#,
            r#"{"exp":9007199254740992}"#,
            r#"{"exp":1234567890123456}"#,
            r#"{"ids":{"a":"1","a":"2"}}"#,
            r#"{"ids":{"a":1}}"#,
            r#"{"x":{"a":1}}"#,
            r#"{"x":[1]}"#,
            r#"{"x":1,"x":2}"#,
            r#"{"x":-}"#,
            r#"{"x":tru}"#,
            r#"{"sub":1}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            "\u{feff}{}",
            "[]",
            "",
        ] {
            assert!(claims(json).is_none(), "{json}");
            fast_and_strict_agree(json);
        }
        for json in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS256","crit":["b64"]}"#,
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS\u0032"}"#,
            r#"{"alg":1}"#,
        ] {
            assert!(header(json.as_bytes()).is_none(), "{json}");
        }
    }

    #[test]
    fn header_names_are_matched_whole_and_anything_else_is_left_to_the_strict_path() {
        for json in [
            r#"{"algx":"HS256"}"#,
            r#"{"al":"HS256"}"#,
            r#"{"Alg":"HS256"}"#,
            r#"{"alg\"":"HS256"}"#,
            r#"{"\u0061lg":"HS256"}"#,
            r#"{"alg":"HS256","kid":"a","kid":"a"}"#,
            r#"{"alg":"HS256","crit":["exp"]}"#,
            r#"{"alg":"HS256","kid":"a\"b"}"#,
            "{\"alg\"\u{a0}:\"HS256\"}",
            r#"{"alg":"HS256""#,
            r#"{"alg""#,
            r#"{"alg":"HS256","kid":"ключ"}"#,
            "{\"alg\":\"HS\u{7f}256\"}",
        ] {
            assert!(header(json.as_bytes()).is_none(), "{json}");
        }
        // JSON whitespace anywhere between the tokens is still the common shape.
        let spaced = header(b" {\n\"alg\" :\t\"HS256\" ,\r\"kid\": \"k 1\" } ");
        assert_eq!(
            spaced,
            Some(FlatHeader { alg: Some(b"HS256"), kid: Some(b"k 1"), typ: None, crit: false })
        );
    }

    /// JSON-like text: objects of `names`, values of every shape the fast reader takes
    /// or must refuse (mostly ones it takes), random whitespace, and now and then a
    /// repeated name, an escape, a trailing comma or junk.
    fn near_json(names: &'static [&'static str]) -> impl Strategy<Value = String> {
        let name = proptest::sample::select(names);
        let odd = prop_oneof![
            Just("\"a\\\"b\""),
            Just("\"\\u0041\""),
            Just("\"\t\""),
            Just("01"),
            Just("-0"),
            Just("1.5"),
            Just("1e9"),
            Just("1E+2"),
            Just("9007199254740991"),
            Just("9007199254740992"),
            Just("123456789012345"),
            Just("1234567890123456"),
            Just("18446744073709551616"),
            Just("tru"),
            Just("-"),
            Just("[]"),
            Just("{}"),
        ];
        let scalar = prop_oneof![
            6 => "[a-zA-Z0-9 Ł€𝄞-]{0,8}".prop_map(|t| format!("\"{t}\"")),
            3 => any::<u32>().prop_map(|n| n.to_string()),
            1 => prop_oneof![Just("0"), Just("-1"), Just("true"), Just("false"), Just("null")].prop_map(str::to_owned),
            2 => odd.prop_map(str::to_owned),
        ];
        let value = scalar.prop_recursive(2, 8, 3, move |inner| {
            let ws = prop_oneof![Just(""), Just(" ")];
            prop_oneof![
                1 => proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
                3 => proptest::collection::vec((prop_oneof![Just("a"), Just("b"), Just("registered")], ws, inner), 0..3)
                    .prop_map(|m| {
                        let members: Vec<String> = m.into_iter().map(|(k, w, v)| format!("\"{k}\"{w}:{v}")).collect();
                        format!("{{{}}}", members.join(","))
                    }),
            ]
        });
        let ws = prop_oneof![12 => Just(""), 4 => Just(" "), 1 => Just("\n\t"), 1 => Just("\r ")];
        // No-break space is not JSON whitespace: both readers must refuse it.
        let outer = prop_oneof![12 => Just(""), 2 => Just(" "), 1 => Just("\u{a0}")];
        let member =
            (name, ws.clone(), ws, value).prop_map(|(n, a, b, v)| format!("{a}\"{n}\"{b}:{a}{v}{b}"));
        let ending = prop_oneof![24 => Just(""), 1 => Just(","), 1 => Just("x"), 1 => Just("}")];
        (outer, proptest::collection::vec(member, 0..5), ending)
            .prop_map(|(w, members, end)| format!("{w}{{{}{end}}}{w}", members.join(",")))
    }

    const HEADER_NAMES: &[&str] = &["alg", "alg", "kid", "kid", "typ", "typ", "crit", "b64", "\\u0061lg"];
    const CLAIM_NAMES: &[&str] = &[
        "exp",
        "nbf",
        "iat",
        "ids",
        "sub",
        "userId",
        "scope",
        "platform",
        "givenName",
        "appId",
        "customerId",
        "x",
        "iss",
        "\\u0065xp",
        "a\\\"b",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fast_and_strict_agree_on_arbitrary_headers(json in near_json(HEADER_NAMES)) {
            if let Some(fast) = header(json.as_bytes()) {
                let strict = strict_json::parse_header(&json);
                prop_assert!(strict.is_ok(), "fast accepted what strict refuses: {json}");
                if let Ok(strict) = strict {
                    prop_assert_eq!(fast, FlatHeader::of(&strict), "{}", json);
                }
            }
        }

        #[test]
        fn fast_and_strict_agree_on_arbitrary_claims(json in near_json(CLAIM_NAMES)) {
            if let Some(fast) = claims(&json) {
                let strict = strict_json::parse_claims(&json);
                prop_assert!(strict.is_ok(), "fast accepted what strict refuses: {json}");
                if let Ok(strict) = strict {
                    prop_assert_eq!((fast.claims, fast.present), (strict.claims, strict.present), "{}", json);
                }
            }
        }
    }

    #[test]
    fn the_generators_reach_both_paths_and_the_refusals() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut counts = [[0u32; 3]; 2];
        for _ in 0..5_000 {
            let mut text =
                |names| near_json(names).new_tree(&mut runner).map(|t| t.current()).unwrap_or_default();
            let h = text(HEADER_NAMES);
            let c = text(CLAIM_NAMES);
            let outcomes = [
                (header(h.as_bytes()).is_some(), strict_json::parse_header(&h).is_ok()),
                (claims(&c).is_some(), strict_json::parse_claims(&c).is_ok()),
            ];
            for (count, outcome) in counts.iter_mut().zip(outcomes) {
                count[match outcome {
                    (true, _) => 0,
                    (false, true) => 1,
                    (false, false) => 2,
                }] += 1;
            }
        }
        // [fast, strict only, refused by both], headers then claims.
        assert!(counts.iter().all(|c| c[0] > 500 && c[1] > 50 && c[2] > 500), "{counts:?}");
    }
}
