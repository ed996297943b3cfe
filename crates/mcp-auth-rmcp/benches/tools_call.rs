//! Throughput of a protected `tools/call` against the same rmcp server without auth
//! (ARCHITECTURE "Performance shape": protected ≥ 0.9 × unprotected, warm auth ≈ 1 µs).
//!
//! One rmcp server with one tool, `whoami` (reads [`MaybeAuth`]), behind rmcp's
//! `StreamableHttpService` in stateless JSON mode (`legacy_session_mode: false`,
//! `json_response: true`), so that one `POST /mcp` carrying `tools/call` is a complete exchange:
//! no `initialize`, no session, a JSON answer. Variants, side by side:
//!
//! * `unprotected`: no Bearer layer;
//! * `protected/jwt-es256`: [`McpAuth`] + [`ProtectedResource`] + a [`JwtVerifier`] with a
//!   pinned JWKS, token signed ES256 (jsonwebtoken) with an aws-lc-rs key, as configured by
//!   default (its result cache remembers the verified token);
//! * `protected/jwt-es256-uncached`: the same verifier `without_cache()`: the signature and
//!   claims are checked on every request;
//! * `protected/jwt-es256+CachedVerifier`: the uncached verifier behind [`CachedVerifier`];
//! * `protected/jwt-es256+policy`: the default verifier plus this crate's [`ScopePolicyLayer`]
//!   (`whoami` requires a scope: the JSON-RPC body is buffered and read before rmcp);
//! * `protected/closure-minimal`: the Bearer layer with a closure verifier answering an identity
//!   without claims (the floor of the layer and the extractor);
//! * `protected/closure-claims`: the same, answering the identity a JWT verification gives
//!   (16 claims), without verifying anything (the cost of carrying the claims);
//! * `protected/jwt-rs256`, `protected/jwt-rs256-uncached`: RSA-2048 keys.
//!
//! Groups: `tools_call/auth_parts` times the pieces of warm authentication alone (credential
//! extraction, SHA-256 (the cache key) of the token, a verification, a cache hit, an `AuthInfo` clone);
//! `tools_call/in_process` drives an axum `Router` with `tower::ServiceExt::oneshot` on a
//! current-thread runtime (one core, no sockets); `tools_call/loopback` sends the same requests
//! over HTTP/1.1 keep-alive connections to `axum::serve` on 127.0.0.1 (server on its own
//! current-thread runtime and thread). After the criterion groups, interleaved A/B rounds print
//! the ratios with less drift than sequential groups on a shared machine.
//!
//! Run with `cargo bench -p mcp-auth-rmcp --bench tools_call`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use axum::Router;
use axum::body::Body;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use criterion::{BenchmarkGroup, Criterion, criterion_group, measurement::WallTime};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use mcp_auth::layer::BearerAuthLayer;
use mcp_auth::verify::CachedVerifier;
use mcp_auth::{
    AuthInfo, AuthServer, BearerToken, JwtVerifier, McpAuth, ProtectedResource, TokenVerifier,
};
use mcp_auth_rmcp::{MaybeAuth, ScopePolicy};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use tower::{ServiceBuilder, ServiceExt};

const ISSUER: &str = "https://auth.example.com/oidc";
const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The `Host` clients send; rmcp checks it against `allowed_hosts` (DNS-rebinding defence).
const HOST_NAME: &str = "mcp.example.com";
const SUBJECT: &str = "248289761001-user-7c1f5a2e";
const SCOPE: &str = "todo:read";
const TOOLS_CALL: &[u8] =
    br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}"#;

// ----------------------------------------------------------------------------------------
// The MCP server

