//! Scope values (RFC 6749 §3.3).

/// Whether `token` is one `scope-token`: `1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
pub(crate) fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// Parses a `scope` parameter: scope tokens separated by single spaces. Duplicates are
/// dropped, order is kept. `Err` names the reason.
pub(crate) fn parse(scope: &str) -> Result<Vec<String>, &'static str> {
    let mut scopes: Vec<String> = Vec::new();
    for token in scope.split(' ') {
        if !is_scope_token(token) {
            return Err("the scope parameter is malformed (RFC 6749 section 3.3)");
        }
        if !scopes.iter().any(|s| s == token) {
            scopes.push(token.to_owned());
        }
    }
    Ok(scopes)
}

/// Joins scopes into a `scope` value.
pub(crate) fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_space_separated_tokens() {
        assert_eq!(
            parse("openid profile openid"),
            Ok(vec!["openid".into(), "profile".into()])
        );
        assert_eq!(parse("todo:read"), Ok(vec!["todo:read".into()]));
    }

    #[test]
    fn refuses_malformed_values() {
        for bad in ["", " ", "a  b", "a ", "a\"b", "a\\b", "a\tb", "é"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
