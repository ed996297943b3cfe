//! Unit tests of header parsing and the `typ` policy.
#![allow(clippy::unwrap_used)]

use super::*;

fn kind(bytes: &[u8]) -> VerifyErrorKind {
    parse(bytes).unwrap_err().kind()
}

#[test]
fn reads_alg_kid_typ_and_ignores_the_rest() {
    let h = parse(br#"{"alg":"RS256","kid":"k1","typ":"at+jwt","x-debug":true,"jku":"https://attacker.test/","x5c":["AAAA"],"jwk":{"kty":"RSA"}}"#).unwrap();
    assert_eq!(h.alg.as_deref(), Some("RS256"));
    assert_eq!(h.kid.as_deref(), Some("k1"));
    assert_eq!(h.typ.as_deref(), Some("at+jwt"));
    let escaped = parse(br#"{"\u0061lg":"RS\u003256"}"#).unwrap();
    assert_eq!(escaped.alg.as_deref(), Some("RS256"));
}

#[test]
fn b06_non_objects_and_invalid_json_are_malformed() {
    for text in [
        &b"[]"[..],
        b"\"x\"",
        b"1",
        b"null",
        b"true",
        b"{",
        b"",
        b"{}x",
    ] {
        assert_eq!(kind(text), VerifyErrorKind::Malformed, "{text:?}");
    }
}

#[test]
fn duplicates_and_member_flood_are_malformed() {
    assert_eq!(
        kind(br#"{"alg":"RS256","alg":"none"}"#),
        VerifyErrorKind::Malformed
    );
    assert_eq!(kind(br#"{"x":1,"y":2,"x":3}"#), VerifyErrorKind::Malformed);
    let members: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("\"m{i}\":0")).collect();
    let flood = format!("{{\"alg\":\"RS256\",{}}}", members.join(","));
    assert_eq!(kind(flood.as_bytes()), VerifyErrorKind::Malformed);
}

#[test]
fn c03_non_string_alg_is_treated_as_missing() {
    for text in [
        &br#"{}"#[..],
        br#"{"alg":null}"#,
        br#"{"alg":1}"#,
        br#"{"alg":["RS256"]}"#,
        br#"{"alg":{}}"#,
    ] {
        assert!(parse(text).unwrap().alg.is_none(), "{text:?}");
    }
}

#[test]
fn c16_crit_in_any_form_is_refused() {
    for text in [
        &br#"{"alg":"RS256","crit":["exp"]}"#[..],
        br#"{"alg":"RS256","crit":["x-demo"],"x-demo":1}"#,
        br#"{"alg":"RS256","crit":[]}"#,
        br#"{"alg":"RS256","crit":"b64"}"#,
        br#"{"alg":"RS256","crit":[1]}"#,
        br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#,
        br#"{"alg":"RS256","b64":true}"#,
    ] {
        assert_eq!(kind(text), VerifyErrorKind::InvalidHeader, "{text:?}");
    }
}

#[test]
fn wrong_member_types_and_nested_jwts_are_refused() {
    for text in [
        &br#"{"alg":"RS256","kid":1}"#[..],
        br#"{"alg":"RS256","typ":["at+jwt"]}"#,
        br#"{"alg":"RS256","cty":"JWT"}"#,
        br#"{"alg":"RS256","cty":"application/jwt"}"#,
        br#"{"alg":"RS256","cty":false}"#,
    ] {
        assert_eq!(kind(text), VerifyErrorKind::InvalidHeader, "{text:?}");
    }
    assert!(parse(br#"{"alg":"RS256","cty":"json"}"#).is_ok());
}

#[test]
fn c19_typ_policy() {
    let d = TypPolicy::Default;
    let s = TypPolicy::Strict;
    for ok in [
        "at+jwt",
        "application/at+jwt",
        "AT+JWT",
        "Application/At+Jwt",
    ] {
        assert!(d.accepts(Some(ok)) && s.accepts(Some(ok)), "{ok}");
    }
    for compat in ["JWT", "jwt", "application/jwt"] {
        assert!(
            d.accepts(Some(compat)) && !s.accepts(Some(compat)),
            "{compat}"
        );
    }
    assert!(d.accepts(None) && !s.accepts(None));
    for bad in [
        "id_token+jwt",
        "secevent+jwt",
        "logout+jwt",
        "dpop+jwt",
        "oauth-id-jag+jwt",
        "",
        "application/",
        "at+jwt ",
        "JWS",
    ] {
        assert!(!d.accepts(Some(bad)) && !s.accepts(Some(bad)), "{bad:?}");
    }
}

#[test]
fn b07_invalid_utf8_in_an_ignored_member_is_refused() {
    let mut header = br#"{"alg":"RS256","x-note":""#.to_vec();
    header.extend_from_slice(&[0xff, 0xfe]);
    header.extend_from_slice(br#""}"#);
    assert!(super::parse(&header).is_err());
    assert!(super::parse(br#"{"alg":"RS256","x-note":"ok"}"#).is_ok());
}
