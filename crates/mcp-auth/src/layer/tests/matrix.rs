//! The middleware test matrix of the reference SDKs (`mcp-auth-sdks.md` §8: Python
//! `create_bearer_auth_test.py`, JS `handle-bearer-auth.test.ts`), with RFC 6750 codes instead
//! of their custom ones.

use super::*;

#[tokio::test]
async fn missing_header_is_401_without_error_and_with_resource_metadata() {
    let c = Counters::default();
    let o = run(&c.layer(), &c, request(&[], "/mcp")).await;
    rejected(&o, &c, 401, None, None, &[]);
    assert_eq!(o.challenge().get("resource_metadata"), Some(RM));
}

#[tokio::test]
async fn malformed_header_variants() {
    let c = Counters::default();
    // `Bearer` alone and `Bearer ` (the SDKs' missing_bearer_token): 400 invalid_request.
    for value in ["Bearer", "Bearer "] {
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        rejected(&o, &c, 400, Some("invalid_request"), None, &[]);
    }
    // Extra parts (the SDKs' invalid_auth_header_format): 401 invalid_token.
    let o = run(&c.layer(), &c, bearer("tok-read extra")).await;
    rejected(&o, &c, 401, Some("invalid_token"), None, &["tok-read"]);
    // Not a Bearer credential at all: 401 without error.
    for value in ["tok-read", "Token tok-read"] {
        let o = run(&c.layer(), &c, request(&[value.as_bytes()], "/mcp")).await;
        rejected(&o, &c, 401, None, None, &["tok-read"]);
    }
    assert_eq!(c.verifier_calls(), 0);
}

#[tokio::test]
async fn invalid_token_carries_the_fixed_description() {
    for (token, kind) in [
        ("tok-unknown", VerifyErrorKind::Malformed),
        ("tok-bad-sig", VerifyErrorKind::InvalidSignature),
        ("tok-wrong-iss", VerifyErrorKind::InvalidIssuer),
        ("tok-wrong-aud", VerifyErrorKind::InvalidAudience),
        ("tok-expired", VerifyErrorKind::Expired),
    ] {
        let c = Counters::default();
        let o = run(&c.layer(), &c, bearer(token)).await;
        rejected(&o, &c, 401, Some("invalid_token"), None, &[token]);
        assert_eq!(
            o.challenge().get("error_description"),
            Some(kind.description())
        );
        assert_eq!(
            o.rejection.unwrap().verify_error().map(VerifyError::kind),
            Some(kind)
        );
        assert_eq!(c.verifier_calls(), 1);
    }
}

#[tokio::test]
async fn missing_scopes_is_403_with_scope_and_details_on_request() {
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo:read", "todo:write"])
        .unwrap();
    let o = run(&layer, &c, bearer("tok-no-scope")).await;
    let body = rejected(
        &o,
        &c,
        403,
        Some("insufficient_scope"),
        Some("todo:read todo:write"),
        &[],
    );
    assert!(body.get("error_detail").is_none());
    let o = run(&layer.show_error_details(true), &c, bearer("tok-read")).await;
    assert_eq!(o.json()["error_detail"], "missing scopes: todo:write");
}

#[tokio::test]
async fn success_path_calls_the_handler_once() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:read"]).unwrap();
    let o = run(&layer, &c, bearer("tok-read-write")).await;
    let body = accepted(&o, &c);
    assert_eq!(body["sub"], "alice");
    assert_eq!(c.verifier_calls(), 1);
}

#[tokio::test]
async fn existing_auth_info_is_overwritten_by_the_verified_one() {
    let c = Counters::default();
    let mut forged = bearer("tok-read");
    forged.extensions_mut().insert(
        AuthInfo::new(
            BearerToken::new("forged"),
            "https://evil.example",
            "mallory",
        )
        .with_scopes(["todo:write"]),
    );
    let o = run(&c.layer(), &c, forged).await;
    assert_eq!(accepted(&o, &c)["sub"], "alice");
    // And a rejected request never reaches the handler with the pre-set identity.
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:write"]).unwrap();
    let mut forged = bearer("tok-read");
    forged.extensions_mut().insert(
        AuthInfo::new(
            BearerToken::new("forged"),
            "https://evil.example",
            "mallory",
        )
        .with_scopes(["todo:write"]),
    );
    let o = run(&layer, &c, forged).await;
    rejected(
        &o,
        &c,
        403,
        Some("insufficient_scope"),
        Some("todo:write"),
        &["mallory"],
    );
}

#[tokio::test]
async fn verification_outage_is_503_with_and_without_details() {
    let c = Counters::default();
    let o = run(&c.layer(), &c, bearer("tok-down")).await;
    let body = rejected(&o, &c, 503, None, None, &["tok-down"]);
    assert!(body.get("error_detail").is_none());
    let o = run(&c.layer().show_error_details(true), &c, bearer("tok-down")).await;
    assert_eq!(o.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        o.json()["error_detail"]
            .as_str()
            .unwrap()
            .contains("connection refused")
    );
    assert!(o.headers.get(WWW_AUTHENTICATE).is_none());
}

#[tokio::test]
async fn show_error_details_adds_the_verifier_detail_to_the_body_only() {
    let c = Counters::default();
    let layer = c.layer().show_error_details(true);
    let o = run(&layer, &c, bearer("tok-wrong-iss")).await;
    assert_eq!(o.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        o.json()["error_detail"],
        "iss https://evil.example is not trusted"
    );
    let header = o.headers[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(!header.contains("evil"));
    // No detail, no member.
    let o = run(&layer, &c, bearer("tok-bad-sig")).await;
    assert!(o.json().get("error_detail").is_none());
}

#[tokio::test]
async fn resource_metadata_is_in_every_challenge() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:write"]).unwrap();
    for request in [
        request(&[], "/mcp"),
        request(&[b"Bearer"], "/mcp"),
        bearer("tok-expired"),
        bearer("tok-read"),
    ] {
        let o = run(&layer, &c, request).await;
        assert_eq!(o.challenge().get("resource_metadata"), Some(RM));
    }
}
