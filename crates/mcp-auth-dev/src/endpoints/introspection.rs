//! Token introspection (RFC 7662): for authenticated confidential clients. Access tokens are
//! described with `token_type` `Bearer`; an active refresh token (not yet used: rotation
//! retires it) with `token_type` `refresh_token`, so that a resource server can tell it is not
//! an access token (RFC 7662 §2.2). Anything else is `{"active": false}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::State;
use super::client_authentication::authenticate;
use super::error_response::ErrorResponse;
use super::form::Form;
use crate::authorization_server::AuthorizationServer;
use crate::tokens::RefreshRecord;

/// `POST /introspect` with `token` (and an optional `token_type_hint`, which only changes
/// which kind is looked up first; RFC 7662 §2.1).
pub(crate) async fn introspect(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    match respond(&server, &headers, form).await {
        Ok(body) => (
            [
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(body),
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn respond(
    server: &AuthorizationServer,
    headers: &HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Result<Value, ErrorResponse> {
    let form = form?;
    authenticate(server, headers, &form, false).await?;
    let token = form
        .get("token")
        .ok_or_else(|| ErrorResponse::invalid_request("token is missing"))?;
    // RFC 7662 §2.2: unknown, expired and revoked tokens are all just inactive.
    let now = server.now();
    let refresh_first = form.get("token_type_hint") == Some("refresh_token");
    if refresh_first && let Some(record) = server.refresh_tokens.active(now, token) {
        return Ok(describe_refresh(server, &record));
    }
    let Some(record) = server.tokens.active(now, token) else {
        return Ok(match server.refresh_tokens.active(now, token) {
            Some(record) if !refresh_first => describe_refresh(server, &record),
            _ => json!({ "active": false }),
        });
    };
    let mut body = Map::new();
    body.insert("active".into(), json!(true));
    if !record.scopes.is_empty() {
        body.insert("scope".into(), json!(crate::scope::join(&record.scopes)));
    }
    body.insert("client_id".into(), json!(record.client_id));
    if let Some(user) = record
        .user_sub
        .as_deref()
        .and_then(|s| server.user_by_sub(s))
    {
        body.insert("username".into(), json!(user.username));
    }
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("exp".into(), json!(record.expires_at));
    body.insert("iat".into(), json!(record.issued_at));
    body.insert("sub".into(), json!(record.subject()));
    if let Some(audience) = &record.audience {
        body.insert("aud".into(), json!(audience));
    }
    body.insert("iss".into(), json!(server.issuer));
    body.insert("jti".into(), json!(record.jti));
    Ok(Value::Object(body))
}

/// The introspection answer for an active refresh token.
fn describe_refresh(server: &AuthorizationServer, record: &RefreshRecord) -> Value {
    let mut body = Map::new();
    body.insert("active".into(), json!(true));
    body.insert("token_type".into(), json!("refresh_token"));
    if !record.scopes.is_empty() {
        body.insert("scope".into(), json!(crate::scope::join(&record.scopes)));
    }
    body.insert("client_id".into(), json!(record.client_id));
    if let Some(user) = server.user_by_sub(&record.user_sub) {
        body.insert("username".into(), json!(user.username));
    }
    body.insert("exp".into(), json!(record.expires_at));
    body.insert("sub".into(), json!(record.user_sub));
    if let Some(resource) = &record.resource {
        body.insert("aud".into(), json!(resource));
    }
    body.insert("iss".into(), json!(server.issuer));
    Value::Object(body)
}
