//! Rejection responses: the reason ([`AuthRejection`]), the body ([`RejectionBody`]) and the
//! response itself.

use std::convert::Infallible;
use std::fmt;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::combinators::{BoxBody, UnsyncBoxBody};
use http_body_util::{BodyExt, Full};
use serde::Serialize;

use super::Config;
use crate::challenge::ErrorCode;
use crate::credentials::CredentialError;
use crate::error::{VerifyError, VerifyErrorKind};

/// `error` of the JSON body when no credentials were sent: RFC 6750 §3.1 asks for no error
/// code in that case, so the body uses a plain word rather than an RFC 6750 code.
const UNAUTHORIZED: &str = "unauthorized";
/// `error` of the JSON body of 503 answers (RFC 6749 §4.1.2.1 name).
const TEMPORARILY_UNAVAILABLE: &str = "temporarily_unavailable";
const MISSING_CREDENTIALS_DESCRIPTION: &str = "An access token is required";

/// A response body the Bearer layer can build its rejections with.
///
/// The layer keeps the inner service's response type `http::Response<B>`; a rejection is
/// `Response<B>` too, with a body made by this trait from the complete JSON error document.
/// Implement it for your own body type if it is not covered below.
pub trait RejectionBody: Sized {
    /// A body holding `json` (a complete JSON document, UTF-8).
    fn from_json_bytes(json: Bytes) -> Self;
}

impl RejectionBody for Bytes {
    fn from_json_bytes(json: Bytes) -> Self {
        json
    }
}

impl RejectionBody for Vec<u8> {
    fn from_json_bytes(json: Bytes) -> Self {
        json.to_vec()
    }
}

impl RejectionBody for String {
    fn from_json_bytes(json: Bytes) -> Self {
        String::from_utf8(json.to_vec()).unwrap_or_default()
    }
}

impl RejectionBody for Full<Bytes> {
    fn from_json_bytes(json: Bytes) -> Self {
        Full::new(json)
    }
}

/// rmcp's `StreamableHttpService` answers with `Response<BoxBody<Bytes, Infallible>>`.
impl<E: 'static> RejectionBody for BoxBody<Bytes, E> {
    fn from_json_bytes(json: Bytes) -> Self {
        Full::new(json)
            .map_err(|never: Infallible| match never {})
            .boxed()
    }
}

impl<E: 'static> RejectionBody for UnsyncBoxBody<Bytes, E> {
    fn from_json_bytes(json: Bytes) -> Self {
        Full::new(json)
            .map_err(|never: Infallible| match never {})
            .boxed_unsync()
    }
}

#[cfg(feature = "axum")]
impl RejectionBody for axum::body::Body {
    fn from_json_bytes(json: Bytes) -> Self {
        axum::body::Body::from(json)
    }
}

/// The class of a rejection; each has one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthRejectionKind {
    /// No credentials, or another scheme than `Bearer` (401, challenge without `error`).
    MissingCredentials,
    /// Malformed request (400 `invalid_request`).
    InvalidRequest,
    /// The token was refused (401 `invalid_token`).
    InvalidToken,
    /// The token lacks required scopes (403 `insufficient_scope`).
    InsufficientScope,
    /// The token could not be checked (503, `Retry-After`).
    Unavailable,
}

impl AuthRejectionKind {
    /// The HTTP status of this kind of rejection.
    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            Self::MissingCredentials => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The RFC 6750 §3.1 error code sent in the challenge, if any.
    #[must_use]
    pub fn error_code(self) -> Option<ErrorCode> {
        match self {
            Self::InvalidRequest => Some(ErrorCode::InvalidRequest),
            Self::InvalidToken => Some(ErrorCode::InvalidToken),
            Self::InsufficientScope => Some(ErrorCode::InsufficientScope),
            Self::MissingCredentials | Self::Unavailable => None,
        }
    }
}

/// Why the Bearer layer refused a request.
///
/// Found in the extensions of every rejection response, for outer layers that log or count
/// rejections. It never holds the token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthRejection {
    kind: AuthRejectionKind,
    credential_error: Option<CredentialError>,
    verify_error: Option<VerifyError>,
    missing_scopes: Vec<String>,
}

impl AuthRejection {
    pub(super) fn missing_credentials() -> Self {
        Self::of(AuthRejectionKind::MissingCredentials)
    }

    pub(super) fn credential(error: CredentialError) -> Self {
        let kind = match error.error_code() {
            ErrorCode::InvalidRequest => AuthRejectionKind::InvalidRequest,
            _ => AuthRejectionKind::InvalidToken,
        };
        Self {
            credential_error: Some(error),
            ..Self::of(kind)
        }
    }

