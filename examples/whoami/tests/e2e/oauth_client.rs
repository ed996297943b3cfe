//! The whole MCP authorization chain driven by **rmcp's own OAuth client** (its `auth`
//! feature), an implementation independent of mcp-auth, used the way an MCP client application
//! uses it:
//!
//! 1. rmcp's Streamable HTTP client (`AuthClient`) without credentials: `initialize` gets the
//!    401, and rmcp hands back its `WWW-Authenticate` challenge
//!    (`ClientInitializeError::auth_challenge`);
//! 2. `OAuthState::start_authorization` with that challenge: rmcp fetches the
//!    protected-resource metadata named by `resource_metadata` (RFC 9728), then the
//!    authorization server's metadata (RFC 8414 / OpenID Connect Discovery), registers a public
//!    client with a loopback redirect URI (RFC 7591, RFC 8252 §7.3), and builds the
//!    authorization URL (PKCE `S256`, `state`, `resource` = the metadata's resource, RFC 8707);
//! 3. the browser's part, which rmcp leaves to the application:
//!    [`mcp_auth_dev::authorize_headless`] signs in on the development server's login page,
//!    approves on its consent page and returns the redirect (`code`, `state`, `iss`);
//! 4. `OAuthState::handle_callback_url`: rmcp checks `state` and the RFC 9207 `iss`, then
//!    redeems the code with its PKCE verifier and the `resource`;
//! 5. rmcp's `AuthClient` again, now with tokens: `initialize`, `tools/call whoami`.
//!
//! Nothing listens on the redirect URI: `authorize_headless` returns the redirect instead of
//! following it, and its URL is what a real client's callback listener would receive.

use std::sync::{Arc, Mutex};

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth_dev::{AuthorizationRedirect, authorize_headless};
use mcp_auth_examples::testing::{DEADLINE, http, param, parse_challenge};
use mcp_auth_examples::{Config, RunningServer};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::auth::{OAuthState, default_oauth_http_client};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{
    AuthClient, AuthorizationManager, AuthorizationRequest, OAuthHttpClient, OAuthHttpClientFuture,
    OAuthHttpRequest, StreamableHttpClientTransport,
};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::time::timeout;
use url::Url;

use crate::support::{issuer, json_text, jwt_claims, user_claims, whoami};

/// The redirect URI the client registers: loopback, as a native application's.
const REDIRECT_URI: &str = "http://127.0.0.1:8976/oauth/callback";
/// The `client_name` of the dynamic registration.
const CLIENT_NAME: &str = "whoami e2e (rmcp OAuth client)";
/// What the whoami server publishes in `scopes_supported`, and so what rmcp asks for.
const SCOPE: &str = "openid profile email";

/// One OAuth request rmcp made, as its HTTP client executed it.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    url: String,
    body: String,
    status: Option<u16>,
}

/// rmcp's default OAuth HTTP client, recording every request rmcp's OAuth code makes (an
/// [`OAuthHttpClient`] is rmcp's extension point for the HTTP of discovery, registration and
/// the token endpoint).
#[derive(Clone)]
struct Recorder {
    inner: Arc<dyn OAuthHttpClient>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    fn new() -> Self {
        Self {
            inner: Arc::new(default_oauth_http_client().expect("rmcp's OAuth HTTP client")),
            log: Arc::default(),
        }
    }

    fn log(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
}

impl OAuthHttpClient for Recorder {
    fn execute(&self, request: OAuthHttpRequest) -> OAuthHttpClientFuture<'_> {
        let method = request.request.method().to_string();
        let url = request.request.uri().to_string();
        let body = String::from_utf8_lossy(request.request.body()).into_owned();
        Box::pin(async move {
            let response = self.inner.execute(request).await;
            self.log.lock().unwrap().push(Exchange {
                method,
                url,
                body,
                status: response.as_ref().ok().map(|r| r.status().as_u16()),
            });
            response
        })
    }
}

/// Step 1: rmcp's client with no credentials yet. Returns the challenge of the 401.
async fn challenge(server: &RunningServer) -> String {
    let manager = AuthorizationManager::new(server.mcp_url()).await.unwrap();
    let transport = StreamableHttpClientTransport::with_client(
        AuthClient::new(http(), manager),
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()),
    );
    let Err(error) = timeout(DEADLINE, ().serve(transport)).await.unwrap() else {
        panic!("initialize without a token succeeded");
    };
    assert!(error.is_authorization_required(), "{error}");
    let challenge = error
        .auth_challenge()
        .expect("the 401 challenge")
        .to_owned();
    let params = parse_challenge(&challenge);
    assert_eq!(param(&params, "error"), None, "{challenge}");
    assert_eq!(
        param(&params, "resource_metadata"),
        Some(server.metadata_url()),
        "{challenge}"
    );
    challenge
}

