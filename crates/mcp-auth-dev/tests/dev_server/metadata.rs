//! The metadata documents, JWKS and discovery through the core crate.

use mcp_auth::metadata::{AuthorizationServerMetadata, ValidationCode, validate_for_mcp};
use mcp_auth::{AuthServer, AuthServerType};
use serde_json::Value;

use super::support::{http, start};

#[tokio::test]
async fn metadata_passes_mcp_validation_at_both_well_known_urls() {
    let server = start().await;
    let issuer = server.issuer().to_owned();
    let mut documents = Vec::new();
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let response = http().get(format!("{issuer}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        documents.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(documents[0], documents[1], "one document at both URLs");

    let metadata: AuthorizationServerMetadata =
        serde_json::from_value(documents[0].clone()).unwrap();
    assert_eq!(&metadata, server.metadata());
    let report = validate_for_mcp(&metadata);
    assert!(report.errors().is_empty(), "{report}");
    assert!(report.warnings().is_empty(), "{report}");
    assert!(
        report.has(ValidationCode::DynamicRegistrationSupported),
        "{report}"
    );

    assert_eq!(metadata.issuer, issuer);
    let endpoint = |path: &str| Some(format!("{issuer}{path}"));
    assert_eq!(metadata.authorization_endpoint, endpoint("/authorize"));
    assert_eq!(metadata.token_endpoint, endpoint("/token"));
    assert_eq!(metadata.jwks_uri, endpoint("/jwks"));
    assert_eq!(metadata.userinfo_endpoint, endpoint("/userinfo"));
    assert_eq!(metadata.introspection_endpoint, endpoint("/introspect"));
    assert_eq!(metadata.revocation_endpoint, endpoint("/revoke"));
    assert_eq!(metadata.registration_endpoint, endpoint("/register"));
    assert_eq!(metadata.client_id_metadata_document_supported, Some(true));
    assert_eq!(metadata.response_types_supported.unwrap(), ["code"]);
    assert_eq!(metadata.code_challenge_methods_supported.unwrap(), ["S256"]);
    assert_eq!(
        metadata.grant_types_supported.unwrap(),
        ["authorization_code", "refresh_token", "client_credentials"]
    );
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported.unwrap(),
        ["client_secret_basic", "client_secret_post", "none"]
    );
    assert_eq!(
        metadata.scopes_supported.unwrap(),
        ["openid", "profile", "email"]
    );
    assert_eq!(
        metadata.authorization_response_iss_parameter_supported,
        Some(true)
    );
    assert_eq!(
        metadata.id_token_signing_alg_values_supported.unwrap(),
        ["ES256"]
    );
    assert_eq!(metadata.subject_types_supported.unwrap(), ["public"]);
}

#[tokio::test]
async fn core_discovery_finds_the_server_in_every_mode() {
    let server = start().await;
    for server_type in [
        None,
        Some(AuthServerType::OAuth),
        Some(AuthServerType::Oidc),
    ] {
        let auth_server = AuthServer::lazy(server.issuer(), server_type).unwrap();
        let metadata = auth_server.metadata().await.unwrap();
        assert_eq!(metadata.issuer, server.issuer(), "{server_type:?}");
        assert_eq!(&*metadata, server.metadata());
    }
}

#[tokio::test]
async fn jwks_publishes_public_keys_only() {
    let server = start().await;
    let jwks: Value = http()
        .get(format!("{}/jwks", server.issuer()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(&jwks, server.jwks());
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], server.signing_key_id());
    assert!(key.get("d").is_none(), "private key material published");
}
