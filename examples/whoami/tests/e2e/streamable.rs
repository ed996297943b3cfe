//! The whole MCP authorization flow over Streamable HTTP, for each verifier: 401 challenge →
//! protected-resource metadata → authorization-server metadata → token → `initialize` (rmcp's
//! own client) → `tools/call whoami` returns the token's claims.

use mcp_auth_dev::DevServer;
use mcp_auth_examples::RunningServer;
use mcp_auth_examples::testing::{
    client_credentials_token, http, initialize_request, param, parse_challenge, send,
};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

use crate::support::{
    issuer, json_text, jwt_claims, opaque_user_token, rmcp_client, user_claims, user_token, whoami,
};

/// Steps 1-3, as an MCP client discovers them: the challenge names the metadata, the metadata
/// names the issuer, the issuer's metadata names the token endpoint. Returns the token
/// endpoint.
async fn discover(issuer: &DevServer, server: &RunningServer) -> String {
    // 1. No token: 401 with a challenge without error code, pointing at the metadata.
    let response = send(
        http()
            .post(server.mcp_url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize_request(1).to_string()),
    )
    .await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    let params = parse_challenge(challenge);
    assert_eq!(param(&params, "error"), None, "{challenge}");
    let metadata_url = param(&params, "resource_metadata").expect("resource_metadata");
    assert_eq!(metadata_url, server.metadata_url());

    // 2. The protected-resource metadata (RFC 9728), public.
    let response = send(http().get(metadata_url)).await;
    assert_eq!(response.status(), 200);
    let prm: Value = response.json().await.unwrap();
    assert_eq!(prm["resource"], server.resource());
    assert_eq!(prm["authorization_servers"], json!([issuer.issuer()]));
    assert_eq!(prm["scopes_supported"], json!(whoami::SCOPES));

    // 3. The authorization server's metadata (OpenID Connect Discovery).
    let as_url = prm["authorization_servers"][0].as_str().unwrap();
    let response = send(http().get(format!("{as_url}/.well-known/openid-configuration"))).await;
    assert_eq!(response.status(), 200);
    let metadata: Value = response.json().await.unwrap();
    assert_eq!(metadata["issuer"], issuer.issuer());
    metadata["token_endpoint"].as_str().unwrap().to_owned()
}

/// Steps 5-6 with rmcp's client: the tool list, then the claims.
async fn call_whoami(server: &RunningServer, token: &str) -> Value {
    let client = rmcp_client(server, token).await;
    let info = client.peer_info().expect("the server's initialize result");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("WhoAmI")
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(
        tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(),
        ["whoami"]
    );
    let result = client
        .call_tool(CallToolRequestParams::new("whoami"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    let claims = json_text(&result);
    client.cancel().await.unwrap();
    claims
}

/// `jwt`: a client-credentials token from the token endpoint over HTTP; the tool returns
/// exactly the token's claims.
#[tokio::test]
async fn jwt_verifier_full_flow_with_rmcp_client() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "jwt", &[]).await;
    let token_endpoint = discover(&issuer, &server).await;
    assert_eq!(token_endpoint, format!("{}/token", issuer.issuer()));

    // 4. A token for this resource (RFC 8707) from the token endpoint.
    let token = client_credentials_token(
        issuer.issuer(),
        ("dev-client", "dev-secret"),
        server.resource(),
        "openid profile",
    )
    .await;

    let claims = call_whoami(&server, &token).await;
    assert_eq!(claims, jwt_claims(&token));
    assert_eq!(claims["sub"], "dev-client");
    assert_eq!(claims["aud"], server.resource());
    assert_eq!(claims["iss"], issuer.issuer());
    assert_eq!(claims["scope"], "openid profile");
}

/// `userinfo` (the default, as in the seed tutorial): a user's token; the tool returns the
/// userinfo claims, as the tutorial's `mcp_auth.auth_info.claims`.
#[tokio::test]
async fn userinfo_verifier_full_flow_with_rmcp_client() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "userinfo", &[]).await;
    discover(&issuer, &server).await;
    let token = user_token(&issuer, &server, "alice");

    let claims = call_whoami(&server, &token).await;
    assert_eq!(claims, Value::Object(user_claims(&issuer, "alice")));
    assert_eq!(claims["sub"], "u-alice");
    assert_eq!(claims["email"], "alice@example.com");
}

/// `introspection`: an opaque token (not a JWT at all); the tool returns the introspection
/// response the issuer gives for it.
#[tokio::test]
async fn introspection_verifier_full_flow_with_rmcp_client() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "introspection", &[]).await;
    discover(&issuer, &server).await;
    let token = opaque_user_token(&issuer, &server, "bob");
    assert_eq!(token.split('.').count(), 1, "opaque");

    let claims = call_whoami(&server, &token).await;
    assert_eq!(claims["active"], true);
    assert_eq!(claims["sub"], "u-bob");
    assert_eq!(claims["username"], "bob");
    assert_eq!(claims["aud"], server.resource());
    assert_eq!(claims["iss"], issuer.issuer());

    // Exactly what the issuer answers this server's introspection request with.
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &token)
        .finish();
    let response = send(
        http()
            .post(format!("{}/introspect", issuer.issuer()))
            .basic_auth("dev-client", Some("dev-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    let introspected: Value = response.json().await.unwrap();
    assert_eq!(claims, introspected);
}

/// A token the issuer never issued, and one issued for another resource, are refused with
/// `invalid_token` by each verifier.
#[tokio::test]
async fn foreign_tokens_are_refused_by_every_verifier() {
    let issuer = issuer().await;
    for verifier in ["jwt", "userinfo", "introspection"] {
        let server = whoami(&issuer, verifier, &[]).await;
        let other = issuer
            .issue_access_token(
                &mcp_auth_dev::TokenRequest::for_user("alice", "dev-client")
                    .with_resource("http://127.0.0.1:1/other")
                    .with_scopes(["openid"]),
            )
            .unwrap();
        for token in ["not-a-token", other.as_str()] {
            let response = send(
                http()
                    .post(server.mcp_url())
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(initialize_request(1).to_string()),
            )
            .await;
            assert_eq!(response.status(), 401, "{verifier}");
            let challenge = response.headers()["www-authenticate"].to_str().unwrap();
            let params = parse_challenge(challenge);
            assert_eq!(param(&params, "error"), Some("invalid_token"), "{verifier}");
        }
        server.shutdown().await;
    }
}
