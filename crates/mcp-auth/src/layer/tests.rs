//! Layer tests over `service_fn` with `oneshot` (no sockets). Negative cases assert the battery
//! invariants: I1 handler untouched, I5 strict challenge grammar, I6 no leakage, I7
//! status/code consistency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tower::{Layer, ServiceExt, service_fn};

use super::*;
use crate::challenge::grammar::check_bearer_challenge;
use crate::credentials::CredentialError;
use crate::scope::HierarchicalScopeMatcher;
use crate::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};

mod bodies;
mod credentials;
mod logs;
mod matrix;
mod scopes;

const RM: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";
const RESOURCE: &str = "https://api.example.com/mcp";
const ISSUER: &str = "https://as.example.com";
const INTERNAL: &str = "10.0.0.5";

/// The verifier's table: real logic, no mock framework.
fn table(token: BearerToken) -> Result<AuthInfo, VerifyError> {
    let info = |scopes: &[&str]| {
        AuthInfo::new(token.clone(), ISSUER, "alice")
            .with_client_id("client-1")
            .with_audience([RESOURCE])
            .with_scopes(scopes.iter().copied())
    };
    match token.secret() {
        "tok-read" => Ok(info(&["todo:read"])),
        "tok-read-write" => Ok(info(&["todo:read", "todo:write"])),
        "tok-todo" => Ok(info(&["todo"])),
        "tok-no-scope" => Ok(info(&[])),
        "tok-empty-scopes" => {
            let mut info = info(&[]);
            info.scopes = vec![String::new(), String::new()];
            Ok(info)
        }
        "tok-own-resource" => {
            Ok(info(&["todo:read"]).with_resource("https://other.example.com/mcp"))
        }
        "tok-expired" => Err(VerifyError::new(VerifyErrorKind::Expired)
            .with_detail("exp 1700000000 is before now 1800000000")),
        "tok-bad-sig" => Err(VerifyErrorKind::InvalidSignature.into()),
        "tok-wrong-iss" => Err(VerifyError::new(VerifyErrorKind::InvalidIssuer)
            .with_detail("iss https://evil.example is not trusted")),
        "tok-wrong-aud" => Err(VerifyErrorKind::InvalidAudience.into()),
        "tok-down" => Err(VerifyError::unavailable(format!(
            "GET http://{INTERNAL}:8080/jwks failed: connection refused"
        ))),
        _ => Err(VerifyErrorKind::Malformed.into()),
    }
}

#[derive(Clone, Default)]
struct Counters {
    handler: Arc<AtomicUsize>,
    verifier: Arc<AtomicUsize>,
}

impl Counters {
    fn verifier(&self) -> impl TokenVerifier {
        let calls = Arc::clone(&self.verifier);
        move |token: BearerToken| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { table(token) }
        }
    }

    fn layer(&self) -> BearerAuthLayer {
        BearerAuthLayer::new(self.verifier())
            .with_resource_metadata(RM)
            .unwrap()
            .with_resource(RESOURCE)
    }

    fn handler_calls(&self) -> usize {
        self.handler.load(Ordering::SeqCst)
    }

    fn verifier_calls(&self) -> usize {
        self.verifier.load(Ordering::SeqCst)
    }
}

struct Outcome {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    rejection: Option<AuthRejection>,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn challenge(&self) -> crate::challenge::grammar::Challenge {
        let values: Vec<_> = self.headers.get_all(WWW_AUTHENTICATE).iter().collect();
        assert_eq!(values.len(), 1, "exactly one challenge header");
        check_bearer_challenge(values[0].as_bytes(), Some(RM))
            .unwrap_or_else(|e| panic!("I5 violated: {e}: {:?}", values[0]))
    }
}

