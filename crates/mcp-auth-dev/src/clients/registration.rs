//! Client metadata (RFC 7591 §2), as sent to the registration endpoint or published in a Client
//! ID Metadata Document, validated into a [`Client`].
//!
//! Rules (RFC 7591 §2, §2.1, §3.2.2; OpenID Connect Dynamic Client Registration 1.0 §2 for
//! `application_type`; the Client ID Metadata Document draft §4 for documents):
//!
//! * `redirect_uris`: required with the `authorization_code` grant; see
//!   [`redirect_uri`](super::redirect_uri) for what is accepted — else `invalid_redirect_uri`;
//! * `token_endpoint_auth_method`: `none`, `client_secret_basic` (the RFC 7591 default) or
//!   `client_secret_post`; a metadata document may only use `none` (no shared secret can be
//!   agreed on) and defaults to it;
//! * `grant_types`: `authorization_code` (the default), `refresh_token`, and
//!   `client_credentials` for confidential registered clients;
//! * `response_types`: `code` only (the default), consistent with the grants (RFC 7591 §2.1);
//! * `application_type`: `web` (the default) or `native`; in development both may use any
//!   accepted redirect URI (OpenID's "web clients use https, native clients loopback or custom
//!   schemes" is not enforced, so that browser tools on `http://localhost` can register);
//! * `scope` (an empty one is ignored): scopes the server does not support are dropped (RFC 7591 §3.2.1 lets the server
//!   replace values); the response says what was kept. It is **not a limit** on later
//!   authorization requests: an MCP client registers with the scopes of its first challenge
//!   and must be able to step up to a scope a later `403 insufficient_scope` names (MCP
//!   "Scope Challenge Handling"); the user still approves every scope on the consent page.
//!   Statically configured clients can be limited with [`Client::with_scopes`];
//! * `client_name`: a string of at most 200 characters; `client_uri`, `logo_uri`, `contacts` and
//!   the other display members are echoed in the registration response.
//!
//! Anything else is `invalid_client_metadata`.

use serde_json::{Map, Value};

use super::{Client, ClientKind, GrantType, redirect_uri};
use crate::scope;

/// Most redirect URIs per client.
const MAX_REDIRECT_URIS: usize = 20;
/// Longest display string (`client_name`, `client_uri`, ...).
const MAX_DISPLAY_LEN: usize = 200;
/// Longest `scope` value.
const MAX_SCOPE_LEN: usize = 1024;
/// String members (URIs and identifiers of at most 2 048 characters) echoed back as given
/// (RFC 7591 §2).
const ECHOED: [&str; 7] = [
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "jwks_uri",
];

/// What the metadata was sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A registration request (RFC 7591 §3.1).
    Registration,
    /// A Client ID Metadata Document fetched from the `client_id` URL.
    MetadataDocument,
}

/// Why client metadata is refused (RFC 7591 §3.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetadataError {
    /// `invalid_redirect_uri` or `invalid_client_metadata`.
    pub(crate) code: &'static str,
    pub(crate) description: String,
}

impl MetadataError {
    fn metadata(description: impl Into<String>) -> Self {
        Self {
            code: "invalid_client_metadata",
            description: description.into(),
        }
    }

    fn redirect(description: impl Into<String>) -> Self {
        Self {
            code: "invalid_redirect_uri",
            description: description.into(),
        }
    }
}

/// `token_endpoint_auth_method` values served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    None,
    ClientSecretBasic,
    ClientSecretPost,
}

impl AuthMethod {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }
}

/// Validated client metadata.
#[derive(Debug, Clone)]
pub(crate) struct ClientMetadata {
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) auth_method: AuthMethod,
    pub(crate) grant_types: Vec<GrantType>,
    pub(crate) application_type: &'static str,
    pub(crate) client_name: Option<String>,
    /// The scopes kept (`None`: the client did not restrict its scopes).
    pub(crate) scopes: Option<Vec<String>>,
    /// Display members echoed in the registration response.
    pub(crate) echoed: Map<String, Value>,
}

