#![allow(clippy::unwrap_used)]

use http::StatusCode;
use serde_json::json;
use url::Url;

use super::*;

const ISSUER: &str = "https://as.example.com/tenant1";

fn well_known() -> Url {
    Url::parse("https://as.example.com/.well-known/oauth-authorization-server/tenant1").unwrap()
}

fn parse(status: StatusCode, body: &[u8]) -> Result<AuthorizationServerMetadata, DiscoveryError> {
    parse_discovery_response(&well_known(), status, body, Some(ISSUER))
}

fn kind(body: &[u8]) -> DiscoveryErrorKind {
    parse(StatusCode::OK, body).unwrap_err().kind()
}

#[test]
fn accepts_matching_document() {
    let body =
        json!({"issuer": ISSUER, "jwks_uri": "https://as.example.com/tenant1/jwks"}).to_string();
    let metadata = parse(StatusCode::OK, body.as_bytes()).unwrap();
    assert_eq!(metadata.issuer, ISSUER);
}

#[test]
fn i01_issuer_mismatch_is_refused() {
    for other in [
        "https://evil.test",
        "https://as.example.com/tenant2",
        "https://as.example.com/tenant1/",
        "https://AS.example.com/tenant1",
    ] {
        let body = json!({"issuer": other}).to_string();
        let err = parse(StatusCode::OK, body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch, "{other}");
        assert_eq!(err.attempts().len(), 1);
        assert_eq!(err.attempts()[0].url(), well_known().as_str());
        assert!(err.to_string().contains(well_known().as_str()), "{err}");
    }
}

#[test]
fn i03_insecure_issuer_in_document_is_refused_without_expectation() {
    for issuer in [
        "http://as.example.com",
        "https://as.example.com?x",
        "https://u:p@as.example.com",
    ] {
        let body = json!({"issuer": issuer}).to_string();
        let err = parse_discovery_response(&well_known(), StatusCode::OK, body.as_bytes(), None)
            .unwrap_err();
        assert_eq!(err.kind(), DiscoveryErrorKind::InvalidMetadata, "{issuer}");
    }
}

