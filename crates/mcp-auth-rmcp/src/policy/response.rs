//! The answers of the scope policy layer.

use http::header::WWW_AUTHENTICATE;
use http::{Response, StatusCode};
use mcp_auth::challenge::{ErrorCode, WwwAuthenticate};
use mcp_auth::layer::RejectionBody;
use serde_json::json;

use super::ScopePolicy;
use super::message::{HeaderMismatch, Message, ParseError};
use crate::body::BodyError;
use crate::rpc_error::{
    HEADER_MISMATCH, INVALID_REQUEST, PARSE_ERROR, json_response, rpc_error_response,
};

/// `error_description` of 403 answers (fixed vocabulary, RFC 6750 §3).
const INSUFFICIENT_SCOPE_DESCRIPTION: &str =
    "The access token lacks a scope this operation requires";
const MISSING_CREDENTIALS_DESCRIPTION: &str = "An access token is required";

/// `413` or `400` for a body that could not be read.
pub(super) fn body_error<B: RejectionBody>(error: BodyError) -> Response<B> {
    match error {
        BodyError::TooLarge => rpc_error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            INVALID_REQUEST,
            "Request body too large",
            None,
        ),
        BodyError::Read => rpc_error_response(
            StatusCode::BAD_REQUEST,
            PARSE_ERROR,
            "Request body could not be read",
            None,
        ),
    }
}

/// `400` for a body that is not a JSON-RPC message or batch.
pub(super) fn parse_error<B: RejectionBody>(error: ParseError) -> Response<B> {
    let (code, message) = match error {
        ParseError::Json => (PARSE_ERROR, "Parse error: the body is not JSON"),
        ParseError::Shape => (
            INVALID_REQUEST,
            "Invalid Request: the body is not a well-formed JSON-RPC message",
        ),
    };
    rpc_error_response(StatusCode::BAD_REQUEST, code, message, None)
}

/// `400` with JSON-RPC `-32020` (SEP-2243 `HeaderMismatch`).
pub(super) fn header_mismatch<B: RejectionBody>(
    mismatch: HeaderMismatch,
    messages: &[Message],
) -> Response<B> {
    let id = match messages {
        [single] => single.id.as_ref(),
        _ => None,
    };
    rpc_error_response(
        StatusCode::BAD_REQUEST,
        HEADER_MISMATCH,
        mismatch.message(),
        id,
    )
}

/// `403 insufficient_scope`, or `401` without `error` when the request is not authenticated
/// at all; the challenge lists `needed` (every scope the operation needs).
pub(super) fn scope_challenge<B: RejectionBody>(
    policy: &ScopePolicy,
    needed: &[&str],
    authenticated: bool,
) -> Response<B> {
    let mut challenge = WwwAuthenticate::bearer();
    let (status, error, description) = if authenticated {
        challenge = challenge
            .with_error(ErrorCode::InsufficientScope)
            .with_error_description(INSUFFICIENT_SCOPE_DESCRIPTION);
        (
            StatusCode::FORBIDDEN,
            ErrorCode::InsufficientScope.as_str(),
            INSUFFICIENT_SCOPE_DESCRIPTION,
        )
    } else {
        (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            MISSING_CREDENTIALS_DESCRIPTION,
        )
    };
    challenge = challenge.with_scope(needed.join(" "));
    if let Some(url) = policy.resource_metadata() {
        challenge = challenge.with_resource_metadata(url);
    }
    let body = json!({ "error": error, "error_description": description });
    let mut response = json_response::<B>(status, body.to_string().into());
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, challenge.to_header_value());
    response
}