#[derive(Clone)]
struct WhoAmI {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl WhoAmI {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Returns the caller's subject")]
    fn whoami(&self, MaybeAuth(info): MaybeAuth) -> String {
        info.map_or_else(|| "anonymous".to_owned(), |info| info.subject)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for WhoAmI {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// rmcp's Streamable HTTP service, stateless and answering in JSON.
fn mcp_service() -> StreamableHttpService<WhoAmI, LocalSessionManager> {
    StreamableHttpService::new(
        || Ok(WhoAmI::new()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_allowed_hosts([HOST_NAME]),
    )
}

// ----------------------------------------------------------------------------------------
// Keys and tokens

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 9068 style claims, about 650 bytes of JSON.
fn claims() -> Value {
    let now = mcp_auth::clock::Clock::now(&mcp_auth::clock::SystemClock::default());
    json!({
        "iss": ISSUER,
        "sub": SUBJECT,
        "aud": [RESOURCE, "https://mcp.example.com/admin"],
        "exp": now + 3600,
        "iat": now,
        "nbf": now,
        "jti": "b2f3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d",
        "client_id": "mcp-inspector-client-0a1b2c3d",
        "azp": "mcp-inspector-client-0a1b2c3d",
        "scope": "openid profile email todo:read todo:write todo:delete offline_access",
        "auth_time": now - 120,
        "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
        "acr": "urn:mace:incommon:iap:silver",
        "email": "jane.doe@example.com",
        "preferred_username": "jane.doe",
        "roles": ["admin", "editor", "viewer"],
    })
}

/// The issuer's keys: its JWKS and one token per algorithm.
struct Issuer {
    jwks: String,
    es256_token: String,
    rs256_token: String,
}

impl Issuer {
    fn new() -> Self {
        // ES256: an aws-lc-rs P-256 key, signed by jsonwebtoken from its PKCS#8 form.
        let ec = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = ec.public_key().as_ref();
        let ec_jwk = json!({"kty": "EC", "crv": "P-256", "kid": "ec-1", "alg": "ES256",
                            "use": "sig", "x": b64(&point[1..33]), "y": b64(&point[33..])});
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some("ec-1".to_owned());
        let pkcs8 = ec.to_pkcs8v1().unwrap();
        let es256_token = jsonwebtoken::encode(
            &header,
            &claims(),
            &jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()),
        )
        .unwrap();

        // RS256: jsonwebtoken wants a PKCS#1 private key, which aws-lc-rs does not export;
        // sign the JWS signing input with aws-lc-rs directly.
        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let components = PublicKeyComponents::<Vec<u8>>::from(rsa.public_key());
        let rsa_jwk = json!({"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig",
                             "n": b64(&components.n), "e": b64(&components.e)});
        let header = json!({"typ": "at+jwt", "alg": "RS256", "kid": "rsa-1"});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims().to_string().as_bytes())
        );
        let mut sig = vec![0; rsa.public_modulus_len()];
        rsa.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .unwrap();
        let rs256_token = format!("{input}.{}", b64(&sig));

        Self {
            jwks: json!({ "keys": [ec_jwk, rsa_jwk] }).to_string(),
            es256_token,
            rs256_token,
        }
    }

    /// A verifier with the issuer's keys pinned (no network).
    fn verifier(&self) -> JwtVerifier {
        JwtVerifier::new(RESOURCE)
            .unwrap()
            .with_static_jwks(ISSUER, self.jwks.as_bytes())
            .unwrap()
    }
}

// ----------------------------------------------------------------------------------------
// The applications

/// One variant: the application, the token its client sends, the text its answer must hold.
struct Variant {
    name: &'static str,
    app: Router,
    authorization: Option<HeaderValue>,
    expect: &'static str,
}

/// How a protected application is assembled.
enum Stack {
    BearerOnly,
    WithPolicy,
}

fn protected(verifier: impl TokenVerifier, stack: Stack) -> Router {
    let auth = McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .unwrap()
            .with_authorization_server(AuthServer::lazy(ISSUER, None).unwrap())
            .with_scopes_supported([SCOPE])
            .unwrap(),
    )
    .unwrap();
    let bearer: BearerAuthLayer = auth
        .bearer_auth(verifier)
        .unwrap()
        .require_scopes([SCOPE])
        .unwrap();
    let mcp = match stack {
        Stack::BearerOnly => Router::new().route_service("/mcp", mcp_service()),
        Stack::WithPolicy => {
            let policy = ScopePolicy::for_layer(&bearer)
                .with_tool("whoami", [SCOPE])
                .unwrap()
                .into_layer();
            Router::new().route_service(
                "/mcp",
                ServiceBuilder::new().layer(policy).service(mcp_service()),
            )
        }
    };
    // The metadata routes are merged after the layer: they stay public.
    mcp.layer(bearer).merge(auth.metadata_router())
}

fn cached<V: TokenVerifier>(verifier: V) -> CachedVerifier<V> {
    CachedVerifier::new(
        verifier,
        mcp_auth::verify::token_cache::DEFAULT_TTL,
        mcp_auth::verify::token_cache::DEFAULT_CAPACITY,
    )
    .unwrap()
}

fn variants(issuer: &Issuer) -> Vec<Variant> {
    let bearer = |token: &str| Some(HeaderValue::try_from(format!("Bearer {token}")).unwrap());
    let es256 = bearer(&issuer.es256_token);
    let rs256 = bearer(&issuer.rs256_token);
    let verified = current_thread()
        .block_on(
            issuer
                .verifier()
                .verify(&BearerToken::new(issuer.es256_token.as_str())),
        )
        .unwrap();
    let variant = |name, app, authorization: &Option<HeaderValue>| Variant {
        name,
        app,
        authorization: authorization.clone(),
        expect: SUBJECT,
    };
    vec![
        Variant {
            name: "unprotected",
            app: Router::new().route_service("/mcp", mcp_service()),
            authorization: None,
            expect: "anonymous",
        },
        variant(
            "protected/jwt-es256",
            protected(issuer.verifier(), Stack::BearerOnly),
            &es256,
        ),
        variant(
            "protected/jwt-es256-uncached",
            protected(issuer.verifier().without_cache(), Stack::BearerOnly),
            &es256,
        ),
        variant(
            "protected/jwt-es256+CachedVerifier",
            protected(cached(issuer.verifier().without_cache()), Stack::BearerOnly),
            &es256,
        ),
        variant(
            "protected/jwt-es256+policy",
            protected(issuer.verifier(), Stack::WithPolicy),
            &es256,
        ),
        // The floor of the Bearer layer: a closure verifier answering a minimal identity (no
        // claims), so the difference to `unprotected` is the layer and the extractor alone.
        variant(
            "protected/closure-minimal",
            protected(
                |token: BearerToken| async move {
                    Ok(AuthInfo::new(token, ISSUER, SUBJECT).with_scopes([SCOPE]))
                },
                Stack::BearerOnly,
            ),
            &es256,
        ),
        // The same, answering the identity a JWT verification gives (16 claims): the
        // difference to `closure-minimal` is the cost of carrying those claims (clones in the
        // verifier and the extractor, drops).
        variant(
            "protected/closure-claims",
            protected(
                move |token: BearerToken| {
                    let mut info = verified.clone();
                    info.token = token;
                    std::future::ready(Ok(info))
                },
                Stack::BearerOnly,
            ),
            &es256,
        ),
        variant(
            "protected/jwt-rs256",
            protected(issuer.verifier(), Stack::BearerOnly),
            &rs256,
        ),
        variant(
            "protected/jwt-rs256-uncached",
            protected(issuer.verifier().without_cache(), Stack::BearerOnly),
            &rs256,
        ),
    ]
}

/// A `tools/call` POST as an MCP client sends it (MCP 2025-06-18 Streamable HTTP).
fn tools_call<B: From<Bytes>>(authorization: Option<&HeaderValue>) -> Request<B> {
    let mut request = Request::post("/mcp")
        .header(HOST, HeaderValue::from_static(HOST_NAME))
        .header(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        )
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(
            "mcp-protocol-version",
            HeaderValue::from_static("2025-06-18"),
        );
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value.clone());
    }
    request
        .body(B::from(Bytes::from_static(TOOLS_CALL)))
        .unwrap()
}

