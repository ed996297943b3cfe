//! How this server authenticates to the introspection endpoint (RFC 7662 §2.1; client
//! authentication methods of RFC 6749 §2.3.1 and RFC 8414 §2).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use url::form_urlencoded;

use crate::error::ConfigError;

/// The credentials this resource server presents to the introspection endpoint.
///
/// RFC 7662 §2.1 requires the endpoint to authenticate its callers, so that token scanning is
/// not open to anyone. The secret never appears in `Debug` output.
///
/// ```
/// use mcp_auth::verify::ClientAuth;
/// let auth = ClientAuth::basic("mcp-server", "s3cret");
/// assert_eq!(auth.client_id(), "mcp-server");
/// assert!(!format!("{auth:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic authentication with the form-urlencoded client id and
    /// secret (RFC 6749 §2.3.1).
    ClientSecretBasic {
        /// The client id.
        id: String,
        /// The client secret.
        secret: String,
    },
    /// `client_secret_post`: `client_id` and `client_secret` in the request body (RFC 6749
    /// §2.3.1).
    ClientSecretPost {
        /// The client id.
        id: String,
        /// The client secret.
        secret: String,
    },
}

impl ClientAuth {
    /// `client_secret_basic` credentials.
    #[must_use]
    pub fn basic(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::ClientSecretBasic {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// `client_secret_post` credentials.
    #[must_use]
    pub fn post(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::ClientSecretPost {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        match self {
            Self::ClientSecretBasic { id, .. } | Self::ClientSecretPost { id, .. } => id,
        }
    }

    /// The RFC 8414 name of the method (`client_secret_basic`, `client_secret_post`).
    #[must_use]
    pub fn method(&self) -> &'static str {
        match self {
            Self::ClientSecretBasic { .. } => "client_secret_basic",
            Self::ClientSecretPost { .. } => "client_secret_post",
        }
    }

    /// Checks the credentials and prepares what every request carries.
    pub(super) fn prepare(&self) -> Result<Prepared, ConfigError> {
        let (id, secret) = match self {
            Self::ClientSecretBasic { id, secret } | Self::ClientSecretPost { id, secret } => {
                (id, secret)
            }
        };
        if id.is_empty() || secret.is_empty() {
            return Err(ConfigError::InvalidSetting {
                name: "client authentication",
                reason: "the client id and secret must not be empty",
            });
        }
        match self {
            Self::ClientSecretBasic { .. } => {
                let credentials = format!("{}:{}", form_encode(id), form_encode(secret));
                let mut value =
                    HeaderValue::try_from(format!("Basic {}", STANDARD.encode(credentials)))
                        .map_err(|_| ConfigError::InvalidSetting {
                            name: "client authentication",
                            reason: "the credentials cannot be sent in a header",
                        })?;
                value.set_sensitive(true);
                Ok(Prepared::Header(value))
            }
            Self::ClientSecretPost { .. } => Ok(Prepared::Body {
                id: id.clone(),
                secret: secret.clone(),
            }),
        }
    }
}

/// Client authentication ready to be added to a request.
#[derive(Clone)]
pub(super) enum Prepared {
    /// An `Authorization` value (marked sensitive).
    Header(HeaderValue),
    /// `client_id` and `client_secret` form fields.
    Body { id: String, secret: String },
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(_) => f.write_str("Header([redacted])"),
            Self::Body { id, .. } => f
                .debug_struct("Body")
                .field("id", id)
                .field("secret", &"[redacted]")
                .finish(),
        }
    }
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::ClientSecretBasic { .. } => "ClientSecretBasic",
            Self::ClientSecretPost { .. } => "ClientSecretPost",
        };
        f.debug_struct(name)
            .field("id", &self.client_id())
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The `application/x-www-form-urlencoded` encoding RFC 6749 §2.3.1 applies to Basic
/// credentials (Appendix B).
fn form_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
