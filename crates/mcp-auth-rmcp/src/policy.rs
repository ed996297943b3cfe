//! Per-operation scopes: which scopes a `tools/call`, `resources/read` or `prompts/get` needs,
//! enforced at the HTTP layer before rmcp dispatches the request.
//!
//! [`ScopePolicy`] maps operations to required scopes; [`ScopePolicyLayer`] enforces it. The
//! layer goes **inside** [`BearerAuthLayer`] (which puts the
//! caller's [`AuthInfo`](mcp_auth::AuthInfo) into the request extensions) and around the MCP
//! service (rmcp's `StreamableHttpService`, or this crate's [`SseServer`](crate::sse::SseServer)).
//!
//! # Rules
//!
//! | message | rule looked up | falls back to |
//! |---|---|---|
//! | `tools/call` | [`with_tool`](ScopePolicy::with_tool) by `params.name` | the default |
//! | `resources/read`, `resources/subscribe`, `resources/unsubscribe` | [`with_resource`](ScopePolicy::with_resource) by exact `params.uri`, then [`with_resource_template`](ScopePolicy::with_resource_template)s in the order added | the default |
//! | `prompts/get` | [`with_prompt`](ScopePolicy::with_prompt) by `params.name` | the default |
//! | any other request or notification | — | the default |
//! | a response sent by the client | — | nothing |
//!
//! A rule replaces the default (it does not add to it); the default is empty unless set with
//! [`with_default_scopes`](ScopePolicy::with_default_scopes). A URI that matches no resource rule
//! gets the default: if your resource handlers accept URIs more loosely than your templates
//! describe, either set a strict default or end with a catch-all template such as `{+uri}`.
//!
//! # What the layer does
//!
//! Only `POST` requests carry JSON-RPC messages; other methods (the `GET` event stream,
//! `DELETE` of a session) pass through untouched. For a `POST`, the layer:
//!
//! 1. reads the body, at most [`max_body_bytes`](ScopePolicy::with_max_body_bytes) (default
//!    4 MiB, rmcp's default too): a longer body is answered `413`, with no further reading;
//! 2. parses it as one JSON-RPC message or a batch (the scopes needed are then the union over
//!    all messages). A body that is not JSON is answered `400` with JSON-RPC error `-32700`; a
//!    JSON body that is not a well-formed message (not an object, `params` not an object, a
//!    duplicated `method`/`params`/`name`/`uri`, a non-string `name`/`uri`) `400` with `-32600`.
//!    The layer never passes on a body it could not read, so rmcp can never dispatch an
//!    operation other than the one that was authorized;
//! 3. checks the SEP-2243 `Mcp-Method` and `Mcp-Name` headers, when present, against **every**
//!    message of the body (`Mcp-Name` may be `=?base64?…?=`-encoded). Any disagreement, or a
//!    repeated header, is answered `400` with JSON-RPC error `-32020` (`HeaderMismatch`), as the
//!    MCP transport requires. The headers are never trusted on their own: scopes come from the
//!    body;
//! 4. checks the caller's granted scopes with the policy's [`ScopeMatcher`] (exact by default;
//!    [`with_scope_matcher`](ScopePolicy::with_scope_matcher) for hierarchies). When some are
//!    missing it answers `403` with
//!    `WWW-Authenticate: Bearer error="insufficient_scope", error_description="…",
//!    scope="<every scope the operation needs>", resource_metadata="…"`: all of them in one
//!    challenge, led by the Bearer layer's own required scopes when the policy was made with
//!    [`for_layer`](ScopePolicy::for_layer), so that a client asking for exactly that set gets
//!    a token that passes both layers (MCP "Runtime Insufficient Scope Errors", RFC 6750 §3.1).
//!    The body is `{"error":"insufficient_scope","error_description":"…"}`. When the request
//!    carries no [`AuthInfo`](mcp_auth::AuthInfo) at all (no Bearer layer in front) but needs
//!    scopes, it is answered `401` with a challenge without `error`;
//! 5. otherwise passes the request on, with the buffered body re-attached.
//!
//! # Example
//!
//! ```
//! use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
//! use mcp_auth::layer::BearerAuthLayer;
//! use mcp_auth_rmcp::policy::ScopePolicy;
//!
//! # fn main() -> Result<(), mcp_auth::ConfigError> {
//! let verifier = |token: BearerToken| async move {
//!     Err::<AuthInfo, _>(VerifyError::new(VerifyErrorKind::Inactive))
//! };
//! let bearer = BearerAuthLayer::new(verifier)
//!     .with_resource_metadata("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")?
//!     .require_scopes(["mcp:basic"])?;
//! let policy = ScopePolicy::for_layer(&bearer)
//!     .with_tool("delete_todo", ["todo:write"])?
//!     .with_resource_template("todo://{id}", ["todo:read"])?
//!     .with_prompt("summarize", ["todo:read"])?;
//! let layers = tower::ServiceBuilder::new()
//!     .layer(bearer)
//!     .layer(policy.into_layer());
//! # let _ = layers;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use mcp_auth::ConfigError;
use mcp_auth::layer::BearerAuthLayer;
use mcp_auth::scope::{ExactScopeMatcher, RequiredScopes, ScopeMatcher};
use tower_layer::Layer;

