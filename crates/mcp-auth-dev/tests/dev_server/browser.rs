//! A minimal cookie-keeping "browser" that reads the server's HTML forms and submits them,
//! following no redirects by itself; PKCE helpers; and the whole code flow as one call.

use std::sync::Mutex;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth_dev::DevServer;
use serde_json::Value;
use url::Url;

use super::support::{form, http, post_form};

/// A PKCE pair: a random verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    (verifier.clone(), challenge_of(&verifier))
}

/// `BASE64URL(SHA256(verifier))`.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref())
}

/// A form read from a page: its action, hidden inputs and submit buttons.
#[derive(Debug, Clone)]
pub struct HtmlForm {
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub buttons: Vec<(String, String)>,
}

/// The value of attribute `name` in the tag text `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let (_, rest) = tag.split_once(&marker)?;
    let (value, _) = rest.split_once('"')?;
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Reads the (single) POST form of a page.
pub fn parse_form(html: &str) -> HtmlForm {
    let (_, form_start) = html.split_once("<form").expect("the page has a form");
    let (form_tag, _) = form_start.split_once('>').unwrap();
    assert_eq!(attribute(form_tag, "method").as_deref(), Some("post"));
    let action = attribute(form_tag, "action").expect("the form has an action");
    let (body, _) = form_start
        .split_once("</form>")
        .expect("the form is closed");
    let tags = |element: &str| -> Vec<String> {
        body.split(&format!("<{element}"))
            .skip(1)
            .map(|t| t.split_once('>').unwrap().0.to_owned())
            .collect()
    };
    let hidden = tags("input")
        .iter()
        .filter(|t| attribute(t, "type").as_deref() == Some("hidden"))
        .map(|t| {
            (
                attribute(t, "name").unwrap(),
                attribute(t, "value").unwrap(),
            )
        })
        .collect();
    let buttons = tags("button")
        .iter()
        .filter(|t| attribute(t, "type").as_deref() == Some("submit"))
        .map(|t| {
            (
                attribute(t, "name").unwrap(),
                attribute(t, "value").unwrap(),
            )
        })
        .collect();
    HtmlForm {
        action,
        hidden,
        buttons,
    }
}

impl HtmlForm {
    pub fn hidden(&self, name: &str) -> &str {
        &self
            .hidden
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no hidden `{name}`"))
            .1
    }

    /// The form's parameters as submitted with the button `name=value`.
    pub fn params_with(&self, button: (&str, &str)) -> Vec<(String, String)> {
        assert!(
            self.buttons
                .iter()
                .any(|(n, v)| n == button.0 && v == button.1),
            "no button {button:?} in {:?}",
            self.buttons
        );
        let mut params = self.hidden.clone();
        params.push((button.0.to_owned(), button.1.to_owned()));
        params
    }
}

/// A client with a cookie jar (one site) and no automatic redirects.
pub struct Browser {
    http: reqwest::Client,
    jar: Mutex<Vec<(String, String)>>,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: http(),
            jar: Mutex::new(Vec::new()),
        }
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn store(&self, response: &reqwest::Response) {
        let mut jar = self.jar.lock().unwrap();
        for field in response.headers().get_all("set-cookie") {
            let field = field.to_str().unwrap();
            let (pair, attributes) = field.split_once(';').unwrap_or((field, ""));
            let (name, value) = pair.split_once('=').unwrap();
            jar.retain(|(n, _)| n != name);
            if !attributes.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn cookie_count(&self) -> usize {
        self.jar.lock().unwrap().len()
    }

    pub fn forget_cookies(&self) {
        self.jar.lock().unwrap().clear();
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        let mut request = self.http.get(url);
        if let Some(cookies) = self.cookie_header() {
            request = request.header("cookie", cookies);
        }
        let response = request.send().await.unwrap();
        self.store(&response);
        response
    }

    pub async fn post(&self, url: &str, params: &[(String, String)]) -> reqwest::Response {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&pairs));
        if let Some(cookies) = self.cookie_header() {
            request = request.header("cookie", cookies);
        }
        let response = request.send().await.unwrap();
        self.store(&response);
        response
    }

    /// Submits `form` (from a page of `server`) with the button `name=value`.
    pub async fn submit(
        &self,
        server: &DevServer,
        form: &HtmlForm,
        button: (&str, &str),
    ) -> reqwest::Response {
        let url = format!("{}{}", server.issuer(), form.action);
        self.post(&url, &form.params_with(button)).await
    }
}

