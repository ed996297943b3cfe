#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;

fn supported() -> Vec<String> {
    ["openid", "profile", "mcp:read"].map(String::from).to_vec()
}

fn parse(document: serde_json::Value, source: Source) -> Result<ClientMetadata, MetadataError> {
    ClientMetadata::parse(&document, source, &supported())
}

#[test]
fn an_mcp_client_registration() {
    // What rmcp and the TypeScript SDK send.
    let metadata = parse(
        json!({
            "client_name": "rmcp client",
            "redirect_uris": ["http://127.0.0.1:8765/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
            "response_types": ["code"],
            "scope": "mcp:read mcp:write",
            "application_type": "native",
            "client_uri": "https://example.com",
            "unknown_member": 1
        }),
        Source::Registration,
    )
    .unwrap();
    assert_eq!(metadata.auth_method, AuthMethod::None);
    assert_eq!(
        metadata.grant_types,
        [GrantType::AuthorizationCode, GrantType::RefreshToken]
    );
    assert_eq!(metadata.application_type, "native");
    // Unsupported scopes are dropped (RFC 7591 §3.2.1).
    assert_eq!(metadata.scopes, Some(vec!["mcp:read".to_owned()]));
    assert_eq!(metadata.echoed["client_uri"], "https://example.com");
    assert!(!metadata.echoed.contains_key("unknown_member"));
    let client = metadata.into_client(ClientKind::Registered, "c1".into(), None);
    assert!(!client.is_confidential());
    assert!(client.allows_redirect_uri("http://127.0.0.1:9999/callback"));
}

#[test]
fn defaults_follow_rfc7591() {
    let metadata = parse(
        json!({"redirect_uris": ["https://app.example.com/cb"]}),
        Source::Registration,
    )
    .unwrap();
    assert_eq!(metadata.auth_method, AuthMethod::ClientSecretBasic);
    assert_eq!(metadata.grant_types, [GrantType::AuthorizationCode]);
    assert_eq!(metadata.application_type, "web");
    assert_eq!(metadata.scopes, None);
    let empty_scope = parse(
        json!({"redirect_uris": ["https://app.example.com/cb"], "scope": ""}),
        Source::Registration,
    )
    .unwrap();
    assert_eq!(empty_scope.scopes, None);
    // A document defaults to `none`.
    let document = parse(
        json!({"redirect_uris": ["https://app.example.com/cb"]}),
        Source::MetadataDocument,
    )
    .unwrap();
    assert_eq!(document.auth_method, AuthMethod::None);
}

#[test]
fn refusals() {
    let cases = [
        (json!([]), "invalid_client_metadata"),
        (json!({}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": "https://a.example/cb"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://a.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["javascript:x"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["implicit"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "none",
                   "grant_types": ["authorization_code", "client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "application_type": "desktop"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "client_name": "x".repeat(201)}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "scope": "a  b"}),
            "invalid_client_metadata",
        ),
    ];
    for (document, code) in cases {
        let error = parse(document.clone(), Source::Registration).unwrap_err();
        assert_eq!(error.code, code, "{document}: {}", error.description);
    }
}

#[test]
fn a_confidential_service_without_redirects() {
    let metadata = parse(
        json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_post"}),
        Source::Registration,
    )
    .unwrap();
    assert_eq!(metadata.auth_method, AuthMethod::ClientSecretPost);
    assert!(metadata.redirect_uris.is_empty());
}

#[test]
fn documents_are_public_only() {
    for document in [
        json!({"redirect_uris": ["https://a.example/cb"], "client_secret": "s"}),
        json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "client_secret_basic"}),
        json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]}),
    ] {
        let error = parse(document.clone(), Source::MetadataDocument).unwrap_err();
        assert_eq!(error.code, "invalid_client_metadata", "{document}");
    }
}
