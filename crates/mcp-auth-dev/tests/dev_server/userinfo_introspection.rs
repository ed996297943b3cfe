//! Userinfo, introspection and revocation with tokens issued for users and clients.

use std::sync::Arc;
use std::time::Duration;

use mcp_auth::clock::ManualClock;
use mcp_auth_dev::{Client, DevServer, TokenFormat, TokenRequest};
use serde_json::Value;

use super::support::{
    RESOURCE, client_credentials, expect_error, http, introspect, post_form, start, start_with,
    userinfo,
};

fn alice_opaque(server: &DevServer) -> String {
    server
        .issue_access_token(
            &TokenRequest::for_user("alice", "dev-client")
                .with_scopes(["openid", "profile", "email"]),
        )
        .unwrap()
}

#[tokio::test]
async fn userinfo_returns_the_users_claims_for_get_and_post() {
    let server = start().await;
    let token = alice_opaque(&server);
    let response = userinfo(&server, &token).await;
    assert_eq!(response.status(), 200);
    let claims: Value = response.json().await.unwrap();
    assert_eq!(claims["sub"], "u-alice");
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["name"], "Alice Liddell");
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], true);

    let post = http()
        .post(format!("{}/userinfo", server.issuer()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert_eq!(post.json::<Value>().await.unwrap(), claims);
}

#[tokio::test]
async fn a_user_jwt_also_works_at_userinfo_and_introspection() {
    let server = start().await;
    let token = server
        .issue_access_token(
            &TokenRequest::for_user("bob", "mcp-inspector")
                .with_resource(RESOURCE)
                .with_scopes(["openid"]),
        )
        .unwrap();
    let claims: Value = userinfo(&server, &token).await.json().await.unwrap();
    assert_eq!(claims["sub"], "u-bob");
    let introspection = introspect(&server, &token).await;
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["username"], "bob");
    assert_eq!(introspection["sub"], "u-bob");
    assert_eq!(introspection["client_id"], "mcp-inspector");
    assert_eq!(introspection["aud"], RESOURCE);
    assert_eq!(introspection["scope"], "openid");
}

#[tokio::test]
async fn userinfo_challenges_follow_rfc6750() {
    let server = start().await;
    let bare = http()
        .get(format!("{}/userinfo", server.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    let challenge = bare.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"));
    assert!(
        !challenge.contains("error="),
        "no error code without credentials"
    );

    let unknown = userinfo(&server, "not-a-token-we-issued").await;
    assert_eq!(unknown.status(), 401);
    assert!(
        unknown.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");

    let empty = http()
        .get(format!("{}/userinfo", server.issuer()))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
}

#[tokio::test]
async fn revoked_tokens_are_inactive_everywhere() {
    let server = start().await;
    let token = alice_opaque(&server);
    assert_eq!(introspect(&server, &token).await["active"], true);

    let response = post_form(
        &server,
        "/revoke",
        &[("token", &token), ("token_type_hint", "access_token")],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    assert_eq!(response.status(), 200);

    assert_eq!(
        introspect(&server, &token).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(userinfo(&server, &token).await.status(), 401);

    // Revoking again, or an unknown token, is not an error (RFC 7009 §2.2).
    let again = post_form(
        &server,
        "/revoke",
        &[("token", &token)],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn a_client_cannot_revoke_another_clients_token() {
    let server = start().await;
    let body = client_credentials(&server, &[]).await;
    let token = body["access_token"].as_str().unwrap();
    // The public client identifies itself with client_id only.
    let response = post_form(
        &server,
        "/revoke",
        &[("token", token), ("client_id", "mcp-inspector")],
        None,
    )
    .await;
    expect_error(response, 400, "unauthorized_client").await;
    assert_eq!(introspect(&server, token).await["active"], true);
}

#[tokio::test]
async fn public_clients_revoke_their_own_tokens() {
    let server = start().await;
    let token = server
        .issue_access_token(&TokenRequest::for_user("alice", "mcp-inspector"))
        .unwrap();
    let response = post_form(
        &server,
        "/revoke",
        &[("token", &token), ("client_id", "mcp-inspector")],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(introspect(&server, &token).await["active"], false);
}

#[tokio::test]
async fn expired_tokens_are_inactive() {
    let clock = ManualClock::new(1_800_000_000);
    let server = start_with(
        DevServer::builder()
            .clock(Arc::new(clock.clone()))
            .token_ttl(Duration::from_secs(600)),
    )
    .await;
    let token = alice_opaque(&server);
    let introspection = introspect(&server, &token).await;
    assert_eq!(introspection["iat"], 1_800_000_000);
    assert_eq!(introspection["exp"], 1_800_000_600);

    clock.advance(599);
    assert_eq!(introspect(&server, &token).await["active"], true);
    clock.advance(1);
    assert_eq!(introspect(&server, &token).await["active"], false);
    assert_eq!(userinfo(&server, &token).await.status(), 401);

    // A zero lifetime gives an already-expired token.
    let stillborn = server
        .issue_access_token(&TokenRequest::for_user("alice", "dev-client").with_ttl(Duration::ZERO))
        .unwrap();
    assert_eq!(introspect(&server, &stillborn).await["active"], false);
}

#[tokio::test]
async fn introspection_requires_a_confidential_client() {
    let server = start().await;
    let token = alice_opaque(&server);
    let none = post_form(&server, "/introspect", &[("token", &token)], None).await;
    expect_error(none, 401, "invalid_client").await;

    let public = post_form(
        &server,
        "/introspect",
        &[("token", &token), ("client_id", "mcp-inspector")],
        None,
    )
    .await;
    expect_error(public, 401, "invalid_client").await;

    let wrong = post_form(
        &server,
        "/introspect",
        &[("token", &token)],
        Some(("dev-client", "wrong")),
    )
    .await;
    assert!(wrong.headers().contains_key("www-authenticate"));
    expect_error(wrong, 401, "invalid_client").await;

    let missing = post_form(
        &server,
        "/introspect",
        &[],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    expect_error(missing, 400, "invalid_request").await;
}

#[tokio::test]
async fn introspection_by_another_confidential_client_works() {
    let server = start_with(DevServer::builder().clients(vec![
        Client::confidential("dev-client", "dev-secret"),
        Client::confidential("resource-server", "rs-secret"),
    ]))
    .await;
    let token = server
        .issue_access_token(
            &TokenRequest::for_client("dev-client").with_format(TokenFormat::Opaque),
        )
        .unwrap();
    let response = post_form(
        &server,
        "/introspect",
        &[("token", &token)],
        Some(("resource-server", "rs-secret")),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], "dev-client");
}
