//! The `McpAuth` facade end to end: metadata endpoints, Bearer layer and `JwtVerifier` against a
//! real local issuer, all over real sockets.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::post;
use mcp_auth::clock::{Clock, SystemClock};
use mcp_auth::{AuthInfo, AuthServer, AuthServerType, ConfigError, McpAuth, ProtectedResource};
use serde_json::{Value, json};

use crate::support::{Issuer, RESOURCE, TestKey, token, valid_claims, with};

const PRM_URL: &str = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn whoami(info: AuthInfo) -> axum::Json<Value> {
    axum::Json(json!({
        "sub": info.subject,
        "resource": info.resource,
        "scopes": info.scopes,
    }))
}

fn protected_app(auth: &McpAuth, scope: &str) -> Router {
    let layer = auth
        .bearer_auth(auth.jwt_verifier().expect("verifier"))
        .expect("layer")
        .require_scopes([scope])
        .expect("scopes");
    Router::new()
        .route("/mcp", post(whoami))
        .layer(layer)
        .merge(auth.metadata_router())
}

fn now() -> i64 {
    SystemClock::default().now()
}

fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn j01_j02_discovery_chain_from_challenge_to_tool() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    let auth = McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .expect("resource")
            .with_authorization_server(issuer.auth_server())
            .with_scopes_supported(["todo:read"])
            .expect("scopes"),
    )
    .expect("auth");
    let base = serve(protected_app(&auth, "todo:read")).await;
    let http = reqwest::Client::new();

    // 1. No token: 401 with the resource_metadata link and the scope, no error code.
    let r = http.post(format!("{base}/mcp")).send().await.expect("send");
    assert_eq!(r.status(), 401);
    assert_eq!(
        challenge(&r),
        format!(r#"Bearer scope="todo:read", resource_metadata="{PRM_URL}""#)
    );

    // 2. The link's path serves the document; `resource` is the configured identifier.
    let path = PRM_URL.trim_start_matches("https://mcp.example.test");
    let r = http
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let prm: Value = r.json().await.expect("json");
    assert_eq!(prm["resource"], RESOURCE);
    assert_eq!(prm["authorization_servers"], json!([issuer.url]));
    assert_eq!(prm["scopes_supported"], json!(["todo:read"]));
    assert_eq!(prm["bearer_methods_supported"], json!(["header"]));

    // With a single resource the root form is unambiguous and served too.
    let root: Value = http
        .get(format!("{base}/.well-known/oauth-protected-resource"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(root, prm);

    // 3. A valid token reaches the handler with its identity.
    let good = token(&key, &valid_claims(&issuer.url, now()));
    let r = http
        .post(format!("{base}/mcp"))
        .bearer_auth(&good)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["sub"], "user-123");
    assert_eq!(body["resource"], RESOURCE);

    // 4. The same issuer's token for another resource: 401 invalid_token.
    let other = with(
        valid_claims(&issuer.url, now()),
        "aud",
        json!("https://other.example.test/mcp"),
    );
    let r = http
        .post(format!("{base}/mcp"))
        .bearer_auth(token(&key, &other))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    assert!(challenge(&r).starts_with(r#"Bearer error="invalid_token""#));

    // 5. Valid but without the scope: 403 insufficient_scope naming it.
    let low = with(
        valid_claims(&issuer.url, now()),
        "scope",
        json!("todo:write"),
    );
    let r = http
        .post(format!("{base}/mcp"))
        .bearer_auth(token(&key, &low))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let c = challenge(&r);
    assert!(c.contains(r#"error="insufficient_scope""#), "{c}");
    assert!(c.contains(r#"scope="todo:read""#), "{c}");
    assert!(
        c.contains(&format!(r#"resource_metadata="{PRM_URL}""#)),
        "{c}"
    );

    // Metadata and JWKS were fetched once for all of the above.
    assert_eq!(issuer.metadata_hits(), 1);
    assert_eq!(issuer.jwks_hits(), 1);
}

#[tokio::test]
async fn j03_metadata_methods_head_options_and_405() {
    let key = TestKey::p256("k1");
    let issuer = Issuer::start(&[&key]).await;
    let auth = McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .expect("resource")
            .with_authorization_server(issuer.auth_server()),
    )
    .expect("auth");
    let base = serve(auth.metadata_router()).await;
    let url = format!("{base}/.well-known/oauth-protected-resource/mcp");
    let http = reqwest::Client::new();

    let get = http.get(&url).send().await.expect("send");
    let len = get.headers()["content-length"].clone();
    assert_eq!(get.status(), 200);

    let head = http.head(&url).send().await.expect("send");
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert_eq!(head.headers()["content-length"], len);
    assert!(head.bytes().await.expect("body").is_empty());

    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://localhost:6274")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("send");
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .expect("ascii");
    assert!(methods.contains("GET"), "{methods}");

    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = http.request(method, &url).send().await.expect("send");
        assert_eq!(r.status(), 405);
        assert!(
            r.headers()["allow"]
                .to_str()
                .expect("ascii")
                .contains("GET")
        );
    }

    // The document never reflects Host or X-Forwarded-* headers.
    let spoofed: Value = http
        .get(&url)
        .header("x-forwarded-host", "evil.test")
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(spoofed["resource"], RESOURCE);
}

#[tokio::test]
async fn lazy_issuer_down_answers_503_with_retry_after() {
    // A port with nothing listening: the server still starts; requests get 503, not 401.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let auth = McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .expect("resource")
            .with_authorization_server(
                AuthServer::lazy(&format!("http://{closed}"), Some(AuthServerType::OAuth))
                    .expect("lazy"),
            ),
    )
    .expect("auth");
    let key = TestKey::rsa("k1", 0);
    let base = serve(protected_app(&auth, "todo:read")).await;
    let claims = valid_claims(&format!("http://{closed}"), now());
    let r = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .bearer_auth(token(&key, &claims))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 503);
    assert!(r.headers().get("retry-after").is_some());
    assert!(r.headers().get("www-authenticate").is_none());
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "temporarily_unavailable");
}

#[tokio::test]
async fn multi_resource_token_for_one_is_refused_at_the_other() {
    let key_a = TestKey::rsa("a", 0);
    let key_b = TestKey::p256("b");
    let issuer_a = Issuer::start(&[&key_a]).await;
    let issuer_b = Issuer::start(&[&key_b]).await;
    let res_b = "https://mcp.example.test/other";
    let auth = McpAuth::builder()
        .protected_resource(
            ProtectedResource::new(RESOURCE)
                .expect("resource")
                .with_authorization_server(issuer_a.auth_server()),
        )
        .protected_resource(
            ProtectedResource::new(res_b)
                .expect("resource")
                .with_authorization_server(issuer_b.auth_server()),
        )
        .build()
        .expect("auth");
    assert!(matches!(auth.jwt_verifier(), Err(ConfigError::Mode(_))));

    let layer_a = auth
        .bearer_auth_for(RESOURCE, auth.jwt_verifier_for(RESOURCE).expect("v"))
        .expect("layer");
    let layer_b = auth
        .bearer_auth_for(res_b, auth.jwt_verifier_for(res_b).expect("v"))
        .expect("layer");
    let app = Router::new()
        .route("/mcp", post(whoami).layer(layer_a))
        .route("/other", post(whoami).layer(layer_b))
        .merge(auth.metadata_router());
    let base = serve(app).await;
    let http = reqwest::Client::new();

    let token_b = token(
        &key_b,
        &with(valid_claims(&issuer_b.url, now()), "aud", json!(res_b)),
    );
    let at_b = http
        .post(format!("{base}/other"))
        .bearer_auth(&token_b)
        .send()
        .await
        .expect("send");
    assert_eq!(at_b.status(), 200);
    let at_a = http
        .post(format!("{base}/mcp"))
        .bearer_auth(&token_b)
        .send()
        .await
        .expect("send");
    assert_eq!(at_a.status(), 401);
    // Resource A trusts only issuer A: issuer B's metadata was fetched for B only.
    assert_eq!(issuer_b.metadata_hits(), 1);

    // Both documents are served; the root form is ambiguous with two resources, so it is not.
    for (path, resource) in [("/mcp", RESOURCE), ("/other", res_b)] {
        let doc: Value = http
            .get(format!("{base}/.well-known/oauth-protected-resource{path}"))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(doc["resource"], resource);
    }
    let root = http
        .get(format!("{base}/.well-known/oauth-protected-resource"))
        .send()
        .await
        .expect("send");
    assert_eq!(root.status(), 404);
}

#[tokio::test]
async fn verifiers_of_one_mcp_auth_share_the_jwks_cache() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    let auth = McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .expect("resource")
            .with_authorization_server(issuer.auth_server()),
    )
    .expect("auth");
    let good = mcp_auth::BearerToken::new(token(&key, &valid_claims(&issuer.url, now())));
    for _ in 0..3 {
        let verifier = auth.jwt_verifier().expect("verifier");
        let info = mcp_auth::TokenVerifier::verify(&verifier, &good)
            .await
            .expect("valid");
        assert_eq!(info.subject, "user-123");
    }
    assert_eq!(issuer.jwks_hits(), 1);
}

#[tokio::test]
async fn legacy_authorization_server_mode_serves_as_metadata() {
    let key = TestKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let auth = McpAuth::authorization_server(issuer.auth_server());
    assert!(auth.resources().is_empty());
    assert!(matches!(auth.jwt_verifier(), Err(ConfigError::Mode(_))));
    let layer = auth
        .legacy_bearer_auth(auth.legacy_jwt_verifier(RESOURCE).expect("verifier"))
        .expect("layer");
    let app = Router::new()
        .route("/mcp", post(whoami))
        .layer(layer)
        .merge(auth.metadata_router());
    let base = serve(app).await;
    let http = reqwest::Client::new();

    let r = http
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let doc: Value = r.json().await.expect("json");
    assert_eq!(doc["issuer"], issuer.url);
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));

    // No protected-resource metadata in legacy mode.
    let prm = http
        .get(format!("{base}/.well-known/oauth-protected-resource"))
        .send()
        .await
        .expect("send");
    assert_eq!(prm.status(), 404);

    let r = http.post(format!("{base}/mcp")).send().await.expect("send");
    assert_eq!(r.status(), 401);
    assert_eq!(challenge(&r), "Bearer");
    let r = http
        .post(format!("{base}/mcp"))
        .bearer_auth(token(&key, &valid_claims(&issuer.url, now())))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
}

