//! The open sessions of an [`SseServer`](super::SseServer): a bounded map from session id to
//! the channel feeding that session's server instance and the principal it is bound to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rmcp::model::ClientJsonRpcMessage;
use tokio::sync::mpsc;

use crate::principal::Principal;

/// One open session.
#[derive(Debug, Clone)]
pub(super) struct Session {
    /// Feeds the session's server instance.
    pub(super) sender: mpsc::Sender<ClientJsonRpcMessage>,
    /// The principal that opened the session (`None`: opened without authentication).
    pub(super) principal: Option<Principal>,
}

/// The open sessions.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // The map stays consistent even if a holder panicked: every update is one call.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of open sessions.
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Adds a session unless `max` are open; the returned guard removes it when dropped.
    pub(super) fn insert(
        self: &Arc<Self>,
        id: String,
        session: Session,
        max: usize,
    ) -> Option<SessionGuard> {
        let mut map = self.lock();
        if map.len() >= max {
            return None;
        }
        map.insert(id.clone(), session);
        Some(SessionGuard {
            id,
            sessions: Arc::clone(self),
        })
    }

    /// The session `id`, if open.
    pub(super) fn get(&self, id: &str) -> Option<Session> {
        self.lock().get(id).cloned()
    }
}

/// Removes its session when dropped (when the event stream is closed). Dropping the map's
/// sender ends the session's server instance once pending messages are taken.
#[derive(Debug)]
pub(super) struct SessionGuard {
    id: String,
    sessions: Arc<Sessions>,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.lock().remove(&self.id);
        tracing::debug!("legacy SSE session closed");
    }
}