fn request(authorization: &[&[u8]], uri: &str) -> Request<Full<Bytes>> {
    let mut request = Request::builder().uri(uri).body(Full::default()).unwrap();
    for value in authorization {
        request
            .headers_mut()
            .append(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
    }
    request
}

fn bearer(token: &str) -> Request<Full<Bytes>> {
    request(&[format!("Bearer {token}").as_bytes()], "/mcp")
}

/// Sends `request` through `layer` around an echo handler that counts its calls.
async fn run(
    layer: &BearerAuthLayer,
    counters: &Counters,
    request: Request<Full<Bytes>>,
) -> Outcome {
    let calls = Arc::clone(&counters.handler);
    let service = layer.layer(service_fn(move |request: Request<Full<Bytes>>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async move {
            let info = request
                .extensions()
                .get::<AuthInfo>()
                .expect("the layer inserts AuthInfo");
            let body = serde_json::json!({
                "sub": info.subject,
                "resource": info.resource,
                "scopes": info.scopes,
            });
            Ok::<_, Infallible>(Response::new(Full::from(body.to_string())))
        }
    }));
    let response = service.oneshot(request).await.unwrap();
    let rejection = response.extensions().get::<AuthRejection>().cloned();
    let (parts, body) = response.into_parts();
    Outcome {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
        rejection,
    }
}

/// Asserts a rejection and the invariants I1, I5, I6, I7; returns the parsed body.
fn rejected(
    outcome: &Outcome,
    counters: &Counters,
    status: u16,
    error: Option<&str>,
    scope: Option<&str>,
    secrets: &[&str],
) -> Value {
    assert_eq!(outcome.status.as_u16(), status);
    // I1: handler untouched.
    assert_eq!(counters.handler_calls(), 0, "handler called on a rejection");
    assert_eq!(outcome.headers[CONTENT_TYPE], "application/json");
    assert_eq!(outcome.headers[CACHE_CONTROL], "no-store");
    let body = outcome.json();
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description
            .chars()
            .all(crate::challenge::is_description_char)
    );
    if status == 503 {
        assert!(outcome.headers.get(WWW_AUTHENTICATE).is_none());
        assert!(outcome.headers.get(RETRY_AFTER).is_some());
        assert_eq!(body["error"], "temporarily_unavailable");
    } else {
        // I5: one strictly well-formed Bearer challenge with the configured metadata URL.
        let challenge = outcome.challenge();
        assert_eq!(challenge.get("error"), error);
        assert_eq!(challenge.get("scope"), scope);
        if let Some(d) = challenge.get("error_description") {
            assert_eq!(d, description);
        }
        assert_eq!(body["error"], error.unwrap_or("unauthorized"));
        // I7: status and code agree (RFC 6750 §3.1).
        let expected = match status {
            400 => Some("invalid_request"),
            401 => error.and(Some("invalid_token")),
            403 => Some("insufficient_scope"),
            other => panic!("unexpected status {other}"),
        };
        assert_eq!(error, expected);
    }
    // I6: nothing secret or internal in headers or body.
    let mut all = String::from_utf8_lossy(&outcome.body).into_owned();
    for (name, value) in &outcome.headers {
        all.push_str(name.as_str());
        all.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    for secret in secrets
        .iter()
        .chain([&INTERNAL, &"evil.example", &"1700000000"])
    {
        assert!(!all.contains(secret), "{secret:?} leaked: {all}");
    }
    let rejection = outcome
        .rejection
        .as_ref()
        .expect("AuthRejection in extensions");
    assert_eq!(rejection.status(), outcome.status);
    assert_eq!(rejection.error_code().map(ErrorCode::as_str), error);
    body
}

fn accepted(outcome: &Outcome, counters: &Counters) -> Value {
    assert_eq!(outcome.status, StatusCode::OK, "{:?}", outcome.body);
    assert_eq!(counters.handler_calls(), 1, "handler called exactly once");
    assert!(outcome.rejection.is_none());
    outcome.json()
}

