//! The default configuration: no `MCP_AUTH_ISSUER`, so the development authorization server
//! runs in-process; the banner's token works as printed.

use mcp_auth_examples::Config;
use mcp_auth_examples::testing::{Rpc, read_message, tool_text};
use serde_json::{Value, json};

#[tokio::test]
async fn embedded_development_server_and_the_banner_token() {
    let config = Config::from_pairs([
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_DEV_BIND", "127.0.0.1:0"),
    ])
    .unwrap();
    assert!(config.is_embedded());
    let server = whoami::start(&config).await.unwrap();
    let dev = server.dev_server().expect("the embedded issuer");
    assert_eq!(server.issuer(), dev.issuer());

    let banner = server.banner();
    for expected in [
        server.mcp_url(),
        server.sse_url(),
        server.metadata_url().to_owned(),
        format!("{} (oidc; embedded development server)", dev.issuer()),
        "alice (sub u-alice), bob (sub u-bob)".to_owned(),
        "token verification     userinfo".to_owned(),
        "Transport \"SSE\"".to_owned(),
        "registers itself (dynamic\n  client registration)".to_owned(),
        "pre-registered public client\n  \"mcp-inspector\"".to_owned(),
        "login page: pick alice or bob,\n  allow, then run whoami.".to_owned(),
    ] {
        assert!(
            banner.contains(&expected),
            "banner lacks {expected:?}:\n{banner}"
        );
    }

    // The printed token is alice's, for this resource, and works as is.
    let token = banner
        .lines()
        .find_map(|line| line.trim().strip_prefix("export TOKEN='"))
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("a token line");
    let mut rpc = Rpc::new(&server.mcp_url(), Some(token));
    rpc.initialize().await;
    let response = rpc.call("whoami", json!({})).await;
    let claims: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(claims["sub"], "u-alice");
    assert_eq!(claims["name"], "Alice Liddell");
    server.shutdown().await;
}
