#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use url::Url;

use super::response;
use super::*;
use crate::http_client::HttpResponse;

fn answer(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
    let mut headers = HeaderMap::new();
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
    }
    HttpResponse::new(
        StatusCode::from_u16(status).unwrap(),
        headers,
        Bytes::from(body.to_owned()),
    )
}

fn kind(status: u16, content_type: Option<&str>, body: &str) -> Result<(), VerifyErrorKind> {
    response::read(&answer(status, content_type, body))
        .map(|_| ())
        .map_err(|e| e.kind())
}

#[test]
fn request_is_a_get_with_a_sensitive_bearer_header() {
    let url = Url::parse("https://as.test/userinfo").unwrap();
    let request = response::request(&url, &BearerToken::new("tok.en-1")).unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(request.uri(), "https://as.test/userinfo");
    let auth = &request.headers()[header::AUTHORIZATION];
    assert_eq!(auth, "Bearer tok.en-1");
    assert!(auth.is_sensitive());
    assert!(request.body().is_empty());
    assert!(response::request(&url, &BearerToken::new("bad\ntoken")).is_err());
}

#[test]
fn k10_statuses() {
    let ok = r#"{"sub":"alice"}"#;
    assert_eq!(kind(200, Some("application/json"), ok), Ok(()));
    assert_eq!(kind(200, None, ok), Ok(()));
    for refused in [400, 401, 403] {
        assert_eq!(
            kind(refused, None, ok),
            Err(VerifyErrorKind::Inactive),
            "{refused}"
        );
    }
    for outage in [404, 405, 429, 500, 502, 503, 504] {
        assert_eq!(
            kind(outage, None, ok),
            Err(VerifyErrorKind::Unavailable),
            "{outage}"
        );
    }
}

#[test]
fn k10_bodies_that_are_not_json_objects_are_refused() {
    for body in [
        "",
        "<html>",
        "[]",
        "\"sub\"",
        "null",
        r#"{"sub":"a","sub":"b"}"#,
    ] {
        assert_eq!(
            kind(200, Some("application/json"), body),
            Err(VerifyErrorKind::InvalidClaims),
            "{body}"
        );
    }
    for jwt in ["application/jwt", "Application/JWT; charset=utf-8"] {
        assert_eq!(
            kind(200, Some(jwt), r#"{"sub":"alice"}"#),
            Err(VerifyErrorKind::InvalidClaims),
            "{jwt}"
        );
    }
}

#[test]
fn with_settings_are_validated() {
    use crate::discovery::AuthServerConfig;
    let metadata = serde_json::from_value(serde_json::json!({
        "issuer": "https://as.test",
        "authorization_endpoint": "https://as.test/authorize",
        "token_endpoint": "https://as.test/token",
        "userinfo_endpoint": "https://as.test/me",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    }))
    .unwrap();
    let server = AuthServer::from_config(AuthServerConfig::new(metadata)).unwrap();
    let verifier = UserinfoVerifier::new(server.clone()).unwrap();
    assert!(verifier.clone().require_audience().is_err());
    assert!(
        verifier
            .clone()
            .with_resource("http://api.test/mcp")
            .is_err()
    );
    assert!(
        verifier
            .clone()
            .with_leeway(Duration::from_secs(301))
            .is_err()
    );
    assert!(verifier.clone().with_cache(Duration::ZERO, 10).is_err());
    assert!(verifier.clone().with_additional_audience("a b").is_err());
    let strict = verifier
        .with_resource("https://api.test/mcp")
        .unwrap()
        .require_audience()
        .unwrap();
    assert_eq!(strict.resource(), Some("https://api.test/mcp"));
    assert!(UserinfoVerifier::for_endpoint(server.clone(), "http://other.test/me").is_err());
    assert!(UserinfoVerifier::for_endpoint(server, "https://other.test/me").is_ok());
}