#[test]
fn i09_invalid_documents() {
    assert_eq!(kind(b"not json"), DiscoveryErrorKind::InvalidMetadata);
    assert_eq!(
        kind(b"<html><body>500</body></html>"),
        DiscoveryErrorKind::InvalidMetadata
    );
    assert_eq!(kind(b"[]"), DiscoveryErrorKind::InvalidMetadata);
    assert_eq!(kind(b"null"), DiscoveryErrorKind::InvalidMetadata);
    assert_eq!(kind(b"{}"), DiscoveryErrorKind::InvalidMetadata); // issuer missing
    assert_eq!(
        kind(br#"{"issuer": 42}"#),
        DiscoveryErrorKind::InvalidMetadata
    );
    assert_eq!(
        kind(br#"{"issuer": null}"#),
        DiscoveryErrorKind::InvalidMetadata
    );
    let wrong_type = json!({"issuer": ISSUER, "scopes_supported": "openid"}).to_string();
    assert_eq!(
        kind(wrong_type.as_bytes()),
        DiscoveryErrorKind::InvalidMetadata
    );
    // two issuer members, the second one matching: still refused
    let duplicate = format!(r#"{{"issuer":"https://evil.test","issuer":"{ISSUER}"}}"#);
    let err = parse(StatusCode::OK, duplicate.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), DiscoveryErrorKind::InvalidMetadata);
    assert!(err.to_string().contains("duplicate"), "{err}");
}

#[test]
fn status_must_be_200() {
    let body = json!({"issuer": ISSUER}).to_string();
    for (status, expected) in [
        (StatusCode::NOT_FOUND, DiscoveryErrorKind::NoDocument),
        (StatusCode::NO_CONTENT, DiscoveryErrorKind::NoDocument),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            DiscoveryErrorKind::Unavailable,
        ),
    ] {
        assert_eq!(
            parse(status, body.as_bytes()).unwrap_err().kind(),
            expected,
            "{status}"
        );
    }
}

#[test]
fn i08_oversized_document_refused() {
    let padding = "x".repeat(MAX_METADATA_BYTES);
    let body = json!({"issuer": ISSUER, "pad": padding}).to_string();
    assert_eq!(kind(body.as_bytes()), DiscoveryErrorKind::InvalidMetadata);
}

#[test]
fn transpile_runs_before_issuer_check() {
    let body = json!({"issuer": "https://login.example.com/{tenantid}/v2.0"}).to_string();
    let issuer = "https://login.example.com/abc/v2.0";
    let patch = |mut doc: serde_json::Value| {
        doc["issuer"] = json!("https://login.example.com/abc/v2.0");
        doc["code_challenge_methods_supported"] = json!(["S256"]);
        doc
    };
    let metadata = parse_discovery_response_with(
        &well_known(),
        StatusCode::OK,
        body.as_bytes(),
        Some(issuer),
        &patch,
    )
    .unwrap();
    assert_eq!(
        metadata.code_challenge_methods_supported,
        Some(vec!["S256".to_owned()])
    );
    // a transpiler that breaks the document is reported
    let err = parse_discovery_response_with(
        &well_known(),
        StatusCode::OK,
        body.as_bytes(),
        Some(issuer),
        &|_| json!([1]),
    )
    .unwrap_err();
    assert_eq!(err.kind(), DiscoveryErrorKind::InvalidMetadata);
}

#[test]
fn request_carries_no_credentials() {
    let request = discovery_request(&well_known());
    assert_eq!(request.uri().to_string(), well_known().as_str());
    assert_eq!(request.headers()["accept"], "application/json");
    assert!(
        request.headers()["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("mcp-auth-rust/")
    );
    assert_eq!(request.headers().len(), 2);
    assert!(request.body().is_empty());
}

#[test]
fn builder_validates_issuer_and_lists_urls() {
    let err = Discovery::new("http://as.example.com").unwrap_err();
    assert_eq!(err.kind(), DiscoveryErrorKind::InvalidIssuer);
    assert!(err.to_string().contains("https"), "{err}");
    let discovery = Discovery::new(ISSUER).unwrap();
    assert_eq!(discovery.urls().len(), 3);
    let oidc = discovery.clone().with_type(AuthServerType::Oidc);
    assert_eq!(
        oidc.urls()[0].as_str(),
        "https://as.example.com/tenant1/.well-known/openid-configuration"
    );
    let fixed = Discovery::for_well_known_url("https://as.example.com/meta.json", Some(ISSUER))
        .unwrap()
        .with_type(AuthServerType::OAuth);
    assert_eq!(fixed.urls()[0].as_str(), "https://as.example.com/meta.json");
    assert!(
        Discovery::for_well_known_url("https://as.example.com/m", Some("http://x.example"))
            .is_err()
    );
    assert!(format!("{fixed:?}").contains("meta.json"));
}

#[test]
fn server_type_serde_is_lower_case() {
    assert_eq!(
        serde_json::to_value(AuthServerType::OAuth).unwrap(),
        json!("oauth")
    );
    assert_eq!(
        serde_json::to_value(AuthServerType::Oidc).unwrap(),
        json!("oidc")
    );
    let parsed: AuthServerType = serde_json::from_value(json!("oidc")).unwrap();
    assert_eq!(parsed, AuthServerType::Oidc);
    assert_eq!(AuthServerType::OAuth.to_string(), "oauth");
}

#[test]
fn error_kind_priority() {
    let attempts = vec![
        DiscoveryAttempt::new("https://a/1", DiscoveryErrorKind::IssuerMismatch, "x"),
        DiscoveryAttempt::new("https://a/2", DiscoveryErrorKind::InvalidMetadata, "y"),
        DiscoveryAttempt::new("https://a/3", DiscoveryErrorKind::NoDocument, "z"),
    ];
    let err = DiscoveryError::from_attempts(Some(ISSUER), attempts);
    assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch);
    assert_eq!(err.issuer(), Some(ISSUER));
    let shown = err.to_string();
    assert!(
        shown.contains("`https://a/1`: x; `https://a/2`: y; `https://a/3`: z"),
        "{shown}"
    );
    let long = DiscoveryAttempt::new(
        "https://a",
        DiscoveryErrorKind::InvalidMetadata,
        "é".repeat(1000),
    );
    assert!(long.reason().len() < 400);
}
