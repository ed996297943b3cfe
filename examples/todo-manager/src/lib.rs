//! # todo-manager — the MCP Auth todo-manager tutorial in Rust
//!
//! An rmcp MCP server with three tools, authorized by scopes and by ownership:
//!
//! | tool | HTTP layer (scope policy) | inside the tool |
//! |---|---|---|
//! | `create-todo` | needs `create:todos`, else **403** `insufficient_scope` with `scope="create:todos"` | creates a todo owned by the caller (`sub`) |
//! | `get-todos` | no scope | with `read:todos` every todo, otherwise only the caller's |
//! | `delete-todo` | no scope | with `delete:todos` any todo, otherwise only the caller's |
//!
//! The 403 comes from [`ScopePolicyLayer`](mcp_auth_rmcp::ScopePolicyLayer) before rmcp
//! dispatches the call, so a client can step up: ask the authorization server for a token with
//! the scope in the challenge and retry (MCP "Scope Challenge Handling"). Todos live in memory.
//!
//! ## Run it
//!
//! ```sh
//! # with the embedded development authorization server (no account needed):
//! cargo run -p todo-manager
//!
//! # with your own provider, which must issue JWT access tokens (RFC 9068) for the resource
//! # http://127.0.0.1:3001/mcp with the scopes below:
//! MCP_AUTH_ISSUER=https://your-tenant.logto.app/oidc cargo run -p todo-manager
//! ```
//!
//! The banner prints three ready-made tokens — `TOKEN` (alice, every scope: the tutorial's
//! "admin"), `USER_TOKEN` (bob, `create:todos`: the tutorial's "user") and `NO_SCOPE_TOKEN`
//! (bob, no scope) — and a `curl` walk-through. Settings are those of the whoami example
//! (see [`mcp_auth_examples::config`]), except that tokens are verified as JWTs by default
//! (`MCP_AUTH_VERIFIER=introspection` works too); the README walks through the tutorial.

use mcp_auth_examples::{Config, DemoToken, Example, RunningServer, StartError, VerifierKind};
use mcp_auth_rmcp::Auth;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use serde::Deserialize;

pub mod store;

pub use store::{Todo, TodoStore};

use store::CreateError;

/// Needed by `create-todo`.
pub const CREATE_TODOS: &str = "create:todos";
/// Lets `get-todos` return everyone's todos.
pub const READ_TODOS: &str = "read:todos";
/// Lets `delete-todo` delete anyone's todo.
pub const DELETE_TODOS: &str = "delete:todos";
/// Every scope of the example, as published in the protected-resource metadata.
pub const SCOPES: [&str; 3] = [CREATE_TODOS, READ_TODOS, DELETE_TODOS];

/// `create-todo` arguments.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct CreateTodo {
    /// What to do.
    pub content: String,
}

/// `delete-todo` arguments.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DeleteTodo {
    /// The id of the todo to delete.
    pub id: String,
}

/// The todo-manager MCP server; every instance (one per MCP session) shares one store.
#[derive(Debug, Clone)]
pub struct TodoManager {
    store: TodoStore,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl TodoManager {
    /// A server instance using `store`.
    #[must_use]
    pub fn new(store: TodoStore) -> Self {
        Self {
            store,
            tool_router: Self::tool_router(),
        }
    }

    /// Creates a todo owned by the caller.
    #[tool(
        name = "create-todo",
        description = "Create a new todo. Requires the create:todos scope."
    )]
    fn create_todo(
        &self,
        Auth(info): Auth,
        Parameters(CreateTodo { content }): Parameters<CreateTodo>,
    ) -> Result<CallToolResult, ErrorData> {
        // The scope policy layer already refused callers without the scope (HTTP 403); this
        // check keeps the tool safe if it is ever mounted without that layer.
        if !info.has_scope(CREATE_TODOS) {
            return Ok(tool_error("the create:todos scope is required"));
        }
        match self.store.create(&info.subject, &content) {
            Ok(todo) => json_result(&todo),
            Err(CreateError::BadContent) => Ok(tool_error(&format!(
                "content must be 1 to {} characters",
                store::MAX_CONTENT_CHARS
            ))),
            Err(CreateError::Full) => Ok(tool_error("the todo list is full")),
        }
    }

    /// The caller's todos, or everyone's with `read:todos`.
    #[tool(
        name = "get-todos",
        description = "List todos: all of them with the read:todos scope, otherwise only your own."
    )]
    fn get_todos(&self, Auth(info): Auth) -> Result<CallToolResult, ErrorData> {
        let owner = (!info.has_scope(READ_TODOS)).then_some(info.subject.as_str());
        json_result(&self.store.list(owner))
    }

    /// Deletes a todo: the caller's own, or any with `delete:todos`.
    #[tool(
        name = "delete-todo",
        description = "Delete a todo by id: your own, or any with the delete:todos scope."
    )]
    fn delete_todo(
        &self,
        Auth(info): Auth,
        Parameters(DeleteTodo { id }): Parameters<DeleteTodo>,
    ) -> Result<CallToolResult, ErrorData> {
        let may_delete_any = info.has_scope(DELETE_TODOS);
        let Some(todo) = self.store.get(&id) else {
            return Ok(tool_error("no todo with this id"));
        };
        if !may_delete_any && todo.owner_id != info.subject {
            return Ok(tool_error(
                "you can only delete your own todos (delete:todos deletes any)",
            ));
        }
        match self
            .store
            .remove_if(&id, |t| may_delete_any || t.owner_id == info.subject)
        {
            Some(todo) => json_result(&todo),
            None => Ok(tool_error("no todo with this id")),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TodoManager {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build()).with_server_info(
            Implementation::new("TodoManager", env!("CARGO_PKG_VERSION")),
        )
    }
}

fn json_result(value: &impl serde::Serialize) -> Result<CallToolResult, ErrorData> {
    let text = serde_json::to_string(value)
        .map_err(|e| ErrorData::internal_error(format!("cannot serialize: {e}"), None))?;
    Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
}

fn tool_error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(
        serde_json::json!({ "error": message }).to_string(),
    )])
}

/// The todo-manager example: JWT verification by default (scopes come from the token's `scope`
/// claim, RFC 9068 §2.2.3), the scopes, the `create-todo` rule, and the demo tokens.
pub fn example() -> Example {
    Example::new("TodoManager", "get-todos")
        .with_default_verifier(VerifierKind::Jwt)
        .with_scopes_supported(SCOPES)
        .with_tool_scopes("create-todo", [CREATE_TODOS])
        .with_demo_token(DemoToken::new("TOKEN", "alice", SCOPES))
        .with_demo_token(DemoToken::new("USER_TOKEN", "bob", [CREATE_TODOS]))
        .with_demo_token(DemoToken::new("NO_SCOPE_TOKEN", "bob", [] as [&str; 0]))
}

/// Starts the todo-manager server with `config` and a fresh store (see
/// [`mcp_auth_examples::start`]).
///
/// # Errors
///
/// [`StartError`] when the settings cannot work or an address cannot be bound.
pub async fn start(config: &Config) -> Result<RunningServer, StartError> {
    let store = TodoStore::new();
    mcp_auth_examples::start(config, &example(), move || TodoManager::new(store.clone())).await
}
