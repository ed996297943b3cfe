//! The examples' settings, read from the environment (or from any lookup, for tests).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `MCP_AUTH_ISSUER` | unset: start the embedded development server | issuer URL of the authorization server (RFC 8414 §2) |
//! | `MCP_AUTH_DEV_BIND` | `127.0.0.1:3000` | where the embedded development server listens (only without `MCP_AUTH_ISSUER`) |
//! | `MCP_AUTH_ISSUER_TYPE` | `oidc` | `oidc` (OpenID Connect Discovery) or `oauth` (RFC 8414) |
//! | `MCP_AUTH_VERIFIER` | the example's: `userinfo` for whoami (as in the seed tutorial), `jwt` for todo-manager | `userinfo` (OpenID Connect userinfo), `jwt` (RFC 9068 + JWKS), `introspection` (RFC 7662) |
//! | `MCP_RESOURCE` | `http://<MCP_BIND>/mcp` | the public URL of the MCP endpoint: the resource identifier (RFC 8707) |
//! | `MCP_BIND` | `127.0.0.1:3001` | where the MCP server listens |
//! | `MCP_AUTH_MODE` | `resource` | `resource` (RFC 9728 resource server) or `authorization-server` (legacy MCP 2025-03-26) |
//! | `MCP_AUTH_CLIENT_ID`, `MCP_AUTH_CLIENT_SECRET` | `dev-client` / `dev-secret` with the embedded server | this server's credentials at the introspection endpoint |
//! | `MCP_RESPONSE_FRAMING` | `json` | how a stateless (2026-07-28) request's answer is framed: `json` (one `application/json` body; rmcp still streams `text/event-stream` when a tool sends notifications first) or `sse` (always `text/event-stream`). Session (2025-11-25) requests are always streamed |
//! | `MCP_AUTH_INSECURE_NO_AUTH` | unset (`0`) | **insecure**: `1` serves the transports with NO authentication — no Bearer layer, no metadata, no authorization server (the other `MCP_AUTH_*` settings are not used); only with a loopback `MCP_BIND`; for protocol conformance tests on one machine |
//!
//! An empty value counts as unset. A bad value is a [`SettingError`] whose one-line message
//! names the variable.

use std::fmt;
use std::net::SocketAddr;

use mcp_auth::AuthServerType;

#[cfg(test)]
mod tests;

/// The default address of the MCP server.
pub const DEFAULT_BIND: &str = "127.0.0.1:3001";
/// The default address of the embedded development authorization server.
pub const DEFAULT_DEV_BIND: &str = "127.0.0.1:3000";
/// The embedded development server's confidential client, used for introspection.
pub const DEV_CLIENT_ID: &str = "dev-client";
/// The secret of [`DEV_CLIENT_ID`].
pub const DEV_CLIENT_SECRET: &str = "dev-secret";
/// The variable that turns authentication off (see [`Config::insecure_no_auth`]).
pub const INSECURE_NO_AUTH: &str = "MCP_AUTH_INSECURE_NO_AUTH";

/// How access tokens are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifierKind {
    /// The issuer's OpenID Connect userinfo endpoint (the seed tutorial's approach).
    Userinfo,
    /// JWT access tokens (RFC 9068) against the issuer's JWKS.
    Jwt,
    /// The issuer's token introspection endpoint (RFC 7662).
    Introspection,
}

impl VerifierKind {
    /// The value of `MCP_AUTH_VERIFIER` naming this verifier.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Userinfo => "userinfo",
            Self::Jwt => "jwt",
            Self::Introspection => "introspection",
        }
    }
}

/// How the answer to a stateless (2026-07-28) request is framed (`MCP_RESPONSE_FRAMING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseFraming {
    /// `application/json` when the answer is one message (the default: one write, the least
    /// work for both sides); `text/event-stream` when the tool sends notifications first.
    Json,
    /// Always `text/event-stream`.
    Sse,
}

impl ResponseFraming {
    /// The value of `MCP_RESPONSE_FRAMING` naming this framing.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Sse => "sse",
        }
    }
}

/// Which MCP authorization mode the server runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMode {
    /// OAuth 2.1 resource server with protected-resource metadata (RFC 9728): the current MCP
    /// specification.
    Resource,
    /// Legacy MCP 2025-03-26: the server re-publishes its authorization server's metadata.
    AuthorizationServer,
}

