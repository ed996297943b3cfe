//! `mcp-auth token`: an access token from the client-credentials grant (RFC 6749 §4.4) against
//! any issuer, or for a test user of the development server (see [`dev_user`]).
//!
//! Only the token goes to stdout (or, with `--json`, the whole token response): it is the one
//! secret this command prints, because the user asked for it. Client secrets never appear in
//! output or errors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, Method, header};
use mcp_auth::discovery::Discovery;
use mcp_auth::http_client::HttpClient;
use mcp_auth::metadata::AuthorizationServerMetadata;
use serde_json::{Map, Value};
use url::form_urlencoded;

use crate::cli::{ClientAuthMethod, TokenArgs};
use crate::exit::{Exit, Failure};
use crate::outbound::{self, printable};
use crate::style::Style;

mod dev_user;

/// The largest token response read.
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// How the client authenticates at the token endpoint.
pub(crate) struct ClientAuth<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) secret: Option<&'a str>,
    pub(crate) method: ClientAuthMethod,
}

/// Runs the command. `err` styles the notes written to stderr.
pub(crate) async fn run(args: TokenArgs, err: &Style) -> Result<Exit, Failure> {
    let response = match &args.dev_user {
        Some(user) => dev_user::token(&args, user).await?,
        None => client_credentials(&args).await?,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&response)
            .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        let token = response
            .get("access_token")
            .and_then(Value::as_str)
            .unwrap_or_default();
        println!("{token}");
        if err.is_color() {
            eprintln!("{}", err.dim(&summary(&response)));
        }
    }
    Ok(Exit::Ok)
}

/// `token_type Bearer, expires in 3600 s, scope "openid"`: for a person at a terminal.
fn summary(response: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = response.get("token_type").and_then(Value::as_str) {
        parts.push(format!("token_type {}", printable(kind, 40)));
    }
    if let Some(expires) = response.get("expires_in").and_then(Value::as_u64) {
        parts.push(format!("expires in {expires} s"));
    }
    if let Some(scope) = response.get("scope").and_then(Value::as_str) {
        parts.push(format!("scope \"{}\"", printable(scope, 200)));
    }
    parts.join(", ")
}

async fn client_credentials(args: &TokenArgs) -> Result<Map<String, Value>, Failure> {
    let issuer = args.issuer.as_deref().ok_or_else(|| {
        Failure::usage("--issuer is required for the client-credentials grant")
            .with_hint("or use --dev-user NAME for a test user of `mcp-auth dev-server`")
    })?;
    let client_id = args.client_id.as_deref().ok_or_else(|| {
        Failure::usage("--client-id is required (or --dev-user NAME for a test user)")
    })?;
    let secret = args.client_secret.as_ref().ok_or_else(|| {
        Failure::usage(
            "a client secret is required for the client-credentials grant: --client-secret, or \
             the environment variable MCP_AUTH_CLIENT_SECRET",
        )
    })?;
    let http = outbound::client_for(issuer);
    let endpoint = match &args.token_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => token_endpoint(&discover(issuer, args, &http).await?)?,
    };
    let mut params = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &args.scope {
        params.push(("scope", scope));
    }
    if let Some(resource) = &args.resource {
        params.push(("resource", resource));
    }
    let client = ClientAuth {
        client_id,
        secret: Some(secret.expose()),
        method: args.auth,
    };
    request_token(&http, &endpoint, &params, &client).await
}

/// The issuer's metadata (discovery in the MCP order, or `--type`).
pub(crate) async fn discover(
    issuer: &str,
    args: &TokenArgs,
    http: &HttpClient,
) -> Result<AuthorizationServerMetadata, Failure> {
    let mut discovery = Discovery::new(issuer).map_err(|e| Failure::discovery(&e))?;
    if let Some(server_type) = args.server_type {
        discovery = discovery.with_type(server_type.into());
    }
    let config = discovery
        .with_http_client(http.clone())
        .fetch()
        .await
        .map_err(|e| Failure::discovery(&e))?;
    Ok(config.metadata)
}

pub(crate) fn token_endpoint(metadata: &AuthorizationServerMetadata) -> Result<String, Failure> {
    metadata.token_endpoint.clone().ok_or_else(|| {
        Failure::failed(format!(
            "the metadata of `{}` has no token_endpoint",
            printable(&metadata.issuer, 200)
        ))
        .with_hint("pass --token-endpoint URL")
    })
}

/// POSTs a token request (RFC 6749 §3.2) and returns the successful response (§5.1).
pub(crate) async fn request_token(
    http: &HttpClient,
    endpoint: &str,
    params: &[(&str, &str)],
    client: &ClientAuth<'_>,
) -> Result<Map<String, Value>, Failure> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        form.append_pair(name, value);
    }
    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = Method::POST;
    *request.uri_mut() = endpoint
        .parse()
        .map_err(|_| Failure::usage(format!("invalid token endpoint `{endpoint}`")))?;
    let headers = request.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    match (client.secret, client.method) {
        (Some(secret), ClientAuthMethod::Basic) => {
            // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
            let encode =
                |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let credentials = format!("{}:{}", encode(client.client_id), encode(secret));
            let value = HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(credentials)))
                .map_err(|_| {
                Failure::usage("the client credentials cannot be sent in a header")
            })?;
            headers.insert(header::AUTHORIZATION, value);
        }
        (Some(secret), ClientAuthMethod::Post) => {
            form.append_pair("client_id", client.client_id);
            form.append_pair("client_secret", secret);
        }
        (None, _) => {
            form.append_pair("client_id", client.client_id);
        }
    }
    *request.body_mut() = form.finish().into_bytes();
    let response = http
        .execute(request, MAX_TOKEN_RESPONSE_BYTES)
        .await
        .map_err(|e| Failure::fetch("the token request failed", &e))?;
    let body: Option<Map<String, Value>> = match serde_json::from_slice(&response.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    if response.status.is_success() {
        let body = body.ok_or_else(|| {
            Failure::failed("the token endpoint answered 200 without a JSON object")
        })?;
        if !body.get("access_token").is_some_and(Value::is_string) {
            return Err(Failure::failed(
                "the token endpoint's response has no access_token",
            ));
        }
        return Ok(body);
    }
    Err(refusal(response.status, body.as_ref()))
}

/// An error response (RFC 6749 §5.2) as a failure with advice.
fn refusal(status: http::StatusCode, body: Option<&Map<String, Value>>) -> Failure {
    let field = |name: &str| {
        body.and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(|s| printable(s, 300))
    };
    let Some(error) = field("error") else {
        let message = format!("the token endpoint answered {status} without an OAuth error");
        return if status.is_server_error() {
            Failure::unavailable(message)
        } else {
            Failure::failed(message)
        };
    };
    let mut message = format!("the authorization server refused the request ({status}): {error}");
    if let Some(description) = field("error_description") {
        message.push_str(&format!(": {description}"));
    }
    let failure = if status.is_server_error() || error == "temporarily_unavailable" {
        Failure::unavailable(message)
    } else {
        Failure::failed(message)
    };
    match error.as_str() {
        "invalid_client" => failure.with_hint(
            "check --client-id and the secret; if the client is registered for \
             client_secret_post, add --auth post",
        ),
        "invalid_target" => failure.with_hint(
            "the authorization server does not accept this --resource (RFC 8707); some \
             providers need the resource registered (an API identifier) first",
        ),
        "unauthorized_client" => {
            failure.with_hint("the client is not allowed to use this grant type")
        }
        "invalid_scope" => failure.with_hint("request only scopes the client may use (--scope)"),
        _ => failure,
    }
}
