//! `MCP_AUTH_MODE=authorization-server`: the legacy MCP 2025-03-26 mode, in which the server
//! re-publishes its authorization server's metadata; and `MCP_AUTH_ISSUER_TYPE=oauth`.

use mcp_auth_examples::testing::{Rpc, http, initialize_request, read_message, send, tool_text};
use serde_json::{Value, json};

use crate::support::{issuer, user_token, whoami};

#[tokio::test]
async fn legacy_authorization_server_mode() {
    let issuer = issuer().await;
    let server = whoami(
        &issuer,
        "jwt",
        &[
            ("MCP_AUTH_MODE", "authorization-server"),
            ("MCP_AUTH_ISSUER_TYPE", "oauth"),
        ],
    )
    .await;
    assert_eq!(
        server.metadata_url(),
        format!(
            "{}/.well-known/oauth-authorization-server",
            server.base_url()
        )
    );

    let response = send(http().get(server.metadata_url())).await;
    assert_eq!(response.status(), 200);
    let metadata: Value = response.json().await.unwrap();
    assert_eq!(metadata["issuer"], issuer.issuer());
    assert_eq!(
        metadata["token_endpoint"],
        format!("{}/token", issuer.issuer())
    );

    // No protected-resource metadata, so the challenge has no resource_metadata.
    let response = send(
        http()
            .post(server.mcp_url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize_request(1).to_string()),
    )
    .await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    let token = user_token(&issuer, &server, "bob");
    let mut rpc = Rpc::new(&server.mcp_url(), Some(&token));
    rpc.initialize().await;
    let response = rpc.call("whoami", json!({})).await;
    let claims: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(claims["sub"], "u-bob");
    assert_eq!(claims["aud"], server.resource());
}

/// An issuer without a userinfo endpoint: its metadata is discovered at start-up, so
/// `MCP_AUTH_VERIFIER=userinfo` is refused then, as a setting error (exit code 2).
#[tokio::test]
async fn a_verifier_the_issuer_cannot_serve_is_a_setting_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let metadata = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    let app = axum::Router::new().route(
        "/.well-known/openid-configuration",
        axum::routing::get(move || async move { axum::Json(metadata) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = mcp_auth_examples::Config::from_pairs([
        ("MCP_AUTH_ISSUER", issuer.as_str()),
        ("MCP_BIND", "127.0.0.1:0"),
    ])
    .unwrap();
    let error = whoami::start(&config)
        .await
        .expect_err("userinfo is not available");
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(
        message.starts_with("MCP_AUTH_VERIFIER (userinfo) cannot be used with the issuer "),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");

    // The JWT verifier only needs the JWKS, which this issuer names.
    let config = mcp_auth_examples::Config::from_pairs([
        ("MCP_AUTH_ISSUER", issuer.as_str()),
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_VERIFIER", "jwt"),
    ])
    .unwrap();
    let server = whoami::start(&config).await.unwrap();
    assert!(!server.banner().contains("warning:"), "{}", server.banner());
}
