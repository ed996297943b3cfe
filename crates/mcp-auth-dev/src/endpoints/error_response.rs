//! OAuth 2.0 error responses (RFC 6749 §5.2; RFC 8707 §2 `invalid_target`; RFC 7009 §2.2.1).

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};
use serde_json::json;

use crate::error::DevError;

/// Longest `error_description` sent.
const MAX_DESCRIPTION: usize = 256;

/// An error response: JSON `{"error", "error_description"}` with the status RFC 6749 §5.2
/// gives the code (400, or 401 for `invalid_client`).
#[derive(Debug)]
pub(crate) struct ErrorResponse {
    status: StatusCode,
    error: &'static str,
    description: String,
    basic_challenge: bool,
}

impl ErrorResponse {
    fn new(status: StatusCode, error: &'static str, description: &str) -> Self {
        Self {
            status,
            error,
            description: sanitize(description),
            basic_challenge: false,
        }
    }

    /// A 400 error with any code (RFC 7591 §3.2.2 `invalid_redirect_uri`,
    /// `invalid_client_metadata`).
    pub(crate) fn bad_request(error: &'static str, description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    /// The (sanitized) description.
    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// `invalid_request` (400).
    pub(crate) fn invalid_request(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// `invalid_client` (401); with `WWW-Authenticate: Basic` when the client tried HTTP Basic
    /// authentication (RFC 6749 §5.2).
    pub(crate) fn invalid_client(description: &str, basic_attempted: bool) -> Self {
        Self {
            basic_challenge: basic_attempted,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }

    /// `invalid_grant` (400).
    pub(crate) fn invalid_grant(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// `unauthorized_client` (400).
    pub(crate) fn unauthorized_client(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// `unsupported_grant_type` (400).
    pub(crate) fn unsupported_grant_type(description: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            description,
        )
    }

    /// `invalid_scope` (400).
    pub(crate) fn invalid_scope(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// `invalid_target` (400, RFC 8707 §2).
    pub(crate) fn invalid_target(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_target", description)
    }

    /// `invalid_request` with 413: the body is larger than the server reads.
    pub(crate) fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "the request body is too large",
        )
    }

    /// `temporarily_unavailable` (503).
    pub(crate) fn temporarily_unavailable(description: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            description,
        )
    }

    /// `server_error` (500).
    pub(crate) fn server_error(description: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            description,
        )
    }
}

impl From<DevError> for ErrorResponse {
    fn from(error: DevError) -> Self {
        let description = error.to_string();
        match error {
            DevError::UnknownClient(_) => Self::invalid_client(&description, false),
            DevError::UnauthorizedClient { .. } => Self::unauthorized_client(&description),
            DevError::InvalidGrant(_) => Self::invalid_grant(&description),
            DevError::InvalidScope(_) => Self::invalid_scope(&description),
            DevError::InvalidTarget(_) => Self::invalid_target(&description),
            DevError::InvalidRequest(_) | DevError::UnknownUser(_) => {
                Self::invalid_request(&description)
            }
            DevError::StoreFull => Self::temporarily_unavailable(&description),
            other => {
                tracing::error!(error = %other, "token endpoint failure");
                Self::server_error("the server could not issue a token")
            }
        }
    }
}

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        if self.basic_challenge {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"mcp-auth-dev\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// RFC 6749 §5.2: `error_description` uses `%x20-21 / %x23-5B / %x5D-7E` only; anything else
/// (quotes, backslashes, controls, non-ASCII from echoed input) becomes `?`.
fn sanitize(description: &str) -> String {
    description
        .chars()
        .take(MAX_DESCRIPTION)
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::sanitize;

    #[test]
    fn descriptions_use_the_allowed_characters_only() {
        assert_eq!(sanitize("scope `a\"b\\c` é\n"), "scope `a?b?c` ??");
        assert_eq!(sanitize(&"x".repeat(1000)).len(), 256);
    }
}
