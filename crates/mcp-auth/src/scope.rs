//! Scopes: validated names, required sets, and the rule that decides whether granted scopes
//! satisfy a required one.
//!
//! Scope names are checked when configuration is built ([`validate_scope`]): a name must be
//! non-empty and use only `%x21 / %x23-5B / %x5D-7E` (RFC 6749 §3.3, RFC 6750 §3), so it can be
//! sent in a `scope="…"` challenge parameter without escaping.
//!
//! Matching is pluggable through [`ScopeMatcher`]:
//!
//! * [`ExactScopeMatcher`] (the default): a required scope is granted only by the same name.
//! * [`HierarchicalScopeMatcher`]: a granted scope also covers the scopes below it
//!   (`todo` ⇒ `todo:read` ⇒ `todo:read:own`, never the reverse), plus explicit
//!   implications (`admin` ⇒ `todo:write`). MCP asks servers to account for scope hierarchies
//!   when they use them.
//!
//! ```
//! use mcp_auth::scope::{HierarchicalScopeMatcher, RequiredScopes, ScopeMatcher};
//!
//! let matcher = HierarchicalScopeMatcher::new(':')?
//!     .with_implication("admin", ["todo:write"])?;
//! let granted = vec!["todo:read".to_owned(), "admin".to_owned()];
//! let required = RequiredScopes::new(["todo:read:own", "todo:write", "files:read"])?;
//! assert!(matcher.grants(&granted, "todo:read:own"));
//! assert_eq!(matcher.missing(&granted, required.as_slice()), ["files:read"]);
//! # Ok::<(), mcp_auth::ConfigError>(())
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::challenge::is_scope_char;
use crate::error::ConfigError;

#[cfg(test)]
mod tests;

/// Checks that `scope` can be configured: non-empty, and only the characters
/// `%x21 / %x23-5B / %x5D-7E` (RFC 6749 §3.3, RFC 6750 §3): no space, `"`, `\`, control or
/// non-ASCII character.
///
/// # Errors
///
/// [`ConfigError::InvalidScope`] naming the scope and the reason.
pub fn validate_scope(scope: &str) -> Result<(), ConfigError> {
    let reason = if scope.is_empty() {
        "a scope name cannot be empty"
    } else if scope.chars().all(is_scope_char) {
        return Ok(());
    } else {
        "a scope name may only contain printable ASCII other than space, `\"` and `\\` (RFC 6750 §3)"
    };
    Err(ConfigError::InvalidScope {
        scope: scope.to_owned(),
        reason,
    })
}

/// Decides whether granted scopes satisfy a required scope.
///
/// Implementations must never let an empty granted scope satisfy anything, and must never let
/// anything satisfy an empty requirement (RFC 6749 §3.3 scopes are non-empty).
pub trait ScopeMatcher: Send + Sync + fmt::Debug + 'static {
    /// `true` when `granted` satisfies `required`.
    fn grants(&self, granted: &[String], required: &str) -> bool;

    /// `true` when `granted` satisfies every scope in `required`.
    fn grants_all(&self, granted: &[String], required: &[String]) -> bool {
        required.iter().all(|r| self.grants(granted, r))
    }

    /// The required scopes that `granted` does not satisfy, in order.
    fn missing<'r>(&self, granted: &[String], required: &'r [String]) -> Vec<&'r str> {
        required
            .iter()
            .filter(|r| !self.grants(granted, r))
            .map(String::as_str)
            .collect()
    }
}

/// A required scope is granted only by a granted scope of the same name (case-sensitive,
/// RFC 6749 §3.3). The default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExactScopeMatcher;

impl ExactScopeMatcher {
    /// The exact matcher.
    #[must_use]
    pub fn new() -> Self {
        Self
    }
}

impl ScopeMatcher for ExactScopeMatcher {
    fn grants(&self, granted: &[String], required: &str) -> bool {
        !required.is_empty() && granted.iter().any(|g| g == required)
    }
}

