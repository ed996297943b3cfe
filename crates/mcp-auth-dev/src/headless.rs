//! Completing the sign-in without a browser: what a test (or a CLI) does with the
//! authorization URL an OAuth client built, to get the code a user would have produced.
//!
//! The steps are documented on [`authorize_headless`].

use std::time::Duration;

use http::StatusCode;
use http::header::{COOKIE, LOCATION, SET_COOKIE};
use url::Url;

use crate::error::DevError;
use crate::metadata::paths;

/// Largest page read.
const MAX_PAGE: usize = 1024 * 1024;
/// Deadline of each request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The end of an authorization: the client's redirect URI with the response parameters
/// (RFC 6749 §4.1.2, RFC 9207).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationRedirect {
    /// The `Location` the server redirected the browser to.
    pub location: String,
    /// `code`, on success.
    pub code: Option<String>,
    /// `state`, when the request had one.
    pub state: Option<String>,
    /// `iss` (RFC 9207): the issuer.
    pub iss: Option<String>,
    /// `error`, on failure (`access_denied`, `invalid_scope`, ...).
    pub error: Option<String>,
    /// `error_description`, on failure.
    pub error_description: Option<String>,
}

impl AuthorizationRedirect {
    fn parse(location: &str) -> Result<Self, DevError> {
        let url = Url::parse(location)
            .map_err(|_| DevError::Headless(format!("the redirect `{location}` is not a URL")))?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
        };
        Ok(Self {
            location: location.to_owned(),
            code: param("code"),
            state: param("state"),
            iss: param("iss"),
            error: param("error"),
            error_description: param("error_description"),
        })
    }
}

/// Drives the development server's login and consent pages for an authorization URL, as the
/// test user `username` who approves, and returns where the browser would be sent.
///
/// Only for this crate's development server (it reads its pages); for development and tests.
///
/// What it does — and what any headless client can do itself:
///
/// 1. `GET <authorization URL>` (`response_type=code`, `client_id`, `redirect_uri`,
///    `code_challenge` + `code_challenge_method=S256`, `state`, `scope`, `resource`, ...).
///    Answer: `200` with the login page and a cookie `Set-Cookie: mcp-auth-dev-<request_id>=…;
///    Path=/authorize; HttpOnly; SameSite=Lax`. (An invalid request instead answers `303` to
///    the redirect URI with `error`, or `400` with an HTML error page when the client or the
///    redirect URI is the problem.) The page's form has the hidden inputs
///    `<input type="hidden" name="request_id" value="…">` and
///    `<input type="hidden" name="csrf_token" value="…">`, and one
///    `<button type="submit" name="username" value="<login name>">` per test user.
/// 2. `POST /authorize/login`, `Content-Type: application/x-www-form-urlencoded`, sending the
///    cookie back: `request_id=…&csrf_token=…&username=alice`. Answer: `200` with the consent
///    page, whose form carries the same `request_id` and a **new** `csrf_token`.
/// 3. `POST /authorize/consent`, same cookie:
///    `request_id=…&csrf_token=<the new one>&decision=approve` (or `decision=deny`). Answer:
///    `303 See Other`, `Location: <redirect_uri>?code=…&state=…&iss=…`, and the cookie is
///    deleted.
///
/// Both forms are refused (an HTML page, nothing redirected) without the cookie or with a wrong
/// CSRF token (403), or once the request has expired (ten minutes) or finished (400).
///
/// The code is then redeemed at `/token` with `grant_type=authorization_code`, `code`,
/// `redirect_uri`, `code_verifier`, `client_id` (public clients) or client authentication, and
/// the `resource`.
///
/// # Errors
///
/// [`DevError::Headless`] when a request fails, a page is not the expected one (the message
/// of an error page is included), or `username` is not on the login page.
pub async fn authorize_headless(
    authorization_url: &str,
    username: &str,
) -> Result<AuthorizationRedirect, DevError> {
    let fail = |what: String| DevError::Headless(what);
    let start = Url::parse(authorization_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| fail("the authorization URL is not an http(s) URL".into()))?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| fail(format!("cannot build an HTTP client: {e}")))?;

    let response = http
        .get(start.clone())
        .send()
        .await
        .map_err(|e| fail(format!("GET the authorization URL: {e}")))?;
    if let Some(redirect) = redirect_of(&response)? {
        return Ok(redirect);
    }
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("mcp-auth-dev-"))
        .filter_map(|v| v.split(';').next())
        .next()
        .map(str::to_owned);
    let login_page = page(response, "the authorization request").await?;
    let cookie = cookie.ok_or_else(|| fail("the login page set no binding cookie".into()))?;
    let request_id = hidden(&login_page, "request_id")?;
    let csrf_token = hidden(&login_page, "csrf_token")?;
    let button = format!("name=\"username\" value=\"{}\"", escape(username));
    if !login_page.contains(&button) {
        return Err(fail(format!(
            "`{username}` is not a user on the login page"
        )));
    }

    let post = |path: &'static str, form: Vec<(&str, &str)>| {
        post_form(&http, &start, &cookie, path, form_body(&form))
    };
    let response = post(
        paths::LOGIN,
        vec![
            ("request_id", &request_id),
            ("csrf_token", &csrf_token),
            ("username", username),
        ],
    )
    .await?;
    if let Some(redirect) = redirect_of(&response)? {
        return Ok(redirect);
    }
    let consent_page = page(response, "the login form").await?;
    let csrf_token = hidden(&consent_page, "csrf_token")?;
    let response = post(
        paths::CONSENT,
        vec![
            ("request_id", &request_id),
            ("csrf_token", &csrf_token),
            ("decision", "approve"),
        ],
    )
    .await?;
    match redirect_of(&response)? {
        Some(redirect) => Ok(redirect),
        None => Err(fail(format!(
            "the consent form answered {} instead of a redirect: {}",
            response.status(),
            error_message(&page_text(response).await)
        ))),
    }
}