use crate::body::DEFAULT_MAX_BODY_BYTES;

pub(crate) mod message;
mod response;
mod service;
mod template;
#[cfg(test)]
mod tests;

pub use service::ScopePolicyService;

use message::Operation;
use template::UriTemplate;

/// The largest body cap [`ScopePolicy::with_max_body_bytes`] accepts: 64 MiB.
pub const MAX_BODY_BYTES_LIMIT: usize = 64 * 1024 * 1024;

/// Which scopes each MCP operation needs. Built once, validated when built, shared by every
/// request; see the [module docs](self).
#[derive(Clone)]
#[must_use]
#[non_exhaustive]
pub struct ScopePolicy {
    tools: HashMap<String, RequiredScopes>,
    resources: HashMap<String, RequiredScopes>,
    resource_templates: Vec<(UriTemplate, RequiredScopes)>,
    prompts: HashMap<String, RequiredScopes>,
    default: RequiredScopes,
    /// Scopes every request already needs at the Bearer layer; listed first in challenges.
    base: RequiredScopes,
    matcher: Arc<dyn ScopeMatcher>,
    resource_metadata: Option<String>,
    max_body_bytes: usize,
}

impl fmt::Debug for ScopePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let templates: Vec<(&str, &RequiredScopes)> = self
            .resource_templates
            .iter()
            .map(|(template, scopes)| (template.as_str(), scopes))
            .collect();
        f.debug_struct("ScopePolicy")
            .field("tools", &self.tools)
            .field("resources", &self.resources)
            .field("resource_templates", &templates)
            .field("prompts", &self.prompts)
            .field("default", &self.default)
            .field("base", &self.base)
            .field("matcher", &self.matcher)
            .field("resource_metadata", &self.resource_metadata)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Default for ScopePolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl ScopePolicy {
    /// An empty policy: no rule, no default, exact matching, no `resource_metadata`, 4 MiB body
    /// cap. Prefer [`for_layer`](Self::for_layer) in front of a Bearer layer.
    pub fn new() -> Self {
        Self {
            tools: HashMap::new(),
            resources: HashMap::new(),
            resource_templates: Vec::new(),
            prompts: HashMap::new(),
            default: RequiredScopes::default(),
            base: RequiredScopes::default(),
            matcher: Arc::new(ExactScopeMatcher::new()),
            resource_metadata: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// An empty policy that takes from `layer` the `resource_metadata` URL of its challenges,
    /// the layer's required scopes (listed first in every `scope` challenge this policy sends) and
    /// its scope matcher, so both decide scopes the same way.
    pub fn for_layer(layer: &BearerAuthLayer) -> Self {
        Self {
            base: layer.required_scopes().clone(),
            resource_metadata: layer.resource_metadata().map(str::to_owned),
            matcher: layer.scope_matcher(),
            ..Self::new()
        }
    }

    /// Requires `scopes` for `tools/call` of the tool `name` (replacing an earlier rule).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a scope name is invalid
    /// ([`validate_scope`](mcp_auth::scope::validate_scope)).
    pub fn with_tool<I, S>(
        mut self,
        name: impl Into<String>,
        scopes: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tools.insert(name.into(), RequiredScopes::new(scopes)?);
        Ok(self)
    }

    /// Requires `scopes` for `resources/read` (and `subscribe` / `unsubscribe`) of exactly
    /// `uri`, compared as a string (replacing an earlier rule). Exact rules win over templates.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a scope name is invalid.
    pub fn with_resource<I, S>(
        mut self,
        uri: impl Into<String>,
        scopes: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resources
            .insert(uri.into(), RequiredScopes::new(scopes)?);
        Ok(self)
    }

    /// Requires `scopes` for `resources/read` (and `subscribe` / `unsubscribe`) of every URI
    /// matching `template`: literal text plus `{var}` (one or more characters other than `/`,
    /// `?`, `#`) and `{+var}` (one or more characters of any kind) expressions (RFC 6570 levels
    /// 1 and 2). Templates are tried in the order they were added; the first match wins.
    ///
    /// ```
    /// use mcp_auth_rmcp::policy::ScopePolicy;
    /// let policy = ScopePolicy::new()
    ///     .with_resource_template("todo://{owner}/{id}", ["todo:read"])?
    ///     .with_resource_template("file:///{+path}", ["files:read"])?;
    /// # let _ = policy;
    /// # Ok::<(), mcp_auth::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a scope name is invalid;
    /// [`ConfigError::InvalidSetting`] when the template uses another RFC 6570 operator or
    /// modifier, has unbalanced braces, has no expression, or is longer than 1024 characters.
    pub fn with_resource_template<I, S>(
        mut self,
        template: &str,
        scopes: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let template = UriTemplate::parse(template)?;
        let scopes = RequiredScopes::new(scopes)?;
        self.resource_templates.push((template, scopes));
        Ok(self)
    }

    /// Requires `scopes` for `prompts/get` of the prompt `name` (replacing an earlier rule).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a scope name is invalid.
    pub fn with_prompt<I, S>(
        mut self,
        name: impl Into<String>,
        scopes: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.prompts
            .insert(name.into(), RequiredScopes::new(scopes)?);
        Ok(self)
    }

    /// Requires `scopes` for every message no rule matches: other methods (`initialize`,
    /// `tools/list`, notifications, ...), and tools, resources and prompts without a rule.
    /// Default: none.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a scope name is invalid.
    pub fn with_default_scopes<I, S>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.default = RequiredScopes::new(scopes)?;
        Ok(self)
    }

    /// Sets the rule deciding whether granted scopes satisfy required ones (default:
    /// [`ExactScopeMatcher`]). Use the same matcher as the Bearer layer.
    pub fn with_scope_matcher(mut self, matcher: impl ScopeMatcher) -> Self {
        self.matcher = Arc::new(matcher);
        self
    }

    /// Sets the `resource_metadata` URL sent in challenges (RFC 9728 §5.1), checked with the
    /// same rules as the Bearer layer's: absolute, `https` (plain `http` only for loopback
    /// hosts), no userinfo, no fragment.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when the URL does not meet these rules.
    pub fn with_resource_metadata(mut self, url: &str) -> Result<Self, ConfigError> {
        mcp_auth::layer::validate_resource_metadata_url(url)?;
        self.resource_metadata = Some(url.to_owned());
        Ok(self)
    }

    /// Sets the cap on request bodies (default 4 MiB). Longer bodies are answered `413`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `max` is 0 or above [`MAX_BODY_BYTES_LIMIT`].
    pub fn with_max_body_bytes(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 || max > MAX_BODY_BYTES_LIMIT {
            return Err(ConfigError::InvalidSetting {
                name: "max_body_bytes",
                reason: "must be between 1 byte and 64 MiB",
            });
        }
        self.max_body_bytes = max;
        Ok(self)
    }

    /// The layer enforcing this policy.
    pub fn into_layer(self) -> ScopePolicyLayer {
        ScopePolicyLayer::new(self)
    }

    /// The configured `resource_metadata` URL.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.resource_metadata.as_deref()
    }

    /// The body cap.
    #[must_use]
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// `true` when the policy requires nothing of any message: the layer then passes every
    /// request through without reading its body.
    fn requires_nothing(&self) -> bool {
        self.default.is_empty()
            && self.tools.values().all(RequiredScopes::is_empty)
            && self.resources.values().all(RequiredScopes::is_empty)
            && self.prompts.values().all(RequiredScopes::is_empty)
            && self.resource_templates.iter().all(|(_, s)| s.is_empty())
    }

    /// The scopes one operation needs.
    fn required_for(&self, operation: Operation<'_>) -> &[String] {
        let rule = match operation {
            Operation::Response => return &[],
            Operation::Tool(name) => self.tools.get(name),
            Operation::Prompt(name) => self.prompts.get(name),
            Operation::Resource(uri) => self.resources.get(uri).or_else(|| {
                self.resource_templates
                    .iter()
                    .find(|(template, _)| template.matches(uri))
                    .map(|(_, scopes)| scopes)
            }),
            Operation::Other => None,
        };
        rule.unwrap_or(&self.default).as_slice()
    }
}

/// A tower [`Layer`] enforcing a [`ScopePolicy`]; wraps services in [`ScopePolicyService`].
///
/// Cloning is cheap (the policy is shared).
#[derive(Debug, Clone)]
#[must_use]
pub struct ScopePolicyLayer {
    policy: Arc<ScopePolicy>,
}

impl ScopePolicyLayer {
    /// A layer enforcing `policy`.
    pub fn new(policy: ScopePolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &ScopePolicy {
        &self.policy
    }
}

impl<S> Layer<S> for ScopePolicyLayer {
    type Service = ScopePolicyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ScopePolicyService::new(inner, Arc::clone(&self.policy))
    }
}
