//! Errors of the authorization endpoint: redirected to the client with `error`, `state` and
//! `iss` when the redirect URI is trusted, an HTML page otherwise; PKCE `plain` refused; and
//! the login and consent forms protected against forgery and replay.

use mcp_auth_dev::{Client, DevServer, GrantType};

use super::browser::{
    Browser, Redirect, authorize_url, check_page_headers, page, parse_form, pkce,
};
use super::support::{RESOURCE, http, start, start_with};

const CALLBACK: &str = "http://127.0.0.1:6274/oauth/callback";

/// A valid request for `mcp-inspector`, with `overrides` replacing or adding parameters
/// (an empty value removes one).
fn request(server: &DevServer, overrides: &[(&str, &str)]) -> String {
    let challenge = pkce().1;
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", "mcp-inspector"),
        ("redirect_uri", CALLBACK),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("state", "s-123"),
        ("scope", "openid"),
    ];
    for (name, value) in overrides {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    authorize_url(server, &params)
}

/// GETs `url` and expects a redirect to the callback with `error`, the state and `iss`.
async fn expect_redirect_error(server: &DevServer, url: &str, error: &str) -> Redirect {
    let response = http().get(url).send().await.unwrap();
    let redirect = Redirect::from(&response);
    assert_eq!(redirect.base(), CALLBACK);
    assert_eq!(redirect.param("error").as_deref(), Some(error), "{url}");
    assert!(redirect.param("error_description").is_some());
    assert_eq!(redirect.param("iss").as_deref(), Some(server.issuer()));
    assert_eq!(redirect.param("code"), None);
    redirect
}

/// GETs `url` and expects an HTML error page (nothing redirected).
async fn expect_page_error(url: &str, status: u16) -> String {
    let response = http().get(url).send().await.unwrap();
    assert_eq!(response.status(), status, "{url}");
    assert!(!response.headers().contains_key("location"));
    check_page_headers(&response);
    response.text().await.unwrap()
}

#[tokio::test]
async fn pkce_is_required_and_plain_is_refused() {
    let server = start().await;
    let plain_challenge = "a".repeat(43);
    for overrides in [
        vec![("code_challenge", "")],
        vec![("code_challenge_method", "plain")],
        vec![("code_challenge_method", "")],
        vec![("code_challenge_method", "S512")],
        vec![("code_challenge", "short")],
        vec![
            ("code_challenge", plain_challenge.as_str()),
            ("code_challenge_method", "plain"),
        ],
    ] {
        let url = request(&server, &overrides);
        let redirect = expect_redirect_error(&server, &url, "invalid_request").await;
        assert_eq!(
            redirect.param("state").as_deref(),
            Some("s-123"),
            "{overrides:?}"
        );
    }
}