#[tokio::test]
async fn g10_no_leakage_in_errors() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:read"]).unwrap();
    for (token, status, error) in [
        ("tok-down", 503, None),
        ("tok-wrong-iss", 401, Some("invalid_token")),
        ("tok-expired", 401, Some("invalid_token")),
    ] {
        let o = run(&layer, &c, bearer(token)).await;
        let scope = error.map(|_| "todo:read");
        let body = rejected(&o, &c, status, error, scope, &[token]);
        assert!(body.get("error_detail").is_none());
    }
    // With details on, the detail is in the JSON body only, never in headers.
    let layer = layer.show_error_details(true);
    let o = run(&layer, &c, bearer("tok-down")).await;
    let body = o.json();
    assert!(body["error_detail"].as_str().unwrap().contains(INTERNAL));
    assert!(
        o.headers
            .iter()
            .all(|(_, v)| !String::from_utf8_lossy(v.as_bytes()).contains(INTERNAL))
    );
}

#[tokio::test]
async fn g11_every_challenge_is_strictly_well_formed() {
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo:read", "files:read"])
        .unwrap();
    type Case = (Request<Full<Bytes>>, u16, Option<&'static str>);
    let cases: Vec<Case> = vec![
        (request(&[], "/mcp"), 401, None),
        (request(&[b"Basic dXNlcjpwYXNz"], "/mcp"), 401, None),
        (request(&[b"Bearer"], "/mcp"), 400, Some("invalid_request")),
        (
            request(&[b"Bearer a", b"Bearer b"], "/mcp"),
            400,
            Some("invalid_request"),
        ),
        (
            request(&[b"Bearer tok-read"], "/mcp?access_token=x"),
            400,
            Some("invalid_request"),
        ),
        (
            request(&[b"Bearer \xff"], "/mcp"),
            400,
            Some("invalid_request"),
        ),
        (bearer("a\"b"), 401, Some("invalid_token")),
        (bearer("tok-bad-sig"), 401, Some("invalid_token")),
        (bearer("tok-expired"), 401, Some("invalid_token")),
        (bearer("tok-wrong-aud"), 401, Some("invalid_token")),
        (bearer("tok-unknown"), 401, Some("invalid_token")),
        (bearer("tok-read"), 403, Some("insufficient_scope")),
    ];
    for (request, status, error) in cases {
        let o = run(&layer, &c, request).await;
        let scope = (status != 400).then_some("todo:read files:read");
        rejected(&o, &c, status, error, scope, &[]);
        // Parameter order is pinned: error, error_description, scope, resource_metadata.
        let names = o.challenge().names().join(",");
        let expected = match (error, status) {
            (None, _) => "scope,resource_metadata",
            (Some(_), 400) => "error,error_description,resource_metadata",
            _ => "error,error_description,scope,resource_metadata",
        };
        assert_eq!(names, expected);
    }
}

#[tokio::test]
async fn g12_authentication_before_authorization() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:write"]).unwrap();
    let o = run(&layer, &c, bearer("tok-expired")).await;
    rejected(&o, &c, 401, Some("invalid_token"), Some("todo:write"), &[]);
    assert_eq!(
        o.challenge().get("error_description"),
        Some(VerifyErrorKind::Expired.description())
    );
}

#[tokio::test]
async fn unavailable_verifier_is_503_with_retry_after() {
    let c = Counters::default();
    let layer = c.layer().with_retry_after(Duration::from_millis(1500));
    let o = run(&layer, &c, bearer("tok-down")).await;
    let body = rejected(&o, &c, 503, None, None, &[]);
    assert_eq!(o.headers[RETRY_AFTER], "2");
    assert_eq!(
        body["error_description"],
        VerifyErrorKind::Unavailable.description()
    );
    assert_eq!(o.rejection.unwrap().kind(), AuthRejectionKind::Unavailable);
    let o = run(&c.layer(), &c, bearer("tok-down")).await;
    assert_eq!(o.headers[RETRY_AFTER], "5");
}

/// A request body that records whether it was polled and never ends (100 MiB advertised).
struct TrapBody(Arc<AtomicBool>);

impl Body for TrapBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.store(true, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&[b'x'; 1024])))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(100 * 1024 * 1024)
    }
}

