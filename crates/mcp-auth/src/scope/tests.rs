#![allow(clippy::unwrap_used)]

use super::*;

fn granted(scopes: &str) -> Vec<String> {
    // The same split the verifiers use: RFC 6749 §3.3 space-delimited, empty entries dropped.
    scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn g08_unsafe_scope_names_are_refused() {
    for bad in [
        "", " ", "a b", "a\"b", "a\\b", "a\rb", "a\nb", "a\0b", "a\tb", "é", "a\u{7f}",
    ] {
        let err = validate_scope(bad).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidScope { .. }), "{bad:?}");
        assert!(RequiredScopes::new([bad]).is_err(), "{bad:?}");
    }
    // `,` is a legal scope character (RFC 6749 §3.3) and is quoted in challenges.
    for good in ["todo:read", "a,b", "https://api.example.com/read", "!", "~"] {
        validate_scope(good).unwrap();
    }
}

#[test]
fn g02_repeated_spaces_never_yield_an_empty_scope() {
    let granted = granted("files:read  files:write ");
    assert_eq!(granted, ["files:read", "files:write"]);
    let exact = ExactScopeMatcher::new();
    assert!(exact.grants(&granted, "files:write"));
    assert!(!exact.grants(&granted, ""));
    // Even if a caller hands over an empty granted entry, it matches nothing.
    let with_empty = vec![String::new(), "a".to_owned()];
    assert!(!exact.grants(&with_empty, ""));
    let hier = HierarchicalScopeMatcher::new(':').unwrap();
    assert!(!hier.grants(&with_empty, ""));
    assert!(!hier.grants(&with_empty, "b"));
    assert!(!hier.grants(&with_empty, ":x"));
    // An empty requirement cannot be configured.
    assert!(RequiredScopes::new([""]).is_err());
}

#[test]
fn exact_matcher_is_case_sensitive_and_whole_name() {
    let exact = ExactScopeMatcher;
    let g = granted("todo:read");
    assert!(exact.grants(&g, "todo:read"));
    assert!(!exact.grants(&g, "TODO:READ"));
    assert!(!exact.grants(&g, "todo"));
    assert!(!exact.grants(&g, "todo:read:own"));
    assert!(!exact.grants(&[], "todo:read"));
}

#[test]
fn hierarchy_covers_descendants_only() {
    let m = HierarchicalScopeMatcher::new(':').unwrap();
    let g = granted("todo");
    assert!(m.grants(&g, "todo"));
    assert!(m.grants(&g, "todo:read"));
    assert!(m.grants(&g, "todo:read:own"));
    assert!(!m.grants(&g, "todos"));
    assert!(!m.grants(&g, "todo.read"));
    assert!(!m.grants(&g, "to"));
    let g = granted("todo:read");
    assert!(!m.grants(&g, "todo"));
    assert!(!m.grants(&g, "todo:write"));
    assert!(m.grants(&g, "todo:read:own"));
    assert!(!m.grants(&g, "todo:reader"));
}

#[test]
fn implications_are_explicit_transitive_and_one_way() {
    let m = HierarchicalScopeMatcher::new(':')
        .unwrap()
        .with_implication("admin", ["todo:write"])
        .unwrap()
        .with_implication("todo:write", ["audit:read"])
        .unwrap()
        .with_implication("owner", ["admin"])
        .unwrap();
    let admin = granted("admin");
    assert!(m.grants(&admin, "todo:write"));
    assert!(m.grants(&admin, "todo:write:own"));
    assert!(m.grants(&admin, "audit:read"));
    assert!(!m.grants(&admin, "todo:read"));
    assert!(!m.grants(&admin, "todo"));
    let owner = granted("owner");
    assert!(m.grants(&owner, "audit:read"));
    // Never the reverse.
    assert!(!m.grants(&granted("todo:write"), "admin"));
    assert!(!m.grants(&granted("admin"), "owner"));
    // A narrower scope does not inherit its ancestor's implications.
    assert!(!m.grants(&granted("admin:readonly"), "todo:write"));
    // A broader scope does: `todo` covers `todo:write`, which implies `audit:read`.
    assert!(m.grants(&granted("todo"), "audit:read"));
}

#[test]
fn implication_cycles_terminate() {
    let m = HierarchicalScopeMatcher::new('.')
        .unwrap()
        .with_implication("a", ["b"])
        .unwrap()
        .with_implication("b", ["a", "c.d"])
        .unwrap();
    assert!(m.grants(&granted("a"), "c.d.e"));
    assert!(!m.grants(&granted("c"), "a"));
}

#[test]
fn hierarchy_config_is_validated() {
    assert!(HierarchicalScopeMatcher::new(' ').is_err());
    assert!(HierarchicalScopeMatcher::new('"').is_err());
    assert!(HierarchicalScopeMatcher::new('é').is_err());
    let m = HierarchicalScopeMatcher::new(':').unwrap();
    assert!(m.clone().with_implication("a b", ["c"]).is_err());
    assert!(m.with_implication("a", ["c\r\n"]).is_err());
}

#[test]
fn missing_lists_unsatisfied_in_order() {
    let required = RequiredScopes::new(["a", "b", "c", "b"]).unwrap();
    assert_eq!(required.len(), 3);
    assert_eq!(required.to_scope_string(), "a b c");
    let g = granted("b");
    assert_eq!(
        ExactScopeMatcher.missing(&g, required.as_slice()),
        ["a", "c"]
    );
    assert!(!ExactScopeMatcher.grants_all(&g, required.as_slice()));
    assert!(ExactScopeMatcher.grants_all(&g, RequiredScopes::default().as_slice()));
    assert_eq!(required.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
}
