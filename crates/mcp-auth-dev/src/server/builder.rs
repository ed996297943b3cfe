//! Configuration of a [`DevServer`].

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mcp_auth::clock::{Clock, SystemClock};
use mcp_auth::http_client::HttpClient;

use super::DevServer;
use crate::clients::Client;
use crate::error::DevError;
use crate::keys::SigningAlgorithm;
use crate::users::User;

/// Default access-token lifetime: one hour.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// Default number of live tokens kept (access tokens; refresh tokens have a store of the same
/// size).
pub const DEFAULT_MAX_TOKENS: usize = 10_000;
/// Default refresh-token lifetime: one day.
pub const DEFAULT_REFRESH_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);
/// Default number of clients that may register dynamically (RFC 7591).
pub const DEFAULT_MAX_REGISTERED_CLIENTS: usize = 1000;

/// Builds a [`DevServer`]; every setting has a default (see each method).
///
/// ```
/// use std::time::Duration;
/// use mcp_auth_dev::{Client, DevServer, SigningAlgorithm, User};
///
/// let builder = DevServer::builder()
///     .users(vec![User::new("carol", "u-carol").with_name("Carol")])
///     .clients(vec![Client::confidential("svc", "svc-secret")])
///     .scopes_supported(["openid", "profile", "todo:read"])
///     .signing_algorithm(SigningAlgorithm::Rs256)
///     .token_ttl(Duration::from_secs(300));
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct DevServerBuilder {
    pub(super) bind: SocketAddr,
    pub(super) users: Vec<User>,
    pub(super) users_file: Option<PathBuf>,
    pub(super) clients: Vec<Client>,
    pub(super) algorithm: SigningAlgorithm,
    pub(super) keys_file: Option<PathBuf>,
    pub(super) token_ttl: Duration,
    pub(super) scopes_supported: Vec<String>,
    pub(super) max_tokens: usize,
    pub(super) refresh_token_ttl: Duration,
    pub(super) max_registered_clients: usize,
    pub(super) http_client: Option<HttpClient>,
    pub(super) clock: Arc<dyn Clock>,
}

impl Default for DevServerBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            users: User::defaults(),
            users_file: None,
            clients: Client::defaults(),
            algorithm: SigningAlgorithm::default(),
            keys_file: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            scopes_supported: ["openid", "profile", "email"].map(String::from).to_vec(),
            max_tokens: DEFAULT_MAX_TOKENS,
            refresh_token_ttl: DEFAULT_REFRESH_TOKEN_TTL,
            max_registered_clients: DEFAULT_MAX_REGISTERED_CLIENTS,
            http_client: None,
            clock: Arc::new(SystemClock::default()),
        }
    }
}

impl DevServerBuilder {
    /// The address to listen on (default `127.0.0.1:0`: loopback, a free port). Binding to a
    /// non-loopback address logs a loud warning: this server is for local development.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The test users (default [`User::defaults`]: `alice` and `bob`).
    pub fn users(mut self, users: Vec<User>) -> Self {
        self.users = users;
        self
    }

    /// Reads the test users from this JSON file when the server starts, replacing the list of
    /// [`users`](Self::users):
    /// `{"users": [{"username": "carol", "sub": "u-carol", "name": "Carol", "email": "carol@example.com",
    /// "email_verified": true, "any_claim": "..."}]}` (a bare array works too). Members other
    /// than `username`, `sub`, `name`, `email` and `email_verified` are extra claims returned by
    /// `/userinfo`. A missing, malformed or empty file, or duplicate usernames or subjects, make
    /// [`start`](Self::start) fail with [`DevError::UsersFile`].
    pub fn users_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.users_file = Some(path.into());
        self
    }

    /// The static clients (default [`Client::defaults`]: `dev-client` / `dev-secret` and the
    /// public `mcp-inspector`).
    pub fn clients(mut self, clients: Vec<Client>) -> Self {
        self.clients = clients;
        self
    }

    /// The algorithm of the signing key (default [`SigningAlgorithm::Es256`]).
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Keeps the signing keys in this JSON file (PKCS#8, see the crate docs): read when it
    /// exists, created (mode `0600`) otherwise, so a restart keeps the `kid` and tokens issued
    /// before stay verifiable. Without it, keys live in memory only.
    pub fn keys_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.keys_file = Some(path.into());
        self
    }

    /// The access-token lifetime (default one hour; at most one year).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// The scopes clients may request (`scopes_supported`; default `openid profile email`).
    pub fn scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How many unexpired tokens are remembered (default 10 000); beyond, the token endpoint
    /// answers `temporarily_unavailable` until tokens expire or are revoked.
    pub fn max_tokens(mut self, max: usize) -> Self {
        self.max_tokens = max;
        self
    }

    /// The refresh-token lifetime (default one day). Each refresh returns a new refresh token
    /// with this lifetime.
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = ttl;
        self
    }

    /// How many clients may register at `/register` (default 1 000); beyond, registration
    /// answers `503`. Registered clients live as long as the server.
    pub fn max_registered_clients(mut self, max: usize) -> Self {
        self.max_registered_clients = max;
        self
    }

    /// The HTTP client that fetches Client ID Metadata Documents (default
    /// [`HttpClient::new`]: `https`, or plain `http` to loopback hosts; no redirects;
    /// private and link-local addresses refused; a 5 s deadline). Give one with its own
    /// [`OutboundPolicy`](mcp_auth::http_client::OutboundPolicy) to allow an internal host.
    pub fn http_client(mut self, client: HttpClient) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The clock for `iat`/`exp` and expiry checks (default the system clock; tests pin time
    /// with [`ManualClock`](mcp_auth::clock::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Validates the configuration, loads or generates the keys, binds and starts serving.
    ///
    /// # Errors
    ///
    /// [`DevError::Config`] for an invalid setting, [`DevError::UsersFile`] for the users
    /// file, [`DevError::Io`] / [`DevError::KeysFile`] for the keys file, [`DevError::Crypto`] when key generation
    /// fails, [`DevError::Bind`] when the address cannot be bound.
    pub async fn start(self) -> Result<DevServer, DevError> {
        DevServer::start(self).await
    }

    /// Checks the settings that do not need I/O.
    pub(super) fn validate(&self) -> Result<(), DevError> {
        crate::users::validate(&self.users).map_err(DevError::Config)?;
        for (i, scope) in self.scopes_supported.iter().enumerate() {
            if !crate::scope::is_scope_token(scope) {
                return Err(DevError::Config(format!("malformed scope `{scope}`")));
            }
            if self
                .scopes_supported
                .get(..i)
                .unwrap_or_default()
                .contains(scope)
            {
                return Err(DevError::Config(format!("duplicate scope `{scope}`")));
            }
        }
        for client in &self.clients {
            if let Some(bad) = client
                .scopes()
                .into_iter()
                .flatten()
                .find(|s| !self.scopes_supported.contains(s))
            {
                return Err(DevError::Config(format!(
                    "client `{}`: scope `{bad}` is not in scopes_supported",
                    client.client_id()
                )));
            }
        }
        if self.max_tokens == 0 {
            return Err(DevError::Config("max_tokens must be at least 1".into()));
        }
        if self.max_registered_clients == 0 {
            return Err(DevError::Config(
                "max_registered_clients must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
