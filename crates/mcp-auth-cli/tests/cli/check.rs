//! `mcp-auth check` against the development server (passes) and broken issuers (fails with the
//! right lines, or says the server is unreachable).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use mcp_auth_dev::DevServer;
use serde_json::{Value, json};

use super::support::{run, serve, serve_with, unreachable_issuer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_server_passes() {
    let server = DevServer::builder().start().await.unwrap();
    let issuer = server.issuer().to_owned();
    let out = run(&["check", &issuer]).await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    let metadata_url = format!("{issuer}/.well-known/oauth-authorization-server");
    let found = out.requirement("ok", "metadata").expect("metadata line");
    assert!(found.contains(&metadata_url), "{found}");
    assert!(
        out.stdout.contains(&format!("found        {metadata_url}")),
        "{}",
        out.stdout
    );
    for label in [
        "issuer",
        "well-formed",
        "code flow",
        "PKCE S256",
        "userinfo",
        "iss parameter",
    ] {
        assert!(
            out.requirement("ok", label).is_some(),
            "{label}:\n{}",
            out.stdout
        );
    }
    let jwks = out.requirement("ok", "JWKS").expect("JWKS line");
    assert!(jwks.contains("1 usable signing key(s) of 1"), "{jwks}");
    assert!(jwks.contains(server.signing_key_id()), "{jwks}");
    // Registration is a warning without DCR or CIMD, never an error.
    assert!(
        out.requirement("ok", "registration").is_some()
            || out.requirement("warn", "registration").is_some(),
        "{}",
        out.stdout
    );
    assert!(out.requirement("note", "resource indicators").is_some());
    assert!(!out.stdout.contains("FAIL"), "{}", out.stdout);
    assert!(out.has_line_starting(&format!("PASS  {issuer} can serve MCP clients")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_server_json_report() {
    let server = DevServer::builder().start().await.unwrap();
    let out = run(&["check", server.issuer(), "--json", "--type", "oidc"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("the report is JSON");
    assert_eq!(report["issuer"], server.issuer());
    assert_eq!(report["requested_type"], "oidc");
    assert_eq!(report["metadata_type"], "oidc");
    assert_eq!(
        report["metadata_url"],
        format!("{}/.well-known/openid-configuration", server.issuer())
    );
    assert_eq!(report["summary"]["result"], "pass");
    assert_eq!(report["summary"]["exit"], 0);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["validation"]["valid"], true);
    assert_eq!(report["jwks"]["usable"], 1);
    let checks = report["checks"].as_array().expect("checks");
    let level = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["level"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(level("pkce"), "ok");
    assert_eq!(level("code_flow"), "ok");
    assert_eq!(level("issuer"), "ok");
    assert_eq!(level("jwks"), "ok");
    let pkce = checks.iter().find(|c| c["id"] == "pkce").unwrap();
    assert_eq!(
        pkce["codes"],
        json!(["pkce_supported", "s256_code_challenge_method_supported"])
    );
}

/// Serves `doc` as RFC 8414 metadata and `jwks` at `/jwks`.
fn router(doc: Value, jwks: Value) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move { axum::Json(doc) }),
        )
        .route("/jwks", get(move || async move { axum::Json(jwks) }))
}

/// Metadata for another issuer, without PKCE, without the code flow; counts the JWKS fetches.
async fn broken_issuer() -> (String, Arc<AtomicUsize>) {
    let jwks_fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&jwks_fetches);
    let issuer = serve_with(|base| {
        let doc = json!({
            "issuer": format!("{base}/someone-else"),
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "response_types_supported": ["token"],
            "grant_types_supported": ["implicit", "client_credentials"],
            "jwks_uri": format!("{base}/jwks")
        });
        Router::new()
            .route(
                "/.well-known/oauth-authorization-server",
                get(move || async move { axum::Json(doc) }),
            )
            .route(
                "/jwks",
                get(move || async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({"keys": []}))
                }),
            )
    })
    .await;
    (issuer, jwks_fetches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i01_broken_issuer_fails_with_the_right_lines() {
    let (issuer, jwks_fetches) = broken_issuer().await;
    let out = run(&["check", &issuer]).await;
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);

    // Every URL is tried; the mismatched document is still checked.
    assert!(out.stdout.contains("other issuer"), "{}", out.stdout);
    assert!(out.stdout.contains("not found"), "{}", out.stdout);
    let issuer_line = out.requirement("FAIL", "issuer").expect("issuer line");
    assert!(
        issuer_line.contains(&format!("{issuer}/someone-else")),
        "{issuer_line}"
    );
    let code_flow = out
        .requirement("FAIL", "code flow")
        .expect("code flow line");
    assert!(code_flow.contains("`code`"), "{code_flow}");
    assert!(code_flow.contains("authorization_code"), "{code_flow}");
    let pkce = out.requirement("FAIL", "PKCE S256").expect("PKCE line");
    assert!(pkce.contains("PKCE is not advertised"), "{pkce}");
    assert!(out.requirement("warn", "registration").is_some());
    assert!(out.requirement("note", "userinfo").is_some());
    assert!(out.requirement("note", "iss parameter").is_some());
    // Battery I01: the other issuer's keys are never fetched.
    let jwks = out.requirement("note", "JWKS").expect("JWKS line");
    assert!(jwks.contains("not fetched"), "{jwks}");
    assert_eq!(jwks_fetches.load(Ordering::SeqCst), 0);
    assert!(out.has_line_starting(&format!("FAIL  {issuer} cannot serve MCP clients")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_issuer_json_lists_error_codes() {
    let (issuer, _) = broken_issuer().await;
    let out = run(&["check", &issuer, "--json"]).await;
    assert_eq!(out.code, 1);
    let report: Value = serde_json::from_str(&out.stdout).expect("the report is JSON");
    assert_eq!(report["summary"]["result"], "fail");
    assert_eq!(report["summary"]["exit"], 1);
    let codes: Vec<&str> = report["validation"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    for code in [
        "code_response_type_not_supported",
        "authorization_code_grant_not_supported",
        "pkce_not_supported",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let attempts = report["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["outcome"], "issuer_mismatch");
    assert!(attempts.len() >= 2, "every URL is tried: {attempts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliant_metadata_with_unusable_keys_fails_on_the_jwks_line() {
    let issuer = serve_with(|base| {
        router(
            json!({
                "issuer": base,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "registration_endpoint": format!("{base}/register"),
                "jwks_uri": format!("{base}/jwks"),
            }),
            // A secret and an RSA key far below 2048 bits: neither can verify tokens.
            json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}, {"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}),
        )
    })
    .await;
    let out = run(&["check", &issuer]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    let jwks = out.requirement("FAIL", "JWKS").expect("JWKS line");
    assert!(jwks.contains("none of the 2 published key(s)"), "{jwks}");
    let registration = out
        .requirement("ok", "registration")
        .expect("registration line");
    assert!(
        registration.contains("Dynamic Client Registration at"),
        "{registration}"
    );
    assert!(out.requirement("ok", "PKCE S256").is_some());
    assert!(out.requirement("ok", "issuer").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_metadata_anywhere_fails() {
    let issuer = serve(Router::new()).await;
    let out = run(&["check", &format!("{issuer}/tenant")]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    let line = out.requirement("FAIL", "metadata").expect("metadata line");
    assert!(
        line.contains("no metadata document at any of the 3"),
        "{line}"
    );
    assert_eq!(out.stdout.matches("not found").count(), 3, "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_issuer_exits_3() {
    let issuer = unreachable_issuer().await;
    let out = run(&["check", &issuer]).await;
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("unavailable"), "{}", out.stdout);
    assert!(out.has_line_starting("UNAVAILABLE"), "{}", out.stdout);
    let json = run(&["check", &issuer, "--json"]).await;
    assert_eq!(json.code, 3);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["summary"]["result"], "unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i03_insecure_or_malformed_issuer_is_a_usage_error() {
    for issuer in [
        "http://as.example.com",
        "not a url",
        "https://as.example.com/?q=1",
        "https://as.example.com/#f",
        "https://u:p@as.example.com",
    ] {
        let out = run(&["check", issuer]).await;
        assert_eq!(out.code, 2, "{issuer}: {}", out.stderr);
        assert!(out.stderr.contains("error:"), "{}", out.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i09_invalid_metadata_documents_fail() {
    let documents = [
        ("application/json", "[1, 2]".to_owned()),
        ("application/json", "not json".to_owned()),
        ("application/json", r#"{"issuer": 42}"#.to_owned()),
        (
            "application/json",
            r#"{"issuer": "http://127.0.0.1:1", "issuer": "http://127.0.0.1:2"}"#.to_owned(),
        ),
    ];
    for (content_type, body) in documents {
        let served = body.clone();
        let issuer = serve(Router::new().route(
            "/.well-known/oauth-authorization-server",
            get(move || async move { ([(http::header::CONTENT_TYPE, content_type)], served) }),
        ))
        .await;
        let out = run(&["check", &issuer, "--type", "oauth"]).await;
        assert_eq!(out.code, 1, "{body}: {}", out.stdout);
        let line = out.requirement("FAIL", "metadata").expect("metadata line");
        assert!(line.contains("not valid"), "{body}: {line}");
        assert!(out.stdout.contains("invalid "), "{body}: {}", out.stdout);
    }
}
