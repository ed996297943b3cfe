//! The `todo-manager` binary: `cargo run -p todo-manager` (see the library docs and README.md).

use std::process::ExitCode;

use todo_manager::{TodoManager, TodoStore};

#[tokio::main]
async fn main() -> ExitCode {
    let store = TodoStore::new();
    mcp_auth_examples::run(todo_manager::example(), move || {
        TodoManager::new(store.clone())
    })
    .await
}
