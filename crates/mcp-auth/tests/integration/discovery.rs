//! Discovery, the outbound HTTP policy and lazy authorization servers over real loopback
//! sockets (battery section I, H10, L01/L02 for metadata).

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;
use mcp_auth::clock::ManualClock;
use mcp_auth::discovery::{Discovery, DiscoveryErrorKind, fetch_by_well_known_url};
use mcp_auth::http_client::{FetchError, HttpClient, OutboundPolicy};
use mcp_auth::metadata::ValidationCode;
use mcp_auth::{AuthServer, AuthServerConfig, AuthServerType, ConfigError};
use serde_json::{Value, json};

mod mock_as;

use mock_as::{Canary, MockAs, Reply};

const OAUTH: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";

/// A compliant metadata document for `issuer` with its JWKS on the mock.
fn document(issuer: &str, mock: &MockAs) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": mock.url("/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "registration_endpoint": format!("{issuer}/register")
    })
}

fn short_deadline(ms: u64) -> HttpClient {
    HttpClient::with_policy(OutboundPolicy::default().with_deadline(Duration::from_millis(ms)))
}

#[tokio::test]
async fn discovers_in_mcp_order_and_records_server_type() {
    let mock = MockAs::start().await;
    let issuer = mock.url("");
    mock.route(OIDC, Reply::Json(document(&issuer, &mock).to_string()));
    let config = AuthServerConfig::discover(&issuer, None)
        .await
        .expect("discovered");
    assert_eq!(config.metadata.issuer, issuer);
    assert_eq!(config.server_type, Some(AuthServerType::Oidc));
    assert!(config.validate_for_mcp().is_valid());
    // a root issuer: RFC 8414 first, then the (single) OpenID URL
    assert_eq!(mock.paths(), [OAUTH, OIDC]);
}

#[tokio::test]
async fn i01_issuer_mismatch_refused_and_jwks_never_fetched() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/tenant1");
    let evil = document("https://evil.test", &mock);
    mock.route(&format!("{OAUTH}/tenant1"), Reply::Json(evil.to_string()));
    mock.route(&format!("/tenant1{OIDC}"), Reply::Json(evil.to_string()));

    let server = AuthServer::lazy(&issuer, None).expect("issuer");
    let err = server.metadata().await.expect_err("mismatch");
    assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch);
    assert!(err.to_string().contains("https://evil.test"), "{err}");
    assert!(server.metadata_now().is_none());
    assert_eq!(mock.count("/jwks"), 0);

    // R-CONFIG when discovered eagerly
    let eager: Result<AuthServerConfig, ConfigError> =
        AuthServerConfig::discover(&issuer, Some(AuthServerType::OAuth))
            .await
            .map_err(ConfigError::from);
    assert!(
        matches!(eager, Err(ConfigError::Discovery(e)) if e.kind() == DiscoveryErrorKind::IssuerMismatch)
    );
    assert_eq!(mock.count("/jwks"), 0);
}

#[tokio::test]
async fn i10_tenant_path_confusion_follows_order_and_is_refused() {
    let mock = MockAs::start().await;
    let tenant1 = mock.url("/tenant1");
    let tenant2 = mock.url("/tenant2");
    mock.route(
        &format!("{OAUTH}/tenant1"),
        Reply::Json(document(&tenant2, &mock).to_string()),
    );

    let err = AuthServerConfig::discover(&tenant1, None)
        .await
        .expect_err("tenant2 refused");
    assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch);
    let expected = [
        format!("{OAUTH}/tenant1"),
        format!("{OIDC}/tenant1"),
        format!("/tenant1{OIDC}"),
    ];
    assert_eq!(mock.paths(), expected);
    let attempted: Vec<&str> = err.attempts().iter().map(|a| a.url()).collect();
    assert_eq!(
        attempted,
        expected.iter().map(|p| mock.url(p)).collect::<Vec<_>>()
    );
    let kinds: Vec<_> = err.attempts().iter().map(|a| a.kind()).collect();
    assert_eq!(
        kinds,
        [
            DiscoveryErrorKind::IssuerMismatch,
            DiscoveryErrorKind::NoDocument,
            DiscoveryErrorKind::NoDocument
        ]
    );

    // once the right document is served at a later URL, it is used; tenant2's never is
    mock.route(
        &format!("/tenant1{OIDC}"),
        Reply::Json(document(&tenant1, &mock).to_string()),
    );
    let config = AuthServerConfig::discover(&tenant1, None)
        .await
        .expect("tenant1");
    assert_eq!(config.metadata.issuer, tenant1);
    assert_eq!(config.server_type, Some(AuthServerType::Oidc));
}

