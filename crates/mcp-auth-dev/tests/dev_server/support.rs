//! Helpers: a started server, form posts, JSON reads.

use mcp_auth_dev::{DevServer, DevServerBuilder};
use serde_json::Value;

pub const RESOURCE: &str = "http://127.0.0.1:3001/mcp";

/// A default server.
pub async fn start() -> DevServer {
    DevServer::builder().start().await.expect("server starts")
}

/// A server from a builder.
pub async fn start_with(builder: DevServerBuilder) -> DevServer {
    builder.start().await.expect("server starts")
}

/// A client with no proxy and no redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(params: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// POSTs a form to `issuer + path`, with HTTP Basic client authentication when given.
pub async fn post_form(
    server: &DevServer,
    path: &str,
    params: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{}{path}", server.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(params));
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.unwrap()
}

/// The token endpoint's JSON for a client-credentials request by `dev-client` (Basic).
pub async fn client_credentials(server: &DevServer, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![("grant_type", "client_credentials")];
    params.extend_from_slice(extra);
    let response = post_form(
        server,
        "/token",
        &params,
        Some(("dev-client", "dev-secret")),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Introspects `token` as `dev-client`.
pub async fn introspect(server: &DevServer, token: &str) -> Value {
    let response = post_form(
        server,
        "/introspect",
        &[("token", token)],
        Some(("dev-client", "dev-secret")),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

/// GETs `/userinfo` with a Bearer token.
pub async fn userinfo(server: &DevServer, token: &str) -> reqwest::Response {
    http()
        .get(format!("{}/userinfo", server.issuer()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Asserts an OAuth error response and returns its description.
pub async fn expect_error(response: reqwest::Response, status: u16, error: &str) -> String {
    assert_eq!(response.status(), status, "status for {error}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    body["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A unique path in the temporary directory.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "mcp-auth-dev-{}-{nanos}-{name}",
        std::process::id()
    ))
}
