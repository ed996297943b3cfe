//! The users file: test users and their claims as JSON.
//!
//! ```json
//! {"users": [
//!   {"username": "carol", "sub": "u-carol", "name": "Carol Example",
//!    "email": "carol@example.com", "email_verified": true, "department": "research"}
//! ]}
//! ```
//!
//! A bare array of users is accepted too. `username` and `sub` are required; `name`, `email`
//! and `email_verified` are the standard claims; any other member is an extra claim returned by
//! `/userinfo`. The file is read once, at start, and must hold at least one user.

use std::path::Path;

use serde_json::Value;

use super::User;
use crate::error::DevError;

/// Largest users file read: 1 MiB.
const MAX_FILE: u64 = 1024 * 1024;

/// Reads and validates the users file at `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<User>, DevError> {
    let error = |reason: String| DevError::UsersFile {
        path: path.to_owned(),
        reason,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| error(e.to_string()))?
        .len();
    if size > MAX_FILE {
        return Err(error("the file is larger than 1 MiB".into()));
    }
    let text = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let document: Value =
        serde_json::from_slice(&text).map_err(|e| error(format!("not JSON: {e}")))?;
    let list = match document {
        Value::Object(mut object) => object.remove("users"),
        array @ Value::Array(_) => Some(array),
        _ => None,
    }
    .ok_or_else(|| error("expected {\"users\": [...]} or an array of users".into()))?;
    let users: Vec<User> =
        serde_json::from_value(list).map_err(|e| error(format!("invalid users: {e}")))?;
    if users.is_empty() {
        return Err(error("the file lists no user".into()));
    }
    super::validate(&users).map_err(error)?;
    Ok(users)
}
