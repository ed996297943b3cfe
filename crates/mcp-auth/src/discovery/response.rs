//! The sans-IO core of discovery: the request to send and the checks on the response.

use http::{HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use url::Url;

use super::{DiscoveryAttempt, DiscoveryError, DiscoveryErrorKind};
use crate::http_client::USER_AGENT;
use crate::metadata::{
    AuthorizationServerMetadata, JsonObjectError, check_issuer, parse_json_object,
};

/// The largest metadata document accepted by default, in bytes (battery pinned decision 7).
pub const MAX_METADATA_BYTES: usize = 64 * 1024;

/// The request that fetches the metadata document at `url`: a `GET` with
/// `Accept: application/json` and no credentials or cookies (RFC 8414 §3.1).
///
/// ```
/// use mcp_auth::discovery::discovery_request;
/// use url::Url;
///
/// let url = Url::parse("https://as.example.com/.well-known/oauth-authorization-server").unwrap();
/// let request = discovery_request(&url);
/// assert_eq!(request.method(), http::Method::GET);
/// assert_eq!(request.headers()["accept"], "application/json");
/// assert!(request.headers().get("authorization").is_none());
/// ```
#[must_use]
pub fn discovery_request(url: &Url) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = Method::GET;
    // A `Url` is always a valid URI; if not, the request keeps `/` and the fetch fails.
    if let Ok(uri) = url.as_str().parse() {
        *request.uri_mut() = uri;
    }
    let headers = request.headers_mut();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    request
}

/// Checks a metadata response (RFC 8414 §3.2, §3.3; OpenID Connect Discovery §4.2, §4.3).
///
/// The status must be `200`; the body at most [`MAX_METADATA_BYTES`], one JSON object without
/// duplicate members; the members must have their RFC types; `issuer` must be an acceptable
/// issuer identifier and, when `expected_issuer` is given, identical to it (exact string
/// comparison).
///
/// # Errors
///
/// A [`DiscoveryError`] with one attempt (for `url`) saying why.
///
/// ```
/// use http::StatusCode;
/// use mcp_auth::discovery::{DiscoveryErrorKind, parse_discovery_response};
/// use url::Url;
///
/// let url = Url::parse("https://as.example.com/.well-known/oauth-authorization-server").unwrap();
/// let body = br#"{"issuer":"https://as.example.com","jwks_uri":"https://as.example.com/jwks"}"#;
/// let metadata =
///     parse_discovery_response(&url, StatusCode::OK, body, Some("https://as.example.com")).unwrap();
/// assert_eq!(metadata.jwks_uri.as_deref(), Some("https://as.example.com/jwks"));
///
/// let err = parse_discovery_response(&url, StatusCode::OK, body, Some("https://other.example.com"))
///     .unwrap_err();
/// assert_eq!(err.kind(), DiscoveryErrorKind::IssuerMismatch);
/// ```
pub fn parse_discovery_response(
    url: &Url,
    status: StatusCode,
    body: &[u8],
    expected_issuer: Option<&str>,
) -> Result<AuthorizationServerMetadata, DiscoveryError> {
    parse_discovery_response_with(url, status, body, expected_issuer, &|value| value)
}

/// [`parse_discovery_response`] with a `transpile` hook applied to the JSON object before it is
/// read as metadata (the reference SDKs' `transpile_data`, for providers whose documents need
/// patching). Duplicate members are refused before the hook runs; the issuer is checked after.
///
/// # Errors
///
/// As [`parse_discovery_response`].
pub fn parse_discovery_response_with(
    url: &Url,
    status: StatusCode,
    body: &[u8],
    expected_issuer: Option<&str>,
    transpile: &(dyn Fn(Value) -> Value + Send + Sync),
) -> Result<AuthorizationServerMetadata, DiscoveryError> {
    let checked = if body.len() > MAX_METADATA_BYTES {
        Err(DiscoveryAttempt::new(
            url.as_str(),
            DiscoveryErrorKind::InvalidMetadata,
            format!("the document is larger than {MAX_METADATA_BYTES} bytes"),
        ))
    } else {
        check_document(url, status, body, expected_issuer, transpile)
    };
    checked.map_err(|attempt| DiscoveryError::from_attempts(expected_issuer, vec![attempt]))
}

/// The checks of [`parse_discovery_response_with`] without the size cap (the fetch applies it).
pub(crate) fn check_document(
    url: &Url,
    status: StatusCode,
    body: &[u8],
    expected_issuer: Option<&str>,
    transpile: &(dyn Fn(Value) -> Value + Send + Sync),
) -> Result<AuthorizationServerMetadata, DiscoveryAttempt> {
    let invalid = |reason: String| {
        DiscoveryAttempt::new(url.as_str(), DiscoveryErrorKind::InvalidMetadata, reason)
    };
    if status != StatusCode::OK {
        let kind = if status.is_server_error() {
            DiscoveryErrorKind::Unavailable
        } else {
            DiscoveryErrorKind::NoDocument
        };
        return Err(DiscoveryAttempt::new(
            url.as_str(),
            kind,
            format!("answered with status {status}, not 200"),
        ));
    }
    let object = parse_json_object(body).map_err(|e| match e {
        JsonObjectError::NotAnObject => invalid("the document is not a JSON object".to_owned()),
        other => invalid(other.to_string()),
    })?;
    let value = transpile(Value::Object(object));
    if !value.is_object() {
        return Err(invalid(
            "the transpiled document is not a JSON object".to_owned(),
        ));
    }
    let metadata: AuthorizationServerMetadata = serde_json::from_value(value)
        .map_err(|e| invalid(format!("the document is not valid metadata: {e}")))?;
    check_issuer(&metadata.issuer)
        .map_err(|reason| invalid(format!("the document's issuer is not acceptable: {reason}")))?;
    if let Some(expected) = expected_issuer
        && metadata.issuer != expected
    {
        return Err(DiscoveryAttempt::new(
            url.as_str(),
            DiscoveryErrorKind::IssuerMismatch,
            format!(
                "the document's issuer `{}` is not the requested issuer `{expected}`",
                metadata.issuer
            ),
        ));
    }
    Ok(metadata)
}
