#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use mcp_auth::{AuthInfo, BearerToken};
use tower::{ServiceExt, service_fn};
use tower_layer::Layer;

use super::*;

fn principal(subject: &str) -> Option<Principal> {
    Some(Principal::of(&AuthInfo::new(
        BearerToken::new("t"),
        "https://as",
        subject,
    )))
}

#[test]
fn bindings_compare_issuer_and_subject() {
    let bindings = Bindings::new(10, DEFAULT_IDLE_TIMEOUT);
    bindings.bind("s1", principal("alice"));
    assert_eq!(
        bindings.check("s1", principal("alice").as_ref()),
        Verdict::Allow
    );
    assert_eq!(
        bindings.check("s1", principal("bob").as_ref()),
        Verdict::Refuse
    );
    assert_eq!(bindings.check("s1", None), Verdict::Refuse);
    let other_issuer = Principal::of(&AuthInfo::new(
        BearerToken::new("t"),
        "https://evil",
        "alice",
    ));
    assert_eq!(bindings.check("s1", Some(&other_issuer)), Verdict::Refuse);
    // Never rebound to someone else.
    bindings.bind("s1", principal("bob"));
    assert_eq!(
        bindings.check("s1", principal("alice").as_ref()),
        Verdict::Allow
    );

    // Unknown sessions: only unauthenticated requests go on (rmcp decides).
    assert_eq!(bindings.check("s2", None), Verdict::Allow);
    assert_eq!(
        bindings.check("s2", principal("alice").as_ref()),
        Verdict::Refuse
    );
    // A session created without authentication stays usable only without it.
    bindings.bind("s3", None);
    assert_eq!(bindings.check("s3", None), Verdict::Allow);
    assert_eq!(
        bindings.check("s3", principal("alice").as_ref()),
        Verdict::Refuse
    );

    bindings.unbind("s1");
    assert_eq!(
        bindings.check("s1", principal("alice").as_ref()),
        Verdict::Refuse
    );
}

#[test]
fn the_map_is_bounded_least_recently_used_first() {
    let bindings = Bindings::new(2, DEFAULT_IDLE_TIMEOUT);
    bindings.bind("a", principal("alice"));
    bindings.bind("b", principal("bob"));
    // Touch `a`, so `b` is the least recently used.
    assert_eq!(
        bindings.check("a", principal("alice").as_ref()),
        Verdict::Allow
    );
    bindings.bind("c", principal("carol"));
    assert_eq!(bindings.len(), 2);
    assert_eq!(
        bindings.check("a", principal("alice").as_ref()),
        Verdict::Allow
    );
    assert_eq!(
        bindings.check("c", principal("carol").as_ref()),
        Verdict::Allow
    );
    assert_eq!(
        bindings.check("b", principal("bob").as_ref()),
        Verdict::Refuse
    );
}

#[test]
fn idle_bindings_go_first() {
    let bindings = Bindings::new(2, Duration::from_secs(60));
    bindings.bind("a", principal("alice"));
    bindings.bind("b", principal("bob"));
    // `a` is the most recently used, but has been idle for longer than the timeout.
    assert_eq!(
        bindings.check("a", principal("alice").as_ref()),
        Verdict::Allow
    );
    let long_ago = Instant::now()
        .checked_sub(Duration::from_secs(120))
        .expect("the monotonic clock is older than two minutes");
    if let Some(a) = bindings.lock().map.get_mut("a") {
        a.last_used = long_ago;
    }
    bindings.bind("c", principal("carol"));
    assert_eq!(
        bindings.check("a", principal("alice").as_ref()),
        Verdict::Refuse
    );
    assert_eq!(
        bindings.check("b", principal("bob").as_ref()),
        Verdict::Allow
    );
    assert_eq!(
        bindings.check("c", principal("carol").as_ref()),
        Verdict::Allow
    );
}

#[test]
fn configuration_is_validated() {
    assert!(SessionBindingLayer::new().with_max_sessions(0).is_err());
    assert!(
        SessionBindingLayer::new()
            .with_idle_timeout(Duration::ZERO)
            .is_err()
    );
    let layer = SessionBindingLayer::new()
        .with_max_sessions(5)
        .unwrap()
        .with_idle_timeout(Duration::from_secs(60))
        .unwrap();
    assert_eq!(layer.bindings.max, 5);
    assert_eq!(layer.bindings.idle_timeout, Duration::from_secs(60));
    assert!(layer.is_empty());
}

/// Creates a session on POST without a session id; answers 404 for the session `gone`.
fn inner() -> impl tower::Service<
    Request<()>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    service_fn(|request: Request<()>| async move {
        let mut response = Response::new(Full::default());
        match request.headers().get("mcp-session-id") {
            None => {
                response
                    .headers_mut()
                    .insert("mcp-session-id", "fresh".parse().unwrap());
            }
            Some(id) if id == "gone" => *response.status_mut() = StatusCode::NOT_FOUND,
            Some(_) => {}
        }
        Ok::<_, Infallible>(response)
    })
}

fn request(method: Method, session: Option<&str>, subject: Option<&str>) -> Request<()> {
    let mut request = Request::builder().method(method);
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let mut request = request.body(()).unwrap();
    if let Some(subject) = subject {
        request.extensions_mut().insert(AuthInfo::new(
            BearerToken::new("t"),
            "https://as",
            subject,
        ));
    }
    request
}

#[tokio::test]
async fn service_binds_checks_and_forgets() {
    let layer = SessionBindingLayer::new();
    let service = layer.layer(inner());
    let created = service
        .clone()
        .oneshot(request(Method::POST, None, Some("alice")))
        .await
        .unwrap();
    assert_eq!(created.headers()["mcp-session-id"], "fresh");
    assert_eq!(layer.len(), 1);

    let refused = service
        .clone()
        .oneshot(request(Method::POST, Some("fresh"), Some("bob")))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let unauthenticated = service
        .clone()
        .oneshot(request(Method::POST, Some("fresh"), None))
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::NOT_FOUND);
    let allowed = service
        .clone()
        .oneshot(request(Method::POST, Some("fresh"), Some("alice")))
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);

    let deleted = service
        .clone()
        .oneshot(request(Method::DELETE, Some("fresh"), Some("alice")))
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert!(layer.is_empty());

    // A 404 from the inner service drops the binding too.
    layer.bindings.bind("gone", principal("alice"));
    let gone = service
        .oneshot(request(Method::POST, Some("gone"), Some("alice")))
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(layer.is_empty());
}
