//! The authorization-code flow through the real login and consent pages: PKCE, state and
//! `iss`, exact redirect matching, single-use codes, resource-bound JWTs verified by the core
//! crate, opaque tokens at userinfo, ID tokens.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth::clock::ManualClock;
use mcp_auth::verify::TypPolicy;
use mcp_auth::{AuthServer, BearerToken, JwtVerifier, TokenVerifier};
use mcp_auth_dev::{Client, DevServer};
use serde_json::Value;

use super::browser::{
    Browser, CodeFlow, Redirect, authorize_url, code_for, page, parse_form, pkce, redeem,
    sign_in_and_approve, tokens,
};
use super::support::{RESOURCE, expect_error, introspect, post_form, start, start_with, userinfo};

const INSPECTOR_CALLBACK: &str = "http://127.0.0.1:6274/oauth/callback";

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn the_whole_flow_through_the_login_and_consent_pages() {
    let server = start().await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "mcp-inspector"),
            ("redirect_uri", INSPECTOR_CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", "xyz<&>"),
            ("scope", "openid profile"),
            ("resource", RESOURCE),
            ("nonce", "n-0S6_WzA2Mj"),
        ],
    );
    let browser = Browser::new();

    // The login page: one button per test user, and a cancel button.
    let login_page = page(browser.get(&url).await).await;
    assert_eq!(browser.cookie_count(), 1, "the binding cookie is set");
    assert!(login_page.contains("MCP Inspector"));
    let login = parse_form(&login_page);
    assert_eq!(
        login.buttons,
        [
            ("username".to_owned(), "alice".to_owned()),
            ("username".to_owned(), "bob".to_owned()),
            ("action".to_owned(), "cancel".to_owned()),
        ]
    );
    assert!(!login.hidden("csrf_token").is_empty());

    // The consent page names the client, the redirect host, the scopes and the resource.
    let consent_page = page(browser.submit(&server, &login, ("username", "alice")).await).await;
    for expected in [
        "MCP Inspector",
        "mcp-inspector",
        "127.0.0.1:6274",
        INSPECTOR_CALLBACK,
        "<code>openid</code>",
        "<code>profile</code>",
        RESOURCE,
        "Alice Liddell",
    ] {
        assert!(consent_page.contains(expected), "{expected} missing");
    }
    let consent = parse_form(&consent_page);
    let response = browser
        .submit(&server, &consent, ("decision", "approve"))
        .await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(browser.cookie_count(), 0, "the binding cookie is deleted");

    // Redirected to the exact redirect URI with code, state and iss (RFC 9207).
    let redirect = Redirect::from(&response);
    assert_eq!(redirect.base(), INSPECTOR_CALLBACK);
    assert_eq!(redirect.param("state").as_deref(), Some("xyz<&>"));
    assert_eq!(redirect.param("iss").as_deref(), Some(server.issuer()));
    let flow = CodeFlow {
        verifier,
        code: redirect.param("code").unwrap(),
        redirect_uri: INSPECTOR_CALLBACK.into(),
    };

    let body = tokens(&server, "mcp-inspector", &flow, &[("resource", RESOURCE)]).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "openid profile");
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );

    // An RFC 9068 JWT for the resource, verified by the core crate over discovery and JWKS.
    let access_token = body["access_token"].as_str().unwrap();
    let verifier = JwtVerifier::new(RESOURCE)
        .unwrap()
        .with_issuer(AuthServer::lazy(server.issuer(), None).unwrap())
        .unwrap()
        .with_typ_policy(TypPolicy::Strict)
        .require_rfc9068_claims();
    let info = verifier
        .verify(&BearerToken::new(access_token))
        .await
        .unwrap();
    assert_eq!(info.subject, "u-alice");
    assert_eq!(info.client_id.as_deref(), Some("mcp-inspector"));
    assert_eq!(info.scopes, ["openid", "profile"]);
    assert_eq!(info.audience, [RESOURCE]);

    // The ID token: audience the client, the nonce echoed.
    let id_token = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id_token["iss"], server.issuer());
    assert_eq!(id_token["sub"], "u-alice");
    assert_eq!(id_token["aud"], "mcp-inspector");
    assert_eq!(id_token["nonce"], "n-0S6_WzA2Mj");

    // The same token works at userinfo.
    let claims: Value = userinfo(&server, access_token).await.json().await.unwrap();
    assert_eq!(claims["preferred_username"], "alice");
}

