//! `mcp-auth token`: client credentials against the development server; errors and secrets.

use mcp_auth_dev::DevServer;
use serde_json::Value;

use super::support::{command, run, run_command, unreachable_issuer};

pub const RESOURCE: &str = "http://127.0.0.1:3001/mcp";

/// `mcp-auth token` with client credentials (`dev-client`, secret from the environment).
pub async fn client_credentials_token(issuer: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "token",
        "--issuer",
        issuer,
        "--client-id",
        "dev-client",
        "--resource",
        RESOURCE,
    ];
    args.extend_from_slice(extra);
    let mut cmd = command(&args);
    cmd.env("MCP_AUTH_CLIENT_SECRET", "dev-secret");
    let out = run_command(cmd, None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let token = out.stdout.strip_suffix('\n').expect("one line").to_owned();
    assert!(!token.contains('\n'), "only the token on stdout");
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_prints_only_the_token() {
    let server = DevServer::builder().start().await.unwrap();
    let token = client_credentials_token(server.issuer(), &["--scope", "openid profile"]).await;
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");

    // The secret may also be passed as an option, and with client_secret_post.
    let out = run(&[
        "token",
        "--issuer",
        server.issuer(),
        "--client-id",
        "dev-client",
        "--client-secret",
        "dev-secret",
        "--auth",
        "post",
        "--resource",
        RESOURCE,
    ])
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim().split('.').count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_prints_the_whole_token_response() {
    let server = DevServer::builder().start().await.unwrap();
    let mut cmd = command(&[
        "token",
        "--issuer",
        server.issuer(),
        "--client-id",
        "dev-client",
        "--scope",
        "openid",
        "--json",
    ]);
    cmd.env("MCP_AUTH_CLIENT_SECRET", "dev-secret");
    let out = run_command(cmd, None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let response: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert!(response["access_token"].is_string());
    assert!(
        response["token_type"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("bearer")
    );
    assert_eq!(response["scope"], "openid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_exits_1_without_printing_the_secret() {
    let server = DevServer::builder().start().await.unwrap();
    let secret = "not-the-secret-4f1c";
    let out = run(&[
        "token",
        "--issuer",
        server.issuer(),
        "--client-id",
        "dev-client",
        "--client-secret",
        secret,
    ])
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("invalid_client"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.contains(secret), "{}", out.stderr);

    // A resource the server cannot issue for: invalid_target, exit 1.
    let mut cmd = command(&[
        "token",
        "--issuer",
        server.issuer(),
        "--client-id",
        "dev-client",
        "--resource",
        "ftp://elsewhere/",
    ]);
    cmd.env("MCP_AUTH_CLIENT_SECRET", "dev-secret");
    let out = run_command(cmd, None).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("invalid_target"), "{}", out.stderr);
    assert!(!out.stderr.contains("dev-secret"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_arguments_are_usage_errors() {
    let server = DevServer::builder().start().await.unwrap();
    let cases: [&[&str]; 3] = [
        &["token", "--client-id", "dev-client", "--client-secret", "x"],
        &["token", "--issuer", server.issuer(), "--client-secret", "x"],
        &[
            "token",
            "--issuer",
            server.issuer(),
            "--client-id",
            "dev-client",
        ],
    ];
    for args in cases {
        let out = run(args).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("error:"), "{}", out.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_issuer_exits_3() {
    let issuer = unreachable_issuer().await;
    let out = run(&[
        "token",
        "--issuer",
        &issuer,
        "--client-id",
        "c",
        "--client-secret",
        "s",
    ])
    .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_user_gets_a_user_token_through_the_code_flow() {
    let server = DevServer::builder().start().await.unwrap();
    let out = run(&[
        "token",
        "--dev-user",
        "alice",
        "--issuer",
        server.issuer(),
        "--resource",
        RESOURCE,
        "--scope",
        "openid profile",
    ])
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let token = out.stdout.trim().to_owned();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");

    // The user token verifies for the resource, with alice as the subject and the public
    // client that ran the flow.
    let out = run(&[
        "decode",
        &token,
        "--issuer",
        server.issuer(),
        "--resource",
        RESOURCE,
        "--json",
    ])
    .await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["verified"], true);
    assert_eq!(json["verification"]["subject"], "u-alice");
    assert_eq!(json["verification"]["client_id"], "mcp-inspector");
    assert_eq!(
        json["verification"]["scopes"],
        serde_json::json!(["openid", "profile"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_user_json_and_errors() {
    let server = DevServer::builder().start().await.unwrap();
    let out = run(&[
        "token",
        "--dev-user",
        "bob",
        "--issuer",
        server.issuer(),
        "--json",
    ])
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let response: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(response["access_token"].is_string(), "{response}");

    // A user the server does not have: a usage error naming the user.
    let out = run(&[
        "token",
        "--dev-user",
        "mallory",
        "--issuer",
        server.issuer(),
    ])
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("no test user `mallory`"),
        "{}",
        out.stderr
    );

    // A redirect URI the client did not register: the server refuses, exit 1.
    let out = run(&[
        "token",
        "--dev-user",
        "alice",
        "--issuer",
        server.issuer(),
        "--redirect-uri",
        "http://localhost:9/elsewhere",
    ])
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());

    // No development server there: exit 3 with a hint.
    let issuer = unreachable_issuer().await;
    let out = run(&["token", "--dev-user", "alice", "--issuer", &issuer]).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("mcp-auth dev-server"), "{}", out.stderr);
}
