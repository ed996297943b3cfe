//! The keys file: signing keys persisted as JSON so restarts keep them.
//!
//! ```json
//! {"keys": [{"kid": "…", "alg": "ES256", "pkcs8": "<base64 of the PKCS#8 DER>"}]}
//! ```
//!
//! The file holds private keys: it is written with mode `0600` on Unix, through a temporary
//! file renamed into place, and a file that cannot be read as keys is never overwritten.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::DevError;

/// Largest keys file read (a handful of keys is a few KiB).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One persisted key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredKey {
    /// The JWK `kid`.
    pub(crate) kid: String,
    /// The JWS algorithm (`ES256`, `RS256`).
    pub(crate) alg: String,
    /// The private key: PKCS#8 DER, standard base64.
    pub(crate) pkcs8: String,
}

impl StoredKey {
    /// The PKCS#8 DER bytes.
    pub(crate) fn der(&self, path: &Path) -> Result<Vec<u8>, DevError> {
        STANDARD
            .decode(&self.pkcs8)
            .map_err(|_| DevError::KeysFile {
                path: path.to_owned(),
                reason: format!("key `{}`: `pkcs8` is not base64", self.kid),
            })
    }

    /// A stored key from its parts.
    pub(crate) fn new(kid: &str, alg: &str, der: &[u8]) -> Self {
        Self {
            kid: kid.to_owned(),
            alg: alg.to_owned(),
            pkcs8: STANDARD.encode(der),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysDocument {
    keys: Vec<StoredKey>,
}

/// Reads the keys file; `Ok(None)` when it does not exist.
pub(crate) fn read(path: &Path) -> Result<Option<Vec<StoredKey>>, DevError> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error(path, source)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(invalid(path, "larger than 1 MiB"));
    }
    let document: KeysDocument = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(path, &format!("not a keys document: {e}")))?;
    Ok(Some(document.keys))
}

/// Writes the keys file atomically (temporary file, then rename), private to the owner.
pub(crate) fn write(path: &Path, keys: Vec<StoredKey>) -> Result<(), DevError> {
    let document = KeysDocument { keys };
    let mut json = serde_json::to_vec_pretty(&document)
        .map_err(|e| invalid(path, &format!("cannot serialize keys: {e}")))?;
    json.push(b'\n');
    let temporary = temporary_path(path);
    let result = write_private(&temporary, &json).and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(|source| io_error(path, source))
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

fn io_error(path: &Path, source: io::Error) -> DevError {
    DevError::Io {
        path: path.to_owned(),
        source,
    }
}

fn invalid(path: &Path, reason: &str) -> DevError {
    DevError::KeysFile {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}
