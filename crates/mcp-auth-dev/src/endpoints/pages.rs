//! The HTML pages of the authorization endpoint: login, consent, and errors.
//!
//! Every page is sent with headers that forbid framing (`Content-Security-Policy:
//! frame-ancestors 'none'` and `X-Frame-Options: DENY`, against clickjacking, RFC 6749 §10.13),
//! scripts (`default-src 'none'`; the pages need none) and caching, and without a `Referer`
//! for the links followed from them. Every interpolated value is HTML-escaped.

use std::sync::LazyLock;

use aws_lc_rs::digest;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{HeaderValue, StatusCode};

mod templates;

pub(crate) use templates::{ConsentView, LoginView, consent, login};

/// The style sheet of every page (inline, allowed by its hash).
const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;\
margin:0;padding:2rem 1rem}main{max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;\
padding:1.5rem 2rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.4rem;margin-top:0}\
.banner{background:#fff4d6;border:1px solid #e8c15a;border-radius:6px;padding:.5rem .75rem;\
font-size:.9rem}.warning{background:#fdecea;border:1px solid #e0a19b;border-radius:6px;\
padding:.5rem .75rem;font-size:.9rem}ul.users{list-style:none;padding:0}ul.users li{margin:.5rem 0}\
button{font:inherit;cursor:pointer;border-radius:6px;border:1px solid #3056d3;background:#3056d3;\
color:#fff;padding:.55rem 1rem}button.user{width:100%;text-align:left;background:#fff;\
color:#1d2330;border-color:#c5cad3}button.user:hover{border-color:#3056d3}button.user span{display:\
block;font-size:.85rem;color:#5b6475}button.secondary{background:#fff;color:#3056d3}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}\
dd{margin:0;word-break:break-all}code{font-size:.9em}.actions{display:flex;gap:.75rem;\
margin-top:1.25rem}";

/// `Content-Security-Policy` of every page.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = STANDARD.encode(digest::digest(&digest::SHA256, STYLE.as_bytes()).as_ref());
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; frame-ancestors 'none'"
    )
});

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A full HTML document around `body`.
pub(crate) fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · mcp-auth-dev</title><style>{STYLE}</style></head>\n<body><main>\n\
         <p class=\"banner\">Development authorization server: test users, no passwords. \
         Never expose it to a network.</p>\n{body}</main></body></html>\n",
        escape(title)
    )
}

/// An HTML response with the page security headers.
pub(crate) fn html(status: StatusCode, document: String) -> Response {
    let mut response = (status, document).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(policy) = HeaderValue::from_str(&POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error page: the request cannot be answered at the client's redirect URI (RFC 6749
/// §4.1.2.1: an invalid client or redirect URI must not be redirected to).
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Authorization failed</h1>\n<p>{}</p>\n<p>Start again from the application.</p>\n",
        escape(message)
    );
    html(status, document("Authorization failed", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_policy_allows_the_style_and_forbids_framing() {
        assert!(POLICY.contains("frame-ancestors 'none'"));
        assert!(POLICY.contains("style-src 'sha256-"));
        assert!(!POLICY.contains("unsafe"));
    }
}
