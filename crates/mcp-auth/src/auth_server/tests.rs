#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::metadata::ValidationCode;

fn metadata(change: serde_json::Value) -> AuthorizationServerMetadata {
    let mut doc = json!({
        "issuer": "https://as.example.com",
        "authorization_endpoint": "https://as.example.com/authorize",
        "token_endpoint": "https://as.example.com/token",
        "jwks_uri": "https://as.example.com/jwks",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    if let (Some(doc), Some(change)) = (doc.as_object_mut(), change.as_object()) {
        for (k, v) in change {
            doc.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(doc).unwrap()
}

fn from(change: serde_json::Value) -> Result<AuthServer, ConfigError> {
    AuthServer::from_config(AuthServerConfig::new(metadata(change)))
}

#[tokio::test]
async fn from_config_resolves_immediately() {
    let server = from(json!({})).unwrap();
    assert_eq!(server.issuer(), "https://as.example.com");
    let now = server.metadata_now().unwrap();
    let awaited = server.metadata().await.unwrap();
    assert!(Arc::ptr_eq(&now, &awaited));
    // settings keep the metadata
    let server = server.with_http_client(HttpClient::new());
    assert!(server.metadata_now().is_some());
    assert!(format!("{server:?}").contains("resolved: true"));
}

#[test]
fn i03_insecure_issuer_refused() {
    for issuer in [
        "http://as.example.com",
        "https://as.example.com?x=1",
        "https://as.example.com#f",
        "https://u:p@as.example.com",
    ] {
        let err = from(json!({ "issuer": issuer })).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidUrl { .. }),
            "{issuer}: {err}"
        );
        assert!(AuthServer::lazy(issuer, None).is_err(), "{issuer}");
    }
    assert!(AuthServer::lazy("http://localhost:3001/oidc", None).is_ok());
}

#[test]
fn h10_i03_insecure_endpoints_refused() {
    for (member, value) in [
        ("jwks_uri", "http://as.example.com/jwks"),
        ("introspection_endpoint", "http://as.example.com/introspect"),
        ("userinfo_endpoint", "http://as.example.com/me"),
        ("jwks_uri", "https://169.254.169.254/jwks"),
        ("jwks_uri", "https://u:p@as.example.com/jwks"),
        ("jwks_uri", "/jwks"),
    ] {
        let err = from(json!({ member: value })).unwrap_err();
        match err {
            ConfigError::InvalidUrl { url, .. } => assert_eq!(url, value),
            other => panic!("{member}={value}: {other}"),
        }
    }
    // loopback over http is the development opt-in; private literals are left to the client
    assert!(from(json!({"jwks_uri": "http://127.0.0.1:9000/jwks"})).is_ok());
    assert!(from(json!({"jwks_uri": "https://10.0.0.5/jwks"})).is_ok());
}

#[test]
fn non_compliant_metadata_refused_with_report() {
    let err = from(json!({"code_challenge_methods_supported": ["plain"]})).unwrap_err();
    match &err {
        ConfigError::AuthorizationServerNotCompliant { issuer, report } => {
            assert_eq!(issuer, "https://as.example.com");
            assert!(report.has(ValidationCode::S256CodeChallengeMethodNotSupported));
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("s256_code_challenge_method_not_supported"),
        "{err}"
    );
}

#[test]
fn lazy_fetches_nothing_at_construction() {
    let server =
        AuthServer::lazy("https://as.example.com/tenant", Some(AuthServerType::Oidc)).unwrap();
    assert!(server.metadata_now().is_none());
    assert_eq!(server.server_type(), Some(AuthServerType::Oidc));
    assert!(format!("{server:?}").contains("resolved: false"));
}

#[test]
fn handles_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: T) {}
    let server = AuthServer::lazy("https://as.example.com", None).unwrap();
    send_sync(&server);
    send(server.metadata());
    send(Discovery::new("https://as.example.com").unwrap().fetch());
}