#[tokio::test]
async fn request_errors_are_redirected_with_state_and_iss() {
    let server = start_with(
        DevServer::builder()
            .scopes_supported(["openid", "todo:read", "todo:write"])
            .clients(vec![
                Client::public("mcp-inspector")
                    .with_redirect_uris([CALLBACK])
                    .with_scopes(["openid", "todo:read"]),
                Client::confidential("service", "secret")
                    .with_redirect_uris([CALLBACK])
                    .with_grant_types([GrantType::ClientCredentials]),
            ]),
    )
    .await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("response_type", "")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (vec![("response_mode", "fragment")], "invalid_request"),
        (
            vec![("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (vec![("request_uri", "urn:x")], "request_uri_not_supported"),
        (vec![("scope", "admin")], "invalid_scope"),
        (vec![("scope", "todo:write")], "invalid_scope"),
        (vec![("scope", "openid  todo:read")], "invalid_scope"),
        (vec![("resource", "/relative")], "invalid_target"),
        (
            vec![("resource", "http://127.0.0.1:3001/mcp#f")],
            "invalid_target",
        ),
        (vec![("prompt", "none")], "login_required"),
        (vec![("client_id", "service")], "unauthorized_client"),
    ];
    for (overrides, error) in cases {
        let url = request(&server, &overrides);
        let redirect = expect_redirect_error(&server, &url, error).await;
        assert_eq!(
            redirect.param("state").as_deref(),
            Some("s-123"),
            "{overrides:?}"
        );
    }
    // Two resources.
    let url = format!(
        "{}&resource={}&resource={}",
        request(&server, &[]),
        RESOURCE,
        "http://127.0.0.1:3002/mcp"
    );
    expect_redirect_error(&server, &url, "invalid_target").await;
    // An oversized state is not echoed.
    let long_state = "s".repeat(2000);
    let url = request(&server, &[("state", &long_state)]);
    let redirect = expect_redirect_error(&server, &url, "invalid_request").await;
    assert_eq!(redirect.param("state"), None);
}

#[tokio::test]
async fn a_bad_client_or_redirect_uri_gets_a_page_never_a_redirect() {
    let server = start().await;
    let text = expect_page_error(&request(&server, &[("client_id", "")]), 400).await;
    assert!(text.contains("client_id"));
    let text = expect_page_error(&request(&server, &[("client_id", "nobody")]), 400).await;
    assert!(text.contains("nobody"));
    // Markup in an echoed value is escaped.
    let text = expect_page_error(
        &request(&server, &[("client_id", "<script>x</script>")]),
        400,
    )
    .await;
    assert!(!text.contains("<script>"));
    assert!(text.contains("&lt;script&gt;"));
    // Exact matching: a trailing slash, another path, another host, https, a fragment.
    for uri in [
        "http://127.0.0.1:6274/oauth/callback/",
        "http://127.0.0.1:6274/oauth",
        "http://127.0.0.2:6274/oauth/callback",
        "https://127.0.0.1:6274/oauth/callback",
        "http://127.0.0.1:6274/oauth/callback#x",
        "https://evil.example/oauth/callback",
    ] {
        let text = expect_page_error(&request(&server, &[("redirect_uri", uri)]), 400).await;
        assert!(text.contains("not registered"), "{uri}");
    }
    // No redirect_uri while the client has several.
    expect_page_error(&request(&server, &[("redirect_uri", "")]), 400).await;
    // A repeated parameter (RFC 6749 §3.1).
    let url = format!("{}&client_id=mcp-inspector", request(&server, &[]));
    expect_page_error(&url, 400).await;
    // Broken encoding.
    let url = format!("{}&state=%zz", request(&server, &[]));
    expect_page_error(&url, 400).await;
}

#[tokio::test]
async fn deny_and_cancel_answer_access_denied() {
    let server = start().await;
    // Cancel on the login page.
    let browser = Browser::new();
    let login = parse_form(&page(browser.get(&request(&server, &[])).await).await);
    let response = browser.submit(&server, &login, ("action", "cancel")).await;
    let redirect = Redirect::from(&response);
    assert_eq!(redirect.param("error").as_deref(), Some("access_denied"));
    assert_eq!(redirect.param("state").as_deref(), Some("s-123"));
    assert_eq!(redirect.param("iss").as_deref(), Some(server.issuer()));
    // Deny on the consent page.
    let browser = Browser::new();
    let login = parse_form(&page(browser.get(&request(&server, &[])).await).await);
    let consent =
        parse_form(&page(browser.submit(&server, &login, ("username", "bob")).await).await);
    let response = browser
        .submit(&server, &consent, ("decision", "deny"))
        .await;
    let redirect = Redirect::from(&response);
    assert_eq!(redirect.base(), CALLBACK);
    assert_eq!(redirect.param("error").as_deref(), Some("access_denied"));
    assert_eq!(redirect.param("code"), None);
}

#[tokio::test]
async fn forms_are_bound_to_the_browser_and_csrf_protected() {
    let server = start().await;
    let url = request(&server, &[]);
    let browser = Browser::new();
    let login = parse_form(&page(browser.get(&url).await).await);

    // Another browser (no binding cookie) cannot submit this login form.
    let other = Browser::new();
    let response = other.submit(&server, &login, ("username", "alice")).await;
    assert_eq!(response.status(), 403);
    check_page_headers(&response);
    // Nor can a browser that started its own request (its cookie is for another record).
    let _ = other.get(&url).await;
    let response = other.submit(&server, &login, ("username", "alice")).await;
    assert_eq!(response.status(), 403);

    // A forged CSRF token.
    let mut forged = login.clone();
    for (name, value) in &mut forged.hidden {
        if name == "csrf_token" {
            *value = "forged".into();
        }
    }
    let response = browser
        .submit(&server, &forged, ("username", "alice"))
        .await;
    assert_eq!(response.status(), 403);
    // Missing fields.
    let response = browser
        .post(&format!("{}/authorize/login", server.issuer()), &[])
        .await;
    assert_eq!(response.status(), 400);
    // An unknown user.
    let mut intruder = login.clone();
    intruder.buttons.push(("username".into(), "mallory".into()));
    let response = browser
        .submit(&server, &intruder, ("username", "mallory"))
        .await;
    assert_eq!(response.status(), 400);

    // The real submission works; the login form cannot be replayed (its token was replaced).
    let consent =
        parse_form(&page(browser.submit(&server, &login, ("username", "alice")).await).await);
    let response = browser.submit(&server, &login, ("username", "bob")).await;
    assert_eq!(response.status(), 403);
    // The consent form with the login page's token is refused too.
    let mut stale = consent.clone();
    stale.hidden = login.hidden.clone();
    let response = browser
        .submit(&server, &stale, ("decision", "approve"))
        .await;
    assert_eq!(response.status(), 403);
    // Approving works once.
    let kept_cookies = browser.cookie_count();
    assert_eq!(kept_cookies, 1);
    let response = browser
        .submit(&server, &consent, ("decision", "approve"))
        .await;
    assert!(Redirect::from(&response).param("code").is_some());
    let response = browser
        .submit(&server, &consent, ("decision", "approve"))
        .await;
    assert!(response.status() == 400 || response.status() == 403);
    assert!(!response.headers().contains_key("location"));
}

#[tokio::test]
async fn forms_without_the_cookie_are_refused() {
    let server = start().await;
    let browser = Browser::new();
    let login = parse_form(&page(browser.get(&request(&server, &[])).await).await);
    browser.forget_cookies();
    let response = browser.submit(&server, &login, ("username", "alice")).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("cookies"));
}
