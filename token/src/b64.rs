//! Unpadded base64url (RFC 4648 §5), decoded strictly: only `A-Z a-z 0-9 - _`, no `=`, no
//! length of 1 modulo 4, and the unused bits of the last character zero, so each byte
//! string has exactly one accepted encoding. The same rules as the `base64` crate's
//! `URL_SAFE_NO_PAD` engine (the tests compare the two on arbitrary input); written out
//! here because a table lookup per character is about twice as fast on the short parts
//! of a token, and decoding is a sixth of a validation.

/// The value of each base64url character; [`INVALID`] for every other byte.
const DECODE: [u8; 256] = decode_table();
const INVALID: u8 = 0xFF;

const fn decode_table() -> [u8; 256] {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

/// For each of the four positions in a group of four characters, each character's bits
/// already placed in the three output bytes (little-endian: byte 0 first), or
/// [`BAD_BITS`] when it is not base64url. A group decodes to the OR of four lookups.
const PLACED: [[u32; 256]; 4] = placed_tables();
const BAD_BITS: u32 = 0xFF00_0000;

const fn placed_tables() -> [[u32; 256]; 4] {
    let mut tables = [[BAD_BITS; 256]; 4];
    let mut ch = 0;
    while ch < 256 {
        let v = DECODE[ch] as u32;
        if DECODE[ch] != INVALID {
            tables[0][ch] = v << 2;
            tables[1][ch] = v >> 4 | (v & 0x0F) << 12;
            tables[2][ch] = (v >> 2) << 8 | (v & 0x03) << 22;
            tables[3][ch] = v << 16;
        }
        ch += 1;
    }
    tables
}

/// The decoded length of `encoded` characters; `None` for a length no unpadded
/// encoding has (1 modulo 4).
pub(crate) fn decoded_len(encoded: usize) -> Option<usize> {
    match encoded % 4 {
        0 => Some(encoded / 4 * 3),
        2 => Some(encoded / 4 * 3 + 1),
        3 => Some(encoded / 4 * 3 + 2),
        _ => None,
    }
}

/// One group of four characters, each looked up in its position's table and OR-ed:
/// the three bytes, little-endian, and [`BAD_BITS`] set if a character is not base64url.
fn group([c0, c1, c2, c3]: [u8; 4]) -> u32 {
    PLACED[0][usize::from(c0)]
        | PLACED[1][usize::from(c1)]
        | PLACED[2][usize::from(c2)]
        | PLACED[3][usize::from(c3)]
}

/// Decodes `input` into the start of `out`, returning the decoded length; `None` when
/// `input` is not canonical unpadded base64url or `out` is too short.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = decoded_len(input.len())?;
    let out = out.get_mut(..len)?;
    let (quads, tail) = input.split_at(input.len() / 4 * 4);
    let (pairs, last_quad) = quads.as_chunks::<8>();
    let mut bad = 0;
    let mut at = 0;
    // Checked once at the end: a bad group only spoils bytes that are then dropped (a
    // bad group's BAD_BITS land in its neighbour's bytes here, which are dropped too).
    // Two groups, six bytes, with one eight-byte store where the output has room (its
    // last two bytes are the next group's first, written again by it); six at the end.
    for pair in pairs {
        let [c0, c1, c2, c3, c4, c5, c6, c7] = *pair;
        let (a, b) = (group([c0, c1, c2, c3]), group([c4, c5, c6, c7]));
        bad |= a | b;
        let bytes = (u64::from(a) | u64::from(b) << 24).to_le_bytes();
        match out.get_mut(at..at + 8) {
            Some(eight) => eight.copy_from_slice(&bytes),
            None => out.get_mut(at..at + 6)?.copy_from_slice(&bytes[..6]),
        }
        at += 6;
    }
    for q in last_quad.as_chunks::<4>().0 {
        let word = group(*q);
        bad |= word;
        let bytes = word.to_le_bytes();
        // One four-byte store where the output has room (its fourth byte is the tail's
        // first, written again there); three at the very end.
        match out.get_mut(at..at + 4) {
            Some(four) => four.copy_from_slice(&bytes),
            None => out.get_mut(at..at + 3)?.copy_from_slice(&bytes[..3]),
        }
        at += 3;
    }
    if bad & BAD_BITS != 0 {
        return None;
    }
    let rest = out.get_mut(at..)?;
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (DECODE[usize::from(a)], DECODE[usize::from(b)]);
            // The last character carries 2 bits of data; its 4 low bits must be zero.
            if (a | b) & 0x80 != 0 || b & 0x0F != 0 {
                return None;
            }
            rest[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let (a, b, c) = (DECODE[usize::from(a)], DECODE[usize::from(b)], DECODE[usize::from(c)]);
            // The last character carries 4 bits of data; its 2 low bits must be zero.
            if (a | b | c) & 0x80 != 0 || c & 0x03 != 0 {
                return None;
            }
            rest[0] = a << 2 | b >> 4;
            rest[1] = b << 4 | c >> 2;
        }
        _ => return None,
    }
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use proptest::prelude::*;

    fn ours(input: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0u8; input.len()];
        decode(input, &mut out).map(|n| out[..n].to_vec())
    }

    fn theirs(input: &[u8]) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(input).ok()
    }

    #[test]
    fn known_encodings_and_refusals() {
        assert_eq!(ours(b""), Some(vec![]));
        assert_eq!(ours(b"eyJhbGciOiJIUzI1NiJ9"), Some(br#"{"alg":"HS256"}"#.to_vec()));
        assert_eq!(ours(b"_-8"), Some(vec![0xff, 0xef]));
        for bad in [&b"A"[..], b"AB=", b"AB==", b"AB+/", b"AB C", b"AB.C", b"AF", b"AAB", b"\xc3\xa9AA"] {
            assert_eq!(ours(bad), None, "{bad:?}");
            assert_eq!(theirs(bad), None, "{bad:?}");
        }
        let mut short = [0u8; 2];
        assert_eq!(decode(b"AAAA", &mut short), None);
    }

    #[test]
    fn nothing_is_written_past_the_decoded_length() {
        for n in 0..16 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 29 + 7) as u8).collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            let mut out = vec![0xAA; n + 8];
            assert_eq!(decode(encoded.as_bytes(), &mut out), Some(n));
            assert_eq!(&out[..n], &bytes[..]);
            assert!(out[n..].iter().all(|&b| b == 0xAA), "{n}: {out:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_the_base64_crate_on_encodings(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert_eq!(ours(encoded.as_bytes()), Some(bytes));
        }

        #[test]
        fn agrees_with_the_base64_crate_on_any_text(
            text in proptest::collection::vec(
                prop_oneof![8 => proptest::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".to_vec()),
                            1 => any::<u8>()],
                0..40)
        ) {
            prop_assert_eq!(ours(&text), theirs(&text), "{:?}", String::from_utf8_lossy(&text));
        }
    }
}
