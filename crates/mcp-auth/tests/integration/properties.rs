//! Property-based tests: hostile input on the request path never panics, never hangs and
//! always gets the pinned answer. Credentials extraction here; strict JSON, JWT verification
//! and the Bearer layer end to end in the submodules.
//!
//! Case counts are moderate (the whole set runs in seconds in a debug build) and no failure
//! files are written; a failure prints the shrunk input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue, Uri};
use mcp_auth::credentials::{CredentialError, DEFAULT_MAX_CREDENTIAL_LEN, extract_bearer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

mod json;
mod jwt;
mod layer;

/// Cases per property.
const CASES: u32 = 256;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs a property outside the `proptest!` macro (for tests that keep a runtime or keys
/// across cases); panics with the shrunk input on failure.
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config(cases));
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
}

// ----------------------------------------------------------------------------------------
// Generators for the request head

/// A generated field value, shown as an escaped byte string when a property fails.
#[derive(Clone)]
pub(crate) struct Field(Vec<u8>);

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// Authorization field values: raw bytes, near-misses of `Bearer <token>`, non-ASCII.
pub(crate) fn field_value() -> impl Strategy<Value = Field> {
    field_bytes().prop_map(Field)
}

fn field_bytes() -> impl Strategy<Value = Vec<u8>> {
    let scheme = prop_oneof![
        10 => Just("Bearer".to_owned()),
        1 => Just("bearer".to_owned()),
        1 => Just("BEARER".to_owned()),
        1 => Just("bEaReR".to_owned()),
        1 => Just("Basic".to_owned()),
        1 => Just("DPoP".to_owned()),
        1 => Just("Token".to_owned()),
        1 => Just("Bearer,".to_owned()),
        1 => Just("Bearer=".to_owned()),
        1 => Just("Bearerx".to_owned()),
        1 => Just("B\u{e9}arer".to_owned()),
        1 => Just(String::new()),
        1 => "[A-Za-z]{1,8}",
    ];
    let separator = prop_oneof![4 => " {1,3}", 1 => "[ \t]{0,3}"];
    let token = prop_oneof![
        4 => "[A-Za-z0-9._~+/-]{1,24}={0,3}",
        4 => "tok-(read|read-write|none|expired|down|bad)",
        1 => "[A-Za-z0-9]{1,6}=[A-Za-z0-9=]{1,4}",
        1 => "[ -~]{0,24}",
        1 => "\\PC{0,8}",
        1 => Just(String::new()),
    ];
    let composed = (
        "[ \t]{0,2}",
        scheme,
        separator,
        token,
        "[ \t]{0,2}",
        prop::option::weighted(0.15, "[ -~]{1,6}"),
    )
        .prop_map(|(lead, scheme, sep, token, trail, extra)| {
            let mut value = format!("{lead}{scheme}{sep}{token}");
            if let Some(extra) = extra {
                value.push(' ');
                value.push_str(&extra);
            }
            value.push_str(&trail);
            value.into_bytes()
        });
    prop_oneof![
        8 => composed,
        1 => prop::collection::vec(any::<u8>(), 0..48),
        1 => prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..48),
    ]
}

/// Zero to three `Authorization` fields, mostly one.
pub(crate) fn fields() -> impl Strategy<Value = Vec<Field>> {
    prop_oneof![
        1 => Just(Vec::new()),
        6 => field_value().prop_map(|v| vec![v]),
        2 => prop::collection::vec(field_value(), 2..4),
    ]
}

/// Query strings, some naming `access_token` in one spelling or another.
pub(crate) fn query() -> impl Strategy<Value = Option<String>> {
    let name = prop_oneof![
        Just("access_token"),
        Just("access%5Ftoken"),
        Just("access%5ftoken"),
        Just("%61ccess_token"),
        Just("%61%63%63%65%73%73%5f%74%6f%6b%65%6e"),
        Just("access_token%"),
        Just("access%5"),
        Just("access+token"),
        Just("access_tokens"),
        Just("ACCESS_TOKEN"),
        Just("x"),
        Just(""),
    ];
    let pair = (name, prop::option::of("[A-Za-z0-9%=._~-]{0,6}")).prop_map(|(n, v)| match v {
        Some(v) => format!("{n}={v}"),
        None => n.to_owned(),
    });
    prop_oneof![
        2 => Just(None),
        1 => prop::collection::vec(pair, 0..4).prop_map(|pairs| Some(pairs.join("&"))),
        1 => "[A-Za-z0-9%=&+._~-]{0,30}".prop_map(Some),
    ]
}

/// `/mcp` with `query`; `None` when the query does not make a valid URI.
pub(crate) fn uri(query: Option<&str>) -> Option<Uri> {
    match query {
        None => Some(Uri::from_static("/mcp")),
        Some(q) => format!("/mcp?{q}").parse().ok(),
    }
}

/// The header values that `http` accepts, in order.
pub(crate) fn header_values(values: &[Field]) -> Vec<HeaderValue> {
    values
        .iter()
        .filter_map(|v| HeaderValue::from_bytes(&v.0).ok())
        .collect()
}

// ----------------------------------------------------------------------------------------
// The reference model: RFC 6750 §2.1 and the crate's pinned order, written independently

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub(crate) fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~+/".contains(c))
}

