#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};
use url::Url;

use super::*;
use crate::clock::ManualClock;
use crate::discovery::AuthServerConfig;
use crate::error::VerifyErrorKind;
use crate::http_client::HttpResponse;

const ISSUER: &str = "https://as.test";
const RESOURCE: &str = "https://api.test/mcp";
const NOW: i64 = 1_800_000_000;

fn server(introspection: Option<&str>) -> AuthServer {
    let mut doc = json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://as.test/authorize",
        "token_endpoint": "https://as.test/token",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    if let Some(url) = introspection {
        doc["introspection_endpoint"] = json!(url);
    }
    let metadata = serde_json::from_value(doc).unwrap();
    AuthServer::from_config(AuthServerConfig::new(metadata)).unwrap()
}

fn verifier() -> IntrospectionVerifier {
    IntrospectionVerifier::new(
        server(Some("https://as.test/introspect")),
        RESOURCE,
        ClientAuth::basic("rs", "pw"),
    )
    .unwrap()
    .with_clock(Arc::new(ManualClock::new(NOW)))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn active() -> Value {
    json!({"active": true, "sub": "alice", "aud": RESOURCE, "iss": ISSUER,
           "exp": NOW + 300, "iat": NOW - 3600, "client_id": "app", "scope": "a b",
           "token_type": "Bearer"})
}

fn identity(v: &IntrospectionVerifier, fields: Value) -> Result<AuthInfo, VerifyErrorKind> {
    v.inner
        .identity(&BearerToken::new("t"), object(fields))
        .map_err(|e| e.kind())
}

fn with(mut value: Value, name: &str, member: Value) -> Value {
    value[name] = member;
    value
}

fn without(mut value: Value, name: &str) -> Value {
    value.as_object_mut().unwrap().remove(name);
    value
}

fn answer(status: u16, body: &str) -> Result<Map<String, Value>, VerifyErrorKind> {
    let answer = HttpResponse::new(
        StatusCode::from_u16(status).unwrap(),
        HeaderMap::new(),
        Bytes::from(body.to_owned()),
    );
    response::read(&answer).map_err(|e| e.kind())
}

#[test]
fn active_answer_becomes_an_identity() {
    let info = identity(&verifier(), active()).unwrap();
    assert_eq!(info.issuer, ISSUER);
    assert_eq!(info.subject, "alice");
    assert_eq!(info.client_id.as_deref(), Some("app"));
    assert_eq!(info.scopes, ["a", "b"]);
    assert_eq!(info.audience, [RESOURCE]);
    assert_eq!(info.expires_at, Some(NOW + 300));
    assert_eq!(info.resource.as_deref(), Some(RESOURCE));
    assert_eq!(info.claims["active"], true);
}

#[test]
fn k01_only_the_boolean_true_is_active() {
    assert!(answer(200, r#"{"active":true}"#).is_ok());
    for body in [
        r#"{"active":false}"#,
        r#"{"active":"true"}"#,
        r#"{"active":1}"#,
        r#"{"active":null}"#,
        r#"{"sub":"alice"}"#,
        r#"{}"#,
    ] {
        assert_eq!(answer(200, body), Err(VerifyErrorKind::Inactive), "{body}");
    }
}

#[test]
fn k05_unusable_answers_are_unavailable() {
    for (status, body) in [
        (500, r#"{"active":true}"#),
        (401, r#"{"active":true}"#),
        (403, ""),
        (404, ""),
        (204, ""),
        (200, ""),
        (200, "<html>"),
        (200, "[]"),
        (200, r#"{"active":true,"active":false}"#),
    ] {
        assert_eq!(
            answer(status, body),
            Err(VerifyErrorKind::Unavailable),
            "{status} {body}"
        );
    }
}

#[test]
fn k03_audience_is_required_by_default() {
    let v = verifier();
    for fields in [
        with(active(), "aud", json!("https://other.test")),
        with(
            active(),
            "aud",
            json!(["https://other.test", "https://api.test/mcp/"]),
        ),
        without(active(), "aud"),
    ] {
        assert_eq!(
            identity(&v, fields).err(),
            Some(VerifyErrorKind::InvalidAudience)
        );
    }
    assert_eq!(
        identity(&v, with(active(), "aud", json!(7))).err(),
        Some(VerifyErrorKind::InvalidClaims)
    );
    assert!(
        identity(
            &v,
            with(active(), "aud", json!(["x", "HTTPS://API.test:443/mcp"]))
        )
        .is_ok()
    );
    let extra = v.clone().with_additional_audience("api://mcp").unwrap();
    assert!(identity(&extra, with(active(), "aud", json!("api://mcp"))).is_ok());
    let open = v.insecure_skip_audience_check();
    assert!(identity(&open, without(active(), "aud")).is_ok());
    assert!(identity(&open, with(active(), "aud", json!("https://other.test"))).is_ok());
}

#[test]
fn k04_inconsistent_active_answers_are_refused() {
    let v = verifier();
    let cases = [
        (
            with(active(), "exp", json!(NOW - 61)),
            VerifyErrorKind::Expired,
        ),
        (
            with(active(), "exp", json!("later")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "nbf", json!(NOW + 61)),
            VerifyErrorKind::NotYetValid,
        ),
        (
            with(active(), "iat", json!(NOW + 61)),
            VerifyErrorKind::InvalidIssuedAt,
        ),
        (
            with(active(), "iss", json!("https://evil.test")),
            VerifyErrorKind::InvalidIssuer,
        ),
        (
            with(active(), "iss", json!("https://as.test/")),
            VerifyErrorKind::InvalidIssuer,
        ),
        (
            with(active(), "iss", json!(1)),
            VerifyErrorKind::InvalidIssuer,
        ),
        (
            with(active(), "token_type", json!("refresh_token")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "token_type", json!("DPoP")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "token_type", json!("id_token")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "token_type", json!(1)),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "scope", json!(["a"])),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "sub", json!("")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(), "sub", json!(1)),
            VerifyErrorKind::InvalidClaims,
        ),
    ];
    for (fields, expected) in cases {
        assert_eq!(
            identity(&v, fields.clone()).err(),
            Some(expected),
            "{fields}"
        );
    }
    // Leeway edge: exp 60 s ago is still inside the default leeway... but exactly at it is not.
    assert!(identity(&v, with(active(), "exp", json!(NOW - 59))).is_ok());
    assert_eq!(
        identity(&v, with(active(), "exp", json!(NOW - 60))).err(),
        Some(VerifyErrorKind::Expired)
    );
    for ok in [
        "bearer",
        "BEARER",
        "access_token",
        "urn:ietf:params:oauth:token-type:access_token",
    ] {
        assert!(
            identity(&v, with(active(), "token_type", json!(ok))).is_ok(),
            "{ok}"
        );
    }
    let no_exp = identity(&v, without(active(), "exp")).unwrap();
    assert_eq!(no_exp.expires_at, None);
    assert_eq!(
        identity(&v, with(without(active(), "exp"), "nbf", json!(NOW + 61))).err(),
        Some(VerifyErrorKind::NotYetValid)
    );
}

#[test]
fn subject_is_required_unless_allowed() {
    let v = verifier();
    assert_eq!(
        identity(&v, without(active(), "sub")).err(),
        Some(VerifyErrorKind::InvalidClaims)
    );
    let machines = v.allow_missing_subject();
    assert_eq!(
        identity(&machines, without(active(), "sub"))
            .unwrap()
            .subject,
        "app"
    );
    let neither = without(without(active(), "sub"), "client_id");
    assert_eq!(
        identity(&machines, neither).err(),
        Some(VerifyErrorKind::InvalidClaims)
    );
    assert_eq!(
        identity(&machines, with(active(), "sub", json!(null))).err(),
        Some(VerifyErrorKind::InvalidClaims)
    );
}

fn form(request: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.body())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn k06_requests_authenticate_the_caller() {
    let url = Url::parse("https://as.test/introspect").unwrap();
    let token = BearerToken::new("a+b/c=");
    let basic = ClientAuth::basic("rs:1", "p w").prepare().unwrap();
    let request = response::request(&url, &token, &basic).unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.headers()[header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    let auth = &request.headers()[header::AUTHORIZATION];
    assert!(auth.is_sensitive());
    let encoded = auth.to_str().unwrap().strip_prefix("Basic ").unwrap();
    assert_eq!(STANDARD.decode(encoded).unwrap(), b"rs%3A1:p+w");
    assert_eq!(
        form(&request),
        [
            ("token".to_owned(), "a+b/c=".to_owned()),
            ("token_type_hint".to_owned(), "access_token".to_owned())
        ]
    );

    let post = ClientAuth::post("rs", "pw").prepare().unwrap();
    let request = response::request(&url, &token, &post).unwrap();
    assert!(request.headers().get(header::AUTHORIZATION).is_none());
    let fields = form(&request);
    assert!(fields.contains(&("client_id".to_owned(), "rs".to_owned())));
    assert!(fields.contains(&("client_secret".to_owned(), "pw".to_owned())));
}

#[test]
fn k06_secrets_are_redacted_and_required() {
    for auth in [
        ClientAuth::basic("rs", "hunter2"),
        ClientAuth::post("rs", "hunter2"),
    ] {
        let text = format!("{auth:?} {:?}", auth.prepare().unwrap());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[redacted]"));
    }
    let v = verifier();
    assert!(!format!("{v:?}").contains("pw\""));
    for bad in [ClientAuth::basic("", "pw"), ClientAuth::post("rs", "")] {
        let built = IntrospectionVerifier::new(server(Some("https://as.test/i")), RESOURCE, bad);
        assert!(matches!(built, Err(ConfigError::InvalidSetting { .. })));
    }
}

#[test]
fn endpoints_from_metadata_are_checked_when_known() {
    let auth = || ClientAuth::basic("rs", "pw");
    let missing = IntrospectionVerifier::new(server(None), RESOURCE, auth());
    assert!(matches!(missing, Err(ConfigError::InvalidSetting { .. })));
    let foreign =
        IntrospectionVerifier::new(server(Some("https://attacker.test/i")), RESOURCE, auth());
    assert!(matches!(foreign, Err(ConfigError::InvalidUrl { .. })));
    let other_port =
        IntrospectionVerifier::new(server(Some("https://as.test:8443/i")), RESOURCE, auth());
    assert!(other_port.is_err());
    let explicit =
        IntrospectionVerifier::for_endpoint(server(None), "https://idp.test/i", RESOURCE, auth());
    assert!(explicit.is_ok());
    let plain =
        IntrospectionVerifier::for_endpoint(server(None), "http://idp.test/i", RESOURCE, auth());
    assert!(plain.is_err());
    let bad_resource = IntrospectionVerifier::new(server(Some("https://as.test/i")), "api", auth());
    assert!(matches!(bad_resource, Err(ConfigError::InvalidUrl { .. })));
}
