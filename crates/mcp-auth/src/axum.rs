//! axum extractors for the verified identity (feature `axum`).
//!
//! The [Bearer layer](crate::layer) puts an [`AuthInfo`] into the request extensions; handlers
//! take it back as an argument:
//!
//! * `AuthInfo`: the identity. On a route the layer does not cover there is none, which is a
//!   programming error, not a client error, so the extractor answers
//!   `500 Internal Server Error` ([`MissingAuthInfo`]) rather than inventing a challenge: the
//!   layer alone decides what clients are told.
//! * `Option<AuthInfo>`: the identity if the layer ran, else `None` (for routes that are public
//!   but personalise answers for signed-in callers). It never rejects.
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use http::{Request, StatusCode, header::AUTHORIZATION};
//! use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
//! use mcp_auth::layer::BearerAuthLayer;
//! use tower::ServiceExt;
//!
//! async fn whoami(info: AuthInfo) -> String {
//!     format!("you are {}", info.subject)
//! }
//!
//! async fn hello(info: Option<AuthInfo>) -> String {
//!     match info {
//!         Some(info) => format!("hello {}", info.subject),
//!         None => "hello stranger".to_owned(),
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = |token: BearerToken| async move {
//!     match token.secret() {
//!         "alice-token" => Ok(AuthInfo::new(token, "https://as.example.com", "alice")),
//!         _ => Err(VerifyError::new(VerifyErrorKind::Inactive)),
//!     }
//! };
//! let app = Router::new()
//!     .route("/whoami", get(whoami))
//!     .route_layer(BearerAuthLayer::new(verifier))
//!     .route("/hello", get(hello));
//!
//! let request = Request::get("/whoami")
//!     .header(AUTHORIZATION, "Bearer alice-token")
//!     .body(Body::empty())?;
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let response = app.clone().oneshot(Request::get("/whoami").body(Body::empty())?).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//!
//! let response = app.oneshot(Request::get("/hello").body(Body::empty())?).await?;
//! assert_eq!(response.status(), StatusCode::OK); // public route: `None`
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::auth_info::AuthInfo;

/// Rejection of the [`AuthInfo`] extractor: the route is not behind the Bearer layer.
///
/// Answered with `500 Internal Server Error` and a plain-text message, because the server is
/// misconfigured (add [`BearerAuthLayer`](crate::layer::BearerAuthLayer) to the route, or take
/// `Option<AuthInfo>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingAuthInfo;

impl MissingAuthInfo {
    const MESSAGE: &'static str = "AuthInfo is missing from the request: the Bearer \
                                   authentication layer is not installed on this route";
}

impl fmt::Display for MissingAuthInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingAuthInfo {}

impl IntoResponse for MissingAuthInfo {
    fn into_response(self) -> Response {
        tracing::error!("{}", Self::MESSAGE);
        (StatusCode::INTERNAL_SERVER_ERROR, Self::MESSAGE).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthInfo {
    type Rejection = MissingAuthInfo;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AuthInfo>()
            .cloned()
            .ok_or(MissingAuthInfo)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for AuthInfo {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<AuthInfo>().cloned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::body::Body;
    use http::Request;

    use super::*;
    use crate::BearerToken;

    #[tokio::test]
    async fn extracts_when_present() {
        let info = AuthInfo::new(BearerToken::new("t"), "https://as", "alice");
        let mut request = Request::new(Body::empty());
        request.extensions_mut().insert(info);
        let (mut parts, _) = request.into_parts();
        let got = <AuthInfo as FromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert_eq!(got.subject, "alice");
        let got = <AuthInfo as OptionalFromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert_eq!(got.unwrap().subject, "alice");
    }

    #[tokio::test]
    async fn missing_is_a_server_error() {
        let (mut parts, _) = Request::new(Body::empty()).into_parts();
        let err = <AuthInfo as FromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap_err();
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&body).contains("not installed on this route"));
        let none = <AuthInfo as OptionalFromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert!(none.is_none());
    }
}
