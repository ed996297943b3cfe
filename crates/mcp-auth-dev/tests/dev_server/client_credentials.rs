//! The client-credentials grant: JWT access tokens verified by the core `JwtVerifier` against
//! the server's JWKS (real signatures), and opaque tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth::verify::TypPolicy;
use mcp_auth::{AuthServer, BearerToken, JwtVerifier, TokenVerifier, VerifyErrorKind};
use mcp_auth_dev::{DevServer, SigningAlgorithm};
use serde_json::Value;

use super::support::{RESOURCE, client_credentials, introspect, post_form, start_with, userinfo};

fn verifier(server: &DevServer, resource: &str) -> JwtVerifier {
    JwtVerifier::new(resource)
        .unwrap()
        .with_issuer(AuthServer::lazy(server.issuer(), None).unwrap())
        .unwrap()
        .with_typ_policy(TypPolicy::Strict)
        .require_rfc9068_claims()
}

fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn jwt_for_resource_is_verified(algorithm: SigningAlgorithm) {
    let server = start_with(DevServer::builder().signing_algorithm(algorithm)).await;
    let body = client_credentials(
        &server,
        &[("resource", RESOURCE), ("scope", "openid profile")],
    )
    .await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "openid profile");
    let token = body["access_token"].as_str().unwrap();

    let header = decode_part(token, 0);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], algorithm.as_str());
    assert_eq!(header["kid"], server.signing_key_id());
    let claims = decode_part(token, 1);
    assert_eq!(claims["iss"], server.issuer());
    assert_eq!(claims["sub"], "dev-client");
    assert_eq!(claims["aud"], RESOURCE);
    assert_eq!(claims["client_id"], "dev-client");
    assert_eq!(claims["scope"], "openid profile");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));

    // The core verifier: discovery, JWKS over HTTP, signature, iss, aud, typ, RFC 9068 claims.
    let info = verifier(&server, RESOURCE)
        .verify(&BearerToken::new(token))
        .await
        .unwrap();
    assert_eq!(info.issuer, server.issuer());
    assert_eq!(info.subject, "dev-client");
    assert_eq!(info.client_id.as_deref(), Some("dev-client"));
    assert_eq!(info.scopes, ["openid", "profile"]);
    assert_eq!(info.audience, [RESOURCE]);

    // Audience-bound: another resource refuses it.
    let other = verifier(&server, "http://127.0.0.1:3002/mcp")
        .verify(&BearerToken::new(token))
        .await
        .unwrap_err();
    assert_eq!(other.kind(), VerifyErrorKind::InvalidAudience);

    // A tampered payload fails the signature check.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged = claims.clone();
    forged["sub"] = "someone-else".into();
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let error = verifier(&server, RESOURCE)
        .verify(&BearerToken::new(parts.join(".")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::InvalidSignature);

    // The server itself knows the token.
    let introspection = introspect(&server, token).await;
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["aud"], RESOURCE);
}

#[tokio::test]
async fn es256_jwt_for_resource_is_verified_by_jwt_verifier() {
    jwt_for_resource_is_verified(SigningAlgorithm::Es256).await;
}

#[tokio::test]
async fn rs256_jwt_for_resource_is_verified_by_jwt_verifier() {
    jwt_for_resource_is_verified(SigningAlgorithm::Rs256).await;
}

#[tokio::test]
async fn client_secret_post_authenticates_too() {
    let server = start_with(DevServer::builder()).await;
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "dev-client"),
            ("client_secret", "dev-secret"),
            ("resource", RESOURCE),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("scope").is_none(),
        "no scope requested, none granted"
    );
    let token = body["access_token"].as_str().unwrap();
    assert!(decode_part(token, 1).get("scope").is_none());
    verifier(&server, RESOURCE)
        .verify(&BearerToken::new(token))
        .await
        .unwrap();
}

#[tokio::test]
async fn without_resource_the_token_is_opaque_and_known_to_introspection() {
    let server = start_with(DevServer::builder()).await;
    let body = client_credentials(&server, &[("scope", "email")]).await;
    let token = body["access_token"].as_str().unwrap();
    assert!(!token.contains('.'), "opaque, not a JWT");
    assert!(token.len() >= 43);

    let introspection = introspect(&server, token).await;
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["client_id"], "dev-client");
    assert_eq!(introspection["sub"], "dev-client");
    assert_eq!(introspection["scope"], "email");
    assert_eq!(introspection["token_type"], "Bearer");
    assert_eq!(introspection["iss"], server.issuer());
    assert!(introspection.get("aud").is_none());
    assert!(introspection.get("username").is_none());

    // A client token has no user: userinfo refuses it.
    let response = userinfo(&server, token).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}