impl ClientMetadata {
    /// Validates `document` (a JSON value) as client metadata.
    pub(crate) fn parse(
        document: &Value,
        source: Source,
        scopes_supported: &[String],
    ) -> Result<Self, MetadataError> {
        let object = document
            .as_object()
            .ok_or_else(|| MetadataError::metadata("the client metadata must be a JSON object"))?;
        if source == Source::MetadataDocument
            && (object.contains_key("client_secret")
                || object.contains_key("client_secret_expires_at"))
        {
            return Err(MetadataError::metadata(
                "a client metadata document must not contain a client_secret",
            ));
        }
        let auth_method = auth_method(object, source)?;
        let grant_types = grant_types(object, auth_method, source)?;
        response_types(object, &grant_types)?;
        let redirect_uris = string_list(object, "redirect_uris")?.unwrap_or_default();
        if redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(MetadataError::redirect("too many redirect_uris"));
        }
        for uri in &redirect_uris {
            redirect_uri::check_registrable(uri).map_err(MetadataError::redirect)?;
        }
        if redirect_uris.is_empty() && grant_types.contains(&GrantType::AuthorizationCode) {
            return Err(MetadataError::redirect(
                "redirect_uris is required for the authorization_code grant",
            ));
        }
        let application_type = match display_string(object, "application_type")?.as_deref() {
            None | Some("web") => "web",
            Some("native") => "native",
            Some(_) => {
                return Err(MetadataError::metadata(
                    "application_type must be web or native",
                ));
            }
        };
        // An empty `scope` is taken as absent (some clients send one).
        let scopes = match string_member(object, "scope", MAX_SCOPE_LEN)?.filter(|s| !s.is_empty())
        {
            Some(value) => Some(
                scope::parse(&value)
                    .map_err(MetadataError::metadata)?
                    .into_iter()
                    .filter(|s| scopes_supported.contains(s))
                    .collect(),
            ),
            None => None,
        };
        let mut echoed = Map::new();
        for name in ECHOED {
            if let Some(value) = string_member(object, name, redirect_uri::MAX_LEN)? {
                echoed.insert(name.into(), Value::String(value));
            }
        }
        if let Some(contacts) = string_list(object, "contacts")? {
            echoed.insert("contacts".into(), contacts.into());
        }
        Ok(Self {
            redirect_uris,
            auth_method,
            grant_types,
            application_type,
            client_name: display_string(object, "client_name")?,
            scopes,
            echoed,
        })
    }

    /// The client these metadata describe; `secret` for a confidential client.
    pub(crate) fn into_client(
        self,
        kind: ClientKind,
        client_id: String,
        secret: Option<String>,
    ) -> Client {
        let client = match secret {
            Some(secret) => Client::confidential(client_id, secret),
            None => Client::public(client_id),
        };
        let mut client = client
            .with_kind(kind)
            .with_redirect_uris(self.redirect_uris)
            .with_grant_types(self.grant_types);
        if let Some(name) = self.client_name {
            client = client.with_name(name);
        }
        // The registered `scope` is echoed in the registration response only: see the module
        // documentation (step-up needs scopes beyond the first registration).
        client
    }
}

fn auth_method(object: &Map<String, Value>, source: Source) -> Result<AuthMethod, MetadataError> {
    let value = display_string(object, "token_endpoint_auth_method")?;
    let method = match (value.as_deref(), source) {
        (None, Source::Registration) | (Some("client_secret_basic"), _) => {
            AuthMethod::ClientSecretBasic
        }
        (None, Source::MetadataDocument) | (Some("none"), _) => AuthMethod::None,
        (Some("client_secret_post"), _) => AuthMethod::ClientSecretPost,
        (Some(other), _) => {
            return Err(MetadataError::metadata(format!(
                "token_endpoint_auth_method `{other}` is not supported (none, client_secret_basic, client_secret_post)"
            )));
        }
    };
    if source == Source::MetadataDocument && method != AuthMethod::None {
        return Err(MetadataError::metadata(
            "a client metadata document must use token_endpoint_auth_method none",
        ));
    }
    Ok(method)
}

fn grant_types(
    object: &Map<String, Value>,
    auth_method: AuthMethod,
    source: Source,
) -> Result<Vec<GrantType>, MetadataError> {
    let names = string_list(object, "grant_types")?
        .unwrap_or_else(|| vec![GrantType::AuthorizationCode.as_str().to_owned()]);
    let mut grants = Vec::with_capacity(names.len());
    for name in &names {
        let grant = GrantType::from_name(name).ok_or_else(|| {
            MetadataError::metadata(format!("the grant type `{name}` is not supported"))
        })?;
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    let public = auth_method == AuthMethod::None || source == Source::MetadataDocument;
    if public && grants.contains(&GrantType::ClientCredentials) {
        return Err(MetadataError::metadata(
            "client_credentials needs a confidential client (RFC 6749 section 4.4)",
        ));
    }
    if grants.is_empty() {
        return Err(MetadataError::metadata("grant_types is empty"));
    }
    Ok(grants)
}

fn response_types(object: &Map<String, Value>, grants: &[GrantType]) -> Result<(), MetadataError> {
    let code = GrantType::AuthorizationCode;
    let types = string_list(object, "response_types")?.unwrap_or_else(|| {
        if grants.contains(&code) {
            vec!["code".to_owned()]
        } else {
            Vec::new()
        }
    });
    if let Some(other) = types.iter().find(|t| *t != "code") {
        return Err(MetadataError::metadata(format!(
            "the response type `{other}` is not supported (code only)"
        )));
    }
    // RFC 7591 §2.1: `code` goes with the authorization_code grant, and back.
    if types.is_empty() == grants.contains(&code) {
        return Err(MetadataError::metadata(
            "response_types code and grant_types authorization_code go together (RFC 7591 section 2.1)",
        ));
    }
    Ok(())
}

/// A string member of at most `max` characters, without control characters.
fn string_member(
    object: &Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<String>, MetadataError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value))
            if value.chars().count() <= max && !value.chars().any(char::is_control) =>
        {
            Ok(Some(value.clone()))
        }
        Some(_) => Err(MetadataError::metadata(format!(
            "`{name}` must be a string of at most {max} characters"
        ))),
    }
}

/// A short string member (names, enumerated values).
fn display_string(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, MetadataError> {
    string_member(object, name, MAX_DISPLAY_LEN)
}

/// An array-of-strings member (redirect URIs are capped by their own rules).
fn string_list(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<Vec<String>>, MetadataError> {
    let invalid = || MetadataError::metadata(format!("`{name}` must be an array of strings"));
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.len() <= 64 => items
            .iter()
            .map(|item| {
                item.as_str()
                    .filter(|s| s.len() <= redirect_uri::MAX_LEN + 1)
                    .map(str::to_owned)
                    .ok_or_else(invalid)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid()),
    }
}

#[cfg(test)]
mod tests;
