//! Test users (resource owners, RFC 6749 §1.1) and their claims (OpenID Connect Core §5.1).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod file;

pub(crate) use file::read as read_file;

/// A test user: the login name shown on the sign-in page, a stable subject identifier and the
/// claims `/userinfo` returns.
///
/// ```
/// use mcp_auth_dev::User;
///
/// let carol = User::new("carol", "u-carol")
///     .with_name("Carol Example")
///     .with_email("carol@example.com", true)
///     .with_claim("department", "research");
/// let claims = carol.claims();
/// assert_eq!(claims["sub"], "u-carol");
/// assert_eq!(claims["preferred_username"], "carol");
/// assert_eq!(claims["department"], "research");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The login name (also the `preferred_username` claim and the introspection `username`).
    pub username: String,
    /// The subject identifier (`sub`), stable and unique among users.
    pub sub: String,
    /// The full name (`name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The email address (`email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address is verified (`email_verified`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Further claims returned by `/userinfo` (`given_name`, `picture`, custom ones, ...).
    #[serde(default, flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// A user with a login name and a subject identifier.
    #[must_use]
    pub fn new(username: impl Into<String>, sub: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            sub: sub.into(),
            name: None,
            email: None,
            email_verified: None,
            extra: Map::new(),
        }
    }

    /// Sets the full name (`name`).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email address and whether it is verified.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>, verified: bool) -> Self {
        self.email = Some(email.into());
        self.email_verified = Some(verified);
        self
    }

    /// Adds a claim (replacing the named members above has no effect: they win).
    #[must_use]
    pub fn with_claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// The claims `/userinfo` returns (OpenID Connect Core §5.3.2): `sub`,
    /// `preferred_username`, `name`, `email`, `email_verified` and the extra claims.
    #[must_use]
    pub fn claims(&self) -> Map<String, Value> {
        let mut claims = self.extra.clone();
        claims.insert("sub".into(), self.sub.clone().into());
        claims.insert("preferred_username".into(), self.username.clone().into());
        if let Some(name) = &self.name {
            claims.insert("name".into(), name.clone().into());
        }
        if let Some(email) = &self.email {
            claims.insert("email".into(), email.clone().into());
        }
        if let Some(verified) = self.email_verified {
            claims.insert("email_verified".into(), verified.into());
        }
        claims
    }

    /// The built-in test users: `alice` (sub `u-alice`) and `bob` (sub `u-bob`), with names and
    /// verified `@example.com` addresses.
    #[must_use]
    pub fn defaults() -> Vec<Self> {
        vec![
            Self::new("alice", "u-alice")
                .with_name("Alice Liddell")
                .with_email("alice@example.com", true),
            Self::new("bob", "u-bob")
                .with_name("Bob Builder")
                .with_email("bob@example.com", true),
        ]
    }
}

/// Checks a user list: unique usernames and subjects, no empty identifiers.
pub(crate) fn validate(users: &[User]) -> Result<(), String> {
    for (i, user) in users.iter().enumerate() {
        if user.username.is_empty() || user.sub.is_empty() {
            return Err("users need a non-empty username and sub".into());
        }
        let earlier = users.get(..i).unwrap_or_default();
        if earlier.iter().any(|u| u.username == user.username) {
            return Err(format!("duplicate username `{}`", user.username));
        }
        if earlier.iter().any(|u| u.sub == user.sub) {
            return Err(format!("duplicate sub `{}`", user.sub));
        }
    }
    Ok(())
}
