//! URI templates for resource rules: the matching subset of RFC 6570 that MCP resource
//! templates use.
//!
//! * `{var}` (RFC 6570 §3.2.2 simple expansion) matches one or more characters other than
//!   `/`, `?` and `#`: simple expansion percent-encodes those, so a value never spans a path
//!   segment, a query or a fragment.
//! * `{+var}` (§3.2.3 reserved expansion) matches one or more characters of any kind, `/`
//!   included: `file:///{+path}` matches `file:///a/b/c.txt`, and `{+uri}` alone matches every
//!   URI (a catch-all rule).
//! * Everything else is a literal, compared exactly (case-sensitive, no normalization).
//!
//! Other operators (`{#x}`, `{/x}`, `{?x}`, ...), modifiers (`{x*}`, `{x:3}`) and lists
//! (`{x,y}`) are refused when the policy is built. Matching runs in `O(uri × template)` time and
//! `O(template)` memory, whatever the input (a Thompson-style simulation, no backtracking).

use mcp_auth::ConfigError;

/// The largest template accepted, in characters.
const MAX_TEMPLATE_LEN: usize = 1024;

/// A compiled URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriTemplate {
    source: String,
    /// Each `{var}` becomes `One(class)` followed by `Star(class)`.
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// Exactly one character of the class.
    One(Class),
    /// Zero or more characters of the class.
    Star(Class),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `{var}`: anything but `/`, `?`, `#`.
    Segment,
    /// `{+var}`: anything.
    Any,
}

impl Class {
    fn accepts(self, c: char) -> bool {
        match self {
            Self::Segment => !matches!(c, '/' | '?' | '#'),
            Self::Any => true,
        }
    }
}

impl UriTemplate {
    /// Compiles `template`.
    pub(crate) fn parse(template: &str) -> Result<Self, ConfigError> {
        let refuse = |reason: &'static str| ConfigError::InvalidSetting {
            name: "resource_template",
            reason,
        };
        if template.is_empty() || template.chars().count() > MAX_TEMPLATE_LEN {
            return Err(refuse("a resource template must have 1 to 1024 characters"));
        }
        let mut tokens = Vec::new();
        let mut chars = template.chars();
        let mut has_var = false;
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(refuse("unclosed `{` in a resource template"));
                    }
                    let (class, var) = match name.strip_prefix('+') {
                        Some(var) => (Class::Any, var),
                        None => (Class::Segment, name.as_str()),
                    };
                    if var.is_empty()
                        || !var
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    {
                        return Err(refuse(
                            "only `{name}` and `{+name}` expressions with names of letters, \
                             digits, `_` and `.` are supported (RFC 6570 levels 1-2)",
                        ));
                    }
                    tokens.push(Token::One(class));
                    tokens.push(Token::Star(class));
                    has_var = true;
                }
                '}' => return Err(refuse("unmatched `}` in a resource template")),
                c => tokens.push(Token::Literal(c)),
            }
        }
        if !has_var {
            return Err(refuse(
                "a resource template needs at least one `{var}`; use an exact resource rule",
            ));
        }
        Ok(Self {
            source: template.to_owned(),
            tokens,
        })
    }

    /// The template as configured.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// `true` when `uri` is an expansion of the template.
    pub(crate) fn matches(&self, uri: &str) -> bool {
        let n = self.tokens.len();
        // `states[i]`: the first `i` tokens can match the input read so far.
        let mut states = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        states[0] = true;
        self.close(&mut states);
        for c in uri.chars() {
            next.iter_mut().for_each(|s| *s = false);
            let mut any = false;
            for (i, token) in self.tokens.iter().enumerate() {
                if !states[i] {
                    continue;
                }
                match *token {
                    Token::Literal(l) if l == c => next[i + 1] = true,
                    Token::One(class) if class.accepts(c) => next[i + 1] = true,
                    Token::Star(class) if class.accepts(c) => next[i] = true,
                    _ => continue,
                }
                any = true;
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut states, &mut next);
            self.close(&mut states);
        }
        states[n]
    }

    /// Epsilon closure: a `Star` token may match nothing.
    fn close(&self, states: &mut [bool]) {
        for (i, token) in self.tokens.iter().enumerate() {
            if states[i] && matches!(token, Token::Star(_)) {
                states[i + 1] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn t(template: &str) -> UriTemplate {
        UriTemplate::parse(template).unwrap()
    }

    #[test]
    fn simple_variables_stay_inside_a_segment() {
        let template = t("notes://{owner}/note/{id}");
        assert!(template.matches("notes://alice/note/42"));
        assert!(template.matches("notes://a%2Fb/note/x-y.z"));
        assert!(!template.matches("notes://alice/note/"));
        assert!(!template.matches("notes:///note/42"));
        assert!(!template.matches("notes://alice/x/note/42"));
        assert!(!template.matches("notes://alice/note/42/extra"));
        assert!(!template.matches("notes://alice/note/42?admin=1"));
        assert!(!template.matches("notes://alice/note/42#frag"));
        assert!(!template.matches("Notes://alice/note/42"));
    }

    #[test]
    fn reserved_variables_span_segments() {
        let template = t("file:///{+path}");
        assert!(template.matches("file:///a/b/c.txt"));
        assert!(!template.matches("file:///"));
        assert!(!template.matches("http:///a"));
        let catch_all = t("{+uri}");
        assert!(catch_all.matches("anything://at/all?x#y"));
    }

    #[test]
    fn adjacent_and_ambiguous_variables() {
        let template = t("x/{a}-{b}");
        assert!(template.matches("x/1-2-3"));
        assert!(!template.matches("x/1-"));
        let template = t("{a}{b}.txt");
        assert!(template.matches("ab.txt"));
        assert!(!template.matches("a.txt"));
    }

    #[test]
    fn long_inputs_are_linear() {
        let template = t("{+a}x{+b}x{+c}x{+d}y");
        let uri = "x".repeat(200_000);
        assert!(!template.matches(&uri));
    }

    #[test]
    fn unsupported_templates_are_refused() {
        for bad in [
            "",
            "plain://uri",
            "a/{",
            "a/}",
            "a/{}",
            "a/{#x}",
            "a/{x*}",
            "a/{x,y}",
            "a/{/x}",
            "a/{x:3}",
            "a/{?q}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(t("a/{x}").as_str(), "a/{x}");
    }
}
