//! `JwtVerifier` with pinned keys and no result cache: arbitrary strings, arbitrary three-part
//! base64url texts, and valid tokens mutated in their text or in their decoded parts are
//! always refused with the pinned kind, and never panic or hang.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mcp_auth::clock::ManualClock;
use mcp_auth::metadata::parse_json_object;
use mcp_auth::{BearerToken, JwtVerifier, TokenVerifier, VerifyErrorKind};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;
use tokio::runtime::Runtime;

use super::{CASES, check};
use crate::support::{NOW, RESOURCE, Signer, TestKey, b64, forge, header, token, valid_claims};

pub(crate) const ISSUER: &str = "https://issuer.example.test";

pub(crate) struct Fixture {
    pub(crate) verifier: JwtVerifier,
    /// One valid token per key (RS256, ES256, EdDSA).
    pub(crate) tokens: Vec<String>,
    keys: Vec<TestKey>,
}

pub(crate) fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let keys = vec![
            TestKey::rsa("rs", 0),
            TestKey::p256("es"),
            TestKey::ed25519("ed"),
        ];
        let jwks = json!({"keys": keys.iter().map(TestKey::jwk).collect::<Vec<_>>()});
        let verifier = JwtVerifier::new(RESOURCE)
            .unwrap()
            .with_static_jwks(ISSUER, jwks.to_string().as_bytes())
            .unwrap()
            .with_clock(Arc::new(ManualClock::new(NOW)))
            .without_cache();
        let tokens = keys
            .iter()
            .map(|k| token(k, &valid_claims(ISSUER, NOW)))
            .collect();
        Fixture {
            verifier,
            tokens,
            keys,
        }
    })
}

pub(crate) fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Verifies with a generous deadline: a hang fails the property instead of the whole run.
fn verify(rt: &Runtime, token: &str) -> Result<(), VerifyErrorKind> {
    let verifier = &fixture().verifier;
    let token_value = BearerToken::new(token);
    let deadline = Duration::from_secs(10);
    match rt.block_on(async { tokio::time::timeout(deadline, verifier.verify(&token_value)).await })
    {
        Ok(result) => result.map(|_| ()).map_err(|e| e.kind()),
        Err(_) => panic!("verification of {token:?} did not finish in 10 s"),
    }
}

