//! Every OAuth error of the token endpoint, produced by a real bad request, with its status
//! (RFC 6749 §5.2, RFC 8707 §2); and garbage never crashes the server.

use mcp_auth_dev::{Client, DevServer, GrantType};
use serde_json::Value;

use super::support::{RESOURCE, expect_error, http, post_form, start, start_with};

const DEV: Option<(&str, &str)> = Some(("dev-client", "dev-secret"));

#[tokio::test]
async fn invalid_request() {
    let server = start().await;
    // No grant_type.
    let r = post_form(&server, "/token", &[("scope", "openid")], DEV).await;
    expect_error(r, 400, "invalid_request").await;
    // A repeated parameter (RFC 6749 §3.2).
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "openid"),
            ("scope", "email"),
        ],
        DEV,
    )
    .await;
    expect_error(r, 400, "invalid_request").await;
    // Two client authentication methods (RFC 6749 §2.3).
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", "dev-secret"),
        ],
        DEV,
    )
    .await;
    expect_error(r, 400, "invalid_request").await;
    // Not a form body.
    let r = http()
        .post(format!("{}/token", server.issuer()))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    expect_error(r, 400, "invalid_request").await;
    // Broken percent-encoding.
    let r = http()
        .post(format!("{}/token", server.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client%2")
        .send()
        .await
        .unwrap();
    expect_error(r, 400, "invalid_request").await;
    // A body over the cap.
    let r = http()
        .post(format!("{}/token", server.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&scope={}",
            "a".repeat(20_000)
        ))
        .send()
        .await
        .unwrap();
    expect_error(r, 413, "invalid_request").await;
    // The authorization-code grant without a code.
    let r = post_form(
        &server,
        "/token",
        &[("grant_type", "authorization_code")],
        DEV,
    )
    .await;
    expect_error(r, 400, "invalid_request").await;
    // The refresh-token grant without a refresh token.
    let r = post_form(&server, "/token", &[("grant_type", "refresh_token")], DEV).await;
    expect_error(r, 400, "invalid_request").await;
}

#[tokio::test]
async fn invalid_client() {
    let server = start().await;
    let grant = [("grant_type", "client_credentials")];
    // Wrong secret with HTTP Basic: 401 and a Basic challenge.
    let r = post_form(&server, "/token", &grant, Some(("dev-client", "nope"))).await;
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Basic "), "{challenge}");
    expect_error(r, 401, "invalid_client").await;
    // Unknown client with HTTP Basic.
    let r = post_form(&server, "/token", &grant, Some(("nobody", "x"))).await;
    assert!(r.headers().contains_key("www-authenticate"));
    expect_error(r, 401, "invalid_client").await;
    // Wrong secret in the body: 401, no Basic challenge.
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "dev-client"),
            ("client_secret", "nope"),
        ],
        None,
    )
    .await;
    assert!(!r.headers().contains_key("www-authenticate"));
    expect_error(r, 401, "invalid_client").await;
    // No client authentication at all.
    let r = post_form(&server, "/token", &grant, None).await;
    expect_error(r, 401, "invalid_client").await;
    // A confidential client that does not authenticate.
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "dev-client"),
        ],
        None,
    )
    .await;
    expect_error(r, 401, "invalid_client").await;
    // Malformed Basic credentials.
    let r = http()
        .post(format!("{}/token", server.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Basic !!!not-base64")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "invalid_client").await;
}

#[tokio::test]
async fn invalid_grant() {
    let server = start().await;
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", "made-up"),
            ("redirect_uri", "http://localhost:6274/oauth/callback"),
            ("code_verifier", "x".repeat(43).as_str()),
        ],
        DEV,
    )
    .await;
    expect_error(r, 400, "invalid_grant").await;
}

#[tokio::test]
async fn unauthorized_client() {
    let server = start_with(DevServer::builder().clients(vec![
        Client::confidential("web-app", "web-secret")
            .with_grant_types([GrantType::AuthorizationCode]),
        Client::public("spa"),
    ]))
    .await;
    // A confidential client without the client_credentials grant.
    let r = post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials")],
        Some(("web-app", "web-secret")),
    )
    .await;
    expect_error(r, 400, "unauthorized_client").await;
    // A public client (RFC 6749 §4.4: confidential clients only).
    let r = post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials"), ("client_id", "spa")],
        None,
    )
    .await;
    expect_error(r, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn unsupported_grant_type() {
    let server = start().await;
    for grant in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
        "CLIENT_CREDENTIALS",
    ] {
        let r = post_form(&server, "/token", &[("grant_type", grant)], DEV).await;
        expect_error(r, 400, "unsupported_grant_type").await;
    }
}

#[tokio::test]
async fn invalid_scope() {
    let server = start_with(
        DevServer::builder()
            .scopes_supported(["openid", "todo:read", "todo:write"])
            .clients(vec![
                Client::confidential("reader", "reader-secret").with_scopes(["todo:read"]),
            ]),
    )
    .await;
    let reader = Some(("reader", "reader-secret"));
    for scope in [
        "admin",
        "todo:read  todo:write",
        "todo:read\"",
        "todo:write",
    ] {
        let r = post_form(
            &server,
            "/token",
            &[("grant_type", "client_credentials"), ("scope", scope)],
            reader,
        )
        .await;
        let description = expect_error(r, 400, "invalid_scope").await;
        assert!(
            description
                .bytes()
                .all(|b| b == b' ' || (b.is_ascii_graphic() && b != b'"' && b != b'\\')),
            "{description}"
        );
    }
    let ok = post_form(
        &server,
        "/token",
        &[("grant_type", "client_credentials"), ("scope", "todo:read")],
        reader,
    )
    .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn invalid_target() {
    let server = start().await;
    for resource in [
        "/relative/mcp",
        "http://127.0.0.1:3001/mcp#fragment",
        "urn:example:resource",
        "not a uri",
    ] {
        let r = post_form(
            &server,
            "/token",
            &[("grant_type", "client_credentials"), ("resource", resource)],
            DEV,
        )
        .await;
        expect_error(r, 400, "invalid_target").await;
    }
    let r = post_form(
        &server,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("resource", RESOURCE),
            ("resource", "http://127.0.0.1:3002/mcp"),
        ],
        DEV,
    )
    .await;
    expect_error(r, 400, "invalid_target").await;
}

#[tokio::test]
async fn garbage_never_crashes_the_server() {
    let server = start().await;
    let bodies: [&[u8]; 8] = [
        b"",
        b"&&&===&",
        b"=value",
        b"grant_type",
        b"%",
        b"\xff\xfe\x00",
        b"grant_type=client_credentials&resource=%00",
        b"token=%F0%9F%92%A9",
    ];
    for path in ["/token", "/introspect", "/revoke"] {
        for body in bodies {
            let r = http()
                .post(format!("{}{path}", server.issuer()))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("authorization", "Basic ZGV2LWNsaWVudDpkZXYtc2VjcmV0")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            assert!(status < 500, "{path} {body:?}: {status}");
            if status >= 400 {
                let json: Value = r.json().await.unwrap();
                assert!(json["error"].is_string(), "{path} {body:?}: {json}");
            }
        }
    }
    // Still serving.
    let r = http()
        .get(format!("{}/jwks", server.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
