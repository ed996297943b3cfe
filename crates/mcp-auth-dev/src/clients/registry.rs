//! The clients the server knows: static ones, registered ones (bounded), and cached metadata
//! documents (bounded, short-lived).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mcp_auth::http_client::HttpClient;

use super::{Client, metadata_document};
use crate::store::{BoundedStore, StoreFull};

/// Most cached metadata documents.
const MAX_CACHED_DOCUMENTS: usize = 256;

/// Why a `client_id` names no usable client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// No such client.
    Unknown,
    /// The `client_id` is a metadata document URL, and the document is unusable.
    MetadataDocument(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown => f.write_str("unknown client"),
            Self::MetadataDocument(reason) => f.write_str(reason),
        }
    }
}

type Clients = BoundedStore<String, Arc<Client>>;

/// Every client, by `client_id`.
#[derive(Debug)]
pub(crate) struct ClientRegistry {
    static_clients: HashMap<String, Arc<Client>>,
    registered: Mutex<Clients>,
    documents: Mutex<Clients>,
    http: HttpClient,
    scopes_supported: Vec<String>,
}

impl ClientRegistry {
    /// A registry of static clients (validated), room for `max_registered` registered clients,
    /// and `http` to fetch metadata documents with.
    pub(crate) fn new(
        clients: Vec<Client>,
        max_registered: usize,
        http: HttpClient,
        scopes_supported: Vec<String>,
    ) -> Result<Self, String> {
        let mut map = HashMap::with_capacity(clients.len());
        for client in clients {
            client.validate()?;
            if map.contains_key(&client.client_id) {
                return Err(format!("duplicate client_id `{}`", client.client_id));
            }
            map.insert(client.client_id.clone(), Arc::new(client));
        }
        Ok(Self {
            static_clients: map,
            registered: Mutex::new(BoundedStore::new(max_registered)),
            documents: Mutex::new(BoundedStore::new(MAX_CACHED_DOCUMENTS)),
            http,
            scopes_supported,
        })
    }

    fn lock(store: &Mutex<Clients>) -> MutexGuard<'_, Clients> {
        // The maps stay consistent whatever panicked while holding the lock.
        store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The client with this `client_id`, without network access: static, registered, or a
    /// cached metadata document.
    pub(crate) fn get(&self, now: i64, client_id: &str) -> Option<Arc<Client>> {
        if let Some(client) = self.static_clients.get(client_id) {
            return Some(Arc::clone(client));
        }
        let key = client_id.to_owned();
        if let Some(client) = Self::lock(&self.registered).get(now, &key) {
            return Some(Arc::clone(client));
        }
        Self::lock(&self.documents).get(now, &key).cloned()
    }

    /// The client with this `client_id`, fetching its metadata document when the `client_id`
    /// is a URL that is not cached.
    pub(crate) async fn resolve(
        &self,
        now: i64,
        client_id: &str,
    ) -> Result<Arc<Client>, LookupError> {
        if let Some(client) = self.get(now, client_id) {
            return Ok(client);
        }
        if !metadata_document::is_document_url(client_id) {
            return Err(LookupError::Unknown);
        }
        let (client, ttl) = metadata_document::fetch(&self.http, client_id, &self.scopes_supported)
            .await
            .map_err(LookupError::MetadataDocument)?;
        let client = Arc::new(client);
        if ttl > 0 {
            // A full cache only means the next request fetches again.
            let _ = Self::lock(&self.documents).insert(
                now,
                client_id.to_owned(),
                Arc::clone(&client),
                now.saturating_add(ttl),
            );
        }
        Ok(client)
    }

    /// Adds a registered client (its `client_id` is fresh and random).
    pub(crate) fn register(&self, now: i64, client: Client) -> Result<Arc<Client>, StoreFull> {
        let client = Arc::new(client);
        Self::lock(&self.registered).insert(
            now,
            client.client_id.clone(),
            Arc::clone(&client),
            i64::MAX,
        )?;
        Ok(client)
    }
}