/// What steps 2-4 produced.
struct SignedIn {
    /// rmcp's manager, authorized.
    manager: AuthorizationManager,
    /// The client id rmcp used (registered, or pre-registered).
    client_id: String,
    /// The authorization URL rmcp built.
    authorization_url: Url,
    /// Where the development server sent the browser.
    redirect: AuthorizationRedirect,
    /// The token response rmcp stored.
    tokens: Value,
}

/// Steps 2-4: rmcp discovers from `challenge`, gets a client id and builds the authorization
/// URL; `username` signs in and approves; rmcp redeems the code. `oauth_http`: the HTTP client
/// for rmcp's OAuth requests (rmcp's own, address-filtered one when `None`).
async fn sign_in(
    server: &RunningServer,
    request: AuthorizationRequest,
    username: &str,
    oauth_http: Option<Arc<dyn OAuthHttpClient>>,
) -> SignedIn {
    let mut oauth = match oauth_http {
        Some(client) => OAuthState::new_with_oauth_http_client(server.mcp_url(), client).await,
        None => OAuthState::new(server.mcp_url(), None).await,
    }
    .unwrap();
    timeout(DEADLINE, oauth.start_authorization(request))
        .await
        .unwrap()
        .expect("discovery, registration and the authorization URL");
    let (client_id, tokens) = oauth.get_credentials().await.unwrap();
    assert!(tokens.is_none(), "no tokens before the callback");
    let authorization_url = oauth.get_authorization_url().await.unwrap();

    let redirect = authorize_headless(&authorization_url, username)
        .await
        .expect("sign-in and consent");
    timeout(DEADLINE, oauth.handle_callback_url(&redirect.location))
        .await
        .unwrap()
        .expect("the code redeemed");

    let (stored_client_id, tokens) = oauth.get_credentials().await.unwrap();
    assert_eq!(stored_client_id, client_id);
    let tokens = serde_json::to_value(tokens.expect("tokens after the callback")).unwrap();
    SignedIn {
        manager: oauth.into_authorization_manager().expect("authorized"),
        client_id,
        authorization_url: Url::parse(&authorization_url).unwrap(),
        redirect,
        tokens,
    }
}

/// The authorization request rmcp built, the redirect, and the token response.
fn check_authorization(signed_in: &SignedIn, server: &RunningServer, issuer: &str, redirect: &str) {
    let url = &signed_in.authorization_url;
    let query = |name: &str| {
        let values: Vec<String> = url
            .query_pairs()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .collect();
        assert!(values.len() <= 1, "{name} repeated in {url}");
        values.into_iter().next()
    };
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{issuer}/authorize").as_str())
    );
    assert_eq!(query("response_type").as_deref(), Some("code"));
    assert_eq!(query("client_id"), Some(signed_in.client_id.clone()));
    assert_eq!(query("redirect_uri").as_deref(), Some(redirect));
    assert_eq!(query("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(query("code_challenge").map(|c| c.len()), Some(43), "{url}");
    assert_eq!(query("resource").as_deref(), Some(server.resource()));
    assert_eq!(query("scope").as_deref(), Some(SCOPE));
    let state = query("state").expect("a state");

    let answer = &signed_in.redirect;
    assert!(
        answer.location.starts_with(&format!("{redirect}?")),
        "{}",
        answer.location
    );
    assert_eq!(answer.error, None, "{answer:?}");
    assert!(answer.code.is_some());
    assert_eq!(answer.state.as_deref(), Some(state.as_str()));
    assert_eq!(answer.iss.as_deref(), Some(issuer));

    let tokens = &signed_in.tokens;
    assert!(
        tokens["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
        "{tokens}"
    );
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    let access_token = tokens["access_token"].as_str().expect("an access token");
    let claims = jwt_claims(access_token);
    assert_eq!(claims["aud"], server.resource());
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["client_id"], signed_in.client_id.as_str());
    assert_eq!(claims["scope"], SCOPE);
}

/// Step 5: rmcp's authorized Streamable HTTP client, initialized. Also returns rmcp's shared
/// manager (for its tokens).
async fn connect(
    server: &RunningServer,
    manager: AuthorizationManager,
) -> (
    RunningService<RoleClient, ()>,
    Arc<tokio::sync::Mutex<AuthorizationManager>>,
) {
    let auth = AuthClient::new(http(), manager);
    let shared = Arc::clone(&auth.auth_manager);
    let transport = StreamableHttpClientTransport::with_client(
        auth,
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()),
    );
    let client = timeout(DEADLINE, ().serve(transport))
        .await
        .unwrap()
        .expect("initialized with rmcp's token");
    let info = client.peer_info().expect("the server's initialize result");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("WhoAmI")
    );
    (client, shared)
}

