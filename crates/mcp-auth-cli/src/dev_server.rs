//! `mcp-auth dev-server`: the embedded development authorization server ([`DevServer`]) until
//! Ctrl-C (or SIGTERM), with a banner of everything a developer needs.

use std::fmt::Write as _;
use std::net::SocketAddr;

use mcp_auth_dev::{Client, DevServer, User};
use serde_json::{Value, json};

use crate::cli::DevServerArgs;
use crate::exit::{Exit, Failure};
use crate::style::Style;

/// Runs the server until interrupted.
pub(crate) async fn run(args: DevServerArgs, out: &Style) -> Result<Exit, Failure> {
    let clients = Client::defaults();
    let mut builder = DevServer::builder()
        .bind(args.bind)
        .clients(clients.clone())
        .signing_algorithm(args.alg.into());
    if let Some(path) = &args.users {
        builder = builder.users_file(path);
    }
    if let Some(path) = &args.keys {
        builder = builder.keys_file(path);
    }
    if let Some(scopes) = &args.scopes {
        builder = builder.scopes_supported(scopes.split_whitespace());
    }
    let shutdown = Shutdown::listen();
    let server = builder
        .start()
        .await
        .map_err(|e| Failure::usage(format!("cannot start the development server: {e}")))?;
    let loopback = args.bind.ip().is_loopback();
    if args.json {
        println!("{}", banner_json(&server, &clients, loopback));
    } else {
        print!("{}", banner(&server, &clients, args.bind, *out));
    }
    shutdown.wait().await;
    if !args.json {
        println!("stopping");
    }
    server.shutdown().await;
    Ok(Exit::Ok)
}

/// Ctrl-C, or SIGTERM on Unix. The handlers are installed when this is created (before the
/// banner is printed), so a signal sent as soon as the banner is seen is never lost.
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Self { signals }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn endpoints(server: &DevServer) -> Vec<(&'static str, String)> {
    let metadata = server.metadata();
    let issuer = server.issuer();
    let mut list = vec![
        (
            "metadata",
            format!("{issuer}/.well-known/oauth-authorization-server"),
        ),
        ("", format!("{issuer}/.well-known/openid-configuration")),
    ];
    for (name, value) in [
        ("authorize", &metadata.authorization_endpoint),
        ("token", &metadata.token_endpoint),
        ("jwks", &metadata.jwks_uri),
        ("userinfo", &metadata.userinfo_endpoint),
        ("introspection", &metadata.introspection_endpoint),
        ("revocation", &metadata.revocation_endpoint),
        ("registration", &metadata.registration_endpoint),
    ] {
        if let Some(url) = value {
            list.push((name, url.clone()));
        }
    }
    list
}

fn describe_user(user: &User) -> String {
    match &user.name {
        Some(name) => format!("{} (sub {}, {name})", user.username, user.sub),
        None => format!("{} (sub {})", user.username, user.sub),
    }
}

/// The built-in clients. The development secret of `dev-client` is a published constant of
/// `mcp-auth-dev` (its documentation and the examples' banners show it), so it is shown here.
fn describe_client(client: &Client) -> String {
    match client.secret() {
        Some(secret) => format!(
            "{} / {} (confidential)",
            client.client_id(),
            secret.secret()
        ),
        None => format!("{} (public)", client.client_id()),
    }
}

fn banner(server: &DevServer, clients: &[Client], bind: SocketAddr, style: Style) -> String {
    let mut out = String::new();
    let issuer = server.issuer();
    let _ = writeln!(
        out,
        "{}",
        style.bold("mcp-auth development authorization server (local development only)")
    );
    if !bind.ip().is_loopback() {
        let _ = writeln!(
            out,
            "\n{}",
            style.red_bold(&format!(
                "WARNING: listening on {bind}, which is NOT a loopback address. This server has \
                 built-in test users and secrets, plain HTTP and no real login: anyone who can \
                 reach it can mint tokens. Do not expose it to a network."
            ))
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<14} {}", "issuer", style.cyan(issuer));
    for (name, url) in endpoints(server) {
        let _ = writeln!(out, "  {name:<14} {url}");
    }
    let _ = writeln!(
        out,
        "  {:<14} {} (kid {})",
        "signing",
        server.signing_algorithm(),
        server.signing_key_id()
    );
    let users: Vec<String> = server.users().iter().map(describe_user).collect();
    let _ = writeln!(out, "  {:<14} {}", "users", users.join(", "));
    let clients: Vec<String> = clients.iter().map(describe_client).collect();
    let _ = writeln!(out, "  {:<14} {}", "clients", clients.join(", "));
    if let Some(scopes) = &server.metadata().scopes_supported {
        let _ = writeln!(out, "  {:<14} {}", "scopes", scopes.join(" "));
    }
    let _ = writeln!(out, "\n{}", style.bold("Try:"));
    let _ = writeln!(out, "  mcp-auth check {issuer}");
    let _ = writeln!(
        out,
        "  mcp-auth token --dev-user alice --issuer {issuer} --resource http://127.0.0.1:3001/mcp"
    );
    let _ = writeln!(
        out,
        "  MCP_AUTH_CLIENT_SECRET=dev-secret mcp-auth token --issuer {issuer} --client-id \
         dev-client --resource http://127.0.0.1:3001/mcp"
    );
    let _ = writeln!(out, "\nStop it with Ctrl-C.");
    out
}

fn banner_json(server: &DevServer, clients: &[Client], loopback: bool) -> Value {
    let endpoints: serde_json::Map<String, Value> = endpoints(server)
        .into_iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, url)| (name.to_owned(), Value::String(url)))
        .collect();
    json!({
        "issuer": server.issuer(),
        "local_addr": server.local_addr().to_string(),
        "loopback": loopback,
        "endpoints": endpoints,
        "signing_algorithm": server.signing_algorithm().as_str(),
        "signing_key_id": server.signing_key_id(),
        "users": server.users().iter().map(|u| json!({
            "username": u.username, "sub": u.sub, "name": u.name, "email": u.email,
        })).collect::<Vec<_>>(),
        "clients": clients.iter().map(|c| json!({
            "client_id": c.client_id(),
            "confidential": c.is_confidential(),
            "redirect_uris": c.redirect_uris(),
        })).collect::<Vec<_>>(),
        "scopes_supported": server.metadata().scopes_supported,
    })
}
