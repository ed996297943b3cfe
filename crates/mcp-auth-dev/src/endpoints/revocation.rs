//! Token revocation (RFC 7009): a client revokes the tokens issued to it. Revoking a refresh
//! token revokes its whole grant: every refresh token and access token issued from the same
//! authorization (RFC 7009 §2.1 "SHOULD").

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::State;
use super::client_authentication::authenticate;
use super::error_response::ErrorResponse;
use super::form::Form;
use crate::authorization_server::AuthorizationServer;

/// `POST /revoke` with `token` (and an optional, ignored, `token_type_hint`).
pub(crate) async fn revoke(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    match respond(&server, &headers, form).await {
        Ok(()) => (
            StatusCode::OK,
            [
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (PRAGMA, HeaderValue::from_static("no-cache")),
            ],
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn respond(
    server: &AuthorizationServer,
    headers: &HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Result<(), ErrorResponse> {
    let form = form?;
    let client = authenticate(server, headers, &form, true).await?.client;
    let token = form
        .get("token")
        .ok_or_else(|| ErrorResponse::invalid_request("token is missing"))?;
    let now = server.now();
    let access = server
        .tokens
        .revoke(now, token, |record| record.client_id == client.client_id())
        .map(|(_, revoked)| revoked);
    let outcome = access.or_else(|| {
        let (record, revoked) = server
            .refresh_tokens
            .revoke(now, token, |record| record.client_id == client.client_id())?;
        if revoked {
            server.revoke_grant(&record.grant_id);
        }
        Some(revoked)
    });
    match outcome {
        // RFC 7009 §2.1: a token issued to another client is not revoked.
        Some(false) => Err(ErrorResponse::unauthorized_client(
            "the token was not issued to this client",
        )),
        // RFC 7009 §2.2: revoked, or unknown (invalid tokens are not an error).
        _ => Ok(()),
    }
}
