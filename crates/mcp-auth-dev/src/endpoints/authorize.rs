//! The authorization endpoint (RFC 6749 §3.1). Listed in the metadata; the login and consent
//! pages come next, until then it answers 501.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// `GET`/`POST /authorize`: 501 Not Implemented for now.
pub(crate) async fn authorize() -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        "mcp-auth-dev: the authorization endpoint (login and consent) is not implemented yet\n",
    )
        .into_response()
}
