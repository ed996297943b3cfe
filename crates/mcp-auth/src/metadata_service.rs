//! A tower service serving the well-known metadata documents.
//!
//! * resource-server mode: each resource's protected-resource metadata (RFC 9728 §3) at its
//!   path-inserted well-known path, and at the root form `/.well-known/oauth-protected-resource`
//!   when only one resource is configured (then the root form is unambiguous; MCP clients try the
//!   path form, then the root form);
//! * legacy mode: the authorization server's metadata (RFC 8414 §3) at
//!   `/.well-known/oauth-authorization-server`.
//!
//! GET and HEAD are answered with `application/json` and `Access-Control-Allow-Origin: *` (the
//! documents are public and browser-based clients such as MCP Inspector read them); OPTIONS is a
//! CORS preflight (204); other methods get 405 with `Allow`. Documents hold absolute URLs built
//! from configuration only, never from `Host` or `X-Forwarded-*` headers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER,
};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;

use crate::auth_server::AuthServer;
use crate::resource::ProtectedResource;
use crate::verify::BoxFuture;

const PRM_ROOT: &str = "/.well-known/oauth-protected-resource";
const AS_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
const ALLOWED: &str = "GET, HEAD, OPTIONS";

/// Serves the well-known metadata documents; see the [module docs](self).
///
/// Built by [`McpAuth::metadata_service`](crate::McpAuth::metadata_service). Cloning is cheap.
#[derive(Debug, Clone)]
pub struct MetadataService {
    inner: Arc<Documents>,
}

#[derive(Debug)]
enum Documents {
    /// Pre-serialized documents by path (built once).
    Static(HashMap<String, Bytes>),
    /// Legacy mode: the authorization server's metadata, possibly discovered lazily.
    AuthorizationServer(AuthServer),
}

impl MetadataService {
    pub(crate) fn for_resources(resources: &[ProtectedResource]) -> Self {
        let mut docs = HashMap::new();
        for resource in resources {
            // Serialization of these plain structs cannot fail; fall back to an empty object
            // rather than panic.
            let body = Bytes::from(serde_json::to_vec(&resource.metadata()).unwrap_or_default());
            docs.insert(resource.metadata_url().path().to_owned(), body.clone());
            if resources.len() == 1 {
                docs.entry(PRM_ROOT.to_owned()).or_insert(body);
            }
        }
        Self {
            inner: Arc::new(Documents::Static(docs)),
        }
    }

    pub(crate) fn for_authorization_server(server: &AuthServer) -> Self {
        Self {
            inner: Arc::new(Documents::AuthorizationServer(server.clone())),
        }
    }

    /// The paths this service answers.
    #[must_use]
    pub fn paths(&self) -> Vec<String> {
        match &*self.inner {
            Documents::Static(docs) => {
                let mut paths: Vec<String> = docs.keys().cloned().collect();
                paths.sort();
                paths
            }
            Documents::AuthorizationServer(_) => vec![AS_METADATA_PATH.to_owned()],
        }
    }

    async fn respond(inner: Arc<Documents>, method: Method, path: String) -> Response<Full<Bytes>> {
        let body = match &*inner {
            Documents::Static(docs) => match docs.get(&path) {
                Some(body) => Ok(body.clone()),
                None => return plain(StatusCode::NOT_FOUND),
            },
            Documents::AuthorizationServer(server) => {
                if path != AS_METADATA_PATH {
                    return plain(StatusCode::NOT_FOUND);
                }
                if method == Method::GET || method == Method::HEAD {
                    match server.metadata().await {
                        Ok(metadata) => Ok(Bytes::from(
                            serde_json::to_vec(&*metadata).unwrap_or_default(),
                        )),
                        Err(error) => Err(error),
                    }
                } else {
                    Ok(Bytes::new())
                }
            }
        };
        match method {
            Method::OPTIONS => {
                let mut response = plain(StatusCode::NO_CONTENT);
                let headers = response.headers_mut();
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
                headers.insert(
                    ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(ALLOWED),
                );
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("*"));
                headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
                response
            }
            Method::GET | Method::HEAD => match body {
                Ok(body) => {
                    let len = body.len();
                    let body = if method == Method::HEAD {
                        Bytes::new()
                    } else {
                        body
                    };
                    let mut response = Response::new(Full::new(body));
                    let headers = response.headers_mut();
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
                    headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
                    headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
                    response
                }
                Err(error) => {
                    tracing::warn!(%error, "authorization-server metadata unavailable");
                    let mut response = plain(StatusCode::SERVICE_UNAVAILABLE);
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
                    response
                }
            },
            _ => {
                let mut response = plain(StatusCode::METHOD_NOT_ALLOWED);
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static(ALLOWED));
                response
            }
        }
    }
}

fn plain(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

impl<B> tower_service::Service<Request<B>> for MetadataService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let inner = self.inner.clone();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        Box::pin(async move { Ok(Self::respond(inner, method, path).await) })
    }
}
