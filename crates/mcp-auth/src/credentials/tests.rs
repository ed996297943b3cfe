#![allow(clippy::unwrap_used)]

use http::HeaderValue;

use super::*;

const MAX: usize = DEFAULT_MAX_CREDENTIAL_LEN;

fn extract(values: &[&[u8]], uri: &str) -> Result<Option<String>, CredentialError> {
    let mut headers = HeaderMap::new();
    for v in values {
        headers.append(AUTHORIZATION, HeaderValue::from_bytes(v).unwrap());
    }
    let uri: Uri = uri.parse().unwrap();
    extract_bearer(&headers, &uri, MAX).map(|t| t.map(|t| t.secret().to_owned()))
}

fn one(value: &str) -> Result<Option<String>, CredentialError> {
    extract(&[value.as_bytes()], "/mcp")
}

#[test]
fn a01_no_credentials() {
    assert_eq!(extract(&[], "/mcp"), Ok(None));
}

#[test]
fn a02_other_schemes_are_no_credentials() {
    for v in [
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "DPoP eyJhbGciOiJFUzI1NiJ9.e30.sig",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\"",
        "Negotiate YII=",
        "Bearerabc",
        "Bearer-x abc",
        "bearers abc",
        "abc",
    ] {
        assert_eq!(one(v), Ok(None), "{v}");
    }
}

#[test]
fn a03_scheme_is_case_insensitive() {
    for v in ["Bearer abc", "bearer abc", "BEARER abc", "bEARER abc"] {
        assert_eq!(one(v), Ok(Some("abc".to_owned())), "{v}");
    }
}

#[test]
fn spaces_and_trailing_whitespace() {
    assert_eq!(one("Bearer    abc"), Ok(Some("abc".to_owned())));
    assert_eq!(one("Bearer abc   "), Ok(Some("abc".to_owned())));
    assert_eq!(one("Bearer abc\t"), Ok(Some("abc".to_owned())));
    assert_eq!(
        one("Bearer a-b.c_d~e+f/g=="),
        Ok(Some("a-b.c_d~e+f/g==".to_owned()))
    );
}

#[test]
fn a04_empty_credential_is_invalid_request() {
    for v in ["", "Bearer", "Bearer ", "bearer    ", "  "] {
        let err = one(v).unwrap_err();
        assert_eq!(err, CredentialError::MissingToken, "{v:?}");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.error_code(), ErrorCode::InvalidRequest);
    }
}

#[test]
fn a06_characters_outside_b64token_are_invalid_token() {
    for v in [
        "Bearer abc\"",
        "Bearer a,b",
        "Bearer a;b",
        "Bearer a%20",
        "Bearer a\\b",
        "Bearer abc def",
        "Bearer abc  def",
        "Bearer =",
        "Bearer ==abc",
        "Bearer a=b",
        "Bearer a=b=",
        "Bearer a:b",
        "Bearer a@b",
        "Bearer <script>",
    ] {
        let err = one(v).unwrap_err();
        assert_eq!(err, CredentialError::MalformedToken, "{v:?}");
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.error_code(), ErrorCode::InvalidToken);
    }
}