#[test]
fn build_time_checks() {
    let lazy = |issuer: &str| AuthServer::lazy(issuer, None).expect("lazy");
    let resource = || ProtectedResource::new(RESOURCE).expect("resource");

    // Both modes, or neither: refused.
    let both = McpAuth::builder()
        .protected_resource(resource().with_authorization_server(lazy("https://as.test")))
        .authorization_server(lazy("https://as.test"))
        .build();
    assert!(matches!(both, Err(ConfigError::Mode(_))));
    assert!(matches!(
        McpAuth::builder().build(),
        Err(ConfigError::Mode(_))
    ));

    // A resource must trust at least one authorization server.
    assert!(matches!(
        McpAuth::new(resource()),
        Err(ConfigError::Mode(_))
    ));

    // The same issuer twice for one resource.
    let dup = McpAuth::new(
        resource()
            .with_authorization_server(lazy("https://as.test"))
            .with_authorization_server(lazy("https://as.test")),
    );
    assert!(matches!(dup, Err(ConfigError::DuplicateIssuer(i)) if i == "https://as.test"));

    // The same issuer under two resources is fine; the same resource twice is not.
    let two = McpAuth::builder()
        .protected_resource(resource().with_authorization_server(lazy("https://as.test")))
        .protected_resource(
            ProtectedResource::new("https://mcp.example.test/b")
                .expect("resource")
                .with_authorization_server(lazy("https://as.test")),
        )
        .build();
    assert!(two.is_ok());
    let same = McpAuth::builder()
        .protected_resource(resource().with_authorization_server(lazy("https://as.test")))
        .protected_resource(resource().with_authorization_server(lazy("https://as2.test")))
        .build();
    assert!(matches!(same, Err(ConfigError::DuplicateResource(_))));

    // Unknown resource names are reported.
    let auth = two.expect("checked above");
    assert!(matches!(
        auth.jwt_verifier_for("https://nope.test/mcp"),
        Err(ConfigError::UnknownResource(_))
    ));
}