impl AuthMode {
    /// The value of `MCP_AUTH_MODE` naming this mode.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resource => "resource",
            Self::AuthorizationServer => "authorization-server",
        }
    }
}

/// Where the authorization server comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssuerSetting {
    /// Start [`mcp_auth_dev::DevServer`] in-process on this address and trust it.
    Embedded {
        /// The address to listen on (`MCP_AUTH_DEV_BIND`).
        bind: SocketAddr,
    },
    /// Trust this issuer (`MCP_AUTH_ISSUER`).
    External(String),
}

/// This server's credentials at the introspection endpoint (RFC 7662 §2.1). The secret is
/// redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    id: String,
    secret: String,
}

impl ClientCredentials {
    /// Credentials for the client `id`.
    #[must_use]
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// The client id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client secret.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The examples' settings (see the [module docs](self) for the variables).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The authorization server: embedded, or an external issuer.
    pub issuer: IssuerSetting,
    /// How the issuer publishes its metadata.
    pub issuer_type: AuthServerType,
    /// How tokens are checked; `None`: the example's default
    /// ([`Example::default_verifier`](crate::Example::default_verifier)).
    pub verifier: Option<VerifierKind>,
    /// The resource identifier; `None`: `http://<bound address>/mcp`, decided once bound.
    pub resource: Option<String>,
    /// Where the MCP server listens.
    pub bind: SocketAddr,
    /// The authorization mode.
    pub mode: AuthMode,
    /// Credentials for introspection (always set when `verifier` is introspection).
    pub client: Option<ClientCredentials>,
    /// `MCP_AUTH_INSECURE_NO_AUTH=1`: serve without any authentication (loopback only).
    pub insecure_no_auth: bool,
    /// How stateless answers are framed.
    pub framing: ResponseFraming,
}

/// A missing or bad setting. Displays as one line naming the variable, for example
/// `MCP_AUTH_VERIFIER must be one of userinfo, jwt, introspection (got "x")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    variable: &'static str,
    message: String,
}

impl SettingError {
    /// An error about `variable`; `message` follows the variable's name.
    #[must_use]
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }

    /// The variable at fault.
    #[must_use]
    pub fn variable(&self) -> &'static str {
        self.variable
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.variable, self.message)
    }
}

impl std::error::Error for SettingError {}

