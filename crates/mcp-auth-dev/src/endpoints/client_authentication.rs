//! Client authentication at the token, introspection and revocation endpoints (RFC 6749
//! §2.3.1: `client_secret_basic` and `client_secret_post`; `none` for public clients, which
//! identify themselves with `client_id`).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;

use super::error_response::ErrorResponse;
use super::form::{Form, decode};
use crate::authorization_server::AuthorizationServer;
use crate::clients::{Client, LookupError};

/// Longest `Authorization` field read.
const MAX_AUTHORIZATION_LEN: usize = 4096;

/// How the client authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// HTTP Basic with the form-encoded `client_id` and secret.
    Basic,
    /// `client_id` and `client_secret` in the body.
    Post,
    /// A public client naming itself with `client_id`.
    None,
}

/// An authenticated (or, for public clients, identified) client.
#[derive(Debug)]
pub(crate) struct Authenticated {
    pub(crate) client: Arc<Client>,
    pub(crate) method: Method,
}

/// Authenticates the client of a request. `allow_public`: whether a public client (method
/// `none`) may use the endpoint. A `client_id` that is a URL names a Client ID Metadata
/// Document, fetched unless cached: such clients are public.
pub(crate) async fn authenticate(
    server: &AuthorizationServer,
    headers: &HeaderMap,
    form: &Form,
    allow_public: bool,
) -> Result<Authenticated, ErrorResponse> {
    let basic = basic_credentials(headers)?;
    let basic_attempted = basic.is_some();
    let (client_id, secret, method) = match (basic, form.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(ErrorResponse::invalid_request(
                "the client used more than one authentication method",
            ));
        }
        (Some((id, secret)), None) => {
            if form.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(ErrorResponse::invalid_request(
                    "client_id does not match the authenticated client",
                ));
            }
            (id, Some(secret), Method::Basic)
        }
        (None, Some(secret)) => {
            let id = form.get("client_id").ok_or_else(|| {
                ErrorResponse::invalid_request("client_secret was sent without client_id")
            })?;
            (id.to_owned(), Some(secret.to_owned()), Method::Post)
        }
        (None, None) => match form.get("client_id") {
            Some(id) => (id.to_owned(), None, Method::None),
            None => {
                return Err(ErrorResponse::invalid_client(
                    "client authentication is required",
                    false,
                ));
            }
        },
    };
    let failed = || ErrorResponse::invalid_client("client authentication failed", basic_attempted);
    let client = server
        .clients
        .resolve(server.now(), &client_id)
        .await
        .map_err(|error| match error {
            LookupError::Unknown => failed(),
            LookupError::MetadataDocument(reason) => {
                ErrorResponse::invalid_client(&reason, basic_attempted)
            }
        })?;
    match (client.secret(), secret) {
        (Some(expected), Some(presented)) if expected.matches(&presented) => {}
        (None, None) if allow_public => {}
        (None, None) => {
            return Err(ErrorResponse::invalid_client(
                "this endpoint requires a confidential client",
                false,
            ));
        }
        _ => return Err(failed()),
    }
    Ok(Authenticated { client, method })
}

/// The `client_id` and secret of an `Authorization: Basic` field (RFC 7617; both
/// form-encoded first, RFC 6749 §2.3.1), `None` without one or with another scheme.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ErrorResponse> {
    let mut fields = headers.get_all(AUTHORIZATION).iter();
    let Some(field) = fields.next() else {
        return Ok(None);
    };
    if fields.next().is_some() {
        return Err(ErrorResponse::invalid_request(
            "more than one Authorization header field",
        ));
    }
    let malformed = || ErrorResponse::invalid_client("malformed Basic credentials", true);
    let value = field.as_bytes();
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(malformed());
    }
    let value = value.trim_ascii();
    let (scheme, rest) = match value.iter().position(|b| *b == b' ') {
        Some(i) => (
            value.get(..i).unwrap_or_default(),
            value.get(i..).unwrap_or_default(),
        ),
        None => (value, &[][..]),
    };
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return Ok(None);
    }
    let decoded = STANDARD
        .decode(rest.trim_ascii())
        .map_err(|_| malformed())?;
    let colon = decoded
        .iter()
        .position(|b| *b == b':')
        .ok_or_else(malformed)?;
    let id = decode(decoded.get(..colon).unwrap_or_default()).map_err(|_| malformed())?;
    let secret = decode(decoded.get(colon + 1..).unwrap_or_default()).map_err(|_| malformed())?;
    if id.is_empty() {
        return Err(malformed());
    }
    Ok(Some((id, secret)))
}
