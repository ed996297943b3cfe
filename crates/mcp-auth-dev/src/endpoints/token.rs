//! The token endpoint (RFC 6749 §3.2, §4.4, §5).
//!
//! Order of checks: the form (`invalid_request`), `grant_type` present (`invalid_request`),
//! client authentication (`invalid_client`), the grant type known (`unsupported_grant_type`)
//! and allowed for the client (`unauthorized_client`), then the grant's own parameters.
//!
//! Without a `scope` parameter, no scope is granted (the pre-defined default of RFC 6749 §3.3).

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::State;
use super::client_authentication::{Method, authenticate};
use super::error_response::ErrorResponse;
use super::form::Form;
use crate::authorization_server::{AuthorizationServer, Grant, IssuedToken};
use crate::clients::GrantType;

/// `POST /token`.
pub(crate) async fn token(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    match respond(&server, &headers, form) {
        Ok(issued) => token_response(issued),
        Err(error) => error.into_response(),
    }
}

fn respond(
    server: &AuthorizationServer,
    headers: &HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Result<IssuedToken, ErrorResponse> {
    let form = form?;
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| ErrorResponse::invalid_request("grant_type is missing"))?;
    let authenticated = authenticate(server, headers, &form, true)?;
    let client = &authenticated.client;
    let grant = match GrantType::from_name(grant_type) {
        Some(grant @ (GrantType::ClientCredentials | GrantType::AuthorizationCode)) => grant,
        _ => {
            return Err(ErrorResponse::unsupported_grant_type(
                "the grant type is not supported",
            ));
        }
    };
    if !client.allows_grant(grant) {
        return Err(ErrorResponse::unauthorized_client(&format!(
            "the client may not use the {grant} grant"
        )));
    }
    match grant {
        GrantType::ClientCredentials => {
            if authenticated.method == Method::None {
                return Err(ErrorResponse::unauthorized_client(
                    "client_credentials needs a confidential client",
                ));
            }
            let scopes = match form.get("scope") {
                Some(scope) => crate::scope::parse(scope).map_err(ErrorResponse::invalid_scope)?,
                None => Vec::new(),
            };
            let resource = single_resource(&form)?;
            let grant = Grant {
                client,
                user: None,
                scopes,
                resource,
                format: None,
                ttl: None,
            };
            Ok(server.issue(grant)?)
        }
        _ => {
            // The authorization endpoint does not issue codes yet, so none can be valid.
            if form.get("code").is_none() {
                return Err(ErrorResponse::invalid_request("code is missing"));
            }
            Err(ErrorResponse::invalid_grant(
                "the authorization code is invalid, expired or already used",
            ))
        }
    }
}

/// The `resource` parameter (RFC 8707 §2): at most one here, as the JWT carries a single
/// audience.
fn single_resource(form: &Form) -> Result<Option<String>, ErrorResponse> {
    let mut resources = form.all("resource");
    let first = resources.next().map(str::to_owned);
    if resources.next().is_some() {
        return Err(ErrorResponse::invalid_target(
            "only one resource per token request is supported",
        ));
    }
    Ok(first)
}

/// The successful response (RFC 6749 §5.1), never cached.
fn token_response(issued: IssuedToken) -> Response {
    let mut body = Map::new();
    body.insert("access_token".into(), Value::String(issued.access_token));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(issued.expires_in));
    if !issued.scopes.is_empty() {
        body.insert("scope".into(), json!(crate::scope::join(&issued.scopes)));
    }
    (
        [
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        Json(Value::Object(body)),
    )
        .into_response()
}