/// `tools/call whoami` through rmcp's client: the claims.
async fn call_whoami(client: &RunningService<RoleClient, ()>) -> Value {
    let result = timeout(
        DEADLINE,
        client.call_tool(CallToolRequestParams::new("whoami")),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(result.is_error, Some(false));
    json_text(&result)
}

/// The form parameters of a token request body.
fn form(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// The full chain with the `jwt` verifier, every OAuth request rmcp made recorded: PRM → AS
/// metadata → DCR → authorize (PKCE S256 + resource, as alice) → token → `tools/call whoami`
/// returns exactly the access token's claims.
#[tokio::test]
async fn rmcp_oauth_client_full_chain() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "jwt", &[]).await;
    let challenge = challenge(&server).await;
    let recorder = Recorder::new();
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .with_client_name(CLIENT_NAME)
        .with_challenge(challenge);
    let signed_in = sign_in(&server, request, "alice", Some(Arc::new(recorder.clone()))).await;
    check_authorization(&signed_in, &server, issuer.issuer(), REDIRECT_URI);
    assert!(
        !["dev-client", "mcp-inspector"].contains(&signed_in.client_id.as_str()),
        "a registered client, not a static one: {}",
        signed_in.client_id
    );

    // What rmcp sent, in order: the PRM, the AS metadata, the registration, the token request.
    let log = recorder.log();
    let calls: Vec<(&str, &str, Option<u16>)> = log
        .iter()
        .map(|e| (e.method.as_str(), e.url.as_str(), e.status))
        .collect();
    let register_url = format!("{}/register", issuer.issuer());
    let token_url = format!("{}/token", issuer.issuer());
    assert_eq!(calls.len(), 4, "{calls:#?}");
    assert_eq!(
        calls[0],
        ("GET", server.metadata_url(), Some(200)),
        "{calls:#?}"
    );
    assert_eq!(calls[1].0, "GET", "{calls:#?}");
    assert!(
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration"
        ]
        .map(|path| format!("{}{path}", issuer.issuer()))
        .contains(&calls[1].1.to_owned()),
        "{calls:#?}"
    );
    assert_eq!(calls[1].2, Some(200), "{calls:#?}");
    assert_eq!(
        calls[2],
        ("POST", register_url.as_str(), Some(201)),
        "{calls:#?}"
    );
    assert_eq!(
        calls[3],
        ("POST", token_url.as_str(), Some(200)),
        "{calls:#?}"
    );

    // The registration (RFC 7591): a public client with the loopback redirect URI.
    let registration: Value = serde_json::from_str(&log[2].body).unwrap();
    assert_eq!(registration["client_name"], CLIENT_NAME);
    assert_eq!(registration["redirect_uris"], json!([REDIRECT_URI]));
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    assert_eq!(
        registration["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );

    // The token request: the code, the same redirect URI and resource, and the PKCE verifier
    // whose S256 is the authorization request's challenge (RFC 7636 §4.6).
    let token_form = form(&log[3].body);
    let field = |name: &str| {
        let values: Vec<&str> = token_form
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(values.len() <= 1, "{name} repeated");
        values.first().copied()
    };
    assert_eq!(field("grant_type"), Some("authorization_code"));
    assert_eq!(field("code"), signed_in.redirect.code.as_deref());
    assert_eq!(field("redirect_uri"), Some(REDIRECT_URI));
    assert_eq!(field("resource"), Some(server.resource()));
    assert_eq!(field("client_id"), Some(signed_in.client_id.as_str()));
    let verifier = field("code_verifier").expect("a code_verifier");
    let challenge = signed_in
        .authorization_url
        .query_pairs()
        .find(|(n, _)| n == "code_challenge")
        .map(|(_, v)| v.into_owned());
    assert_eq!(
        Some(URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()))),
        challenge
    );

    // The access token (RFC 9068): alice's, for this resource, for the registered client.
    let token = signed_in.manager.get_access_token().await.unwrap();
    let token_claims = jwt_claims(&token);
    assert_eq!(token_claims["sub"], "u-alice");
    assert_eq!(token_claims["aud"], server.resource());

    let client_id = signed_in.client_id.clone();
    let (client, _) = connect(&server, signed_in.manager).await;
    let claims = call_whoami(&client).await;
    assert_eq!(claims, token_claims);
    assert_eq!(claims["sub"], "u-alice");
    assert_eq!(claims["client_id"], client_id.as_str());
    assert_eq!(
        recorder.log().len(),
        4,
        "no OAuth request after the sign-in"
    );

    client.cancel().await.unwrap();
    server.shutdown().await;
    issuer.shutdown().await;
}

