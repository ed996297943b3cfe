//! The authorization endpoint (RFC 6749 §3.1, §4.1) and its pages.
//!
//! `GET /authorize` (or `POST` with a form body, OpenID Connect Core §3.1.2.1) validates the
//! request ([`request`]), starts a pending authorization bound to the browser by a cookie, and
//! shows the login page. The login form posts to `/authorize/login`, which shows the consent
//! page; the consent form posts to `/authorize/consent`, which redirects to the client with
//! the code ([`interaction`]).
//!
//! The pages are never served with CORS headers, and forbid framing.

use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue, StatusCode, Uri};

use super::State;
use super::authorization_response;
use super::error_response::ErrorResponse;
use super::form::{Form, MAX_BODY};
use super::pages::{self, LoginView};
use crate::authorization_server::AuthorizationServer;
use crate::interaction::PENDING_TTL;
use crate::metadata::paths;

mod interaction;
mod request;

pub(crate) use interaction::{consent, login};

/// The prefix of the cookie binding a pending authorization to the browser; the record's id
/// follows.
const COOKIE_PREFIX: &str = "mcp-auth-dev-";
/// Longest `Cookie` field read.
const MAX_COOKIE_LEN: usize = 8 * 1024;

/// `GET /authorize`: the parameters are in the query.
pub(crate) async fn authorize_get(axum::extract::State(server): State, uri: Uri) -> Response {
    let query = uri.query().unwrap_or_default();
    if query.len() > MAX_BODY {
        return pages::error(
            StatusCode::URI_TOO_LONG,
            "The authorization request is too long.",
        );
    }
    match Form::parse(query.as_bytes()) {
        Ok(params) => start(&server, &params).await,
        Err(error) => bad_parameters(&error),
    }
}

/// `POST /authorize`: the parameters are a form body.
pub(crate) async fn authorize_post(
    axum::extract::State(server): State,
    form: Result<Form, ErrorResponse>,
) -> Response {
    match form {
        Ok(params) => start(&server, &params).await,
        Err(error) => bad_parameters(&error),
    }
}

fn bad_parameters(error: &ErrorResponse) -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        &format!(
            "The authorization request is malformed: {}.",
            error.description()
        ),
    )
}

/// Validates the request, then starts a pending authorization and shows the login page.
async fn start(server: &AuthorizationServer, params: &Form) -> Response {
    let request = match request::validate(server, params).await {
        Ok(request) => request,
        Err(request::Rejection::Page(message)) => {
            return pages::error(StatusCode::BAD_REQUEST, &message);
        }
        Err(request::Rejection::Redirect(error)) => {
            return authorization_response::error(&error, &server.issuer);
        }
    };
    let client = std::sync::Arc::clone(&request.client);
    let started = match server.interactions.start(server.now(), request) {
        Ok(started) => started,
        Err(error) => {
            tracing::warn!(%error, "cannot start an authorization");
            return pages::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many sign-ins are in progress; try again in a few minutes.",
            );
        }
    };
    let page = pages::login(&LoginView {
        request_id: &started.id,
        csrf_token: &started.csrf_token,
        client: &client,
        users: &server.users,
    });
    let mut response = pages::html(StatusCode::OK, page);
    let cookie = format!(
        "{COOKIE_PREFIX}{}={}; Path={}; Max-Age={PENDING_TTL}; HttpOnly; SameSite=Lax",
        started.id,
        started.binding_secret,
        paths::AUTHORIZE
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response.into_response()
}

/// The binding secret the browser sent for the pending authorization `id`.
fn binding_cookie(headers: &HeaderMap, id: &str) -> Option<String> {
    let name = format!("{COOKIE_PREFIX}{id}");
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter(|field| field.len() <= MAX_COOKIE_LEN)
        .filter_map(|field| field.to_str().ok())
        .flat_map(|field| field.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` field that deletes the binding cookie of `id`.
fn clear_binding_cookie(id: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{COOKIE_PREFIX}{id}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
        paths::AUTHORIZE
    ))
    .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_binding_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            http::header::COOKIE,
            HeaderValue::from_static("a=1; mcp-auth-dev-XYZ=secret; b=2"),
        );
        headers.append(http::header::COOKIE, HeaderValue::from_static("c=3"));
        assert_eq!(binding_cookie(&headers, "XYZ").as_deref(), Some("secret"));
        assert_eq!(binding_cookie(&headers, "ABC"), None);
        assert!(clear_binding_cookie("XYZ").is_some());
    }
}
