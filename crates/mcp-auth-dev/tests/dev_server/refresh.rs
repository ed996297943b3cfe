//! The refresh-token grant: rotation, reuse detection revoking the whole family, narrowing
//! scopes, binding to the client, and revocation (RFC 6749 §6, OAuth 2.1 §4.3.1, RFC 7009).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth::clock::ManualClock;
use mcp_auth_dev::{Client, DevServer, GrantType};
use serde_json::Value;

use super::browser::{code_for, tokens};
use super::support::{RESOURCE, expect_error, introspect, post_form, start, start_with, userinfo};

const CALLBACK: &str = "http://127.0.0.1:6274/oauth/callback";

async fn refresh(
    server: &DevServer,
    refresh_token: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut params = vec![
        ("grant_type", "refresh_token"),
        ("client_id", "mcp-inspector"),
        ("refresh_token", refresh_token),
    ];
    params.extend_from_slice(extra);
    post_form(server, "/token", &params, None).await
}

/// A token response of the code flow for alice and `mcp-inspector`.
async fn first_tokens(server: &DevServer, resource: Option<&str>) -> Value {
    let flow = code_for(
        server,
        "mcp-inspector",
        CALLBACK,
        "openid profile",
        resource,
    )
    .await;
    tokens(server, "mcp-inspector", &flow, &[]).await
}

fn text(body: &Value, name: &str) -> String {
    body[name].as_str().unwrap().to_owned()
}

