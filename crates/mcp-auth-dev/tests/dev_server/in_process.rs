//! The in-process minting API.

use mcp_auth::{AuthServer, BearerToken, JwtVerifier, TokenVerifier};
use mcp_auth_dev::{Client, DevError, DevServer, TokenFormat, TokenRequest, User};

use super::support::{RESOURCE, start, start_with};

#[tokio::test]
async fn a_user_token_minted_in_process_carries_the_users_sub() {
    let server = start().await;
    let token = server
        .issue_access_token(
            &TokenRequest::for_user("alice", "dev-client")
                .with_resource(RESOURCE)
                .with_scopes(["openid", "profile"]),
        )
        .unwrap();
    let verifier = JwtVerifier::new(RESOURCE)
        .unwrap()
        .with_issuer(AuthServer::lazy(server.issuer(), None).unwrap())
        .unwrap();
    let info = verifier.verify(&BearerToken::new(token)).await.unwrap();
    assert_eq!(info.subject, "u-alice");
    assert_eq!(info.client_id.as_deref(), Some("dev-client"));
    assert_eq!(info.scopes, ["openid", "profile"]);
    assert_eq!(info.claims["iss"], server.issuer());
}

#[tokio::test]
async fn configured_users_replace_the_defaults() {
    let server = start_with(
        DevServer::builder().users(vec![User::new("carol", "u-carol").with_claim("team", "qa")]),
    )
    .await;
    assert_eq!(server.users().len(), 1);
    let error = server
        .issue_access_token(&TokenRequest::for_user("alice", "dev-client"))
        .unwrap_err();
    assert!(
        matches!(error, DevError::UnknownUser(ref u) if u == "alice"),
        "{error}"
    );
    server
        .issue_access_token(&TokenRequest::for_user("carol", "dev-client"))
        .unwrap();
}

#[tokio::test]
async fn minting_applies_the_token_endpoint_rules() {
    let server = start().await;
    let cases = [
        (TokenRequest::for_client("nobody"), "invalid_client"),
        (
            TokenRequest::for_client("mcp-inspector"),
            "unauthorized_client",
        ),
        (
            TokenRequest::for_client("dev-client").with_scopes(["admin"]),
            "invalid_scope",
        ),
        (
            TokenRequest::for_client("dev-client").with_scopes(["two words"]),
            "invalid_scope",
        ),
        (
            TokenRequest::for_client("dev-client").with_resource("urn:x"),
            "invalid_target",
        ),
        (
            TokenRequest::for_client("dev-client").with_format(TokenFormat::Jwt),
            "invalid_request",
        ),
    ];
    for (request, code) in cases {
        let error = server.issue_access_token(&request).unwrap_err();
        assert_eq!(error.oauth_error_code(), Some(code), "{request:?}: {error}");
    }
}

#[tokio::test]
async fn invalid_configuration_is_refused_at_start() {
    let builders = [
        DevServer::builder().users(vec![User::new("a", "s"), User::new("a", "t")]),
        DevServer::builder().users(vec![User::new("a", "s"), User::new("b", "s")]),
        DevServer::builder().clients(vec![Client::public("p"), Client::public("p")]),
        DevServer::builder().clients(vec![
            Client::public("p").with_grant_types([mcp_auth_dev::GrantType::ClientCredentials]),
        ]),
        DevServer::builder().clients(vec![
            Client::public("p").with_redirect_uris(["http://x/cb#frag"]),
        ]),
        DevServer::builder().clients(vec![Client::public("p").with_scopes(["unknown"])]),
        DevServer::builder().scopes_supported(["ok", "not ok"]),
        DevServer::builder().max_tokens(0),
    ];
    for builder in builders {
        let error = builder.start().await.unwrap_err();
        assert!(matches!(error, DevError::Config(_)), "{error}");
    }
}

#[tokio::test]
async fn a_full_token_store_refuses_until_tokens_are_revoked_or_expire() {
    let server = start_with(DevServer::builder().max_tokens(2)).await;
    let request = TokenRequest::for_client("dev-client");
    server.issue_access_token(&request).unwrap();
    server.issue_access_token(&request).unwrap();
    let error = server.issue_access_token(&request).unwrap_err();
    assert!(matches!(error, DevError::StoreFull), "{error}");
    let response = super::support::post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials")],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    super::support::expect_error(response, 503, "temporarily_unavailable").await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = start().await;
    let issuer = server.issuer().to_owned();
    server.shutdown().await;
    let result = super::support::http()
        .get(format!("{issuer}/jwks"))
        .send()
        .await;
    assert!(result.is_err(), "still serving after shutdown");
}
