//! The login and consent pages.
//!
//! Both are one `POST` form with the hidden fields `request_id` and `csrf_token`; the login
//! page has a submit button `username=<login name>` per test user (and `action=cancel`), the
//! consent page the buttons `decision=approve` and `decision=deny`.

use url::Url;

use super::{document, escape};
use crate::clients::redirect_uri::is_loopback_host;
use crate::clients::{Client, ClientKind};
use crate::interaction::AuthorizationRequest;
use crate::metadata::paths;
use crate::users::User;

/// What the login page shows.
#[derive(Debug)]
pub(crate) struct LoginView<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) csrf_token: &'a str,
    pub(crate) client: &'a Client,
    pub(crate) users: &'a [User],
}

/// What the consent page shows.
#[derive(Debug)]
pub(crate) struct ConsentView<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) csrf_token: &'a str,
    pub(crate) request: &'a AuthorizationRequest,
    pub(crate) user: &'a User,
}

fn hidden_fields(request_id: &str, csrf_token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"request_id\" value=\"{}\">\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n",
        escape(request_id),
        escape(csrf_token)
    )
}

fn client_label(client: &Client) -> String {
    escape(client.name().unwrap_or(client.client_id()))
}

/// The login page: one button per test user.
pub(crate) fn login(view: &LoginView<'_>) -> String {
    let mut users = String::new();
    for user in view.users {
        let mut detail = escape(&user.username);
        if let Some(email) = &user.email {
            detail.push_str(" · ");
            detail.push_str(&escape(email));
        }
        users.push_str(&format!(
            "<li><button type=\"submit\" class=\"user\" name=\"username\" value=\"{}\">\
             <strong>{}</strong><span>{detail}</span></button></li>\n",
            escape(&user.username),
            escape(user.name.as_deref().unwrap_or(&user.username)),
        ));
    }
    let body = format!(
        "<h1>Sign in</h1>\n<p><strong>{client}</strong> asks you to sign in. Pick a test user \
         (no password: this is a development server).</p>\n\
         <form method=\"post\" action=\"{action}\">\n{hidden}<ul class=\"users\">\n{users}</ul>\n\
         <div class=\"actions\"><button type=\"submit\" class=\"secondary\" name=\"action\" \
         value=\"cancel\">Cancel</button></div>\n</form>\n",
        client = client_label(view.client),
        action = paths::LOGIN,
        hidden = hidden_fields(view.request_id, view.csrf_token),
    );
    document("Sign in", &body)
}

/// What a scope lets the client do, in words.
fn describe_scope(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => "confirm who you are",
        "profile" => "see your name and username",
        "email" => "see your email address",
        "offline_access" => "stay signed in (refresh tokens)",
        _ => return None,
    })
}

/// Where the client sends the user back: the host (and port) of an `http(s)` redirect URI, or
/// the scheme of a native app's private-use URI.
fn redirect_target(redirect_uri: &str) -> String {
    match Url::parse(redirect_uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        }
        Ok(url) => format!("the application handling {}:", url.scheme()),
        Err(_) => redirect_uri.to_owned(),
    }
}

/// The consent page: who asks, for what, on whose behalf, and where the answer goes.
pub(crate) fn consent(view: &ConsentView<'_>) -> String {
    let request = view.request;
    let client = &request.client;
    let mut scopes = String::new();
    for scope in &request.scopes {
        let description = describe_scope(scope)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        scopes.push_str(&format!(
            "<li><code>{}</code>{description}</li>\n",
            escape(scope)
        ));
    }
    if scopes.is_empty() {
        scopes.push_str("<li>no scope requested</li>\n");
    }
    let resource = request.resource.as_deref().map_or_else(
        || "none named".to_owned(),
        |r| format!("<code>{}</code>", escape(r)),
    );
    let mut warnings = String::new();
    match client.kind() {
        ClientKind::Registered => warnings.push_str(
            "<p class=\"warning\">This client registered itself: its name is not verified.</p>\n",
        ),
        ClientKind::MetadataDocument => {
            warnings.push_str(&format!(
                "<p class=\"warning\">This client is described by the document at <code>{}</code>: \
                 its name is not verified.</p>\n",
                escape(client.client_id())
            ));
            if Url::parse(&request.redirect_uri).is_ok_and(|url| is_loopback_host(&url)) {
                warnings.push_str(
                    "<p class=\"warning\">It sends you back to a program on this computer \
                     (a loopback address): allow it only if you started that program.</p>\n",
                );
            }
        }
        _ => {}
    }
    let user = view.user;
    let body = format!(
        "<h1>Allow access?</h1>\n<p>Signed in as <strong>{name}</strong> ({username}).</p>\n\
         <p><strong>{client_name}</strong> asks for:</p>\n<ul class=\"scopes\">\n{scopes}</ul>\n\
         <dl><dt>Resource</dt><dd>{resource}</dd>\
         <dt>Client ID</dt><dd><code>{client_id}</code></dd>\
         <dt>Redirects to</dt><dd><strong>{target}</strong><br><code>{redirect_uri}</code></dd></dl>\n\
         {warnings}<form method=\"post\" action=\"{action}\">\n{hidden}<div class=\"actions\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
         <button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"deny\">Deny</button>\
         </div>\n</form>\n",
        name = escape(user.name.as_deref().unwrap_or(&user.username)),
        username = escape(&user.username),
        client_name = client_label(client),
        client_id = escape(client.client_id()),
        target = escape(&redirect_target(&request.redirect_uri)),
        redirect_uri = escape(&request.redirect_uri),
        action = paths::CONSENT,
        hidden = hidden_fields(view.request_id, view.csrf_token),
    );
    document("Allow access", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets() {
        assert_eq!(
            redirect_target("http://127.0.0.1:6274/oauth/callback"),
            "127.0.0.1:6274"
        );
        assert_eq!(
            redirect_target("https://app.example.com/cb"),
            "app.example.com"
        );
        assert_eq!(
            redirect_target("com.example.app:/cb"),
            "the application handling com.example.app:"
        );
    }
}
