//! A bounded in-memory map whose entries expire: the storage behind issued tokens, refresh
//! tokens, authorization codes, pending authorizations, registered clients and cached client
//! metadata documents.
//!
//! Memory is bounded by a fixed capacity: expired entries are swept when the map is full, and
//! an insert into a map full of live entries fails instead of growing it.

use std::collections::HashMap;
use std::hash::Hash;

/// The store is full of unexpired entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreFull;

#[derive(Debug)]
struct Entry<V> {
    value: V,
    expires_at: i64,
}

/// A map of at most `capacity` entries, each with an expiry time (Unix seconds).
#[derive(Debug)]
pub(crate) struct BoundedStore<K, V> {
    entries: HashMap<K, Entry<V>>,
    capacity: usize,
}

impl<K: Eq + Hash, V> BoundedStore<K, V> {
    /// An empty store holding at most `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// Inserts `value` until `expires_at`; sweeps expired entries first when full.
    pub(crate) fn insert(
        &mut self,
        now: i64,
        key: K,
        value: V,
        expires_at: i64,
    ) -> Result<(), StoreFull> {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            self.sweep(now);
            if self.entries.len() >= self.capacity {
                return Err(StoreFull);
            }
        }
        self.entries.insert(key, Entry { value, expires_at });
        Ok(())
    }

    /// The value under `key`, unless it has expired (`now >= expires_at`).
    pub(crate) fn get(&self, now: i64, key: &K) -> Option<&V> {
        self.entries
            .get(key)
            .filter(|entry| now < entry.expires_at)
            .map(|entry| &entry.value)
    }

    /// The value under `key` for changing it in place, unless it has expired.
    pub(crate) fn get_mut(&mut self, now: i64, key: &K) -> Option<&mut V> {
        self.entries
            .get_mut(key)
            .filter(|entry| now < entry.expires_at)
            .map(|entry| &mut entry.value)
    }

    /// Keeps only the entries `keep` accepts.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.entries.retain(|_, entry| keep(&entry.value));
    }

    /// Removes and returns the value under `key`, expired or not.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key).map(|entry| entry.value)
    }

    /// Drops every expired entry.
    pub(crate) fn sweep(&mut self, now: i64) {
        self.entries.retain(|_, entry| now < entry.expires_at);
    }

    /// How many entries are held (expired ones included until swept).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let mut store = BoundedStore::new(4);
        store.insert(100, "a", 1, 110).unwrap();
        assert_eq!(store.get(109, &"a"), Some(&1));
        assert_eq!(store.get(110, &"a"), None);
        assert_eq!(store.remove(&"a"), Some(1));
        assert_eq!(store.get(100, &"a"), None);
    }

    #[test]
    fn a_full_store_sweeps_then_refuses() {
        let mut store = BoundedStore::new(2);
        store.insert(0, 1, (), 10).unwrap();
        store.insert(0, 2, (), 20).unwrap();
        assert_eq!(store.insert(5, 3, (), 30), Err(StoreFull));
        assert_eq!(store.len(), 2);
        // At t=10 the first entry has expired: the sweep makes room.
        store.insert(10, 3, (), 30).unwrap();
        assert_eq!(store.len(), 2);
        assert!(store.get(10, &1).is_none());
        // Replacing an existing key never counts against the capacity.
        store.insert(10, 3, (), 40).unwrap();
    }
}
