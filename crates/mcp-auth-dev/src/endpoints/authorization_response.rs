//! Authorization responses sent to the client's redirect URI (RFC 6749 §4.1.2 and §4.1.2.1):
//! `303 See Other` to the redirect URI with `code` (or `error` and `error_description`),
//! `state` when the request had one, and `iss` (RFC 9207 §2) always. The redirect URI's own
//! query is kept (RFC 6749 §3.1.2).

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, LOCATION, REFERRER_POLICY};
use http::{HeaderValue, StatusCode};
use url::Url;

use super::pages;

/// An error to report at the client's redirect URI.
#[derive(Debug, Clone)]
pub(crate) struct ErrorRedirect {
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    /// An RFC 6749 §4.1.2.1 (or OpenID Connect Core §3.1.2.6) error code.
    pub(crate) error: &'static str,
    pub(crate) description: String,
}

/// Redirects with a code.
pub(crate) fn success(
    redirect_uri: &str,
    code: &str,
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let mut params = vec![("code", code)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", issuer));
    redirect(redirect_uri, &params)
}

/// Redirects with an error.
pub(crate) fn error(error: &ErrorRedirect, issuer: &str) -> Response {
    let description = sanitize(&error.description);
    let mut params = vec![("error", error.error), ("error_description", &description)];
    if let Some(state) = &error.state {
        params.push(("state", state));
    }
    params.push(("iss", issuer));
    redirect(&error.redirect_uri, &params)
}

fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return pages::error(StatusCode::BAD_REQUEST, "The redirect URI is not valid.");
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
    }
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return pages::error(StatusCode::BAD_REQUEST, "The redirect URI is not valid.");
    };
    (
        StatusCode::SEE_OTHER,
        [
            (LOCATION, location),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
    )
        .into_response()
}

/// RFC 6749 §4.1.2.1: `error_description` uses `%x20-21 / %x23-5B / %x5D-7E` only.
fn sanitize(description: &str) -> String {
    description
        .chars()
        .take(256)
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn location(response: &Response) -> String {
        response.headers()[LOCATION].to_str().unwrap().to_owned()
    }

    #[test]
    fn keeps_the_redirect_query_and_adds_state_and_iss() {
        let r = success(
            "http://127.0.0.1:9/cb?tenant=a",
            "c0de",
            Some("s t&"),
            "http://127.0.0.1:1",
        );
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&r),
            "http://127.0.0.1:9/cb?tenant=a&code=c0de&state=s+t%26&iss=http%3A%2F%2F127.0.0.1%3A1"
        );
        let e = ErrorRedirect {
            redirect_uri: "com.example.app:/cb".into(),
            state: None,
            error: "access_denied",
            description: "the user said \"no\"".into(),
        };
        let r = error(&e, "http://127.0.0.1:1");
        assert_eq!(
            location(&r),
            "com.example.app:/cb?error=access_denied&error_description=the+user+said+%3Fno%3F&iss=http%3A%2F%2F127.0.0.1%3A1"
        );
    }
}
