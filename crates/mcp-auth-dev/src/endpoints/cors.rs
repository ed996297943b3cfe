//! CORS (the Fetch standard's CORS protocol) for the endpoints browser-based clients call
//! directly — MCP Inspector runs OAuth in the page: the metadata, the JWKS, `/token`,
//! `/register`, `/revoke` and `/userinfo`.
//!
//! Responses carry `Access-Control-Allow-Origin: *` (no credentials mode: these endpoints use
//! no cookies) and expose `WWW-Authenticate`. A preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is answered `204` allowing `GET`, `POST` and the request
//! headers asked for. The authorization endpoint and its pages never get CORS headers.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

/// Headers allowed when the preflight names none (or names them unreadably).
const DEFAULT_ALLOWED_HEADERS: &str = "authorization, content-type, accept, mcp-protocol-version";
/// Longest `Access-Control-Request-Headers` echoed.
const MAX_REQUEST_HEADERS: usize = 1024;

/// The middleware: answers preflights, and adds the CORS headers to every other response.
pub(crate) async fn allow_any_origin(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    {
        return preflight(request.headers());
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("www-authenticate"),
    );
    response
}

fn preflight(request: &HeaderMap) -> Response {
    let allowed_headers = request
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .filter(|v| v.len() <= MAX_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_header_list(v))
        .and_then(|v| HeaderValue::from_str(v).ok())
        .unwrap_or_else(|| HeaderValue::from_static(DEFAULT_ALLOWED_HEADERS));
    (
        StatusCode::NO_CONTENT,
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            (
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            ),
            (ACCESS_CONTROL_ALLOW_HEADERS, allowed_headers),
            (ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600")),
        ],
    )
        .into_response()
}

/// Whether `value` is a comma-separated list of header names (RFC 9110 `token`s).
fn is_header_list(value: &str) -> bool {
    value.split(',').map(str::trim).all(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::is_header_list;

    #[test]
    fn header_lists() {
        assert!(is_header_list("authorization, content-type"));
        assert!(is_header_list("mcp-protocol-version"));
        assert!(!is_header_list(""));
        assert!(!is_header_list("a,,b"));
        assert!(!is_header_list("bad header"));
    }
}
