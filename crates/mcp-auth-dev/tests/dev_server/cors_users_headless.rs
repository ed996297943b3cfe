//! CORS for browser clients, users from a file, and the headless authorization helper.

use mcp_auth_dev::{DevError, DevServer, authorize_headless};
use serde_json::Value;

use super::browser::{CodeFlow, authorize_url, pkce, tokens};
use super::support::{http, start, start_with, temp_path, userinfo};

const CALLBACK: &str = "http://127.0.0.1:6274/oauth/callback";

#[tokio::test]
async fn browser_facing_endpoints_allow_any_origin() {
    let server = start().await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
        "/jwks",
        "/token",
        "/register",
        "/revoke",
        "/userinfo",
    ] {
        // The preflight MCP Inspector's page sends.
        let response = http()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}{path}", server.issuer()),
            )
            .header("origin", "http://localhost:6274")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, mcp-protocol-version",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{path}");
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*", "{path}");
        assert!(
            headers["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        assert_eq!(
            headers["access-control-allow-headers"],
            "content-type, mcp-protocol-version"
        );
    }
    // Actual responses, successful or not, carry the header.
    let response = http()
        .get(format!("{}/jwks", server.issuer()))
        .header("origin", "http://localhost:6274")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let response = userinfo(&server, "bogus").await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        response.headers()["access-control-expose-headers"],
        "www-authenticate"
    );
}

#[tokio::test]
async fn authorization_pages_and_introspection_have_no_cors() {
    let server = start().await;
    for path in [
        "/authorize",
        "/authorize/login",
        "/authorize/consent",
        "/introspect",
    ] {
        let response = http()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}{path}", server.issuer()),
            )
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(
            !response
                .headers()
                .contains_key("access-control-allow-origin"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn users_come_from_a_file() {
    let path = temp_path("users.json");
    std::fs::write(
        &path,
        r#"{"users": [
            {"username": "carol", "sub": "u-carol", "name": "Carol Example",
             "email": "carol@example.com", "email_verified": true, "department": "research"},
            {"username": "dave", "sub": "u-dave"}
        ]}"#,
    )
    .unwrap();
    let server = start_with(DevServer::builder().users_file(&path)).await;
    let names: Vec<&str> = server.users().iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["carol", "dave"]);

    // carol signs in through the pages; userinfo has her extra claim.
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "mcp-inspector"),
            ("redirect_uri", CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", "openid email"),
        ],
    );
    let redirect = authorize_headless(&url, "carol").await.unwrap();
    let flow = CodeFlow {
        verifier,
        code: redirect.code.unwrap(),
        redirect_uri: CALLBACK.into(),
    };
    let body = tokens(&server, "mcp-inspector", &flow, &[]).await;
    let claims: Value = userinfo(&server, body["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(claims["sub"], "u-carol");
    assert_eq!(claims["department"], "research");
    // The built-in users are gone.
    let error = authorize_headless(&url, "alice").await.unwrap_err();
    assert!(error.to_string().contains("alice"), "{error}");
    std::fs::remove_file(&path).unwrap();

    // A bare array works too.
    std::fs::write(&path, r#"[{"username": "erin", "sub": "u-erin"}]"#).unwrap();
    let server = start_with(DevServer::builder().users_file(&path)).await;
    assert_eq!(server.users()[0].username, "erin");
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_bad_users_file_stops_the_start() {
    let path = temp_path("bad-users.json");
    for (content, expected) in [
        ("not json", "not JSON"),
        (r#"{"people": []}"#, "expected"),
        (r#"{"users": []}"#, "no user"),
        (r#"{"users": [{"username": "a"}]}"#, "sub"),
        (
            r#"[{"username": "a", "sub": "1"}, {"username": "a", "sub": "2"}]"#,
            "duplicate",
        ),
    ] {
        std::fs::write(&path, content).unwrap();
        let error = DevServer::builder()
            .users_file(&path)
            .start()
            .await
            .unwrap_err();
        assert!(matches!(error, DevError::UsersFile { .. }), "{error}");
        assert!(error.to_string().contains(expected), "{expected}: {error}");
    }
    std::fs::remove_file(&path).unwrap();
    let error = DevServer::builder()
        .users_file(&path)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, DevError::UsersFile { .. }), "{error}");
}

#[tokio::test]
async fn authorize_headless_returns_the_redirect() {
    let server = start().await;
    let (_, challenge) = pkce();
    let base = [
        ("response_type", "code"),
        ("client_id", "mcp-inspector"),
        ("redirect_uri", CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "abc"),
    ];
    let redirect = authorize_headless(&authorize_url(&server, &base), "bob")
        .await
        .unwrap();
    assert!(redirect.location.starts_with(CALLBACK));
    assert!(redirect.code.is_some());
    assert_eq!(redirect.state.as_deref(), Some("abc"));
    assert_eq!(redirect.iss.as_deref(), Some(server.issuer()));
    assert_eq!(redirect.error, None);

    // An error redirect is returned as such.
    let mut bad = base.to_vec();
    bad.push(("scope", "nope"));
    let redirect = authorize_headless(&authorize_url(&server, &bad), "bob")
        .await
        .unwrap();
    assert_eq!(redirect.error.as_deref(), Some("invalid_scope"));
    assert_eq!(redirect.code, None);

    // An error page is an error with its message.
    let mut unknown = base.to_vec();
    unknown[1] = ("client_id", "nobody");
    let error = authorize_headless(&authorize_url(&server, &unknown), "bob")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not registered"), "{error}");
}