/// Checks an answer outside the timed loops: 200, JSON, the tool's text.
fn check(name: &str, status: StatusCode, body: &[u8], expect: &str) {
    let text = String::from_utf8_lossy(body);
    assert_eq!(status, StatusCode::OK, "{name}: {text}");
    let answer: Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("{name}: {text}"));
    assert_eq!(
        answer["result"]["content"][0]["text"], expect,
        "{name}: {text}"
    );
}

// ----------------------------------------------------------------------------------------
// In process

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn in_process_once(variant: &Variant) -> (StatusCode, Bytes) {
    let response = variant
        .app
        .clone()
        .oneshot(tools_call::<Body>(variant.authorization.as_ref()))
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

/// Wall time of `n` sequential requests.
async fn in_process_batch(variant: &Variant, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        black_box(in_process_once(variant).await);
    }
    start.elapsed()
}

// ----------------------------------------------------------------------------------------
// Loopback HTTP

/// Serves every variant on 127.0.0.1 from one current-thread runtime on its own thread;
/// returns the addresses, in the order of `variants`.
fn serve_all(variants: &[Variant]) -> Vec<std::net::SocketAddr> {
    let mut listeners = Vec::new();
    let mut addrs = Vec::new();
    for variant in variants {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        addrs.push(listener.local_addr().unwrap());
        listeners.push((listener, variant.app.clone()));
    }
    std::thread::spawn(move || {
        current_thread().block_on(async move {
            for (listener, app) in listeners {
                // Served as users are told to serve: TCP_NODELAY on every connection.
                let listener = mcp_auth::listener::NoDelayListener::from(
                    tokio::net::TcpListener::from_std(listener).unwrap(),
                );
                tokio::spawn(async move { axum::serve(listener, app).await });
            }
            std::future::pending::<()>().await;
        });
    });
    addrs
}

