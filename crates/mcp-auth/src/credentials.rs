//! Extraction of the bearer token from the request head (RFC 6750 §2.1).
//!
//! [`extract_bearer`] looks at the `Authorization` header and the query string only: the body
//! and cookies are never read (MCP authorization: tokens travel in the `Authorization` header;
//! RFC 6750 §2.2 form bodies and §2.3 query parameters are not accepted). It answers:
//!
//! | request | result | response (Bearer layer) |
//! |---|---|---|
//! | no `Authorization` field | `Ok(None)` | 401, challenge without `error` |
//! | another scheme (`Basic`, `Digest`, `DPoP`, `Token`, ...) | `Ok(None)` | same (RFC 6750 §3.1) |
//! | several `Authorization` fields | [`CredentialError::MultipleAuthorizationFields`] | 400 `invalid_request` |
//! | field value longer than the cap (16 KiB by default) | [`CredentialError::TooLong`] | 401 `invalid_token` |
//! | bytes outside printable ASCII and SP | [`CredentialError::InvalidFieldValue`] | 400 `invalid_request` |
//! | empty value, `Bearer` alone, `Bearer` and spaces | [`CredentialError::MissingToken`] | 400 `invalid_request` |
//! | header token and an `access_token` query parameter | [`CredentialError::MultipleMethods`] | 400 `invalid_request` |
//! | a second word, or characters outside `b64token` | [`CredentialError::MalformedToken`] | 401 `invalid_token` |
//! | `Bearer <b64token>` | `Ok(Some(token))` | the token is verified |
//!
//! The checks run in that order. The length cap applies to the whole field value before it is
//! split or decoded, so no work or allocation grows with an oversized credential. The scheme is
//! matched case-insensitively (RFC 9110 §11.1), one or more spaces may separate it from the
//! token, and surrounding whitespace is ignored. An `access_token` query parameter on its own is
//! ignored (never validated): such a request has no credentials.
//!
//! ```
//! use http::{HeaderMap, HeaderValue, Uri, header::AUTHORIZATION};
//! use mcp_auth::credentials::{CredentialError, DEFAULT_MAX_CREDENTIAL_LEN, extract_bearer};
//!
//! let uri: Uri = "/mcp".parse().unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc.def-ghi"));
//! let token = extract_bearer(&headers, &uri, DEFAULT_MAX_CREDENTIAL_LEN).unwrap();
//! assert_eq!(token.unwrap().secret(), "abc.def-ghi");
//!
//! headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc def"));
//! let err = extract_bearer(&headers, &uri, DEFAULT_MAX_CREDENTIAL_LEN).unwrap_err();
//! assert_eq!(err, CredentialError::MalformedToken);
//! assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
//! ```

use http::header::AUTHORIZATION;
use http::{HeaderMap, StatusCode, Uri};

use crate::bearer::BearerToken;
use crate::challenge::ErrorCode;

#[cfg(test)]
mod tests;

/// The default cap on the `Authorization` field value: 16 KiB (battery pinned decision 7).
pub const DEFAULT_MAX_CREDENTIAL_LEN: usize = 16 * 1024;

/// Why the credentials of a request are refused before any verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// More than one `Authorization` field (RFC 9110 §11.6.2 allows one; RFC 6750 §3.1
    /// `invalid_request`).
    #[error("{}", self.description())]
    MultipleAuthorizationFields,
    /// The field is empty, or `Bearer` has no token (RFC 6750 §2.1: `b64token` is `1*`).
    #[error("{}", self.description())]
    MissingToken,
    /// The field holds bytes outside printable ASCII and SP (RFC 9110 §5.5, §11.4).
    #[error("{}", self.description())]
    InvalidFieldValue,
    /// The token was also sent as an `access_token` query parameter (RFC 6750 §2: one method
    /// per request).
    #[error("{}", self.description())]
    MultipleMethods,
    /// The field value is longer than the configured cap.
    #[error("{}", self.description())]
    TooLong,
    /// The credential is not one `b64token` (RFC 6750 §2.1).
    #[error("{}", self.description())]
    MalformedToken,
}

impl CredentialError {
    /// The RFC 6750 §3.1 error code: `invalid_request` or `invalid_token`.
    #[must_use]
    pub fn error_code(self) -> ErrorCode {
        match self {
            Self::MultipleAuthorizationFields
            | Self::MissingToken
            | Self::InvalidFieldValue
            | Self::MultipleMethods => ErrorCode::InvalidRequest,
            Self::TooLong | Self::MalformedToken => ErrorCode::InvalidToken,
        }
    }