#[tokio::test]
async fn typed_discovery_uses_one_url() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/oidc");
    mock.route(
        &format!("/oidc{OIDC}"),
        Reply::Json(document(&issuer, &mock).to_string()),
    );
    let config = AuthServerConfig::discover(&issuer, Some(AuthServerType::Oidc))
        .await
        .expect("oidc");
    assert_eq!(config.server_type, Some(AuthServerType::Oidc));
    let err = AuthServerConfig::discover(&issuer, Some(AuthServerType::OAuth))
        .await
        .expect_err("404");
    assert_eq!(err.kind(), DiscoveryErrorKind::NoDocument);
    assert_eq!(
        mock.paths(),
        [format!("/oidc{OIDC}"), format!("{OAUTH}/oidc")]
    );
}

#[tokio::test]
async fn fetch_by_explicit_url() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/custom");
    mock.route(
        "/meta.json",
        Reply::Json(document(&issuer, &mock).to_string()),
    );
    let config = fetch_by_well_known_url(&mock.url("/meta.json"), Some(&issuer))
        .await
        .expect("fetched");
    assert_eq!(config.metadata.issuer, issuer);
    let config = fetch_by_well_known_url(&mock.url("/meta.json"), None)
        .await
        .expect("no expectation");
    assert_eq!(config.server_type, None);
    let err = fetch_by_well_known_url(&mock.url("/meta.json"), Some(&mock.url("/other")))
        .await
        .expect_err("mismatch");
    assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch);
}

#[tokio::test]
async fn i09_invalid_documents_over_the_wire() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let path = format!("{OAUTH}/t");
    let duplicate = format!(r#"{{"issuer":"https://evil.test","issuer":"{issuer}"}}"#);
    for body in [
        "<html>oops</html>".to_owned(),
        "[]".to_owned(),
        "{}".to_owned(),
        r#"{"issuer": 7}"#.to_owned(),
        duplicate,
    ] {
        mock.route(&path, Reply::Raw(StatusCode::OK, body.clone().into_bytes()));
        let err = AuthServerConfig::discover(&issuer, Some(AuthServerType::OAuth))
            .await
            .expect_err(&body);
        assert_eq!(
            err.kind(),
            DiscoveryErrorKind::InvalidMetadata,
            "{body}: {err}"
        );
        assert!(err.to_string().contains(&mock.url(&path)), "{err}");
    }
}

