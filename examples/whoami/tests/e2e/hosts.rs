//! rmcp's DNS-rebinding protection (`Host` validation) accepts the configured resource's host,
//! and still refuses others.

use mcp_auth_examples::testing::{http, initialize_request, send};

use crate::support::{issuer, user_token, whoami};

async fn initialize_with_host(url: &str, host: &str, token: &str) -> u16 {
    let response = send(
        http()
            .post(url)
            .header("host", host)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize_request(1).to_string()),
    )
    .await;
    response.status().as_u16()
}

#[tokio::test]
async fn the_resource_host_is_allowed_behind_a_proxy() {
    let issuer = issuer().await;
    let server = whoami(
        &issuer,
        "jwt",
        &[("MCP_RESOURCE", "https://mcp.example.com/mcp")],
    )
    .await;
    assert_eq!(server.resource(), "https://mcp.example.com/mcp");
    assert_eq!(
        server.metadata_url(),
        "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
    );
    let token = user_token(&issuer, &server, "alice");
    let url = server.mcp_url();

    // As forwarded by a reverse proxy for https://mcp.example.com/mcp.
    assert_eq!(
        initialize_with_host(&url, "mcp.example.com", &token).await,
        200
    );
    // Direct local access.
    let local = server.local_addr().to_string();
    assert_eq!(initialize_with_host(&url, &local, &token).await, 200);
    // Any other host: refused by rmcp (possible DNS rebinding), even with a valid token.
    assert_eq!(
        initialize_with_host(&url, "attacker.example", &token).await,
        403
    );
}