    /// The HTTP status: 400 for `invalid_request`, 401 for `invalid_token`.
    #[must_use]
    pub fn status(self) -> StatusCode {
        self.error_code().status()
    }

    /// A fixed, ASCII, request-free description suitable for `error_description`.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Self::MultipleAuthorizationFields => {
                "The request has more than one Authorization header field"
            }
            Self::MissingToken => "The Authorization header carries no access token",
            Self::InvalidFieldValue => "The Authorization header contains invalid characters",
            Self::MultipleMethods => "The access token was sent by more than one method",
            Self::TooLong => "The access token is too long",
            Self::MalformedToken => "The access token is malformed",
        }
    }
}

/// Extracts the bearer token from the request head.
///
/// Returns `Ok(None)` when the request carries no credentials or uses another scheme, the token
/// when it is one well-formed `b64token`, or the reason it is refused. `max_len` caps the length
/// of the `Authorization` field value in bytes. See the [module docs](self) for the rules.
///
/// # Errors
///
/// A [`CredentialError`] when the credentials are malformed.
pub fn extract_bearer(
    headers: &HeaderMap,
    uri: &Uri,
    max_len: usize,
) -> Result<Option<BearerToken>, CredentialError> {
    let mut fields = headers.get_all(AUTHORIZATION).iter();
    let Some(field) = fields.next() else {
        return Ok(None);
    };
    if fields.next().is_some() {
        return Err(CredentialError::MultipleAuthorizationFields);
    }
    let value = field.as_bytes();
    if value.len() > max_len {
        return Err(CredentialError::TooLong);
    }
    let value = value.trim_ascii();
    if value.iter().any(|b| !(*b == b' ' || b.is_ascii_graphic())) {
        return Err(CredentialError::InvalidFieldValue);
    }
    if value.is_empty() {
        return Err(CredentialError::MissingToken);
    }
    let (scheme, rest) = match value.iter().position(|b| *b == b' ') {
        Some(at) => value.split_at_checked(at).unwrap_or((value, &[])),
        None => (value, &[][..]),
    };
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return Ok(None);
    }
    let token = rest.trim_ascii_start();
    if token.is_empty() {
        return Err(CredentialError::MissingToken);
    }
    if has_access_token_parameter(uri) {
        return Err(CredentialError::MultipleMethods);
    }
    if !is_b64token(token) {
        return Err(CredentialError::MalformedToken);
    }
    let token = std::str::from_utf8(token).map_err(|_| CredentialError::MalformedToken)?;
    Ok(Some(BearerToken::new(token)))
}

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 6750 §2.1).
fn is_b64token(token: &[u8]) -> bool {
    let body_len = token.len() - token.iter().rev().take_while(|b| **b == b'=').count();
    let (body, _padding) = token.split_at_checked(body_len).unwrap_or((token, &[]));
    // One table lookup per byte: this runs on every request, over tokens of a kilobyte or more.
    !body.is_empty() && body.iter().all(|b| B64TOKEN[usize::from(*b)])
}

/// The `b64token` characters of RFC 6750 §2.1, by byte value: ALPHA, DIGIT, `-._~+/`.
static B64TOKEN: [bool; 256] = b64token_table();

const fn b64token_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte: u8 = 0;
    loop {
        table[byte as usize] =
            byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        if byte == u8::MAX {
            return table;
        }
        byte += 1;
    }
}

/// `true` when the query has an `access_token` parameter (RFC 6750 §2.3), whatever its value.
/// Names are compared after percent-decoding (`access%5Ftoken` counts), without allocating.
fn has_access_token_parameter(uri: &Uri) -> bool {
    let Some(query) = uri.query() else {
        return false;
    };
    query.split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or_default();
        percent_decoded_eq(name.as_bytes(), b"access_token")
    })
}

/// Compares a percent-encoded form name with `expected` (application/x-www-form-urlencoded:
/// `%XX` escapes and `+` for space).
fn percent_decoded_eq(encoded: &[u8], expected: &[u8]) -> bool {
    let mut expected = expected.iter();
    let mut i = 0;
    while let Some(&b) = encoded.get(i) {
        let (decoded, used) = match b {
            b'%' => match (
                encoded.get(i + 1).and_then(|h| hex(*h)),
                encoded.get(i + 2).and_then(|l| hex(*l)),
            ) {
                (Some(h), Some(l)) => ((h << 4) | l, 3),
                _ => (b'%', 1),
            },
            b'+' => (b' ', 1),
            other => (other, 1),
        };
        if expected.next() != Some(&decoded) {
            return false;
        }
        i += used;
    }
    expected.next().is_none()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