#[tokio::test]
async fn l07_large_unauthenticated_body_is_never_read() {
    let c = Counters::default();
    let calls = Arc::clone(&c.handler);
    let service = c.layer().layer(service_fn(move |_: Request<TrapBody>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(Full::<Bytes>::default())) }
    }));
    let polled = Arc::new(AtomicBool::new(false));
    let request = Request::post("/mcp")
        .body(TrapBody(Arc::clone(&polled)))
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!polled.load(Ordering::SeqCst), "the body was read");
    assert_eq!(c.handler_calls(), 0);
}

#[tokio::test]
async fn success_inserts_auth_info_and_resource() {
    let c = Counters::default();
    let o = run(&c.layer(), &c, bearer("tok-read")).await;
    let body = accepted(&o, &c);
    assert_eq!(body["resource"], RESOURCE);
    assert_eq!(body["scopes"], serde_json::json!(["todo:read"]));
    // A resource set by the verifier is kept.
    let c = Counters::default();
    let o = run(&c.layer(), &c, bearer("tok-own-resource")).await;
    assert_eq!(
        accepted(&o, &c)["resource"],
        "https://other.example.com/mcp"
    );
}

#[tokio::test]
async fn without_resource_metadata_the_challenge_is_bare() {
    let c = Counters::default();
    let layer = BearerAuthLayer::new(c.verifier());
    let service = layer.layer(service_fn(|_: Request<Full<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Full::<Bytes>::default()))
    }));
    let response = service.oneshot(request(&[], "/")).await.unwrap();
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
}

#[test]
fn config_is_validated_at_build_time() {
    let c = Counters::default();
    for bad in [
        "",
        "/relative",
        "https://api.example.com/prm#frag",
        "https://user:pw@api.example.com/prm",
        "https://user@api.example.com/prm",
        "http://api.example.com/prm",
        "ftp://api.example.com/prm",
        "https://api.example.com/a b",
        "https://api.example.com/a\"b",
        "mailto:a@example.com",
    ] {
        let err = c.layer().with_resource_metadata(bad).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidUrl { .. }), "{bad:?}");
    }
    for good in [
        "http://localhost:8080/.well-known/oauth-protected-resource",
        "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp",
        "http://[::1]/.well-known/oauth-protected-resource",
        "https://API.example.com:8443/.well-known/oauth-protected-resource?x=1",
    ] {
        let layer = c.layer().with_resource_metadata(good).unwrap();
        assert_eq!(layer.resource_metadata(), Some(good), "kept verbatim");
    }
    assert!(c.layer().with_max_credential_len(0).is_err());
    assert!(
        c.layer()
            .with_max_credential_len(MAX_CREDENTIAL_LEN_LIMIT + 1)
            .is_err()
    );
    let layer = c.layer().require_scopes(["a", "b", "a"]).unwrap();
    assert_eq!(layer.required_scopes().to_scope_string(), "a b");
    assert_eq!(layer.resource(), Some(RESOURCE));
    // Debug never prints the verifier and works without `S: Debug` bounds on the layer.
    assert!(format!("{layer:?}").contains("BearerAuthLayer"));
}

#[tokio::test]
async fn inner_errors_propagate_and_accessors_work() {
    let c = Counters::default();
    let service = c.layer().layer(service_fn(|_: Request<Full<Bytes>>| async {
        Err::<Response<Full<Bytes>>, _>("inner failed")
    }));
    // `get_ref` is the bare inner service: no authentication there.
    let inner = *service.get_ref();
    assert_eq!(
        inner.oneshot(request(&[], "/")).await.unwrap_err(),
        "inner failed"
    );
    let mut service = service;
    let _: &mut _ = service.get_mut();
    let err = service
        .clone()
        .oneshot(bearer("tok-read"))
        .await
        .unwrap_err();
    assert_eq!(err, "inner failed");
    // A rejection is a response, not an error, even when the inner service would fail.
    let response = service.clone().oneshot(request(&[], "/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let _inner = service.into_inner();
}