/// The README's default: whoami with the embedded development server and the `userinfo`
/// verifier, rmcp with its own (address-filtered) HTTP client: DCR, sign-in as bob, the
/// userinfo claims; then rmcp refreshes the token (rotated) and the same MCP session goes on.
#[tokio::test]
async fn rmcp_oauth_client_embedded_default_userinfo_and_refresh() {
    let config = Config::from_pairs([
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_DEV_BIND", "127.0.0.1:0"),
    ])
    .unwrap();
    let server = whoami::start(&config).await.unwrap();
    let dev = server.dev_server().expect("the embedded issuer");
    assert!(server.banner().contains("token verification     userinfo"));

    let challenge = challenge(&server).await;
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .with_client_name(CLIENT_NAME)
        .with_challenge(challenge);
    let signed_in = sign_in(&server, request, "bob", None).await;
    check_authorization(&signed_in, &server, dev.issuer(), REDIRECT_URI);
    let first_refresh_token = signed_in.tokens["refresh_token"].clone();

    let (client, manager) = connect(&server, signed_in.manager).await;
    let claims = call_whoami(&client).await;
    assert_eq!(claims, Value::Object(user_claims(dev, "bob")));
    assert_eq!(claims["sub"], "u-bob");

    // rmcp's refresh (RFC 6749 §6, with the resource): a new access token and a rotated
    // refresh token; the session continues with the new access token.
    let first = manager.lock().await.get_access_token().await.unwrap();
    let refreshed = timeout(DEADLINE, async {
        manager.lock().await.refresh_token().await
    })
    .await
    .unwrap()
    .expect("refreshed");
    let refreshed = serde_json::to_value(refreshed).unwrap();
    let second = manager.lock().await.get_access_token().await.unwrap();
    assert_ne!(first, second);
    assert_eq!(refreshed["access_token"], second.as_str());
    assert!(refreshed["refresh_token"].is_string(), "{refreshed}");
    assert_ne!(refreshed["refresh_token"], first_refresh_token);
    assert_eq!(jwt_claims(&second)["aud"], server.resource());
    assert_eq!(jwt_claims(&second)["sub"], "u-bob");
    assert_eq!(call_whoami(&client).await["sub"], "u-bob");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// The pre-registered public client `mcp-inspector` (as the banner offers MCP Inspector): rmcp
/// skips registration, and the chain completes with Inspector's own callback URL.
#[tokio::test]
async fn rmcp_oauth_client_preregistered_mcp_inspector_client() {
    const INSPECTOR_CALLBACK: &str = "http://localhost:6274/oauth/callback";
    let issuer = issuer().await;
    let server = whoami(&issuer, "jwt", &[]).await;
    let challenge = challenge(&server).await;
    let recorder = Recorder::new();
    let request = AuthorizationRequest::new(INSPECTOR_CALLBACK)
        .with_preregistered_client("mcp-inspector")
        .with_challenge(challenge);
    let signed_in = sign_in(&server, request, "alice", Some(Arc::new(recorder.clone()))).await;
    assert_eq!(signed_in.client_id, "mcp-inspector");
    check_authorization(&signed_in, &server, issuer.issuer(), INSPECTOR_CALLBACK);
    assert!(
        recorder.log().iter().all(|e| !e.url.ends_with("/register")),
        "no registration: {:#?}",
        recorder.log()
    );

    let (client, _) = connect(&server, signed_in.manager).await;
    let claims = call_whoami(&client).await;
    assert_eq!(claims["sub"], "u-alice");
    assert_eq!(claims["client_id"], "mcp-inspector");
    assert_eq!(claims["aud"], server.resource());

    client.cancel().await.unwrap();
    server.shutdown().await;
    issuer.shutdown().await;
}