#[tokio::test]
async fn without_a_resource_the_token_is_opaque_and_works_at_userinfo() {
    let server = start().await;
    let flow = code_for(&server, "mcp-inspector", INSPECTOR_CALLBACK, "email", None).await;
    let body = tokens(&server, "mcp-inspector", &flow, &[]).await;
    let access_token = body["access_token"].as_str().unwrap();
    assert_eq!(access_token.split('.').count(), 1, "opaque");
    assert!(body.get("id_token").is_none(), "no openid, no ID token");
    let response = userinfo(&server, access_token).await;
    assert_eq!(response.status(), 200);
    let claims: Value = response.json().await.unwrap();
    assert_eq!(claims["email"], "alice@example.com");
}

#[tokio::test]
async fn the_authorization_requests_resource_is_carried_to_the_code() {
    let server = start().await;
    let flow = code_for(
        &server,
        "mcp-inspector",
        INSPECTOR_CALLBACK,
        "openid",
        Some(RESOURCE),
    )
    .await;
    // No resource at the token endpoint: the authorization request's is used.
    let body = tokens(&server, "mcp-inspector", &flow, &[]).await;
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["aud"],
        RESOURCE
    );

    // A different resource at the token endpoint is invalid_target.
    let flow = code_for(
        &server,
        "mcp-inspector",
        INSPECTOR_CALLBACK,
        "openid",
        Some(RESOURCE),
    )
    .await;
    let response = redeem(
        &server,
        "mcp-inspector",
        &flow,
        &[("resource", "http://127.0.0.1:3002/mcp")],
    )
    .await;
    expect_error(response, 400, "invalid_target").await;
}