/// A keep-alive HTTP/1.1 connection to `addr`.
async fn connect(addr: std::net::SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

async fn loopback_once(
    sender: &mut SendRequest<Full<Bytes>>,
    authorization: Option<&HeaderValue>,
) -> (StatusCode, Bytes) {
    sender.ready().await.unwrap();
    let response = sender
        .send_request(tools_call::<Full<Bytes>>(authorization))
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

async fn loopback_batch(
    sender: &mut SendRequest<Full<Bytes>>,
    authorization: Option<&HeaderValue>,
    n: u64,
) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        black_box(loopback_once(sender, authorization).await);
    }
    start.elapsed()
}

// ----------------------------------------------------------------------------------------
// Criterion

fn in_process(group: &mut BenchmarkGroup<'_, WallTime>, rt: &Runtime, variants: &[Variant]) {
    for variant in variants {
        let (status, body) = rt.block_on(in_process_once(variant));
        check(variant.name, status, &body, variant.expect);
        group.bench_function(variant.name, |b| {
            b.iter_custom(|n| rt.block_on(in_process_batch(variant, n)));
        });
    }
}

fn loopback(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &Runtime,
    variants: &[Variant],
    senders: &mut [SendRequest<Full<Bytes>>],
) {
    for (variant, sender) in variants.iter().zip(senders) {
        let (status, body) = rt.block_on(loopback_once(sender, variant.authorization.as_ref()));
        check(variant.name, status, &body, variant.expect);
        group.bench_function(variant.name, |b| {
            b.iter_custom(|n| {
                rt.block_on(loopback_batch(sender, variant.authorization.as_ref(), n))
            });
        });
    }
}

/// The pieces of warm authentication, alone: what a protected request pays on top of rmcp.
fn auth_parts(group: &mut BenchmarkGroup<'_, WallTime>, rt: &Runtime, issuer: &Issuer) {
    let header = HeaderValue::try_from(format!("Bearer {}", issuer.es256_token)).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(AUTHORIZATION, header);
    let uri = http::Uri::from_static("/mcp");
    let max = mcp_auth::layer::DEFAULT_MAX_CREDENTIAL_LEN;
    group.bench_function("extract_bearer", |b| {
        b.iter(|| mcp_auth::credentials::extract_bearer(black_box(&headers), &uri, max).unwrap());
    });
    let token = BearerToken::new(issuer.es256_token.as_str());
    group.bench_function("sha256(token) (the cache key)", |b| {
        b.iter(|| {
            aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                black_box(token.secret().as_bytes()),
            )
        });
    });
    for (name, verifier, token) in [
        (
            "jwt_verifier/es256(uncached)",
            issuer.verifier().without_cache(),
            &issuer.es256_token,
        ),
        (
            "jwt_verifier/rs256(uncached)",
            issuer.verifier().without_cache(),
            &issuer.rs256_token,
        ),
        (
            "jwt_verifier/es256(remembered)",
            issuer.verifier(),
            &issuer.es256_token,
        ),
    ] {
        let token = BearerToken::new(token.as_str());
        let info = rt.block_on(verifier.verify(&token)).unwrap();
        assert_eq!(info.subject, SUBJECT);
        group.bench_function(name, |b| {
            b.iter(|| rt.block_on(verifier.verify(black_box(&token))).unwrap());
        });
    }
    let info = rt.block_on(issuer.verifier().verify(&token)).unwrap();
    group.bench_function("auth_info_clone(jwt claims)", |b| {
        b.iter(|| black_box(&info).clone());
    });
    let verifier = cached(issuer.verifier().without_cache());
    rt.block_on(verifier.verify(&token)).unwrap();
    group.bench_function("cached_verifier_hit/es256", |b| {
        b.iter(|| rt.block_on(verifier.verify(black_box(&token))).unwrap());
    });
    group.bench_function("block_on(ready)", |b| {
        b.iter(|| rt.block_on(async { black_box(1) }));
    });
}

