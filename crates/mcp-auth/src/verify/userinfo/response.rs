//! The userinfo exchange without I/O: the request to send and the judgement of the answer
//! (OIDC Core 1.0 §5.3.1 - §5.3.3; RFC 6750 §2.1, §3.1).

use http::{HeaderValue, Method, Request, header};
use serde_json::{Map, Value};
use url::Url;

use crate::bearer::BearerToken;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::http_client::HttpResponse;
use crate::json;

/// `GET <endpoint>` with `Authorization: Bearer <token>` (marked sensitive) and
/// `Accept: application/json`.
pub(super) fn request(
    endpoint: &Url,
    token: &BearerToken,
) -> Result<Request<Vec<u8>>, VerifyError> {
    let mut authorization =
        HeaderValue::try_from(format!("Bearer {}", token.secret())).map_err(|_| {
            VerifyError::new(VerifyErrorKind::Malformed)
                .with_detail("the token cannot be sent in a header")
        })?;
    authorization.set_sensitive(true);
    Request::builder()
        .method(Method::GET)
        .uri(endpoint.as_str())
        .header(header::AUTHORIZATION, authorization)
        .header(header::ACCEPT, HeaderValue::from_static("application/json"))
        .body(Vec::new())
        .map_err(|_| VerifyError::unavailable("the userinfo endpoint is not a valid request URI"))
}

/// Judges the answer: the userinfo fields, or why the token is refused or could not be checked.
pub(super) fn read(answer: &HttpResponse) -> Result<Map<String, Value>, VerifyError> {
    let status = answer.status.as_u16();
    match status {
        200..=299 => {}
        // RFC 6750 §3.1: the token was refused (invalid_token, insufficient_scope,
        // invalid_request).
        400 | 401 | 403 => {
            return Err(
                VerifyError::new(VerifyErrorKind::Inactive).with_detail(format!(
                    "the userinfo endpoint refused the token ({status})"
                )),
            );
        }
        _ => {
            return Err(VerifyError::unavailable(format!(
                "the userinfo endpoint answered {status}"
            )));
        }
    }
    if is_jwt(answer) {
        return Err(invalid(
            "signed or encrypted userinfo responses are not supported",
        ));
    }
    json::parse_object(&answer.body)
        .map_err(|_| invalid("the userinfo response is not a JSON object"))
}

/// `Content-Type: application/jwt` (OIDC Core §5.3.2), whatever its parameters and case.
fn is_jwt(answer: &HttpResponse) -> bool {
    answer
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/jwt"))
}

fn invalid(detail: &'static str) -> VerifyError {
    VerifyError::new(VerifyErrorKind::InvalidClaims).with_detail(detail)
}
