//! The JWK Set (RFC 7517 §5): public keys only, each with `kid`, `alg` and `use: sig`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::CACHE_CONTROL;

use super::State;

/// `GET /jwks`.
pub(crate) async fn jwks(axum::extract::State(server): State) -> Response {
    (
        [(CACHE_CONTROL, HeaderValue::from_static("max-age=60"))],
        Json(server.keys.jwks().clone()),
    )
        .into_response()
}