/// application/x-www-form-urlencoded name decoding, malformed escapes kept literally.
fn form_decode(name: &str) -> Vec<u8> {
    let bytes = name.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (escape, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// What `extract_bearer` must answer (module docs of `credentials`).
pub(crate) fn model(
    values: &[HeaderValue],
    uri: &Uri,
    max_len: usize,
) -> Result<Option<String>, CredentialError> {
    let value = match values {
        [] => return Ok(None),
        [one] => one.as_bytes(),
        _ => return Err(CredentialError::MultipleAuthorizationFields),
    };
    if value.len() > max_len {
        return Err(CredentialError::TooLong);
    }
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t');
    let start = value.iter().position(|b| !is_ws(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ws(b))
        .map_or(start, |e| e + 1);
    let value = &value[start..end];
    if !value.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Err(CredentialError::InvalidFieldValue);
    }
    let text = std::str::from_utf8(value).unwrap();
    if text.is_empty() {
        return Err(CredentialError::MissingToken);
    }
    let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(CredentialError::MissingToken);
    }
    let named = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| form_decode(pair.split('=').next().unwrap_or("")) == b"access_token")
    });
    if named {
        return Err(CredentialError::MultipleMethods);
    }
    if !is_b64token(token) {
        return Err(CredentialError::MalformedToken);
    }
    Ok(Some(token.to_owned()))
}

fn extract(
    values: &[HeaderValue],
    uri: &Uri,
    max_len: usize,
) -> Result<Option<String>, CredentialError> {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(AUTHORIZATION, value.clone());
    }
    extract_bearer(&headers, uri, max_len).map(|t| t.map(|t| t.secret().to_owned()))
}

// ----------------------------------------------------------------------------------------
// extract_bearer

proptest! {
    #![proptest_config(config(CASES * 2))]

    /// Any head: no panic, the model's answer, and a returned token is a `b64token`.
    #[test]
    fn extract_bearer_matches_the_pinned_rules(
        values in fields(),
        query in query(),
        max_len in prop_oneof![3 => Just(DEFAULT_MAX_CREDENTIAL_LEN), 1 => 0usize..64],
    ) {
        let Some(uri) = uri(query.as_deref()) else { return Ok(()) };
        let values = header_values(&values);
        let actual = extract(&values, &uri, max_len);
        if let Ok(Some(token)) = &actual {
            prop_assert!(is_b64token(token), "not a b64token: {token:?}");
        }
        prop_assert_eq!(actual, model(&values, &uri, max_len));
    }

    /// One field longer than the cap is `TooLong`, whatever it holds.
    #[test]
    fn over_long_field_is_too_long(
        value in field_value(),
        filler in prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..64),
        query in query(),
    ) {
        let mut value = value.0;
        value.extend_from_slice(&filler);
        let Ok(value) = HeaderValue::from_bytes(&value) else { return Ok(()) };
        let Some(uri) = uri(query.as_deref()) else { return Ok(()) };
        for max_len in [0, value.len().saturating_sub(1), value.len() / 2] {
            if value.len() > max_len {
                prop_assert_eq!(
                    extract(std::slice::from_ref(&value), &uri, max_len),
                    Err(CredentialError::TooLong)
                );
            }
        }
    }

    /// A well-formed `Bearer <b64token>` in any scheme case and spacing gives that token.
    #[test]
    fn well_formed_bearer_is_accepted(
        scheme in "[Bb][Ee][Aa][Rr][Ee][Rr]",
        lead in "[ \t]{0,2}",
        sep in " {1,4}",
        token in "[A-Za-z0-9._~+/-]{1,40}={0,2}",
        trail in "[ \t]{0,2}",
    ) {
        let value = HeaderValue::from_str(&format!("{lead}{scheme}{sep}{token}{trail}")).unwrap();
        prop_assert_eq!(
            extract(&[value], &Uri::from_static("/mcp?x=1"), DEFAULT_MAX_CREDENTIAL_LEN),
            Ok(Some(token))
        );
    }
}

/// Values right at the default 16 KiB cap: the boundary is exact.
#[test]
fn default_cap_boundary() {
    check(
        64,
        (DEFAULT_MAX_CREDENTIAL_LEN - 40)..(DEFAULT_MAX_CREDENTIAL_LEN + 40),
        |len| {
            let value = format!("Bearer {}", "a".repeat(len - 7));
            let value = HeaderValue::from_str(&value).unwrap();
            let uri = Uri::from_static("/mcp");
            let actual = extract(
                std::slice::from_ref(&value),
                &uri,
                DEFAULT_MAX_CREDENTIAL_LEN,
            );
            if len > DEFAULT_MAX_CREDENTIAL_LEN {
                prop_assert_eq!(actual, Err(CredentialError::TooLong));
            } else {
                prop_assert_eq!(actual, Ok(Some("a".repeat(len - 7))));
            }
            Ok(())
        },
    );
}

/// Huge values (up to 1 MiB) are refused as `TooLong` by the length alone.
#[test]
fn huge_values_are_too_long() {
    let strategy = (
        (DEFAULT_MAX_CREDENTIAL_LEN + 1)..(1 << 20),
        prop::sample::select(vec![b'a', b' ', b'=', b'.', 0xff]),
    );
    check(32, strategy, |(len, fill)| {
        let mut value = b"Bearer ".to_vec();
        value.resize(len, fill);
        let value = HeaderValue::from_bytes(&value).unwrap();
        let uri = Uri::from_static("/mcp?access_token=x");
        let actual = extract(&[value], &uri, DEFAULT_MAX_CREDENTIAL_LEN);
        prop_assert_eq!(actual, Err(CredentialError::TooLong));
        Ok(())
    });
}