#[tokio::test]
async fn a_confidential_client_authenticates_to_redeem_its_code() {
    let server = start().await;
    let flow = code_for(&server, "dev-client", INSPECTOR_CALLBACK, "openid", None).await;
    // client_id alone is not enough for a confidential client.
    let response = redeem(&server, "dev-client", &flow, &[]).await;
    expect_error(response, 401, "invalid_client").await;
    // The code was not consumed by the unauthenticated attempt.
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &flow.code),
            ("redirect_uri", &flow.redirect_uri),
            ("code_verifier", &flow.verifier),
        ],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_wrong_code_verifier_is_invalid_grant_and_burns_the_code() {
    let server = start().await;
    let flow = code_for(&server, "mcp-inspector", INSPECTOR_CALLBACK, "openid", None).await;
    let (other_verifier, _) = pkce();
    let wrong = CodeFlow {
        verifier: other_verifier,
        code: flow.code.clone(),
        redirect_uri: flow.redirect_uri.clone(),
    };
    let description = expect_error(
        redeem(&server, "mcp-inspector", &wrong, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(description.contains("code_verifier"), "{description}");
    // The right verifier is now too late: a code is tried once.
    expect_error(
        redeem(&server, "mcp-inspector", &flow, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    // Missing and malformed verifiers are invalid_request.
    let flow = code_for(&server, "mcp-inspector", INSPECTOR_CALLBACK, "openid", None).await;
    for verifier in ["", "too-short"] {
        let bad = CodeFlow {
            verifier: verifier.into(),
            code: flow.code.clone(),
            redirect_uri: flow.redirect_uri.clone(),
        };
        expect_error(
            redeem(&server, "mcp-inspector", &bad, &[]).await,
            400,
            "invalid_request",
        )
        .await;
    }
}

#[tokio::test]
async fn a_reused_code_revokes_the_tokens_issued_from_it() {
    let server = start().await;
    let flow = code_for(&server, "mcp-inspector", INSPECTOR_CALLBACK, "openid", None).await;
    let body = tokens(&server, "mcp-inspector", &flow, &[]).await;
    let access_token = body["access_token"].as_str().unwrap().to_owned();
    let refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(userinfo(&server, &access_token).await.status(), 200);

    // RFC 6749 §4.1.2: the second use is refused and the first use's tokens are revoked.
    let description = expect_error(
        redeem(&server, "mcp-inspector", &flow, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(description.contains("already used"), "{description}");
    assert_eq!(userinfo(&server, &access_token).await.status(), 401);
    assert_eq!(introspect(&server, &access_token).await["active"], false);
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "mcp-inspector"),
            ("refresh_token", &refresh_token),
        ],
        None,
    )
    .await;
    expect_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn codes_are_bound_to_their_client_and_redirect_uri() {
    let server = start_with(DevServer::builder().clients(vec![
        Client::public("app-a").with_redirect_uris([INSPECTOR_CALLBACK]),
        Client::public("app-b").with_redirect_uris([INSPECTOR_CALLBACK]),
    ]))
    .await;
    let flow = code_for(&server, "app-a", INSPECTOR_CALLBACK, "openid", None).await;
    let description = expect_error(
        redeem(&server, "app-b", &flow, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(description.contains("another client"), "{description}");

    let flow = code_for(&server, "app-a", INSPECTOR_CALLBACK, "openid", None).await;
    let moved = CodeFlow {
        redirect_uri: "http://127.0.0.1:6275/oauth/callback".into(),
        verifier: flow.verifier.clone(),
        code: flow.code.clone(),
    };
    let description = expect_error(
        redeem(&server, "app-a", &moved, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(description.contains("redirect_uri"), "{description}");
}

#[tokio::test]
async fn the_only_redirect_uri_may_be_omitted_then_it_must_stay_omitted() {
    let server = start_with(DevServer::builder().clients(vec![
        Client::public("app").with_redirect_uris(["https://app.example.com/cb"]),
    ]))
    .await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "app"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let redirect = sign_in_and_approve(&server, &Browser::new(), &url, "bob").await;
    assert_eq!(redirect.base(), "https://app.example.com/cb");
    assert_eq!(redirect.param("state"), None);
    let code = redirect.param("code").unwrap();
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "app"),
            ("code", &code),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("scope").is_none(),
        "no scope requested, none granted"
    );
}

#[tokio::test]
async fn loopback_redirect_uris_match_on_any_port() {
    // RFC 8252 §7.3: mcp-inspector registers port 6274; the Inspector CLI listens on 6276.
    let server = start().await;
    let callback = "http://localhost:6276/oauth/callback";
    let flow = code_for(&server, "mcp-inspector", callback, "openid", None).await;
    let body = tokens(&server, "mcp-inspector", &flow, &[]).await;
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn authorize_accepts_post() {
    // OpenID Connect Core §3.1.2.1: the request may be a form POST.
    let server = start().await;
    let (_, challenge) = pkce();
    let browser = Browser::new();
    let params: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", "mcp-inspector"),
        ("redirect_uri", INSPECTOR_CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let response = browser
        .post(&format!("{}/authorize", server.issuer()), &params)
        .await;
    let login = parse_form(&page(response).await);
    assert_eq!(login.action, "/authorize/login");
}

#[tokio::test]
async fn codes_expire_after_a_minute() {
    let clock = ManualClock::new(1_800_000_000);
    let server = start_with(DevServer::builder().clock(Arc::new(clock.clone()))).await;
    let flow = code_for(&server, "mcp-inspector", INSPECTOR_CALLBACK, "openid", None).await;
    clock.advance(61);
    expect_error(
        redeem(&server, "mcp-inspector", &flow, &[]).await,
        400,
        "invalid_grant",
    )
    .await;
}
