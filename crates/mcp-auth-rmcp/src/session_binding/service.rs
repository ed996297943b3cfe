//! The [`SessionBinding`] middleware.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, Method, Request, Response, StatusCode};
use mcp_auth::layer::RejectionBody;
use tower_service::Service;

use super::{Bindings, Verdict};
use crate::principal::Principal;
use crate::rpc_error::{INVALID_REQUEST, rpc_error_response};

/// `Mcp-Session-Id` (MCP Streamable HTTP, "Session Management").
const MCP_SESSION_ID: &str = "mcp-session-id";

/// Middleware binding sessions to principals; built by
/// [`SessionBindingLayer`](super::SessionBindingLayer). Refusals are `Ok(response)`.
pub struct SessionBinding<S> {
    inner: S,
    bindings: Arc<Bindings>,
}

impl<S> SessionBinding<S> {
    pub(super) fn new(inner: S, bindings: Arc<Bindings>) -> Self {
        Self { inner, bindings }
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

impl<S: Clone> Clone for SessionBinding<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            bindings: Arc::clone(&self.bindings),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for SessionBinding<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBinding")
            .field("inner", &self.inner)
            .field("sessions", &self.bindings.len())
            .finish()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B, ResBody> Service<Request<B>> for SessionBinding<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: RejectionBody + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Every check is synchronous, so the service that was driven to readiness is called
        // here and only its future is awaited: no clone of the inner service per request (a
        // clone of rmcp's service copies its configuration).
        let principal = Principal::from_extensions(request.extensions());
        let session = match session_id(request.headers()) {
            Ok(session) => session,
            Err(()) => {
                return Box::pin(async {
                    Ok(rpc_error_response(
                        StatusCode::BAD_REQUEST,
                        INVALID_REQUEST,
                        "Bad Request: several Mcp-Session-Id fields",
                        None,
                    ))
                });
            }
        };
        let bindings = Arc::clone(&self.bindings);
        let Some(session) = session else {
            // No session yet: this may create one.
            let response = self.inner.call(request);
            return Box::pin(async move {
                let response = response.await?;
                if let Ok(Some(created)) = session_id(response.headers()) {
                    bindings.bind(&created, principal);
                }
                Ok(response)
            });
        };
        if bindings.check(&session, principal.as_ref()) == Verdict::Refuse {
            tracing::warn!("a request used an MCP session bound to another principal, or unknown");
            return Box::pin(async { Ok(session_not_found()) });
        }
        let deleting = request.method() == Method::DELETE;
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            let status = response.status();
            if status == StatusCode::NOT_FOUND || (deleting && status.is_success()) {
                bindings.unbind(&session);
            }
            Ok(response)
        })
    }
}

/// The one `Mcp-Session-Id` value: `Ok(None)` when absent, `Err` when repeated.
fn session_id(headers: &HeaderMap) -> Result<Option<String>, ()> {
    let mut values = headers.get_all(MCP_SESSION_ID).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    // A value that is not text cannot name a session rmcp created; refuse it like an unknown
    // id rather than letting it through unchecked.
    Ok(Some(String::from_utf8_lossy(value.as_bytes()).into_owned()))
}

/// The answer for a session the caller may not use: the same status as rmcp's for an unknown
/// session.
fn session_not_found<B: RejectionBody>() -> Response<B> {
    rpc_error_response(
        StatusCode::NOT_FOUND,
        INVALID_REQUEST,
        "Not Found: Session not found",
        None,
    )
}