/// An edit of one part of a token.
#[derive(Debug, Clone)]
enum Edit {
    Replace(Index, char),
    Insert(Index, char),
    Delete(Index),
    FlipBit(Index, u8),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![
        4 => prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['.', '=', '+', '/', ' ', '\0', '\u{e9}', '\u{10000}']),
        1 => any::<char>(),
    ];
    prop_oneof![
        (any::<Index>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<Index>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), 0u8..7).prop_map(|(i, b)| Edit::FlipBit(i, b)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

impl Edit {
    /// Applies the edit to a part's characters.
    fn apply_chars(&self, part: &mut Vec<char>) {
        let at = |i: &Index, extra: usize| i.index(part.len() + extra);
        match self {
            Self::Replace(i, c) if !part.is_empty() => {
                let i = at(i, 0);
                part[i] = *c;
            }
            Self::Insert(i, c) => {
                let i = at(i, 1);
                part.insert(i, *c);
            }
            Self::Delete(i) if !part.is_empty() => {
                let i = at(i, 0);
                part.remove(i);
            }
            Self::FlipBit(i, bit) if !part.is_empty() => {
                let i = at(i, 0);
                // ASCII stays ASCII (bits 0..7), other characters are replaced.
                part[i] = char::from_u32(u32::from(part[i]) ^ (1 << bit)).unwrap_or('?');
            }
            Self::Truncate(i) if !part.is_empty() => {
                let i = at(i, 0);
                part.truncate(i);
            }
            _ => {}
        }
    }

    /// Applies the edit to a part's bytes.
    fn apply_bytes(&self, part: &mut Vec<u8>) {
        let byte = |c: &char| u8::try_from(u32::from(*c) & 0xff).unwrap_or(0);
        let at = |i: &Index, extra: usize| i.index(part.len() + extra);
        match self {
            Self::Replace(i, c) if !part.is_empty() => {
                let i = at(i, 0);
                part[i] = byte(c);
            }
            Self::Insert(i, c) => {
                let i = at(i, 1);
                part.insert(i, byte(c));
            }
            Self::Delete(i) if !part.is_empty() => {
                let i = at(i, 0);
                part.remove(i);
            }
            Self::FlipBit(i, bit) if !part.is_empty() => {
                let i = at(i, 0);
                part[i] ^= 1 << bit;
            }
            Self::Truncate(i) if !part.is_empty() => {
                let i = at(i, 0);
                part.truncate(i);
            }
            _ => {}
        }
    }
}

fn split(token: &str) -> [String; 3] {
    let mut parts = token.split('.').map(str::to_owned);
    [(); 3].map(|()| parts.next().unwrap())
}

fn decode(part: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap()
}

/// The kind for a token whose header part does not decode to a JSON object.
fn header_is_object(part: &str) -> bool {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    engine
        .decode(part)
        .is_ok_and(|h| parse_json_object(&h).is_ok())
}

/// `uri` with scheme and authority lower-cased and a default `https` port removed.
fn normalized(uri: &str) -> String {
    let split = uri.find("://").map_or(0, |s| s + 3);
    let end = uri[split..].find('/').map_or(uri.len(), |e| split + e);
    let head = uri[..end].to_ascii_lowercase();
    let head = head.strip_suffix(":443").unwrap_or(&head);
    format!("{head}{}", &uri[end..])
}

#[test]
fn fixture_tokens_verify() {
    let rt = runtime();
    for token in &fixture().tokens {
        assert_eq!(verify(&rt, token), Ok(()));
    }
}

/// Arbitrary strings: refused; anything without three dot-separated parts is `Malformed`.
#[test]
fn arbitrary_strings_are_refused() {
    let rt = runtime();
    let strategy = prop_oneof!["\\PC{0,64}", "[A-Za-z0-9_.=+/-]{0,80}", "[ -~]{0,80}"];
    check(CASES, strategy, |s| {
        let result = verify(&rt, &s);
        prop_assert!(result.is_err());
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) || !header_is_object(parts[0]) {
            prop_assert_eq!(result, Err(VerifyErrorKind::Malformed));
        }
        Ok(())
    });
}

/// Tokens over 16 KiB are `Malformed` whatever they hold, even a valid token padded out.
#[test]
fn oversized_tokens_are_malformed() {
    let rt = runtime();
    let strategy = (
        any::<Index>(),
        (16 * 1024 + 1usize)..(256 * 1024),
        0usize..3,
    );
    check(32, strategy, |(which, len, part)| {
        let original = which.get(&fixture().tokens);
        let mut parts = split(original);
        let grow = len.saturating_sub(original.len()).max(1);
        parts[part].push_str(&"A".repeat(grow));
        let token = parts.join(".");
        prop_assert_eq!(verify(&rt, &token), Err(VerifyErrorKind::Malformed));
        Ok(())
    });
}

/// Three base64url parts of arbitrary bytes, or of plausible headers: refused, never
/// `Unavailable` (the keys are pinned), `Malformed` unless the header is a JSON object.
#[test]
fn arbitrary_three_part_tokens_are_refused() {
    let rt = runtime();
    let header = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..64),
        (
            prop::sample::select(vec![
                "RS256", "ES256", "EdDSA", "none", "HS256", "PS512", ""
            ]),
            prop::sample::select(vec!["rs", "es", "ed", "zz", ""]),
            prop::sample::select(vec!["at+jwt", "JWT", "application/at+jwt", ""]),
        )
            .prop_map(|(alg, kid, typ)| {
                json!({"alg": alg, "kid": kid, "typ": typ})
                    .to_string()
                    .into_bytes()
            }),
    ];
    let payload = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..64),
        Just(valid_claims(ISSUER, NOW).to_string().into_bytes()),
    ];
    let strategy = (header, payload, prop::collection::vec(any::<u8>(), 1..300));
    check(CASES, strategy, |(h, p, s)| {
        let token = format!("{}.{}.{}", b64(&h), b64(&p), b64(&s));
        let result = verify(&rt, &token);
        prop_assert!(result.is_err());
        prop_assert_ne!(result, Err(VerifyErrorKind::Unavailable));
        if parse_json_object(&h).is_err() {
            prop_assert_eq!(result, Err(VerifyErrorKind::Malformed));
        }
        Ok(())
    });
}

