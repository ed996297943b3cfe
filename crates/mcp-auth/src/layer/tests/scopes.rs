//! Battery section G (scopes) through the layer.

use super::*;

#[tokio::test]
async fn g01_missing_scope_lists_all_required_scopes() {
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo:read", "todo:write"])
        .unwrap();
    let o = run(&layer, &c, bearer("tok-read")).await;
    rejected(
        &o,
        &c,
        403,
        Some("insufficient_scope"),
        Some("todo:read todo:write"),
        &["tok-read"],
    );
    let rejection = o.rejection.unwrap();
    assert_eq!(rejection.missing_scopes(), ["todo:write"]);
    assert_eq!(c.verifier_calls(), 1);
    // M04 step-up: the upgraded token passes.
    let o = run(&layer, &c, bearer("tok-read-write")).await;
    accepted(&o, &c);
}

#[tokio::test]
async fn g02_scope_present_and_empty_scopes_never_match() {
    let c = Counters::default();
    let layer = c.layer().require_scopes(["todo:write"]).unwrap();
    let o = run(&layer, &c, bearer("tok-read-write")).await;
    accepted(&o, &c);
    let c = Counters::default();
    for layer in [
        c.layer().require_scopes(["todo:write"]).unwrap(),
        c.layer()
            .require_scopes(["todo:write"])
            .unwrap()
            .with_scope_matcher(HierarchicalScopeMatcher::new(':').unwrap()),
    ] {
        let o = run(&layer, &c, bearer("tok-empty-scopes")).await;
        rejected(
            &o,
            &c,
            403,
            Some("insufficient_scope"),
            Some("todo:write"),
            &[],
        );
    }
}

#[tokio::test]
async fn g08_unsafe_scope_names_are_refused_at_build_time() {
    let c = Counters::default();
    for bad in ["a\"b", "a\\b", "a b", "a\r", "a\n", "", "\u{e9}"] {
        let err = c.layer().require_scopes(["ok", bad]).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidScope { .. }), "{bad:?}");
    }
    // `,` is a legal scope character and is carried inside the quoted value.
    let layer = c.layer().require_scopes(["a,b"]).unwrap();
    let o = run(&layer, &c, request(&[], "/mcp")).await;
    rejected(&o, &c, 401, None, Some("a,b"), &[]);
}

#[tokio::test]
async fn hierarchical_scopes_through_the_layer() {
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo:read:own"])
        .unwrap()
        .with_scope_matcher(HierarchicalScopeMatcher::new(':').unwrap());
    let o = run(&layer, &c, bearer("tok-todo")).await;
    accepted(&o, &c);
    let c = Counters::default();
    let layer = c
        .layer()
        .require_scopes(["todo"])
        .unwrap()
        .with_scope_matcher(HierarchicalScopeMatcher::new(':').unwrap());
    let o = run(&layer, &c, bearer("tok-read")).await;
    rejected(&o, &c, 403, Some("insufficient_scope"), Some("todo"), &[]);
}
