//! A read cache for the expensive summaries (a plan's overview, its people, and in the web
//! layer the plan page's rendered body), so the plan page does not re-read hundreds of
//! actions and thousands of updates, or re-render them, on every request.
//!
//! Entries are validated, not timed out: every change to a partnership's records moves its
//! data version in the same transaction (with the audit entry), under the lock of the
//! version's row, so the version counts commits in the order they happen. (The highest
//! audit id did not: PostgreSQL can commit a lower id after a higher one is seen.) One
//! indexed query reads it, on every backend and across every server process sharing the
//! database, so a cached entry is never stale.

use std::any::Any;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// More entries than this and the cache starts afresh (plans x days is small in practice).
const MAX_ENTRIES: usize = 512;

type Entry = (i64, Arc<dyn Any + Send + Sync>);

/// A map from keys to values tagged with the data version they were read at.
pub struct ReadCache<K> {
    entries: Mutex<HashMap<K, Entry>>,
    /// Held while an entry is rebuilt, so that a burst of requests after a change
    /// rebuilds it once instead of once per request.
    rebuilding: tokio::sync::Mutex<()>,
}

impl<K: Hash + Eq> Default for ReadCache<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Hash + Eq> ReadCache<K> {
    pub fn new() -> Self {
        ReadCache {
            entries: Mutex::new(HashMap::new()),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The value cached under `key`, if it was cached at `version`.
    pub fn get<T: Send + Sync + 'static>(&self, key: &K, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((cached_version, value)) if *cached_version == version => {
                value.clone().downcast::<T>().ok()
            }
            _ => None,
        }
    }

    /// The value under `key` at `version`, building and caching it if needed. Only one
    /// build runs at a time; requests that arrive meanwhile wait and then share it.
    pub async fn get_or_build<T, E, F, Fut>(
        &self,
        key: K,
        version: i64,
        build: F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.get(&key, version) {
            return Ok(hit);
        }
        let _building = self.rebuilding.lock().await;
        if let Some(hit) = self.get(&key, version) {
            return Ok(hit);
        }
        let fresh = Arc::new(build().await?);
        self.put(key, version, fresh.clone());
        Ok(fresh)
    }

    /// Caches `value`, read at `version` or later, under `key`.
    pub fn put<T: Send + Sync + 'static>(&self, key: K, version: i64, value: Arc<T>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_only_at_the_version_it_was_read() {
        let cache = ReadCache::new();
        cache.put("plan", 7, Arc::new(42_u32));
        assert_eq!(cache.get::<u32>(&"plan", 7).as_deref(), Some(&42));
        assert_eq!(cache.get::<u32>(&"plan", 8), None);
        assert_eq!(
            cache.get::<String>(&"plan", 7),
            None,
            "a different type is a miss"
        );
    }
}