#[test]
fn a06_non_ascii_and_controls_are_invalid_request() {
    for v in [
        &b"Bearer \xc3\xa9t\xc3\xa9"[..], // UTF-8 letters
        b"Bearer abc\x80",                // obs-text
        b"Bearer\tabc",                   // HTAB as separator
        b"Bearer a\tb",
        b"Basic \xff",
    ] {
        let err = extract(&[v], "/mcp").unwrap_err();
        assert_eq!(err, CredentialError::InvalidFieldValue, "{v:?}");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn a07_several_fields_are_invalid_request_in_any_order() {
    let pairs: [(&[u8], &[u8]); 4] = [
        (b"Bearer good", b"Bearer good"),
        (b"Bearer good", b"garbage"),
        (b"Bearer good", b"Basic dXNlcjpwYXNz"),
        (b"", b"Bearer good"),
    ];
    for (a, b) in pairs {
        for order in [[a, b], [b, a]] {
            assert_eq!(
                extract(&order, "/mcp"),
                Err(CredentialError::MultipleAuthorizationFields),
                "{order:?}"
            );
        }
    }
}

#[test]
fn a09_query_token_alone_is_ignored() {
    assert_eq!(extract(&[], "/mcp?access_token=abc"), Ok(None));
    assert_eq!(
        extract(&[b"Basic dXNlcjpwYXNz"], "/mcp?access_token=abc"),
        Ok(None)
    );
}

#[test]
fn a10_header_and_query_is_invalid_request() {
    for uri in [
        "/mcp?access_token=abc",
        "/mcp?x=1&access_token=",
        "/mcp?access_token",
        "/mcp?a=b&access%5Ftoken=abc",
        "/mcp?access%5ftoken=abc&a=b",
    ] {
        assert_eq!(
            extract(&[b"Bearer good"], uri),
            Err(CredentialError::MultipleMethods),
            "{uri}"
        );
    }
    for uri in [
        "/mcp?access_tokens=abc",
        "/mcp?xaccess_token=abc",
        "/mcp?token=abc",
        "/mcp?access+token=abc",
        "/mcp?%",
        "/mcp?%zz=1",
        "/mcp?access_token%=1",
    ] {
        assert_eq!(
            extract(&[b"Bearer good"], uri),
            Ok(Some("good".to_owned())),
            "{uri}"
        );
    }
}

#[test]
fn a13_oversized_credentials_are_refused_before_parsing() {
    for len in [MAX + 1, 64 * 1024, 1024 * 1024] {
        let value = format!("Bearer {}", "A".repeat(len));
        assert_eq!(one(&value), Err(CredentialError::TooLong), "{len}");
    }
    // A value with a second word and odd bytes past the cap still gets the length answer.
    let mut value = b"Bearer ".to_vec();
    value.extend(std::iter::repeat_n(b'a', MAX));
    value.extend_from_slice(b" \x80");
    assert_eq!(extract(&[&value], "/mcp"), Err(CredentialError::TooLong));
    // Exactly at the cap is fine.
    let value = format!("Bearer {}", "A".repeat(MAX - 7));
    assert_eq!(one(&value).unwrap().unwrap().len(), MAX - 7);
    // The cap is configurable.
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abcdef"));
    let uri = Uri::from_static("/");
    assert_eq!(
        extract_bearer(&headers, &uri, 12).unwrap_err(),
        CredentialError::TooLong
    );
    assert!(extract_bearer(&headers, &uri, 13).unwrap().is_some());
}

#[test]
fn descriptions_are_challenge_safe() {
    for e in [
        CredentialError::MultipleAuthorizationFields,
        CredentialError::MissingToken,
        CredentialError::InvalidFieldValue,
        CredentialError::MultipleMethods,
        CredentialError::TooLong,
        CredentialError::MalformedToken,
    ] {
        assert!(
            e.description()
                .chars()
                .all(crate::challenge::is_description_char)
        );
        assert_eq!(e.to_string(), e.description());
    }
}

/// A small deterministic generator (xorshift) for property-style tests without extra crates.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[test]
fn generated_inputs_never_panic_and_results_are_consistent() {
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    let pieces: &[&[u8]] = &[
        b"Bearer",
        b"bearer",
        b"BEARER",
        b"Basic",
        b" ",
        b"  ",
        b"\t",
        b"=",
        b"==",
        b"a",
        b"Z9",
        b"-._~+/",
        b"\"",
        b",",
        b";",
        b"%",
        b"\\",
        b"\x80",
        b"\xff",
        b"\xc3\xa9",
        b"eyJ",
        b".",
    ];
    for _ in 0..20_000 {
        let mut value = Vec::new();
        for _ in 0..g.below(8) {
            value.extend_from_slice(g.pick(pieces));
        }
        let Ok(header) = HeaderValue::from_bytes(&value) else {
            continue;
        };
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, header);
        let uri = Uri::from_static("/mcp");
        let max = 1 + g.below(64);
        match extract_bearer(&headers, &uri, max) {
            Ok(Some(token)) => {
                let t = token.secret().as_bytes();
                assert!(is_b64token(t), "{value:?}");
                assert!(value.len() <= max);
                let trimmed = value.trim_ascii().to_ascii_lowercase();
                assert!(trimmed.starts_with(b"bearer "), "{value:?}");
            }
            Ok(None) => {
                let trimmed = value.trim_ascii();
                assert!(
                    !trimmed.to_ascii_lowercase().starts_with(b"bearer "),
                    "{value:?}"
                );
            }
            Err(e) => {
                assert!(matches!(e.status().as_u16(), 400 | 401));
                if value.len() > max {
                    assert_eq!(e, CredentialError::TooLong);
                }
            }
        }
    }
}

#[test]
fn generated_valid_tokens_round_trip() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"ABCxyz019-._~+/";
    let schemes = ["Bearer", "bearer", "BEARER", "BeArEr"];
    for _ in 0..5_000 {
        let len = 1 + g.below(40);
        let mut token: String = (0..len).map(|_| g.pick(alphabet) as char).collect();
        token.push_str(&"=".repeat(g.below(3)));
        let spaces = " ".repeat(1 + g.below(3));
        let trailing = " ".repeat(g.below(3));
        let value = format!("{}{spaces}{token}{trailing}", g.pick(&schemes));
        assert_eq!(one(&value), Ok(Some(token)), "{value:?}");
    }
}