impl Config {
    /// The settings from the process environment.
    ///
    /// # Errors
    ///
    /// [`SettingError`] naming the first variable that is missing or bad.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_lookup(|name| {
            std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
        })
    }

    /// The settings from `(variable, value)` pairs, as if they were the environment (tests).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, SettingError> {
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        Self::from_lookup(|name| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    /// The settings from `lookup`, which returns a variable's value if it is set.
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());

        let dev_bind = parse_addr(
            "MCP_AUTH_DEV_BIND",
            get("MCP_AUTH_DEV_BIND").as_deref(),
            DEFAULT_DEV_BIND,
        )?;
        let issuer = match get("MCP_AUTH_ISSUER") {
            None => IssuerSetting::Embedded { bind: dev_bind },
            Some(issuer) => {
                mcp_auth::metadata::check_issuer(&issuer).map_err(|reason| {
                    SettingError::new(
                        "MCP_AUTH_ISSUER",
                        format!("is not a usable issuer URL: {reason} (got {issuer:?})"),
                    )
                })?;
                IssuerSetting::External(issuer)
            }
        };
        let issuer_type = match get("MCP_AUTH_ISSUER_TYPE").as_deref() {
            None | Some("oidc") => AuthServerType::Oidc,
            Some("oauth") => AuthServerType::OAuth,
            Some(other) => return Err(one_of("MCP_AUTH_ISSUER_TYPE", "oidc, oauth", other)),
        };
        let verifier = match get("MCP_AUTH_VERIFIER").as_deref() {
            None => None,
            Some("userinfo") => Some(VerifierKind::Userinfo),
            Some("jwt") => Some(VerifierKind::Jwt),
            Some("introspection") => Some(VerifierKind::Introspection),
            Some(other) => {
                return Err(one_of(
                    "MCP_AUTH_VERIFIER",
                    "userinfo, jwt, introspection",
                    other,
                ));
            }
        };
        let mode = match get("MCP_AUTH_MODE").as_deref() {
            None | Some("resource") => AuthMode::Resource,
            Some("authorization-server") => AuthMode::AuthorizationServer,
            Some(other) => {
                return Err(one_of(
                    "MCP_AUTH_MODE",
                    "resource, authorization-server",
                    other,
                ));
            }
        };
        let bind = parse_addr("MCP_BIND", get("MCP_BIND").as_deref(), DEFAULT_BIND)?;
        let framing = match get("MCP_RESPONSE_FRAMING").as_deref() {
            None | Some("json") => ResponseFraming::Json,
            Some("sse") => ResponseFraming::Sse,
            Some(other) => return Err(one_of("MCP_RESPONSE_FRAMING", "json, sse", other)),
        };
        let insecure_no_auth = match get(INSECURE_NO_AUTH).as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => return Err(one_of(INSECURE_NO_AUTH, "1, true, 0, false", other)),
        };
        if insecure_no_auth && !bind.ip().is_loopback() {
            return Err(SettingError::new(
                INSECURE_NO_AUTH,
                format!(
                    "is only allowed with a loopback MCP_BIND such as 127.0.0.1:3001 \
                     (got MCP_BIND {bind})"
                ),
            ));
        }
        let resource = get("MCP_RESOURCE")
            .map(|resource| {
                mcp_auth::ProtectedResource::new(&resource)
                    .map(|_| resource.clone())
                    .map_err(|error| {
                        let reason = match error {
                            mcp_auth::ConfigError::InvalidUrl { reason, .. } => reason.to_owned(),
                            other => other.to_string(),
                        };
                        SettingError::new(
                            "MCP_RESOURCE",
                            format!("is not a usable resource URL: {reason} (got {resource:?})"),
                        )
                    })
            })
            .transpose()?;
        let client = client_credentials(
            get("MCP_AUTH_CLIENT_ID"),
            get("MCP_AUTH_CLIENT_SECRET"),
            &issuer,
            verifier,
        )?;
        Ok(Self {
            issuer,
            issuer_type,
            verifier,
            resource,
            bind,
            mode,
            client,
            insecure_no_auth,
            framing,
        })
    }

    /// The verifier to use for `example`: the configured one, else the example's default.
    #[must_use]
    pub fn verifier_for(&self, example: &crate::Example) -> VerifierKind {
        self.verifier.unwrap_or(example.default_verifier())
    }

    /// `true` when the embedded development server is used.
    #[must_use]
    pub fn is_embedded(&self) -> bool {
        matches!(self.issuer, IssuerSetting::Embedded { .. })
    }
}

fn one_of(variable: &'static str, allowed: &str, got: &str) -> SettingError {
    SettingError::new(variable, format!("must be one of {allowed} (got {got:?})"))
}

fn parse_addr(
    variable: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<SocketAddr, SettingError> {
    let value = value.unwrap_or(default);
    value.parse().map_err(|_| {
        SettingError::new(
            variable,
            format!("must be an IP address and port such as {default} (got {value:?})"),
        )
    })
}

/// The introspection credentials: both or neither; the development client by default with the
/// embedded server; required for introspection against an external issuer.
fn client_credentials(
    id: Option<String>,
    secret: Option<String>,
    issuer: &IssuerSetting,
    verifier: Option<VerifierKind>,
) -> Result<Option<ClientCredentials>, SettingError> {
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Some(ClientCredentials::new(id, secret))),
        (Some(_), None) => Err(SettingError::new(
            "MCP_AUTH_CLIENT_SECRET",
            "is required when MCP_AUTH_CLIENT_ID is set",
        )),
        (None, Some(_)) => Err(SettingError::new(
            "MCP_AUTH_CLIENT_ID",
            "is required when MCP_AUTH_CLIENT_SECRET is set",
        )),
        (None, None) => match (issuer, verifier) {
            (IssuerSetting::Embedded { .. }, _) => Ok(Some(ClientCredentials::new(
                DEV_CLIENT_ID,
                DEV_CLIENT_SECRET,
            ))),
            (IssuerSetting::External(_), Some(VerifierKind::Introspection)) => {
                Err(SettingError::new(
                    "MCP_AUTH_CLIENT_ID",
                    "is required with MCP_AUTH_VERIFIER=introspection and MCP_AUTH_ISSUER \
                 (this server's client at the introspection endpoint, with MCP_AUTH_CLIENT_SECRET)",
                ))
            }
            (IssuerSetting::External(_), _) => Ok(None),
        },
    }
}
