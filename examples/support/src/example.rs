//! What differs between the example servers: name, scopes, per-tool scope rules, and the demo
//! tokens printed at start-up.

use crate::config::VerifierKind;

/// A token the start-up banner mints with the embedded development server, so `curl` (or MCP
/// Inspector's "Bearer Token" field) can call the server at once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DemoToken {
    /// The shell variable the banner assigns it to, such as `TOKEN`.
    pub variable: String,
    /// The test user (`alice`, `bob`).
    pub username: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

impl DemoToken {
    /// A token for `username` with `scopes`, shown as `variable`.
    #[must_use]
    pub fn new<I, S>(variable: impl Into<String>, username: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            variable: variable.into(),
            username: username.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }
}

/// The description of one example server.
///
/// ```
/// use mcp_auth_examples::{DemoToken, Example};
///
/// let example = Example::new("TodoManager", "get-todos")
///     .with_scopes_supported(["create:todos", "read:todos", "delete:todos"])
///     .with_tool_scopes("create-todo", ["create:todos"])
///     .with_demo_token(DemoToken::new("TOKEN", "alice", ["create:todos"]));
/// assert_eq!(example.name(), "TodoManager");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Example {
    name: String,
    curl_tool: String,
    scopes_supported: Vec<String>,
    tool_scopes: Vec<(String, Vec<String>)>,
    demo_tokens: Vec<DemoToken>,
    default_verifier: VerifierKind,
}

impl Example {
    /// An example server called `name` (the MCP server name); the banner's `curl` walk-through
    /// calls the tool `curl_tool`.
    pub fn new(name: impl Into<String>, curl_tool: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            curl_tool: curl_tool.into(),
            scopes_supported: Vec::new(),
            tool_scopes: Vec::new(),
            demo_tokens: Vec::new(),
            default_verifier: VerifierKind::Userinfo,
        }
    }

    /// The scopes published in the protected-resource metadata (RFC 9728 §2
    /// `scopes_supported`); the embedded development server offers them too.
    pub fn with_scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Requires `scopes` for `tools/call` of `tool`, checked by the scope policy layer before
    /// rmcp dispatches (403 `insufficient_scope` otherwise).
    pub fn with_tool_scopes<I, S>(mut self, tool: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes = scopes.into_iter().map(Into::into).collect();
        self.tool_scopes.push((tool.into(), scopes));
        self
    }

    /// Adds a demo token to the banner (embedded development server only).
    pub fn with_demo_token(mut self, token: DemoToken) -> Self {
        self.demo_tokens.push(token);
        self
    }

    /// The verifier used when `MCP_AUTH_VERIFIER` is unset (default
    /// [`VerifierKind::Userinfo`], as in the seed tutorial).
    pub fn with_default_verifier(mut self, verifier: VerifierKind) -> Self {
        self.default_verifier = verifier;
        self
    }

    /// The verifier used when `MCP_AUTH_VERIFIER` is unset.
    #[must_use]
    pub fn default_verifier(&self) -> VerifierKind {
        self.default_verifier
    }

    /// The MCP server name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tool the banner's `curl` walk-through calls.
    #[must_use]
    pub fn curl_tool(&self) -> &str {
        &self.curl_tool
    }

    /// The published scopes.
    #[must_use]
    pub fn scopes_supported(&self) -> &[String] {
        &self.scopes_supported
    }

    /// The per-tool scope rules.
    #[must_use]
    pub fn tool_scopes(&self) -> &[(String, Vec<String>)] {
        &self.tool_scopes
    }

    /// The demo tokens.
    #[must_use]
    pub fn demo_tokens(&self) -> &[DemoToken] {
        &self.demo_tokens
    }
}
