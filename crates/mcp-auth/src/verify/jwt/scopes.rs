//! Where granted scopes are read from (RFC 9068 §2.2.3, RFC 8693 §4.2; pinned decision 5).

use serde_json::{Map, Value};

use crate::error::{VerifyError, VerifyErrorKind};

/// Which claim carries the granted scopes.
///
/// Whatever the choice, a claim of the wrong type is `invalid_token` (never a wider grant),
/// empty entries are dropped, and no empty scope is ever produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScopeClaim {
    /// Pinned decision 5: `scope` (space-separated string) first, else `scp` (array of strings
    /// or space-separated string; Entra ID, Okta), else `scopes` (array of strings). When more
    /// than one of them is present they must grant the same set, otherwise the token is
    /// refused: conflicting shapes are never merged (RFC 8725 §3.12).
    #[default]
    Auto,
    /// Only `scope`, a space-separated string (RFC 9068 §2.2.3). Other claims are ignored.
    Scope,
    /// Only `scp`, an array of strings or a space-separated string. Other claims are ignored.
    Scp,
    /// Only `scopes`, an array of strings. Other claims are ignored.
    Scopes,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A space-separated string.
    String,
    /// An array of strings.
    Array,
    /// Either.
    Both,
}

const SOURCES: [(&str, Shape); 3] = [
    ("scope", Shape::String),
    ("scp", Shape::Both),
    ("scopes", Shape::Array),
];

impl ScopeClaim {
    /// Reads the granted scopes from verified claims.
    pub(crate) fn extract(self, claims: &Map<String, Value>) -> Result<Vec<String>, VerifyError> {
        self.extract_with(|name| claims.get(name))
    }

    /// Reads the granted scopes, `claim` giving the claim of each name.
    pub(crate) fn extract_with<'v>(
        self,
        claim: impl Fn(&str) -> Option<&'v Value>,
    ) -> Result<Vec<String>, VerifyError> {
        let only = |name: &str, shape: Shape| -> Result<Vec<String>, VerifyError> {
            Ok(read(claim(name), shape)?.unwrap_or_default())
        };
        match self {
            Self::Scope => only("scope", Shape::String),
            Self::Scp => only("scp", Shape::Both),
            Self::Scopes => only("scopes", Shape::Array),
            Self::Auto => {
                let mut chosen: Option<Vec<String>> = None;
                for (name, shape) in SOURCES {
                    let Some(scopes) = read(claim(name), shape)? else {
                        continue;
                    };
                    match &chosen {
                        None => chosen = Some(scopes),
                        Some(first) if same_set(first, &scopes) => {}
                        Some(_) => return Err(invalid("scope claims disagree")),
                    }
                }
                Ok(chosen.unwrap_or_default())
            }
        }
    }
}

fn read(claim: Option<&Value>, shape: Shape) -> Result<Option<Vec<String>>, VerifyError> {
    match (claim, shape) {
        (None, _) => Ok(None),
        (Some(Value::String(s)), Shape::String | Shape::Both) => Ok(Some(split(s))),
        (Some(Value::Array(items)), Shape::Array | Shape::Both) => {
            let mut scopes = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) if s.is_empty() => {}
                    Value::String(s) if !s.contains(' ') => scopes.push(s.clone()),
                    _ => return Err(invalid("scope array entries must be scope tokens")),
                }
            }
            Ok(Some(scopes))
        }
        (Some(_), _) => Err(invalid("scope claim has the wrong type")),
    }
}

/// The scope tokens of a space-separated list (RFC 6749 §3.3), without empty entries. Only
/// `' '` separates (a tab is part of a token, which the scope matcher then refuses).
fn split(list: &str) -> Vec<String> {
    let mut scopes = Vec::with_capacity(list.bytes().filter(|b| *b == b' ').count() + 1);
    let mut push = |scope: &str| {
        if !scope.is_empty() {
            scopes.push(scope.to_owned());
        }
    };
    // A byte loop: scopes are short, and `split(' ')` calls `memchr` once per token. `' '` is
    // ASCII, so every cut falls on a character boundary.
    let mut rest = list;
    while let Some(end) = rest.bytes().position(|b| b == b' ') {
        push(rest.get(..end).unwrap_or_default());
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    push(rest);
    scopes
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s))
}

fn invalid(detail: &'static str) -> VerifyError {
    VerifyError::new(VerifyErrorKind::InvalidClaims).with_detail(detail)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn auto(v: Value) -> Result<Vec<String>, VerifyErrorKind> {
        ScopeClaim::Auto.extract(&claims(v)).map_err(|e| e.kind())
    }

    #[test]
    fn g02_scope_string_splits_on_spaces_without_empty_entries() {
        assert_eq!(auto(json!({"scope": "a  b "})).unwrap(), ["a", "b"]);
        assert_eq!(auto(json!({"scope": ""})).unwrap(), Vec::<String>::new());
        assert_eq!(auto(json!({"scope": "   "})).unwrap(), Vec::<String>::new());
        // Only the space separates (RFC 6749 §3.3); non-ASCII text is cut on spaces only.
        assert_eq!(
            auto(json!({"scope": " a\tb  é c "})).unwrap(),
            ["a\tb", "é", "c"]
        );
        assert_eq!(auto(json!({"scope": "x"})).unwrap(), ["x"]);
        assert_eq!(auto(json!({})).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn g05_shapes() {
        assert_eq!(auto(json!({"scp": ["a", "b"]})).unwrap(), ["a", "b"]);
        assert_eq!(auto(json!({"scp": "a b"})).unwrap(), ["a", "b"]);
        assert_eq!(auto(json!({"scopes": ["a", ""]})).unwrap(), ["a"]);
        for bad in [
            json!({"scope": ["a"]}),
            json!({"scope": 1}),
            json!({"scope": {"a": true}}),
            json!({"scope": null}),
            json!({"scp": 1}),
            json!({"scp": [1]}),
            json!({"scp": ["a b"]}),
            json!({"scopes": "a b"}),
            json!({"scopes": [null]}),
        ] {
            assert_eq!(
                auto(bad.clone()),
                Err(VerifyErrorKind::InvalidClaims),
                "{bad}"
            );
        }
    }

    #[test]
    fn g06_conflicting_claims_are_refused_not_merged() {
        assert_eq!(
            auto(json!({"scope": "read", "scp": ["admin"]})),
            Err(VerifyErrorKind::InvalidClaims)
        );
        assert_eq!(
            auto(json!({"scope": "read", "scopes": ["read", "admin"]})),
            Err(VerifyErrorKind::InvalidClaims)
        );
        assert_eq!(
            auto(json!({"scope": "b a", "scp": ["a", "b"]})).unwrap(),
            ["b", "a"]
        );
    }

    #[test]
    fn explicit_claims_ignore_the_others() {
        let c = claims(json!({"scope": "read", "scp": ["admin"], "scopes": 7}));
        assert_eq!(ScopeClaim::Scope.extract(&c).unwrap(), ["read"]);
        assert_eq!(ScopeClaim::Scp.extract(&c).unwrap(), ["admin"]);
        assert!(ScopeClaim::Scopes.extract(&c).is_err());
        let c = claims(json!({"scp": "a b"}));
        assert!(ScopeClaim::Scope.extract(&c).unwrap().is_empty());
    }
}
