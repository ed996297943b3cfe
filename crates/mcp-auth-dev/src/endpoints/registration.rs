//! Dynamic Client Registration (RFC 7591 §3): open registration, no initial access token, no
//! management endpoint (RFC 7592).
//!
//! `POST /register` with a JSON body of client metadata (see
//! [`ClientMetadata`](crate::clients::registration::ClientMetadata) for the rules) answers
//! `201 Created` with the client's information (RFC 7591 §3.2.1): a fresh random `client_id`,
//! `client_id_issued_at`, and for confidential clients (`token_endpoint_auth_method`
//! `client_secret_basic` or `client_secret_post`) a `client_secret` that never expires
//! (`client_secret_expires_at: 0`), with every registered value echoed. Errors are 400
//! `invalid_redirect_uri` or `invalid_client_metadata` (RFC 7591 §3.2.2); a body over 16 KiB is
//! 413, and a full registry 503.

use axum::Json;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use http::{HeaderValue, Request, StatusCode};
use serde_json::{Value, json};

use super::State;
use super::error_response::ErrorResponse;
use super::form::MAX_BODY;
use crate::authorization_server::AuthorizationServer;
use crate::clients::ClientKind;
use crate::clients::registration::{AuthMethod, ClientMetadata, Source};
use crate::tokens::random_string;

/// `POST /register`.
pub(crate) async fn register(
    axum::extract::State(server): State,
    request: Request<Body>,
) -> Response {
    match respond(&server, request).await {
        Ok(body) => (
            StatusCode::CREATED,
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
    request: Request<Body>,
) -> Result<Value, ErrorResponse> {
    let invalid =
        |description: &str| ErrorResponse::bad_request("invalid_client_metadata", description);
    let json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(invalid(
            "the body must be application/json (RFC 7591 section 3.1)",
        ));
    }
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| ErrorResponse::payload_too_large())?;
    let document: Value =
        serde_json::from_slice(&body).map_err(|_| invalid("the body is not valid JSON"))?;
    let metadata = ClientMetadata::parse(&document, Source::Registration, &server.scopes_supported)
        .map_err(|e| ErrorResponse::bad_request(e.code, &e.description))?;

    let client_id = format!("dcr-{}", random_string(16)?);
    let secret = match metadata.auth_method {
        AuthMethod::None => None,
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => Some(random_string(32)?),
    };
    let mut body = json!({
        "client_id": client_id,
        "client_id_issued_at": server.now(),
        "redirect_uris": metadata.redirect_uris,
        "token_endpoint_auth_method": metadata.auth_method.as_str(),
        "grant_types": metadata.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "response_types": if metadata.grant_types.contains(&crate::clients::GrantType::AuthorizationCode) {
            vec!["code"]
        } else {
            Vec::new()
        },
        "application_type": metadata.application_type,
    });
    if let Some(object) = body.as_object_mut() {
        if let Some(secret) = &secret {
            object.insert("client_secret".into(), json!(secret));
            object.insert("client_secret_expires_at".into(), json!(0));
        }
        if let Some(name) = &metadata.client_name {
            object.insert("client_name".into(), json!(name));
        }
        if let Some(scopes) = &metadata.scopes {
            object.insert("scope".into(), json!(crate::scope::join(scopes)));
        }
        for (name, value) in &metadata.echoed {
            object.insert(name.clone(), value.clone());
        }
    }
    let client = metadata.into_client(ClientKind::Registered, client_id.clone(), secret);
    server.clients.register(server.now(), client).map_err(|_| {
        ErrorResponse::temporarily_unavailable(
            "the client registry is full; restart the server or raise max_registered_clients",
        )
    })?;
    tracing::info!(%client_id, "registered a client (RFC 7591)");
    Ok(body)
}
