//! The UserInfo endpoint (OpenID Connect Core §5.3): the claims of the user a token was
//! issued for. Errors follow RFC 6750 §3.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use mcp_auth::credentials::{DEFAULT_MAX_CREDENTIAL_LEN, extract_bearer};
use serde_json::{Value, json};

use super::State;

/// `GET`/`POST /userinfo` with `Authorization: Bearer`.
pub(crate) async fn userinfo(
    axum::extract::State(server): State,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let token = match extract_bearer(&headers, &uri, DEFAULT_MAX_CREDENTIAL_LEN) {
        Ok(Some(token)) => token,
        // RFC 6750 §3.1: no credentials, no error code.
        Ok(None) => return challenge(StatusCode::UNAUTHORIZED, None),
        Err(error) => {
            return challenge(
                error.status(),
                Some((error.error_code().as_str(), error.description())),
            );
        }
    };
    let user = server
        .tokens
        .active(server.now(), token.secret())
        .and_then(|record| record.user_sub.clone())
        .and_then(|sub| server.user_by_sub(&sub).cloned());
    match user {
        Some(user) => (
            [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(Value::Object(user.claims())),
        )
            .into_response(),
        None => challenge(
            StatusCode::UNAUTHORIZED,
            Some((
                "invalid_token",
                "The access token is invalid, expired, revoked or not issued for a user",
            )),
        ),
    }
}

/// A `WWW-Authenticate: Bearer` challenge (RFC 6750 §3) with a JSON body for errors.
fn challenge(status: StatusCode, error: Option<(&str, &'static str)>) -> Response {
    let Some((code, description)) = error else {
        let header = HeaderValue::from_static("Bearer realm=\"mcp-auth-dev\"");
        return (status, [(WWW_AUTHENTICATE, header)]).into_response();
    };
    // Both values come from fixed vocabularies without quotes or backslashes.
    let header = HeaderValue::from_str(&format!(
        "Bearer realm=\"mcp-auth-dev\", error=\"{code}\", error_description=\"{description}\""
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("Bearer error=\"invalid_token\""));
    let body = json!({ "error": code, "error_description": description });
    (status, [(WWW_AUTHENTICATE, header)], Json(body)).into_response()
}
