//! The [`ScopePolicyService`] middleware.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body::Body;
use mcp_auth::AuthInfo;
use mcp_auth::layer::RejectionBody;
use tower_service::Service;

use super::message::{check_headers, parse_body};
use super::{ScopePolicy, response};
use crate::body::{BodyError, announced_too_large, read_capped};

/// Middleware enforcing a [`ScopePolicy`]; built by [`ScopePolicyLayer`](super::ScopePolicyLayer).
///
/// The request body type `B` must be constructible from [`Bytes`] (axum's `Body`,
/// `http_body_util::Full<Bytes>`, ...): the buffered body is handed on as `B::from(bytes)`.
/// Rejections are `Ok(response)`; the error type is the inner service's.
pub struct ScopePolicyService<S> {
    inner: S,
    policy: Arc<ScopePolicy>,
    /// The policy requires nothing of any message: no body is read.
    inert: bool,
}

impl<S> ScopePolicyService<S> {
    pub(super) fn new(inner: S, policy: Arc<ScopePolicy>) -> Self {
        let inert = policy.requires_nothing();
        Self {
            inner,
            policy,
            inert,
        }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Consumes `self`, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Clone> Clone for ScopePolicyService<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            policy: Arc::clone(&self.policy),
            inert: self.inert,
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for ScopePolicyService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopePolicyService")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B, ResBody> Service<Request<B>> for ScopePolicyService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Body + From<Bytes> + Send + 'static,
    B::Data: Send,
    ResBody: RejectionBody + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if self.inert || request.method() != Method::POST {
            // Nothing to read: call the service that was driven to readiness right away (no
            // clone of the inner service per request).
            return Box::pin(self.inner.call(request));
        }
        // Keep the clone here, move the service that was driven to readiness into the future.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let request = match authorize(&policy, request).await {
                Ok(request) => request,
                Err(rejection) => return Ok(rejection),
            };
            inner.call(request).await
        })
    }
}

/// Reads and checks the request; gives it back with its body re-attached, or the rejection.
async fn authorize<B, ResBody>(
    policy: &ScopePolicy,
    request: Request<B>,
) -> Result<Request<B>, Response<ResBody>>
where
    B: Body + From<Bytes>,
    ResBody: RejectionBody,
{
    if announced_too_large(request.headers(), policy.max_body_bytes) {
        return Err(response::body_error(BodyError::TooLarge));
    }
    let (parts, body) = request.into_parts();
    let bytes = read_capped(body, policy.max_body_bytes)
        .await
        .map_err(response::body_error)?;
    let messages = parse_body(&bytes).map_err(response::parse_error)?;
    check_headers(&parts.headers, &messages)
        .map_err(|mismatch| response::header_mismatch(mismatch, &messages))?;

    // What the operation itself needs (checked), and everything the caller needs (the
    // challenge): the Bearer layer's scopes first, then the operation's.
    let mut operation: Vec<&str> = Vec::new();
    for message in &messages {
        for scope in policy.required_for(message.operation()) {
            if !operation.contains(&scope.as_str()) {
                operation.push(scope);
            }
        }
    }
    if !operation.is_empty() {
        let needed = || {
            let mut needed: Vec<&str> = policy.base.iter().collect();
            needed.extend(
                operation
                    .iter()
                    .filter(|s| !policy.base.as_slice().iter().any(|b| b == *s)),
            );
            needed
        };
        let Some(info) = parts.extensions.get::<AuthInfo>() else {
            tracing::debug!("scope policy: a request needing scopes carries no AuthInfo");
            return Err(response::scope_challenge(policy, &needed(), false));
        };
        let missing: Vec<&str> = operation
            .iter()
            .copied()
            .filter(|scope| !policy.matcher.grants(&info.scopes, scope))
            .collect();
        if !missing.is_empty() {
            tracing::debug!(?missing, "scope policy refused the request");
            return Err(response::scope_challenge(policy, &needed(), true));
        }
    }
    Ok(Request::from_parts(parts, B::from(bytes)))
}
