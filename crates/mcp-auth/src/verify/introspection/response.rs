//! The introspection exchange without I/O: the request (RFC 7662 §2.1), the judgement of the
//! answer (§2.2) and the claim checks that turn it into an identity.

use http::{HeaderValue, Method, Request, header};
use serde_json::{Map, Value};
use url::Url;
use url::form_urlencoded;

use super::{Inner, Prepared};
use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::http_client::HttpResponse;
use crate::json;
use crate::verify::jwt::claims;

/// `token_type` values naming a bearer access token (RFC 6749 §7.1, RFC 8693 §3), compared
/// case-insensitively.
const ACCESS_TOKEN_TYPES: [&str; 3] = [
    "bearer",
    "access_token",
    "urn:ietf:params:oauth:token-type:access_token",
];

/// `POST <endpoint>` with the form `token=...&token_type_hint=access_token` and the client's
/// authentication.
pub(super) fn request(
    endpoint: &Url,
    token: &BearerToken,
    client: &Prepared,
) -> Result<Request<Vec<u8>>, VerifyError> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("token", token.secret());
    form.append_pair("token_type_hint", "access_token");
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(endpoint.as_str())
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .header(header::ACCEPT, HeaderValue::from_static("application/json"));
    match client {
        Prepared::Header(value) => builder = builder.header(header::AUTHORIZATION, value.clone()),
        Prepared::Body { id, secret } => {
            form.append_pair("client_id", id);
            form.append_pair("client_secret", secret);
        }
    }
    builder.body(form.finish().into_bytes()).map_err(|_| {
        VerifyError::unavailable("the introspection endpoint is not a valid request URI")
    })
}

/// Judges the answer: the members of an active token's introspection response, `Inactive`, or
/// `Unavailable` when the answer is not a usable introspection response.
pub(super) fn read(answer: &HttpResponse) -> Result<Map<String, Value>, VerifyError> {
    let status = answer.status.as_u16();
    match status {
        200 => {}
        401 | 403 => {
            return Err(VerifyError::unavailable(format!(
                "the introspection endpoint refused this server's client credentials ({status})"
            )));
        }
        _ => {
            return Err(VerifyError::unavailable(format!(
                "the introspection endpoint answered {status}"
            )));
        }
    }
    let fields = json::parse_object(&answer.body)
        .map_err(|_| VerifyError::unavailable("the introspection response is not a JSON object"))?;
    // RFC 7662 §2.2: `active` is REQUIRED and boolean; anything but `true` is inactive.
    if fields.get("active") != Some(&Value::Bool(true)) {
        return Err(VerifyError::new(VerifyErrorKind::Inactive));
    }
    Ok(fields)
}

fn invalid(kind: VerifyErrorKind, detail: &'static str) -> VerifyError {
    VerifyError::new(kind).with_detail(detail)
}

impl Inner {
    /// Checks an active token's members like a JWT's claims and builds the identity.
    pub(super) fn identity(
        &self,
        token: &BearerToken,
        fields: Map<String, Value>,
    ) -> Result<AuthInfo, VerifyError> {
        match fields.get("token_type") {
            None => {}
            Some(Value::String(kind))
                if ACCESS_TOKEN_TYPES
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(kind)) => {}
            Some(_) => {
                return Err(invalid(
                    VerifyErrorKind::InvalidClaims,
                    "token_type is not a bearer access token",
                ));
            }
        }
        let issuer = self.endpoint.server().issuer();
        match fields.get("iss") {
            None => {}
            Some(Value::String(iss)) if iss == issuer => {}
            Some(_) => {
                return Err(invalid(
                    VerifyErrorKind::InvalidIssuer,
                    "iss is not the trusted issuer",
                ));
            }
        }
        // i64 seconds to f64 is exact for any realistic time.
        let expires_at = self.check_times(&fields, self.clock.now() as f64)?;
        let accepted = self.check_audience.then_some(self.audiences.as_slice());
        let audience = claims::check_audience(&fields, accepted)?;
        let client_id = claims::client_id(&fields, false)?;
        let subject = match (fields.get("sub"), &client_id) {
            (None, Some(client_id)) if self.allow_missing_subject => client_id.clone(),
            _ => claims::subject(&fields)?,
        };
        let scopes = self.scope_claim.extract(&fields)?;

        let mut info = AuthInfo::new(token.clone(), issuer, subject)
            .with_scopes(scopes)
            .with_audience(audience)
            .with_resource(&*self.resource)
            .with_claims(fields);
        info.client_id = client_id;
        info.expires_at = expires_at;
        Ok(info)
    }

    /// `exp`, `nbf` and `iat` with the shared JWT rules; the expiry when there is one.
    fn check_times(
        &self,
        fields: &Map<String, Value>,
        now: f64,
    ) -> Result<Option<i64>, VerifyError> {
        if fields.contains_key("exp") {
            return claims::check_times(fields, now, self.leeway, false).map(Some);
        }
        // No `exp` (optional in RFC 7662 §2.2): the same rules still judge `nbf` and `iat`,
        // against an expiry that never comes.
        let mut times = Map::new();
        times.insert("exp".to_owned(), Value::from(f64::MAX));
        for name in ["nbf", "iat"] {
            if let Some(value) = fields.get(name) {
                times.insert(name.to_owned(), value.clone());
            }
        }
        claims::check_times(&times, now, self.leeway, false).map(|_| None)
    }
}
