//! The Bearer layer end to end through `oneshot`: whatever the `Authorization` fields, the
//! status is one of 200/400/401/403/503, it is the one the credential rules and the verifier
//! call for, and every 400/401/403 carries one strictly well-formed `Bearer` challenge.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use mcp_auth::credentials::DEFAULT_MAX_CREDENTIAL_LEN;
use mcp_auth::layer::BearerAuthLayer;
use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
use proptest::prelude::*;
use proptest::sample::Index;
use tokio::runtime::Runtime;
use tower::{Layer, ServiceExt, service_fn};

use super::jwt::{fixture, runtime};
use super::{CASES, check, fields, header_values, model, query, uri};

// `layer.rs` includes the same test-only grammar privately; this module keeps its own copy.
#[allow(clippy::duplicate_mod)]
#[path = "../../../src/challenge/grammar.rs"]
mod grammar;

const SMALL_CAP: usize = 24;

const RM: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

/// The verifier's table: real logic, no mock framework.
fn table(token: BearerToken) -> Result<AuthInfo, VerifyError> {
    let info = |scopes: &[&str]| {
        AuthInfo::new(token.clone(), "https://as.example.com", "alice").with_scopes(scopes.to_vec())
    };
    match token.secret() {
        "tok-read" | "tok-read-write" => Ok(info(&["todo:read", "todo:write"])),
        "tok-none" => Ok(info(&[])),
        "tok-expired" => Err(VerifyErrorKind::Expired.into()),
        "tok-down" => Err(VerifyError::unavailable("keys unreachable")),
        _ => Err(VerifyErrorKind::InvalidSignature.into()),
    }
}

/// The status the table calls for.
fn table_status(token: &str) -> u16 {
    match token {
        "tok-read" | "tok-read-write" => 200,
        "tok-none" => 403,
        "tok-down" => 503,
        _ => 401,
    }
}

/// Sends the fields through `layer` around a handler that counts its calls; returns the
/// response and whether the handler ran.
fn send(
    rt: &Runtime,
    layer: &BearerAuthLayer,
    values: &[HeaderValue],
    uri: http::Uri,
) -> (Response<Full<Bytes>>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = layer.layer(service_fn(move |request: Request<Full<Bytes>>| {
        counter.fetch_add(1, Ordering::SeqCst);
        let has_info = request.extensions().get::<AuthInfo>().is_some();
        async move {
            assert!(has_info, "the layer inserts AuthInfo");
            Ok::<_, Infallible>(Response::new(Full::from("ok")))
        }
    }));
    let mut request = Request::builder().uri(uri).body(Full::default()).unwrap();
    for value in values {
        request.headers_mut().append(AUTHORIZATION, value.clone());
    }
    let response = rt
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(10), service.oneshot(request)).await
        })
        .expect("the layer answers within 10 s")
        .unwrap();
    (response, calls.load(Ordering::SeqCst))
}

/// The invariants every response keeps, whatever the request.
fn invariants(response: &Response<Full<Bytes>>, handler_calls: usize) -> Result<(), TestCaseError> {
    let status = response.status().as_u16();
    prop_assert!(
        matches!(status, 200 | 400 | 401 | 403 | 503),
        "status {status}"
    );
    prop_assert_eq!(handler_calls, usize::from(status == 200));
    let challenges: Vec<_> = response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .collect();
    match status {
        400 | 401 | 403 => {
            prop_assert_eq!(challenges.len(), 1);
            let challenge = grammar::check_bearer_challenge(challenges[0].as_bytes(), Some(RM));
            prop_assert!(challenge.is_ok(), "{challenge:?}: {:?}", challenges[0]);
            let error = challenge.unwrap().get("error").map(str::to_owned);
            let expected = match status {
                400 => Some("invalid_request"),
                403 => Some("insufficient_scope"),
                _ => error.as_deref().and(Some("invalid_token")),
            };
            prop_assert_eq!(error.as_deref(), expected);
        }
        503 => {
            prop_assert!(challenges.is_empty());
            prop_assert!(response.headers().get(RETRY_AFTER).is_some());
        }
        _ => prop_assert!(challenges.is_empty()),
    }
    Ok(())
}

/// Arbitrary fields and query strings against the table verifier, scope `todo:read`
/// required: the invariants, and exactly the status the model and the table call for.
#[test]
fn any_authorization_gets_a_pinned_status() {
    let rt = runtime();
    let verifier = |token: BearerToken| async move { table(token) };
    let layer = BearerAuthLayer::new(verifier)
        .with_resource_metadata(RM)
        .unwrap()
        .require_scopes(["todo:read"])
        .unwrap();
    // The same with a small credential cap, so that over-long fields are common.
    let capped = layer.clone().with_max_credential_len(SMALL_CAP).unwrap();
    let strategy = (fields(), query(), any::<bool>());
    check(CASES * 2, strategy, |(values, query, small)| {
        let Some(uri) = uri(query.as_deref()) else {
            return Ok(());
        };
        let (layer, cap) = if small {
            (&capped, SMALL_CAP)
        } else {
            (&layer, DEFAULT_MAX_CREDENTIAL_LEN)
        };
        let values = header_values(&values);
        let expected = match model(&values, &uri, cap) {
            Ok(None) => 401,
            Ok(Some(token)) => table_status(&token),
            Err(e) => e.status().as_u16(),
        };
        let (response, calls) = send(&rt, layer, &values, uri);
        invariants(&response, calls)?;
        prop_assert_eq!(response.status(), StatusCode::from_u16(expected).unwrap());
        Ok(())
    });
}

/// Real JWTs through the layer: a valid token passes, and the same token with one character
/// replaced (anywhere, by a base64url character) is a 401 with `invalid_token`.
#[test]
fn mutated_jwt_through_the_layer_is_401() {
    let rt = runtime();
    let layer = BearerAuthLayer::new(fixture().verifier.clone())
        .with_resource_metadata(RM)
        .unwrap();
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        .chars()
        .collect();
    let strategy = (
        any::<Index>(),
        any::<Index>(),
        prop::sample::select(alphabet),
    );
    check(CASES, strategy, |(which, at, c)| {
        let original = which.get(&fixture().tokens);
        let mut chars: Vec<char> = original.chars().collect();
        let at = at.index(chars.len());
        if chars[at] == '.' {
            return Ok(());
        }
        chars[at] = c;
        let mutated: String = chars.into_iter().collect();
        let value = HeaderValue::from_str(&format!("Bearer {mutated}")).unwrap();
        let (response, calls) = send(&rt, &layer, &[value], http::Uri::from_static("/mcp"));
        invariants(&response, calls)?;
        let expected = if mutated == *original { 200 } else { 401 };
        prop_assert_eq!(response.status().as_u16(), expected);
        Ok(())
    });
}
