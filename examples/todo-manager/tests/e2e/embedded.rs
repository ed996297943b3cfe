//! The default configuration: the embedded development server, JWT verification, and the
//! banner's three tokens doing the step-up round trip as printed.

use mcp_auth_examples::Config;
use mcp_auth_examples::testing::{Rpc, param, parse_challenge, read_message, tool_text};
use serde_json::{Value, json};

fn banner_token<'b>(banner: &'b str, variable: &str) -> &'b str {
    let prefix = format!("export {variable}='");
    banner
        .lines()
        .find_map(|line| line.trim().strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.strip_suffix('\''))
        .unwrap_or_else(|| panic!("no {variable} in the banner:\n{banner}"))
}

#[tokio::test]
async fn m04_step_up_with_the_banner_tokens() {
    let config = Config::from_pairs([
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_DEV_BIND", "127.0.0.1:0"),
    ])
    .unwrap();
    let server = todo_manager::start(&config).await.unwrap();
    let banner = server.banner();
    assert!(banner.contains("token verification     jwt"), "{banner}");
    assert!(!banner.contains("warning"), "{banner}");

    let mut bob = Rpc::new(
        &server.mcp_url(),
        Some(banner_token(banner, "NO_SCOPE_TOKEN")),
    );
    bob.initialize().await;
    let response = bob.call("create-todo", json!({"content": "paint"})).await;
    assert_eq!(response.status(), 403);
    let params = parse_challenge(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(param(&params, "scope"), Some("create:todos"));

    bob.token = Some(banner_token(banner, "USER_TOKEN").to_owned());
    let response = bob.call("create-todo", json!({"content": "paint"})).await;
    assert_eq!(response.status(), 200);
    let todo: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(todo["ownerId"], "u-bob");

    // The admin token (alice, every scope) sees Bob's todo.
    let mut admin = Rpc::new(&server.mcp_url(), Some(banner_token(banner, "TOKEN")));
    admin.initialize().await;
    let response = admin.call("get-todos", json!({})).await;
    let todos: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(todos[0]["id"], todo["id"]);
    server.shutdown().await;
}

#[tokio::test]
async fn userinfo_verification_is_flagged_in_the_banner() {
    let config = Config::from_pairs([
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_DEV_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_VERIFIER", "userinfo"),
    ])
    .unwrap();
    let server = todo_manager::start(&config).await.unwrap();
    assert!(
        server
            .banner()
            .contains("userinfo responses usually carry no scopes"),
        "{}",
        server.banner()
    );
    server.shutdown().await;
}
