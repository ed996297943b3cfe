//! The metadata document at `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0
//! §4) and `/.well-known/oauth-authorization-server` (RFC 8414 §3): the same document.

use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::CONTENT_TYPE;

use super::State;

/// `GET` the metadata (RFC 8414 §3.2: 200, `application/json`).
pub(crate) async fn metadata(axum::extract::State(server): State) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        server.metadata_json.clone(),
    )
        .into_response()
}