/// Valid tokens edited in their text: refused unless the edit changed nothing.
#[test]
fn mutated_token_text_is_refused() {
    let rt = runtime();
    let strategy = (
        any::<Index>(),
        0usize..3,
        prop::collection::vec(edit(), 1..3),
    );
    check(CASES * 2, strategy, |(which, part, edits)| {
        let original = which.get(&fixture().tokens);
        let mut parts = split(original);
        let mut chars: Vec<char> = parts[part].chars().collect();
        for edit in &edits {
            edit.apply_chars(&mut chars);
        }
        parts[part] = chars.into_iter().collect();
        let mutated = parts.join(".");
        let result = verify(&rt, &mutated);
        if mutated == *original {
            prop_assert_eq!(result, Ok(()));
        } else {
            prop_assert!(result.is_err(), "accepted {mutated:?}");
            prop_assert_ne!(result, Err(VerifyErrorKind::Unavailable));
        }
        Ok(())
    });
}

/// Valid tokens edited in the decoded bytes of one part and re-encoded, signature kept:
/// refused unless the bytes are unchanged.
#[test]
fn mutated_token_parts_are_refused() {
    let rt = runtime();
    let strategy = (
        any::<Index>(),
        0usize..3,
        prop::collection::vec(edit(), 1..3),
    );
    check(CASES * 2, strategy, |(which, part, edits)| {
        let original = which.get(&fixture().tokens);
        let mut parts = split(original);
        let decoded = decode(&parts[part]);
        let mut bytes = decoded.clone();
        for edit in &edits {
            edit.apply_bytes(&mut bytes);
        }
        parts[part] = b64(&bytes);
        let mutated = parts.join(".");
        let result = verify(&rt, &mutated);
        if bytes == decoded {
            prop_assert_eq!(result, Ok(()));
        } else {
            prop_assert!(result.is_err(), "accepted {mutated:?}");
            prop_assert_ne!(result, Err(VerifyErrorKind::Unavailable));
        }
        Ok(())
    });
}

/// Header or payload bytes edited and then signed with the real key: whatever is accepted
/// has strict-JSON header and claims naming the issuer and this resource.
#[test]
fn re_signed_mutations_are_accepted_only_when_sound() {
    let rt = runtime();
    let strategy = (
        any::<Index>(),
        any::<bool>(),
        prop::collection::vec(edit(), 1..3),
    );
    check(CASES, strategy, |(which, in_header, edits)| {
        let key = which.get(&fixture().keys);
        let mut h = header(key).to_string().into_bytes();
        let mut p = valid_claims(ISSUER, NOW).to_string().into_bytes();
        for edit in &edits {
            edit.apply_bytes(if in_header { &mut h } else { &mut p });
        }
        let token = forge(&h, &p, Signer::Key(key));
        if verify(&rt, &token).is_ok() {
            prop_assert!(
                parse_json_object(&h).is_ok(),
                "header {:?}",
                String::from_utf8_lossy(&h)
            );
            let claims = parse_json_object(&p);
            prop_assert!(claims.is_ok(), "claims {:?}", String::from_utf8_lossy(&p));
            let claims = claims.unwrap();
            prop_assert_eq!(claims.get("iss"), Some(&json!(ISSUER)));
            // The audience compares with RFC 3986 §6.2.2.1 case normalization of scheme and
            // host (see `verify/jwt/audience.rs`), the issuer exactly.
            let aud = claims.get("aud").and_then(|a| a.as_str()).map(normalized);
            prop_assert_eq!(aud, Some(normalized(RESOURCE)));
        }
        Ok(())
    });
}
