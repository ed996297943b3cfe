#![allow(clippy::unwrap_used)]

use super::grammar::{check_bearer_challenge, parse_challenge};
use super::*;

const RM: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

#[test]
fn bare_challenge() {
    let value = WwwAuthenticate::bearer().to_header_value();
    assert_eq!(value, "Bearer");
    let parsed = check_bearer_challenge(value.as_bytes(), None).unwrap();
    assert!(parsed.params.is_empty());
}

#[test]
fn parameter_order_is_fixed() {
    // Set in reverse order; rendered in the pinned order.
    let challenge = WwwAuthenticate::bearer()
        .with_resource_metadata(RM)
        .with_scope("a b")
        .with_error_description("The access token has expired")
        .with_error(ErrorCode::InvalidToken);
    let value = challenge.to_header_value();
    assert_eq!(
        value,
        format!(
            "Bearer error=\"invalid_token\", error_description=\"The access token has expired\", \
             scope=\"a b\", resource_metadata=\"{RM}\""
        )
        .as_str()
    );
    let parsed = check_bearer_challenge(value.as_bytes(), Some(RM)).unwrap();
    assert_eq!(
        parsed.names(),
        ["error", "error_description", "scope", "resource_metadata"]
    );
}

#[test]
fn quotes_and_backslashes_are_escaped_in_urls() {
    let challenge = WwwAuthenticate::bearer().with_resource_metadata("https://h/a\"b\\c");
    assert_eq!(
        challenge.to_string(),
        r#"Bearer resource_metadata="https://h/a\"b\\c""#
    );
    let parsed = parse_challenge(challenge.to_string().as_bytes()).unwrap();
    assert_eq!(parsed.get("resource_metadata"), Some("https://h/a\"b\\c"));
}

#[test]
fn control_and_non_ascii_characters_are_dropped() {
    let challenge = WwwAuthenticate::bearer()
        .with_error(ErrorCode::InvalidRequest)
        .with_error_description("bad\r\nSet-Cookie: x=\"1\"\\\0é")
        .with_scope("a\r\n b\u{0}\u{e9}")
        .with_resource_metadata("https://h/\r\nX: y\u{0} é");
    let rendered = challenge.to_string();
    assert!(!rendered.contains(['\r', '\n', '\0', 'é']), "{rendered}");
    // Description: `"` and `\` are outside its character set, so they are dropped, not escaped.
    assert!(
        rendered.contains("error_description=\"badSet-Cookie: x=1\""),
        "{rendered}"
    );
    assert!(rendered.contains("scope=\"a b\""), "{rendered}");
    assert!(
        rendered.contains("resource_metadata=\"https://h/X:y\""),
        "{rendered}"
    );
    let value = challenge.to_header_value();
    assert_eq!(value.to_str().unwrap(), rendered);
    parse_challenge(value.as_bytes()).unwrap();
}

#[test]
fn error_codes_map_to_statuses() {
    assert_eq!(ErrorCode::InvalidRequest.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ErrorCode::InvalidToken.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(ErrorCode::InsufficientScope.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        ErrorCode::InsufficientScope.to_string(),
        "insufficient_scope"
    );
}

#[test]
fn g11_every_verify_error_description_renders_cleanly() {
    use crate::VerifyErrorKind as K;
    for kind in [
        K::Malformed,
        K::UnsupportedAlgorithm,
        K::InvalidHeader,
        K::KeyNotFound,
        K::InvalidSignature,
        K::InvalidIssuer,
        K::InvalidAudience,
        K::Expired,
        K::NotYetValid,
        K::InvalidIssuedAt,
        K::InvalidClaims,
        K::Inactive,
        K::Unavailable,
    ] {
        let value = WwwAuthenticate::bearer()
            .with_error(ErrorCode::InvalidToken)
            .with_error_description(kind.description())
            .with_resource_metadata(RM)
            .to_header_value();
        let parsed = check_bearer_challenge(value.as_bytes(), Some(RM)).unwrap();
        // Nothing was dropped: the vocabulary is inside the allowed set.
        assert_eq!(parsed.get("error_description"), Some(kind.description()));
    }
}

#[test]
fn g11_strict_parser_refuses_bad_headers() {
    let bad: &[&[u8]] = &[
        b"Bearer error=invalid_token",                              // unquoted
        b"Bearer error=\"invalid_token\", error=\"invalid_token\"", // repeated
        b"Bearer error=\"invalid_token\", Basic realm=\"x\"",       // second challenge
        b"Bearer error=\"invalid_token\",",                         // trailing comma
        b"Bearer error=\"oops\"",                                   // unknown code
        b"Bearer error=\"invalid_token\", error_description=\"a\\\"b\"", // `"` in description
        b"Bearer scope=\"a  b\"",                                   // empty scope
        b"Bearer resource_metadata=\"/relative\"",
        b"Bearer resource_metadata=\"https://u@h/x\"",
        b"Bearer error=\"invalid_token\r\n\"",
        b"Bearer abc==", // token68
        b"Bearer error=\"unterminated",
        b"Bearer\terror=\"invalid_token\"",
    ];
    for header in bad {
        assert!(
            check_bearer_challenge(header, None).is_err(),
            "accepted {:?}",
            String::from_utf8_lossy(header)
        );
    }
}

#[test]
fn rendering_never_breaks_the_grammar() {
    // Generated inputs from a small deterministic generator: whatever goes in, the output is
    // one well-formed challenge.
    let alphabet: Vec<char> = "aZ09 \"\\,=;\r\n\t\0\u{7f}\u{80}é€:/.#@".chars().collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let len = (next() % 40) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let challenge = WwwAuthenticate::bearer()
            .with_error(ErrorCode::InvalidToken)
            .with_scope(text.clone())
            .with_resource_metadata(text);
        let value = challenge.to_header_value();
        assert_eq!(value.to_str().unwrap(), challenge.to_string());
        parse_challenge(value.as_bytes()).unwrap();
    }
}