#[tokio::test]
async fn i08_oversized_and_endless_documents_are_capped() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let path = format!("{OAUTH}/t");
    for reply in [
        Reply::Huge(10 << 20),
        Reply::HugeChunked(10 << 20),
        Reply::Endless,
    ] {
        mock.route(&path, reply);
        let err = Discovery::new(&issuer)
            .expect("issuer")
            .with_type(AuthServerType::OAuth)
            .fetch()
            .await
            .expect_err("capped");
        assert_eq!(err.kind(), DiscoveryErrorKind::InvalidMetadata, "{err}");
        let fetch = err.attempts()[0].fetch_error().expect("fetch error");
        assert!(
            matches!(fetch, FetchError::TooLarge { limit: 65_536, .. }),
            "{fetch}"
        );
    }
    // the same caps apply to any fetch
    mock.route("/jwks", Reply::Endless);
    let err = HttpClient::new()
        .get(&mock.url("/jwks"), 1_000)
        .await
        .expect_err("capped");
    assert!(
        matches!(err, FetchError::TooLarge { limit: 1_000, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn i08_slow_documents_hit_the_deadline() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let path = format!("{OAUTH}/t");
    for reply in [Reply::Trickle, Reply::Stall] {
        mock.route(&path, reply);
        let started = Instant::now();
        let err = Discovery::new(&issuer)
            .expect("issuer")
            .with_http_client(short_deadline(500))
            .fetch()
            .await
            .expect_err("deadline");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(err.kind(), DiscoveryErrorKind::Unavailable, "{err}");
        // a transport failure stops the search: the other URLs are on the same host
        assert_eq!(err.attempts().len(), 1);
        let fetch = err.attempts()[0].fetch_error().expect("fetch error");
        assert!(matches!(fetch, FetchError::Timeout { .. }), "{fetch}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let mock = MockAs::start().await;
    let canary = MockAs::start().await;
    let issuer = mock.url("/t");
    mock.route(
        &format!("{OAUTH}/t"),
        Reply::Redirect(canary.url("/metadata")),
    );
    mock.route(
        &format!("{OIDC}/t"),
        Reply::Redirect("http://169.254.169.254/latest/meta-data".into()),
    );
    let err = AuthServerConfig::discover(&issuer, None)
        .await
        .expect_err("no redirects");
    assert!(matches!(
        err.attempts()[0].fetch_error(),
        Some(FetchError::Redirect {
            status: StatusCode::FOUND,
            ..
        })
    ));
    assert_eq!(err.attempts().len(), 3);
    assert!(canary.hits().is_empty());
}

#[tokio::test]
async fn i12_outbound_requests_carry_no_credentials_or_cookies() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    mock.route(
        &format!("{OAUTH}/t"),
        Reply::WithCookie(document(&issuer, &mock).to_string()),
    );
    let client = HttpClient::new();
    for _ in 0..2 {
        Discovery::new(&issuer)
            .expect("issuer")
            .with_http_client(client.clone())
            .fetch()
            .await
            .expect("discovered");
    }
    let hits = mock.hits();
    assert_eq!(hits.len(), 2);
    for hit in hits {
        assert!(hit.headers.get("authorization").is_none());
        assert!(hit.headers.get("cookie").is_none(), "cookie sent back");
        assert!(hit.headers.get("proxy-authorization").is_none());
        assert_eq!(hit.headers["accept"], "application/json");
        assert!(
            hit.headers["user-agent"]
                .to_str()
                .expect("ascii")
                .starts_with("mcp-auth-rust/")
        );
    }
}

#[tokio::test]
async fn get_fails_on_error_status_and_execute_returns_it() {
    let mock = MockAs::start().await;
    mock.route(
        "/introspect",
        Reply::Raw(
            StatusCode::UNAUTHORIZED,
            br#"{"error":"invalid_client"}"#.to_vec(),
        ),
    );
    let client = HttpClient::new();
    let err = client
        .get(&mock.url("/missing"), 1_024)
        .await
        .expect_err("404");
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: StatusCode::NOT_FOUND,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.url(), mock.url("/missing"));

    let request = http::Request::post(mock.url("/introspect"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "inbound=1")
        .body(b"token=abc".to_vec())
        .expect("request");
    let response = client.execute(request, 1_024).await.expect("answered");
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(&response.body[..], br#"{"error":"invalid_client"}"#);
    let hit = mock.hits().pop().expect("hit");
    assert!(hit.headers.get("cookie").is_none());
    assert_eq!(hit.headers["accept"], "application/json");
}

#[tokio::test]
async fn i05_refused_addresses_are_never_connected() {
    let canary = Canary::start("127.0.0.1:0").await;
    let port = canary.addr.port();
    let client = HttpClient::new();
    for url in [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://[::ffff:169.254.169.254]/".to_owned(),
        "https://0xa9fea9fe/".to_owned(),
        "https://[fd00:ec2::254]/".to_owned(),
        "https://[fe80::1]/".to_owned(),
        "https://10.0.0.1/".to_owned(),
        "https://192.168.0.1/".to_owned(),
        "http://as.example.com/".to_owned(),
        format!("http://user:pass@127.0.0.1:{port}/"),
        format!("ftp://127.0.0.1:{port}/"),
    ] {
        let err = client.get(&url, 1_024).await.expect_err(&url);
        assert!(matches!(err, FetchError::Refused { .. }), "{url}: {err}");
        assert!(!err.to_string().contains("pass@"), "{err}");
    }
    assert_eq!(canary.connections(), 0);
    // a loopback name and a loopback literal are allowed over http
    let mock = MockAs::start().await;
    mock.route("/ok", Reply::Json("{}".into()));
    let by_name = format!("http://localhost:{}/ok", mock.addr.port());
    assert_eq!(
        client.get(&by_name, 64).await.expect("localhost").status,
        StatusCode::OK
    );
    assert_eq!(
        client
            .get(&mock.url("/ok"), 64)
            .await
            .expect("127.0.0.1")
            .status,
        StatusCode::OK
    );
}

/// The machine's own name usually resolves to its private address (containers, VMs): the
/// resolver must drop it unless the host is allow-listed (the check is on resolved addresses,
/// so DNS cannot smuggle a private target past a name check).
#[tokio::test]
async fn i05_name_resolving_to_private_address_refused_unless_allow_listed() {
    let Ok(hostname) = std::fs::read_to_string("/proc/sys/kernel/hostname") else {
        return;
    };
    let hostname = hostname.trim().to_owned();
    let canary = Canary::start("0.0.0.0:0").await;
    let port = canary.addr.port();
    let Ok(addrs) = tokio::net::lookup_host((hostname.as_str(), port)).await else {
        return;
    };
    let addrs: Vec<_> = addrs.collect();
    let private = |ip: &std::net::IpAddr| match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
        std::net::IpAddr::V6(_) => false,
    };
    if addrs.is_empty() || !addrs.iter().all(|a| private(&a.ip())) {
        eprintln!("skipped: {hostname} resolves to {addrs:?}");
        return;
    }
    let url = format!("https://{hostname}:{port}/metadata");
    let err = HttpClient::new()
        .get(&url, 1_024)
        .await
        .expect_err("private");
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
    assert_eq!(canary.connections(), 0);

    let allowed = HttpClient::with_policy(
        OutboundPolicy::default()
            .with_allowed_private_host(&hostname)
            .with_deadline(Duration::from_secs(2)),
    );
    let err = allowed
        .get(&url, 1_024)
        .await
        .expect_err("plain TCP canary is not TLS");
    assert!(!matches!(err, FetchError::Refused { .. }), "{err}");
    assert!(canary.connections() >= 1);
}

#[tokio::test]
async fn h10_discovered_http_jwks_uri_refused() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let mut doc = document(&issuer, &mock);
    doc["jwks_uri"] = json!("http://as.test/jwks");
    mock.route(&format!("{OAUTH}/t"), Reply::Json(doc.to_string()));
    let server = AuthServer::lazy(&issuer, Some(AuthServerType::OAuth)).expect("issuer");
    let err = server.metadata().await.expect_err("http jwks_uri");
    assert_eq!(err.kind(), DiscoveryErrorKind::InsecureEndpoint);
    assert!(err.to_string().contains("jwks_uri"), "{err}");
    // and statically configured
    let config = AuthServerConfig::new(serde_json::from_value(doc).expect("metadata"));
    assert!(matches!(
        AuthServer::from_config(config),
        Err(ConfigError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn lazy_validation_and_transpile() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/entra/v2.0");
    let mut doc = document(&issuer, &mock);
    doc.as_object_mut()
        .expect("object")
        .remove("code_challenge_methods_supported");
    mock.route(&format!("/entra/v2.0{OIDC}"), Reply::Json(doc.to_string()));

    let plain = AuthServer::lazy(&issuer, Some(AuthServerType::Oidc)).expect("issuer");
    let err = plain.metadata().await.expect_err("no PKCE advertised");
    assert_eq!(err.kind(), DiscoveryErrorKind::NotCompliant);
    assert!(
        err.report()
            .expect("report")
            .has(ValidationCode::PkceNotSupported)
    );

    let patched = AuthServer::lazy(&issuer, Some(AuthServerType::Oidc))
        .expect("issuer")
        .with_transpile(|mut doc| {
            doc["code_challenge_methods_supported"] = json!(["S256"]);
            doc
        });
    let metadata = patched.metadata().await.expect("patched");
    assert_eq!(metadata.issuer, issuer);
}

#[tokio::test]
async fn lazy_server_starts_while_issuer_is_down_and_backs_off() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let path = format!("{OAUTH}/t");
    mock.route(&path, Reply::Json(document(&issuer, &mock).to_string()));
    mock.set_down(true);
    let clock = ManualClock::new(1_000_000);
    let server = AuthServer::lazy(&issuer, Some(AuthServerType::OAuth))
        .expect("starts without the issuer")
        .with_clock(Arc::new(clock.clone()));

    let err = server.metadata().await.expect_err("down");
    assert_eq!(err.kind(), DiscoveryErrorKind::Unavailable);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(mock.count(&path), 1);
    // inside the backoff window: answered from memory
    let err = server.metadata().await.expect_err("backoff");
    assert_eq!(err.kind(), DiscoveryErrorKind::Unavailable);
    assert_eq!(mock.count(&path), 1);

    clock.advance(1);
    server.metadata().await.expect_err("still down");
    assert_eq!(mock.count(&path), 2);
    // the window doubled to 2 s
    clock.advance(1);
    let err = server.metadata().await.expect_err("backoff");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(mock.count(&path), 2);

    mock.set_down(false);
    clock.advance(1);
    let metadata = server.metadata().await.expect("recovered");
    assert_eq!(metadata.issuer, issuer);
    assert_eq!(mock.count(&path), 3);
    assert!(server.clone().metadata_now().is_some());
    server.metadata().await.expect("cached");
    assert_eq!(mock.count(&path), 3);
}

#[tokio::test]
async fn lazy_server_with_closed_port() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let server = AuthServer::lazy(&format!("http://127.0.0.1:{port}"), None).expect("issuer");
    let err = server.metadata().await.expect_err("refused");
    assert_eq!(err.kind(), DiscoveryErrorKind::Unavailable);
    assert_eq!(err.attempts().len(), 1, "stops after a connection failure");
    assert!(matches!(
        err.attempts()[0].fetch_error(),
        Some(FetchError::Network { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l01_concurrent_first_use_shares_one_fetch() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    let path = format!("{OAUTH}/t");
    let doc = document(&issuer, &mock).to_string();
    mock.route(&path, Reply::Delayed(Duration::from_millis(200), doc));
    let server = AuthServer::lazy(&issuer, Some(AuthServerType::OAuth)).expect("issuer");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move { server.metadata().await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task").expect("metadata"));
    }
    assert_eq!(mock.count(&path), 1);
    assert!(results.iter().all(|m| Arc::ptr_eq(m, &results[0])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l02_concurrent_first_use_against_a_failing_issuer_fetches_once() {
    let mock = MockAs::start().await;
    let issuer = mock.url("/t");
    mock.set_down(true);
    let server = AuthServer::lazy(&issuer, Some(AuthServerType::OAuth))
        .expect("issuer")
        .with_clock(Arc::new(ManualClock::new(0)));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move { server.metadata().await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.expect("task").is_err());
    }
    assert_eq!(mock.hits().len(), 1);
}