/// `POST`s a form to `path` (on the authorization URL's origin) with the binding cookie.
async fn post_form(
    http: &reqwest::Client,
    start: &Url,
    cookie: &str,
    path: &'static str,
    body: String,
) -> Result<reqwest::Response, DevError> {
    let url = start
        .join(path)
        .map_err(|e| DevError::Headless(e.to_string()))?;
    http.post(url)
        .header(COOKIE, cookie)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .map_err(|e| DevError::Headless(format!("POST {path}: {e}")))
}

/// The redirect of a `303`/`302` answer.
fn redirect_of(response: &reqwest::Response) -> Result<Option<AuthorizationRedirect>, DevError> {
    if !matches!(response.status(), StatusCode::SEE_OTHER | StatusCode::FOUND) {
        return Ok(None);
    }
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| DevError::Headless("a redirect without Location".into()))?;
    AuthorizationRedirect::parse(location).map(Some)
}

/// The text of a `200` page; any other status is an error naming `what` and the page's message.
async fn page(response: reqwest::Response, what: &str) -> Result<String, DevError> {
    let status = response.status();
    let text = page_text(response).await;
    if status == StatusCode::OK {
        Ok(text)
    } else {
        Err(DevError::Headless(format!(
            "{what} answered {status}: {}",
            error_message(&text)
        )))
    }
}

/// The body as text, read up to [`MAX_PAGE`] bytes (empty beyond, or on a read error).
async fn page_text(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if chunk.len() > MAX_PAGE.saturating_sub(body.len()) {
            return String::new();
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The message of the server's error page (its first paragraph after the heading).
fn error_message(page: &str) -> String {
    page.split_once("</h1>")
        .and_then(|(_, rest)| rest.split_once("<p>"))
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map_or_else(
            || "(no message)".to_owned(),
            |(message, _)| message.to_owned(),
        )
}

/// The value of the hidden input `name`.
fn hidden(page: &str, name: &str) -> Result<String, DevError> {
    let marker = format!("name=\"{name}\" value=\"");
    page.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .ok_or_else(|| DevError::Headless(format!("the page has no `{name}` field")))
}

fn escape(text: &str) -> String {
    crate::endpoints::escape_html(text)
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hidden_fields_and_error_messages() {
        let page = "<input type=\"hidden\" name=\"request_id\" value=\"abc\">\
                    <input type=\"hidden\" name=\"csrf_token\" value=\"x-y_z\">";
        assert_eq!(hidden(page, "request_id").ok().as_deref(), Some("abc"));
        assert_eq!(hidden(page, "csrf_token").ok().as_deref(), Some("x-y_z"));
        assert!(hidden(page, "other").is_err());
        assert_eq!(
            error_message("<h1>Authorization failed</h1>\n<p>No such client.</p>"),
            "No such client."
        );
    }

    #[test]
    fn parses_redirects() {
        let r =
            AuthorizationRedirect::parse("http://127.0.0.1:9/cb?code=c&state=s&iss=http%3A%2F%2Fx")
                .ok();
        let r = r.as_ref();
        assert_eq!(r.and_then(|r| r.code.as_deref()), Some("c"));
        assert_eq!(r.and_then(|r| r.state.as_deref()), Some("s"));
        assert_eq!(r.and_then(|r| r.iss.as_deref()), Some("http://x"));
        assert_eq!(r.and_then(|r| r.error.as_deref()), None);
    }
}