    pub(super) fn verify(error: VerifyError) -> Self {
        let kind = if error.is_unavailable() {
            AuthRejectionKind::Unavailable
        } else {
            AuthRejectionKind::InvalidToken
        };
        Self {
            verify_error: Some(error),
            ..Self::of(kind)
        }
    }

    pub(super) fn insufficient_scope(missing_scopes: Vec<String>) -> Self {
        Self {
            missing_scopes,
            ..Self::of(AuthRejectionKind::InsufficientScope)
        }
    }

    fn of(kind: AuthRejectionKind) -> Self {
        Self {
            kind,
            credential_error: None,
            verify_error: None,
            missing_scopes: Vec::new(),
        }
    }

    /// The class of the rejection.
    #[must_use]
    pub fn kind(&self) -> AuthRejectionKind {
        self.kind
    }

    /// The HTTP status sent.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The RFC 6750 error code sent in the challenge, if any.
    #[must_use]
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.kind.error_code()
    }

    /// The credential problem, when the request was refused before verification.
    #[must_use]
    pub fn credential_error(&self) -> Option<CredentialError> {
        self.credential_error
    }

    /// The verifier's error, when the token was refused or could not be checked.
    ///
    /// Its [`detail`](VerifyError::detail) may name internal URLs or claim names: log it with
    /// care.
    #[must_use]
    pub fn verify_error(&self) -> Option<&VerifyError> {
        self.verify_error.as_ref()
    }

    /// The required scopes the token lacked (403 only).
    #[must_use]
    pub fn missing_scopes(&self) -> &[String] {
        &self.missing_scopes
    }

    /// The fixed description sent as `error_description` and in the JSON body.
    #[must_use]
    pub fn description(&self) -> &'static str {
        if let Some(error) = self.credential_error {
            return error.description();
        }
        if let Some(error) = &self.verify_error {
            return error.kind().description();
        }
        match self.kind {
            AuthRejectionKind::InsufficientScope => super::INSUFFICIENT_SCOPE_DESCRIPTION,
            AuthRejectionKind::Unavailable => VerifyErrorKind::Unavailable.description(),
            _ => MISSING_CREDENTIALS_DESCRIPTION,
        }
    }

    /// Builds the rejection response for `config`.
    pub(super) fn into_response<B: RejectionBody>(self, config: &Config) -> Response<B> {
        let mut response = Response::new(B::from_json_bytes(self.json_body(config)));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        let challenge = match self.kind {
            AuthRejectionKind::MissingCredentials => Some(config.no_credentials_challenge.clone()),
            AuthRejectionKind::InvalidRequest => {
                Some(config.challenge(Some((ErrorCode::InvalidRequest, self.description())), false))
            }
            AuthRejectionKind::InvalidToken => {
                Some(config.challenge(Some((ErrorCode::InvalidToken, self.description())), true))
            }
            AuthRejectionKind::InsufficientScope => {
                Some(config.insufficient_scope_challenge.clone())
            }
            AuthRejectionKind::Unavailable => {
                headers.insert(RETRY_AFTER, config.retry_after.clone());
                None
            }
        };
        if let Some(challenge) = challenge {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response.extensions_mut().insert(self);
        response
    }

    fn json_body(&self, config: &Config) -> Bytes {
        #[derive(Serialize)]
        struct ErrorBody<'a> {
            error: &'a str,
            error_description: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            error_detail: Option<String>,
        }
        let error = match self.kind {
            AuthRejectionKind::MissingCredentials => UNAUTHORIZED,
            AuthRejectionKind::Unavailable => TEMPORARILY_UNAVAILABLE,
            kind => kind.error_code().map_or(UNAUTHORIZED, ErrorCode::as_str),
        };
        let error_detail = if config.show_error_details {
            self.detail()
        } else {
            None
        };
        let body = ErrorBody {
            error,
            error_description: self.description(),
            error_detail,
        };
        serde_json::to_vec(&body)
            .map(Bytes::from)
            .unwrap_or_default()
    }

    /// The developer-facing detail (only sent with `show_error_details`).
    fn detail(&self) -> Option<String> {
        if let Some(detail) = self.verify_error.as_ref().and_then(VerifyError::detail) {
            return Some(detail.to_owned());
        }
        if !self.missing_scopes.is_empty() {
            return Some(format!("missing scopes: {}", self.missing_scopes.join(" ")));
        }
        None
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl std::error::Error for AuthRejection {}
