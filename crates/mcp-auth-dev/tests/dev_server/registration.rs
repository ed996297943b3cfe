//! Dynamic Client Registration (RFC 7591) at `/register`, then the code flow with the
//! registered client; and the registration errors.

use mcp_auth_dev::DevServer;
use serde_json::{Value, json};

use super::browser::{Browser, authorize_url, code_for, page, parse_form, pkce, tokens};
use super::support::{RESOURCE, expect_error, http, post_form, start, start_with};

async fn register(server: &DevServer, metadata: &Value) -> reqwest::Response {
    http()
        .post(format!("{}/register", server.issuer()))
        .header("content-type", "application/json")
        .body(metadata.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_public_client_registers_then_completes_the_flow() {
    let server = start().await;
    // What rmcp's AuthorizationManager::register_client sends.
    let callback = "http://127.0.0.1:8765/callback";
    let response = register(
        &server,
        &json!({
            "client_name": "Test <MCP> client",
            "redirect_uris": [callback],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
            "response_types": ["code"],
            "scope": "openid profile mcp:unknown",
            "application_type": "native"
        }),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let registered: Value = response.json().await.unwrap();
    let client_id = registered["client_id"].as_str().unwrap().to_owned();
    assert!(registered.get("client_secret").is_none());
    assert!(registered["client_id_issued_at"].is_i64());
    assert_eq!(registered["redirect_uris"], json!([callback]));
    assert_eq!(registered["token_endpoint_auth_method"], "none");
    assert_eq!(
        registered["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(registered["response_types"], json!(["code"]));
    assert_eq!(registered["application_type"], "native");
    assert_eq!(registered["client_name"], "Test <MCP> client");
    // Unsupported scopes are dropped (RFC 7591 §3.2.1).
    assert_eq!(registered["scope"], "openid profile");

    // The consent page names it, escaped, and warns that the name is unverified.
    let (_, challenge) = pkce();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", callback),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", "openid"),
        ],
    );
    let browser = Browser::new();
    let login = parse_form(&page(browser.get(&url).await).await);
    let consent = page(browser.submit(&server, &login, ("username", "alice")).await).await;
    assert!(consent.contains("Test &lt;MCP&gt; client"));
    assert!(consent.contains("registered itself"));

    let flow = code_for(
        &server,
        &client_id,
        callback,
        "openid profile",
        Some(RESOURCE),
    )
    .await;
    let body = tokens(&server, &client_id, &flow, &[]).await;
    assert!(body["refresh_token"].is_string());
    // Scopes outside the registration may be asked for later (MCP step-up): the login page
    // is shown, not an `invalid_scope` redirect.
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", callback),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", "email"),
        ],
    );
    let response = http().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "the login page");
}

#[tokio::test]
async fn a_confidential_client_registers_with_a_generated_secret() {
    let server = start().await;
    let callback = "https://app.example.com/oauth/callback";
    let registered: Value = register(
        &server,
        &json!({
            "client_name": "Web app",
            "redirect_uris": [callback],
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_method": "client_secret_post",
            "contacts": ["dev@example.com"],
            "logo_uri": "https://app.example.com/logo.png"
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    let client_id = registered["client_id"].as_str().unwrap().to_owned();
    let secret = registered["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 40);
    assert_eq!(registered["client_secret_expires_at"], 0);
    assert_eq!(registered["contacts"], json!(["dev@example.com"]));
    assert_eq!(registered["logo_uri"], "https://app.example.com/logo.png");
    assert_eq!(registered["application_type"], "web");

    // The code flow, redeemed with client_secret_post; Basic works as well.
    let flow = code_for(&server, &client_id, callback, "openid", None).await;
    let response = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("code", &flow.code),
            ("redirect_uri", &flow.redirect_uri),
            ("code_verifier", &flow.verifier),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let response = post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials"), ("resource", RESOURCE)],
        Some((&client_id, &secret)),
    )
    .await;
    assert_eq!(response.status(), 200);
    // A wrong secret.
    let response = post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials")],
        Some((&client_id, "wrong")),
    )
    .await;
    expect_error(response, 401, "invalid_client").await;
}

#[tokio::test]
async fn registration_errors() {
    let server = start().await;
    let cases = [
        (
            json!({"redirect_uris": ["http://app.example.com/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://app.example.com/cb#frag"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (json!({"redirect_uris": [1]}), "invalid_client_metadata"),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["password"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "none",
                   "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "application_type": "tv"}),
            "invalid_client_metadata",
        ),
        (json!("not an object"), "invalid_client_metadata"),
    ];
    for (metadata, error) in cases {
        let response = register(&server, &metadata).await;
        expect_error(response, 400, error).await;
    }
    // Not JSON, wrong media type, too large.
    let response = http()
        .post(format!("{}/register", server.issuer()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    expect_error(response, 400, "invalid_client_metadata").await;
    let response = http()
        .post(format!("{}/register", server.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("redirect_uris=https://a.example/cb")
        .send()
        .await
        .unwrap();
    expect_error(response, 400, "invalid_client_metadata").await;
    let big = json!({"redirect_uris": ["https://a.example/cb"], "client_uri": "x".repeat(20_000)});
    let response = register(&server, &big).await;
    expect_error(response, 413, "invalid_request").await;
}

#[tokio::test]
async fn the_registry_is_bounded() {
    let server = start_with(DevServer::builder().max_registered_clients(2)).await;
    let metadata =
        json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"});
    for _ in 0..2 {
        assert_eq!(register(&server, &metadata).await.status(), 201);
    }
    expect_error(
        register(&server, &metadata).await,
        503,
        "temporarily_unavailable",
    )
    .await;
}
