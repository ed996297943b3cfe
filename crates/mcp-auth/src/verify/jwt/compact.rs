//! JWS Compact Serialization (RFC 7515 §7.1): `header.payload.signature`, base64url without
//! padding (RFC 7515 §2).
//!
//! The split is bounded: it looks for two dots and then checks that no third one follows, so
//! nothing is allocated per dot (CVE-2025-30204, CVE-2025-27144). The length cap is applied
//! before anything else. JWE (five parts), JSON serialization and unsecured JWS all fail here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Longest accepted token, in bytes (pinned decision 7: credential 16 KiB).
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Longest accepted signature once decoded: RSA-8192 (1024 bytes).
pub(crate) const MAX_SIGNATURE_LEN: usize = 1024;

/// The three parts of a compact JWS, still encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Compact<'a> {
    /// `BASE64URL(header)`.
    pub(crate) header: &'a str,
    /// `BASE64URL(payload)`.
    pub(crate) payload: &'a str,
    /// The JWS Signing Input: `header.payload` (RFC 7515 §5.1 step 4).
    pub(crate) signing_input: &'a [u8],
    /// `BASE64URL(signature)`.
    pub(crate) signature: &'a str,
}

/// Splits a token into exactly three non-empty parts; `None` when it is not a compact JWS.
pub(crate) fn split(token: &str) -> Option<Compact<'_>> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let (header, rest) = token.split_once('.')?;
    let (payload, signature) = rest.split_once('.')?;
    if header.is_empty() || payload.is_empty() || signature.is_empty() || signature.contains('.') {
        return None;
    }
    let signing_input = token.as_bytes().get(..header.len() + 1 + payload.len())?;
    Some(Compact {
        header,
        payload,
        signing_input,
        signature,
    })
}

/// Strict base64url: the URL-safe alphabet only, no padding, no stray bits (RFC 7515 §2,
/// RFC 4648 §5). `None` on any deviation.
pub(crate) fn decode(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part).ok()
}

/// Decodes a signature into `buf` without allocating; `None` when malformed or too long.
pub(crate) fn decode_signature<'b>(
    part: &str,
    buf: &'b mut [u8; MAX_SIGNATURE_LEN],
) -> Option<&'b [u8]> {
    decode_into(part, buf)
}

/// Decodes `part` into `buf` without allocating; `None` when malformed or longer than `buf`.
pub(crate) fn decode_into<'b>(part: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    // 4 characters carry 3 bytes; refuse anything that could not fit before decoding.
    if part.len() > buf.len().div_ceil(3) * 4 {
        return None;
    }
    let len = URL_SAFE_NO_PAD.decode_slice(part, &mut *buf).ok()?;
    buf.get(..len)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn splits_three_parts() {
        let c = split("aGVhZA.cGF5bG9hZA.c2ln").unwrap();
        assert_eq!(c.header, "aGVhZA");
        assert_eq!(c.payload, "cGF5bG9hZA");
        assert_eq!(c.signature, "c2ln");
        assert_eq!(c.signing_input, b"aGVhZA.cGF5bG9hZA");
    }

    #[test]
    fn b01_refuses_other_shapes() {
        for token in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "a.b.c.d.e",
            "a..c",
            ".b.c",
            "a.b.",
            "..",
            "...",
        ] {
            assert!(split(token).is_none(), "{token:?}");
        }
        let many_dots = format!("a.b.c{}", ".".repeat(10_000));
        assert!(split(&many_dots).is_none());
    }

    #[test]
    fn length_cap_comes_first() {
        let long = format!("a.b.{}", "c".repeat(MAX_TOKEN_LEN));
        assert!(split(&long).is_none());
        let fits = format!("a.b.{}", "c".repeat(MAX_TOKEN_LEN - 4));
        assert!(split(&fits).is_some());
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(decode("aGk").unwrap(), b"hi");
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
        for bad in ["aGk=", "aG+k", "aG/k", "aGk ", "a", "aGl", "é", "aGk\n"] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn signatures_decode_into_a_bounded_buffer() {
        let mut buf = [0u8; MAX_SIGNATURE_LEN];
        assert_eq!(decode_signature("aGk", &mut buf).unwrap(), b"hi");
        let max = URL_SAFE_NO_PAD.encode([7u8; MAX_SIGNATURE_LEN]);
        assert_eq!(
            decode_signature(&max, &mut buf).unwrap().len(),
            MAX_SIGNATURE_LEN
        );
        let over = URL_SAFE_NO_PAD.encode([7u8; MAX_SIGNATURE_LEN + 1]);
        assert!(decode_signature(&over, &mut buf).is_none());
        assert!(decode_signature("a=", &mut buf).is_none());
    }
}
