//! The in-memory todo store, shared by every MCP session of the process, bounded.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The most todos the store keeps.
pub const MAX_TODOS: usize = 10_000;
/// The longest todo text, in characters.
pub const MAX_CONTENT_CHARS: usize = 1_000;

/// A todo and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Todo {
    /// A random identifier.
    pub id: String,
    /// What to do.
    pub content: String,
    /// The `sub` of the user who created it.
    pub owner_id: String,
    /// Creation time, seconds since the Unix epoch.
    pub created_at: u64,
}

/// Why a todo could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreateError {
    /// The text is empty or longer than [`MAX_CONTENT_CHARS`].
    BadContent,
    /// The store holds [`MAX_TODOS`] already.
    Full,
}

/// The todos; clones share them.
#[derive(Debug, Clone, Default)]
pub struct TodoStore {
    todos: Arc<Mutex<Vec<Todo>>>,
}

impl TodoStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Todo>> {
        // Each operation is one step, so the list is consistent even after a panic elsewhere.
        self.todos.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a todo owned by `owner_id`.
    ///
    /// # Errors
    ///
    /// [`CreateError`] for bad content or a full store.
    pub fn create(&self, owner_id: &str, content: &str) -> Result<Todo, CreateError> {
        let content = content.trim();
        if content.is_empty() || content.chars().count() > MAX_CONTENT_CHARS {
            return Err(CreateError::BadContent);
        }
        let mut todos = self.lock();
        if todos.len() >= MAX_TODOS {
            return Err(CreateError::Full);
        }
        let todo = Todo {
            id: uuid::Uuid::new_v4().to_string(),
            content: content.to_owned(),
            owner_id: owner_id.to_owned(),
            created_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        todos.push(todo.clone());
        Ok(todo)
    }

    /// Every todo, or only those of `owner_id`.
    #[must_use]
    pub fn list(&self, owner_id: Option<&str>) -> Vec<Todo> {
        self.lock()
            .iter()
            .filter(|todo| owner_id.is_none_or(|owner| todo.owner_id == owner))
            .cloned()
            .collect()
    }

    /// The todo with `id`, if any.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<Todo> {
        self.lock().iter().find(|todo| todo.id == id).cloned()
    }

    /// Removes the todo with `id` when `allowed` says yes for it; returns it.
    pub fn remove_if(&self, id: &str, allowed: impl FnOnce(&Todo) -> bool) -> Option<Todo> {
        let mut todos = self.lock();
        let index = todos.iter().position(|todo| todo.id == id)?;
        if !todos.get(index).is_some_and(allowed) {
            return None;
        }
        Some(todos.remove(index))
    }
}
