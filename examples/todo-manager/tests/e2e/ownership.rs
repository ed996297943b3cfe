//! Resource ownership, decided inside the tools: `get-todos` shows one's own todos, or all with
//! `read:todos`; `delete-todo` deletes one's own, or any with `delete:todos`.

use serde_json::{Value, json};

use crate::support::{call, client, issuer, json, todo_manager, token};

fn ids(todos: &Value) -> Vec<String> {
    let mut ids: Vec<String> = todos
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn get_todos_and_delete_todo_respect_ownership() {
    let issuer = issuer().await;
    let server = todo_manager(&issuer).await;
    // The tutorial's roles: users may create; the admin may also read and delete any.
    let alice = client(
        &server,
        &token(&issuer, &server, "alice", &["create:todos"]),
    )
    .await;
    let bob = client(&server, &token(&issuer, &server, "bob", &["create:todos"])).await;
    let admin_token = token(&issuer, &server, "alice", &todo_manager::SCOPES);
    let admin = client(&server, &admin_token).await;

    let a = json(&call(&alice, "create-todo", json!({"content": "alice's"})).await);
    let b = json(&call(&bob, "create-todo", json!({"content": "bob's"})).await);
    let a_id = a["id"].as_str().unwrap().to_owned();
    let b_id = b["id"].as_str().unwrap().to_owned();

    // Without read:todos, one's own only; with it, everyone's.
    assert_eq!(
        ids(&json(&call(&alice, "get-todos", json!({})).await)),
        [a_id.as_str()]
    );
    assert_eq!(
        ids(&json(&call(&bob, "get-todos", json!({})).await)),
        [b_id.as_str()]
    );
    assert_eq!(
        ids(&json(&call(&admin, "get-todos", json!({})).await)),
        sorted(vec![a_id.clone(), b_id.clone()])
    );

    // Bob cannot delete Alice's todo (a tool error, the todo stays)...
    let refused = call(&bob, "delete-todo", json!({"id": a_id})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        json(&refused)["error"]
            .as_str()
            .unwrap()
            .contains("your own")
    );
    assert_eq!(
        ids(&json(&call(&alice, "get-todos", json!({})).await)),
        [a_id.as_str()]
    );

    // ...but can delete his own.
    let deleted = call(&bob, "delete-todo", json!({"id": b_id})).await;
    assert_eq!(deleted.is_error, Some(false));
    assert_eq!(json(&deleted)["id"], b_id);
    assert!(ids(&json(&call(&bob, "get-todos", json!({})).await)).is_empty());

    // With delete:todos, anyone's todo: the admin deletes one of Bob's.
    let b2 = json(&call(&bob, "create-todo", json!({"content": "bob's second"})).await);
    let b2_id = b2["id"].as_str().unwrap().to_owned();
    let deleted = call(&admin, "delete-todo", json!({"id": b2_id})).await;
    assert_eq!(deleted.is_error, Some(false));
    assert_eq!(json(&deleted)["ownerId"], "u-bob");

    // Unknown ids are a tool error.
    let missing = call(&admin, "delete-todo", json!({"id": "no-such-id"})).await;
    assert_eq!(missing.is_error, Some(true));

    for c in [alice, bob, admin] {
        c.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn create_todo_checks_its_content() {
    let issuer = issuer().await;
    let server = todo_manager(&issuer).await;
    let alice = client(
        &server,
        &token(&issuer, &server, "alice", &["create:todos"]),
    )
    .await;
    for content in [
        "",
        "   ",
        &"x".repeat(todo_manager::store::MAX_CONTENT_CHARS + 1),
    ] {
        let result = call(&alice, "create-todo", json!({"content": content})).await;
        assert_eq!(result.is_error, Some(true), "{} chars", content.len());
    }
    assert!(ids(&json(&call(&alice, "get-todos", json!({})).await)).is_empty());
    alice.cancel().await.unwrap();
}