fn bench(c: &mut Criterion) {
    let rt = current_thread();
    let issuer = Issuer::new();
    let variants = variants(&issuer);

    let mut group = c.benchmark_group("tools_call/auth_parts");
    auth_parts(&mut group, &rt, &issuer);
    group.finish();

    let mut group = c.benchmark_group("tools_call/in_process");
    in_process(&mut group, &rt, &variants);
    group.finish();

    let addrs = serve_all(&variants);
    let mut senders: Vec<_> = addrs
        .iter()
        .map(|addr| rt.block_on(connect(*addr)))
        .collect();
    let mut group = c.benchmark_group("tools_call/loopback");
    loopback(&mut group, &rt, &variants, &mut senders);
    group.finish();

    // Only when measuring: `cargo bench` passes `--bench`; `cargo test --benches` (criterion's
    // test mode), `--list` and `--profile-time` skip it.
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if has("--bench") && !has("--profile-time") && !has("--list") && !has("--test") {
        interleaved(&rt, &variants, &mut senders);
    }
}

// ----------------------------------------------------------------------------------------
// Interleaved A/B

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Prints µs per request and throughput relative to `unprotected` (the first variant) from
/// alternating batches: each round times a batch of every variant back to back, the ratio is
/// taken per round, then the median over rounds (robust to load bursts from other processes).
fn report(title: &str, variants: &[Variant], samples: &[Vec<f64>]) {
    println!("\n{title}");
    println!("| variant | µs / request | throughput vs unprotected | auth cost µs |");
    println!("|---|---|---|---|");
    for (variant, own) in variants.iter().zip(samples) {
        let base = &samples[0];
        let ratio = median(base.iter().zip(own).map(|(b, v)| b / v).collect());
        let cost = median(own.iter().zip(base).map(|(v, b)| v - b).collect());
        println!(
            "| {} | {:.1} | {ratio:.3} | {cost:+.1} |",
            variant.name,
            median(own.clone())
        );
    }
}

fn interleaved(rt: &Runtime, variants: &[Variant], senders: &mut [SendRequest<Full<Bytes>>]) {
    const ROUNDS: usize = 41;
    const BATCH: u32 = 200;
    let per_request = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / f64::from(BATCH);

    let mut samples = vec![Vec::with_capacity(ROUNDS); variants.len()];
    for _ in 0..ROUNDS {
        for (variant, out) in variants.iter().zip(&mut samples) {
            out.push(per_request(
                rt.block_on(in_process_batch(variant, u64::from(BATCH))),
            ));
        }
    }
    report(
        &format!("in process, interleaved medians ({ROUNDS} rounds of {BATCH} requests):"),
        variants,
        &samples,
    );

    let mut samples = vec![Vec::with_capacity(ROUNDS); variants.len()];
    for _ in 0..ROUNDS {
        for ((variant, sender), out) in variants.iter().zip(&mut *senders).zip(&mut samples) {
            out.push(per_request(rt.block_on(loopback_batch(
                sender,
                variant.authorization.as_ref(),
                u64::from(BATCH),
            ))));
        }
    }
    report(
        &format!("loopback HTTP/1.1, interleaved medians ({ROUNDS} rounds of {BATCH} requests):"),
        variants,
        &samples,
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