/// The page of a 200 response, with its security headers checked.
pub async fn page(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    check_page_headers(&response);
    response.text().await.unwrap()
}

/// Every HTML page forbids framing and scripts, is not cached, and has no CORS header.
pub fn check_page_headers(response: &reqwest::Response) {
    let headers = response.headers();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(!headers.contains_key("access-control-allow-origin"));
}

/// The parameters of a redirect `Location`.
#[derive(Debug)]
pub struct Redirect {
    pub url: Url,
}

impl Redirect {
    pub fn from(response: &reqwest::Response) -> Self {
        assert_eq!(response.status(), 303, "expected a redirect");
        let location = response.headers()["location"].to_str().unwrap();
        Self {
            url: Url::parse(location).unwrap(),
        }
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The URL without its query.
    pub fn base(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.to_string()
    }
}

/// An authorization URL of `server`.
pub fn authorize_url(server: &DevServer, params: &[(&str, &str)]) -> String {
    format!("{}/authorize?{}", server.issuer(), form(params))
}

/// Goes through the login page (as `username`) and the consent page (approving); returns the
/// redirect to the client.
pub async fn sign_in_and_approve(
    server: &DevServer,
    browser: &Browser,
    authorize: &str,
    username: &str,
) -> Redirect {
    let login = parse_form(&page(browser.get(authorize).await).await);
    assert_eq!(login.action, "/authorize/login");
    let consent_page = page(browser.submit(server, &login, ("username", username)).await).await;
    let consent = parse_form(&consent_page);
    assert_eq!(consent.action, "/authorize/consent");
    assert_eq!(consent.hidden("request_id"), login.hidden("request_id"));
    assert_ne!(consent.hidden("csrf_token"), login.hidden("csrf_token"));
    let response = browser
        .submit(server, &consent, ("decision", "approve"))
        .await;
    Redirect::from(&response)
}

/// A finished code flow for the public client `mcp-inspector`: the token response.
pub struct CodeFlow {
    pub verifier: String,
    pub code: String,
    pub redirect_uri: String,
}

/// Runs the authorization part of a code flow for `client_id` and returns the code.
pub async fn code_for(
    server: &DevServer,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    resource: Option<&str>,
) -> CodeFlow {
    let (verifier, challenge) = pkce();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("state", "st4te"),
        ("scope", scope),
    ];
    if let Some(resource) = resource {
        params.push(("resource", resource));
    }
    let browser = Browser::new();
    let redirect =
        sign_in_and_approve(server, &browser, &authorize_url(server, &params), "alice").await;
    assert_eq!(redirect.param("state").as_deref(), Some("st4te"));
    assert_eq!(redirect.param("iss").as_deref(), Some(server.issuer()));
    CodeFlow {
        verifier,
        code: redirect.param("code").expect("a code"),
        redirect_uri: redirect_uri.to_owned(),
    }
}

/// Redeems a code for a public client; returns the response.
pub async fn redeem(
    server: &DevServer,
    client_id: &str,
    flow: &CodeFlow,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", &flow.code),
        ("redirect_uri", &flow.redirect_uri),
        ("code_verifier", &flow.verifier),
    ];
    params.extend_from_slice(extra);
    post_form(server, "/token", &params, None).await
}

/// Redeems a code and expects success.
pub async fn tokens(
    server: &DevServer,
    client_id: &str,
    flow: &CodeFlow,
    extra: &[(&str, &str)],
) -> Value {
    let response = redeem(server, client_id, flow, extra).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}