fn audience(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
    claims["aud"].clone()
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let server = start().await;
    let first = first_tokens(&server, Some(RESOURCE)).await;
    let response = refresh(&server, &text(&first, "refresh_token"), &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let second: Value = response.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["scope"], "openid profile");
    // The grant's resource carries over: still a JWT for it.
    assert_eq!(audience(&text(&second, "access_token")), RESOURCE);
    // The new refresh token works in turn.
    let third = refresh(&server, &text(&second, "refresh_token"), &[]).await;
    assert_eq!(third.status(), 200);
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_the_whole_family() {
    let server = start().await;
    let first = first_tokens(&server, None).await;
    let second: Value = refresh(&server, &text(&first, "refresh_token"), &[])
        .await
        .json()
        .await
        .unwrap();
    let third: Value = refresh(&server, &text(&second, "refresh_token"), &[])
        .await
        .json()
        .await
        .unwrap();
    for body in [&first, &second, &third] {
        assert_eq!(
            userinfo(&server, &text(body, "access_token"))
                .await
                .status(),
            200
        );
    }
    // Introspection tells an active refresh token apart from an access token (RFC 7662 §2.2);
    // a used one is inactive.
    let current = introspect(&server, &text(&third, "refresh_token")).await;
    assert_eq!(current["active"], true);
    assert_eq!(current["token_type"], "refresh_token");
    assert_eq!(current["sub"], "u-alice");
    assert_eq!(
        introspect(&server, &text(&first, "refresh_token")).await["active"],
        false
    );
    assert_eq!(
        introspect(&server, &text(&third, "access_token")).await["token_type"],
        "Bearer"
    );
    // The first refresh token again: a replay. Refused, and the family is revoked.
    let description = expect_error(
        refresh(&server, &text(&first, "refresh_token"), &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(description.contains("already used"), "{description}");
    for body in [&first, &second, &third] {
        let token = text(body, "access_token");
        assert_eq!(userinfo(&server, &token).await.status(), 401);
        assert_eq!(introspect(&server, &token).await["active"], false);
    }
    // The newest refresh token of the family is dead too.
    assert_eq!(
        introspect(&server, &text(&third, "refresh_token")).await["active"],
        false
    );
    expect_error(
        refresh(&server, &text(&third, "refresh_token"), &[]).await,
        400,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_never_widen_it() {
    let server = start().await;
    let first = first_tokens(&server, None).await;
    let rt = text(&first, "refresh_token");
    // Wider: invalid_scope, and the refresh token stays usable.
    expect_error(
        refresh(&server, &rt, &[("scope", "openid email")]).await,
        400,
        "invalid_scope",
    )
    .await;
    let narrower: Value = refresh(&server, &rt, &[("scope", "openid")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(narrower["scope"], "openid");
    // The next refresh without scope gets the original grant again.
    let again: Value = refresh(&server, &text(&narrower, "refresh_token"), &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["scope"], "openid profile");
}

#[tokio::test]
async fn a_refresh_keeps_the_grants_resource() {
    let server = start().await;
    let first = first_tokens(&server, Some(RESOURCE)).await;
    let rt = text(&first, "refresh_token");
    expect_error(
        refresh(&server, &rt, &[("resource", "http://127.0.0.1:3002/mcp")]).await,
        400,
        "invalid_target",
    )
    .await;
    let body: Value = refresh(&server, &rt, &[("resource", RESOURCE)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audience(&text(&body, "access_token")), RESOURCE);
}

#[tokio::test]
async fn refresh_tokens_are_bound_to_their_client() {
    let server = start_with(DevServer::builder().clients(vec![
        Client::public("mcp-inspector").with_redirect_uris([CALLBACK]),
        Client::public("other").with_redirect_uris([CALLBACK]),
        Client::public("no-refresh")
            .with_redirect_uris([CALLBACK])
            .with_grant_types([GrantType::AuthorizationCode]),
    ]))
    .await;
    let first = first_tokens(&server, None).await;
    let rt = text(&first, "refresh_token");
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "other"),
            ("refresh_token", &rt),
        ],
        None,
    )
    .await;
    expect_error(response, 400, "invalid_grant").await;
    // Still usable by its own client.
    assert_eq!(refresh(&server, &rt, &[]).await.status(), 200);

    // A client without the refresh_token grant gets none, and may not use the grant.
    let flow = code_for(&server, "no-refresh", CALLBACK, "openid", None).await;
    let body = tokens(&server, "no-refresh", &flow, &[]).await;
    assert!(body.get("refresh_token").is_none());
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "no-refresh"),
            ("refresh_token", "anything"),
        ],
        None,
    )
    .await;
    expect_error(response, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_grant() {
    let server = start().await;
    let first = first_tokens(&server, None).await;
    let response = post_form(
        &server,
        "/revoke",
        &[
            ("client_id", "mcp-inspector"),
            ("token", &text(&first, "refresh_token")),
            ("token_type_hint", "refresh_token"),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    expect_error(
        refresh(&server, &text(&first, "refresh_token"), &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert_eq!(
        userinfo(&server, &text(&first, "access_token"))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn refresh_tokens_expire() {
    let clock = ManualClock::new(1_800_000_000);
    let server = start_with(
        DevServer::builder()
            .clock(Arc::new(clock.clone()))
            .refresh_token_ttl(Duration::from_secs(120)),
    )
    .await;
    let first = first_tokens(&server, None).await;
    clock.advance(120);
    expect_error(
        refresh(&server, &text(&first, "refresh_token"), &[]).await,
        400,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn garbage_refresh_tokens_are_invalid_grant() {
    let server = start().await;
    for token in ["made-up", "x", &"A".repeat(5000)] {
        expect_error(refresh(&server, token, &[]).await, 400, "invalid_grant").await;
    }
}

/// A refresh token is active at introspection, but it is not an access token: the core's
/// `IntrospectionVerifier` refuses it as a bearer token (its `token_type` says so), and accepts
/// the access token of the same grant.
#[tokio::test]
async fn a_refresh_token_is_not_accepted_as_an_access_token() {
    use mcp_auth::verify::{ClientAuth, IntrospectionVerifier};
    use mcp_auth::{AuthServer, AuthServerType, BearerToken, TokenVerifier, VerifyErrorKind};

    let server = start().await;
    let body = first_tokens(&server, Some(RESOURCE)).await;
    let issuer = AuthServer::lazy(server.issuer(), Some(AuthServerType::OAuth)).unwrap();
    let verifier = IntrospectionVerifier::new(
        issuer,
        RESOURCE,
        ClientAuth::basic("dev-client", "dev-secret"),
    )
    .unwrap();

    let refresh_token = BearerToken::new(text(&body, "refresh_token"));
    assert_eq!(
        introspect(&server, refresh_token.secret()).await["active"],
        true
    );
    let refused = verifier.verify(&refresh_token).await.unwrap_err();
    assert_eq!(refused.kind(), VerifyErrorKind::InvalidClaims, "{refused}");

    let access_token = BearerToken::new(text(&body, "access_token"));
    let info = verifier.verify(&access_token).await.unwrap();
    assert_eq!(info.subject, "u-alice");
}
