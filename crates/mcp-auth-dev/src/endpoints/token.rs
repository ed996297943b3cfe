//! The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §5, §6).
//!
//! Order of checks: the form (`invalid_request`), `grant_type` present (`invalid_request`),
//! client authentication (`invalid_client`), the grant type known (`unsupported_grant_type`)
//! and allowed for the client (`unauthorized_client`), then the grant's own parameters
//! (`invalid_request` when missing or malformed, then `invalid_grant`, `invalid_scope`,
//! `invalid_target`).
//!
//! * `authorization_code`: `code`, `code_verifier` (PKCE is required), `redirect_uri` when the
//!   authorization request had one, and optionally `resource`; see
//!   [`CodeExchange`](crate::authorization_server::CodeExchange) for the rules.
//! * `refresh_token`: `refresh_token`, optionally a narrower `scope` and `resource`.
//! * `client_credentials`: optionally `scope` and `resource`. Without a `scope` parameter, no
//!   scope is granted (the pre-defined default of RFC 6749 §3.3).

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::State;
use super::client_authentication::{Method, authenticate};
use super::error_response::ErrorResponse;
use super::form::Form;
use crate::authorization_code::is_code_verifier;
use crate::authorization_server::{
    AuthorizationServer, CodeExchange, Grant, IssuedToken, RefreshRequest,
};
use crate::clients::GrantType;

/// `POST /token`.
pub(crate) async fn token(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    match respond(&server, &headers, form).await {
        Ok(issued) => token_response(issued),
        Err(error) => error.into_response(),
    }
}

async fn respond(
    server: &AuthorizationServer,
    headers: &HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Result<IssuedToken, ErrorResponse> {
    let form = form?;
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| ErrorResponse::invalid_request("grant_type is missing"))?;
    let authenticated = authenticate(server, headers, &form, true).await?;
    let client = &authenticated.client;
    let Some(grant) = GrantType::from_name(grant_type) else {
        return Err(ErrorResponse::unsupported_grant_type(
            "the grant type is not supported",
        ));
    };
    if !client.allows_grant(grant) {
        return Err(ErrorResponse::unauthorized_client(&format!(
            "the client may not use the {grant} grant"
        )));
    }
    let scopes = match form.get("scope") {
        Some(scope) => Some(crate::scope::parse(scope).map_err(ErrorResponse::invalid_scope)?),
        None => None,
    };
    let resource = single_resource(&form)?;
    match grant {
        GrantType::ClientCredentials => {
            if authenticated.method == Method::None {
                return Err(ErrorResponse::unauthorized_client(
                    "client_credentials needs a confidential client",
                ));
            }
            let grant = Grant {
                client,
                user: None,
                scopes: scopes.unwrap_or_default(),
                resource,
                format: None,
                ttl: None,
                grant_id: None,
            };
            Ok(server.issue(grant)?)
        }
        GrantType::AuthorizationCode => {
            let code = form
                .get("code")
                .ok_or_else(|| ErrorResponse::invalid_request("code is missing"))?;
            let code_verifier = form.get("code_verifier").ok_or_else(|| {
                ErrorResponse::invalid_request("code_verifier is missing: PKCE is required")
            })?;
            if !is_code_verifier(code_verifier) {
                return Err(ErrorResponse::invalid_request(
                    "code_verifier is malformed (RFC 7636 section 4.1)",
                ));
            }
            let exchange = CodeExchange {
                client,
                code,
                redirect_uri: form.get("redirect_uri"),
                code_verifier,
                resource,
            };
            Ok(server.exchange_code(exchange)?)
        }
        GrantType::RefreshToken => {
            let refresh_token = form
                .get("refresh_token")
                .ok_or_else(|| ErrorResponse::invalid_request("refresh_token is missing"))?;
            let request = RefreshRequest {
                client,
                refresh_token,
                scopes,
                resource,
            };
            Ok(server.refresh(request)?)
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
    if let Some(refresh_token) = issued.refresh_token {
        body.insert("refresh_token".into(), Value::String(refresh_token));
    }
    if let Some(id_token) = issued.id_token {
        body.insert("id_token".into(), Value::String(id_token));
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
