//! The login and consent form submissions.
//!
//! Both take `application/x-www-form-urlencoded` bodies with `request_id` and `csrf_token` (the
//! hidden fields of the page) and the binding cookie set by `GET /authorize`:
//!
//! * `POST /authorize/login` with `username=<login name>` signs that test user in and answers
//!   the consent page (200); with `action=cancel` it redirects `error=access_denied`;
//! * `POST /authorize/consent` with `decision=approve` redirects (303) to the client with
//!   `code`, `state` and `iss`; with `decision=deny`, with `error=access_denied`.
//!
//! A missing or wrong cookie is refused with 403, as is a wrong CSRF token; an unknown, expired
//! or finished request with 400. These are HTML pages: the client is not told.

use axum::response::Response;
use http::header::SET_COOKIE;
use http::{HeaderMap, StatusCode};

use super::super::State;
use super::super::authorization_response::{self, ErrorRedirect};
use super::super::error_response::ErrorResponse;
use super::super::form::Form;
use super::super::pages::{self, ConsentView};
use super::{binding_cookie, clear_binding_cookie};
use crate::authorization_server::AuthorizationServer;
use crate::interaction::{AuthorizationRequest, PendingAuthorization, Refusal, Stage};
use crate::users::User;

/// The page for a refused submission.
fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Unknown => pages::error(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown, has expired, or was already completed.",
        ),
        Refusal::NotThisBrowser => pages::error(
            StatusCode::FORBIDDEN,
            "This sign-in was started in another browser, or cookies are blocked.",
        ),
        Refusal::Forged => pages::error(
            StatusCode::FORBIDDEN,
            "The form could not be verified (its CSRF token does not match).",
        ),
    }
}

/// The `request_id` and `csrf_token` fields, or what is wrong with the form (a 400 page).
fn fields(form: &Result<Form, ErrorResponse>) -> Result<(&Form, &str, &str), String> {
    let form = form
        .as_ref()
        .map_err(|error| format!("The form is malformed: {}.", error.description()))?;
    match (form.get("request_id"), form.get("csrf_token")) {
        (Some(id), Some(csrf)) => Ok((form, id, csrf)),
        _ => Err("The form has no request_id or csrf_token.".into()),
    }
}

/// Adds the header deleting the binding cookie.
fn clearing_cookie(mut response: Response, id: &str) -> Response {
    if let Some(value) = clear_binding_cookie(id) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

fn access_denied(server: &AuthorizationServer, request: &AuthorizationRequest) -> Response {
    let error = ErrorRedirect {
        redirect_uri: request.redirect_uri.clone(),
        state: request.state.clone(),
        error: "access_denied",
        description: "the user denied the request".into(),
    };
    authorization_response::error(&error, &server.issuer)
}

enum LoginStep {
    Consent(AuthorizationRequest, User, String),
    Cancelled(AuthorizationRequest),
    UnknownUser,
    WrongStage,
    Failed,
}

/// `POST /authorize/login`.
pub(crate) async fn login(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    let (form, id, csrf) = match fields(&form) {
        Ok(fields) => fields,
        Err(message) => return pages::error(StatusCode::BAD_REQUEST, &message),
    };
    let now = server.now();
    let cookie = binding_cookie(&headers, id);
    let step = |pending: &mut PendingAuthorization| {
        if pending.stage != Stage::Login {
            return (LoginStep::WrongStage, false);
        }
        if form.get("action") == Some("cancel") {
            return (LoginStep::Cancelled(pending.request.clone()), true);
        }
        let Some(user) = form
            .get("username")
            .and_then(|u| server.user_by_username(u))
        else {
            return (LoginStep::UnknownUser, false);
        };
        pending.stage = Stage::Consent {
            user_sub: user.sub.clone(),
            auth_time: now,
        };
        match pending.rotate_csrf_token() {
            Ok(token) => (
                LoginStep::Consent(pending.request.clone(), user.clone(), token),
                false,
            ),
            Err(_) => (LoginStep::Failed, true),
        }
    };
    let outcome = server
        .interactions
        .submit(now, id, cookie.as_deref(), csrf, step);
    match outcome {
        Err(refusal) => refused(refusal),
        Ok(LoginStep::Consent(request, user, csrf_token)) => {
            let page = pages::consent(&ConsentView {
                request_id: id,
                csrf_token: &csrf_token,
                request: &request,
                user: &user,
            });
            pages::html(StatusCode::OK, page)
        }
        Ok(LoginStep::Cancelled(request)) => clearing_cookie(access_denied(&server, &request), id),
        Ok(LoginStep::UnknownUser) => pages::error(
            StatusCode::BAD_REQUEST,
            "Pick one of the test users listed on the sign-in page.",
        ),
        Ok(LoginStep::WrongStage) => pages::error(
            StatusCode::BAD_REQUEST,
            "This sign-in step was already completed.",
        ),
        Ok(LoginStep::Failed) => pages::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server could not continue the sign-in.",
        ),
    }
}

enum ConsentStep {
    Approved(AuthorizationRequest, String, i64),
    Denied(AuthorizationRequest),
    NoDecision,
    WrongStage,
}

/// `POST /authorize/consent`.
pub(crate) async fn consent(
    axum::extract::State(server): State,
    headers: HeaderMap,
    form: Result<Form, ErrorResponse>,
) -> Response {
    let (form, id, csrf) = match fields(&form) {
        Ok(fields) => fields,
        Err(message) => return pages::error(StatusCode::BAD_REQUEST, &message),
    };
    let cookie = binding_cookie(&headers, id);
    let step = |pending: &mut PendingAuthorization| {
        let Stage::Consent {
            user_sub,
            auth_time,
        } = &pending.stage
        else {
            return (ConsentStep::WrongStage, false);
        };
        match form.get("decision") {
            Some("approve") => (
                ConsentStep::Approved(pending.request.clone(), user_sub.clone(), *auth_time),
                true,
            ),
            Some("deny") => (ConsentStep::Denied(pending.request.clone()), true),
            _ => (ConsentStep::NoDecision, false),
        }
    };
    let outcome = server
        .interactions
        .submit(server.now(), id, cookie.as_deref(), csrf, step);
    let response = match outcome {
        Err(refusal) => return refused(refusal),
        Ok(ConsentStep::WrongStage) => {
            return pages::error(StatusCode::BAD_REQUEST, "Sign in first.");
        }
        Ok(ConsentStep::NoDecision) => {
            return pages::error(StatusCode::BAD_REQUEST, "Choose Allow or Deny.");
        }
        Ok(ConsentStep::Denied(request)) => access_denied(&server, &request),
        Ok(ConsentStep::Approved(request, user_sub, auth_time)) => {
            match server.issue_code(&request, &user_sub, auth_time) {
                Ok(code) => authorization_response::success(
                    &request.redirect_uri,
                    &code,
                    request.state.as_deref(),
                    &server.issuer,
                ),
                Err(error) => {
                    tracing::warn!(%error, "cannot issue an authorization code");
                    let error = ErrorRedirect {
                        redirect_uri: request.redirect_uri.clone(),
                        state: request.state.clone(),
                        error: "temporarily_unavailable",
                        description: "the server cannot issue a code now".into(),
                    };
                    authorization_response::error(&error, &server.issuer)
                }
            }
        }
    };
    clearing_cookie(response, id)
}