/// Hierarchical scopes: a granted scope covers itself and every scope below it, plus explicit
/// implications.
///
/// With separator `:`, granted `todo` satisfies `todo:read` and `todo:read:own`; granted
/// `todo:read` never satisfies `todo` nor `todo:write`, and `todo` never satisfies `todos`.
/// Implications added with [`with_implication`](Self::with_implication) are followed
/// transitively and also cover the implied scopes' descendants.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HierarchicalScopeMatcher {
    separator: char,
    /// Direct implications, as configured.
    edges: HashMap<String, Vec<String>>,
    /// For each configured scope, every scope it implies (transitive closure of `edges`).
    implied: HashMap<String, Vec<String>>,
}

impl HierarchicalScopeMatcher {
    /// A matcher whose hierarchy levels are separated by `separator` (such as `:` or `.`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when `separator` cannot appear in a scope name.
    pub fn new(separator: char) -> Result<Self, ConfigError> {
        validate_scope(separator.encode_utf8(&mut [0; 4]))?;
        Ok(Self {
            separator,
            edges: HashMap::new(),
            implied: HashMap::new(),
        })
    }

    /// Declares that `granted` also grants each of `implied` (and everything below them).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a name is not a valid scope.
    pub fn with_implication<I, S>(mut self, granted: &str, implied: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        validate_scope(granted)?;
        let mut new = Vec::new();
        for scope in implied {
            let scope = scope.into();
            validate_scope(&scope)?;
            new.push(scope);
        }
        self.edges
            .entry(granted.to_owned())
            .or_default()
            .extend(new);
        self.implied = self.closure();
        Ok(self)
    }

    /// `true` when `granted` is `required` or an ancestor of it.
    fn covers(&self, granted: &str, required: &str) -> bool {
        !granted.is_empty()
            && required
                .strip_prefix(granted)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(self.separator))
    }

    /// Everything each configured scope implies, following implications through the hierarchy
    /// (`a` ⇒ `b`, and `b:x` ⇒ `c`, so `a` ⇒ `c`). Computed once per configuration change.
    fn closure(&self) -> HashMap<String, Vec<String>> {
        let mut out = HashMap::new();
        for start in self.edges.keys() {
            let mut reached: Vec<String> = Vec::new();
            let mut queue: Vec<&str> = vec![start];
            while let Some(scope) = queue.pop() {
                for (key, targets) in &self.edges {
                    if !self.covers(scope, key) {
                        continue;
                    }
                    for target in targets {
                        if !reached.contains(target) {
                            reached.push(target.clone());
                            queue.push(target);
                        }
                    }
                }
            }
            out.insert(start.clone(), reached);
        }
        out
    }
}

impl ScopeMatcher for HierarchicalScopeMatcher {
    fn grants(&self, granted: &[String], required: &str) -> bool {
        if required.is_empty() {
            return false;
        }
        granted.iter().any(|g| {
            self.covers(g, required)
                || self.implied.iter().any(|(key, implied)| {
                    self.covers(g, key) && implied.iter().any(|i| self.covers(i, required))
                })
        })
    }
}

/// A validated, duplicate-free list of scope names, in configuration order.
///
/// ```
/// use mcp_auth::scope::RequiredScopes;
///
/// let scopes = RequiredScopes::new(["todo:read", "todo:write", "todo:read"])?;
/// assert_eq!(scopes.to_scope_string(), "todo:read todo:write");
/// assert!(RequiredScopes::new(["has space"]).is_err());
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequiredScopes {
    scopes: Vec<String>,
}

impl RequiredScopes {
    /// Validates every name with [`validate_scope`] and drops duplicates.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] for the first invalid name.
    pub fn new<I, S>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out: Vec<String> = Vec::new();
        for scope in scopes {
            let scope = scope.into();
            validate_scope(&scope)?;
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        Ok(Self { scopes: out })
    }

    /// The names, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.scopes
    }

    /// Iterates over the names.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// `true` when no scope is required.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The number of names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// The names joined by single spaces, as in a `scope` parameter (RFC 6750 §3).
    #[must_use]
    pub fn to_scope_string(&self) -> String {
        self.scopes.join(" ")
    }
}
