//! A two-level cache for hot reads and external answers: an in-process LRU with TTL (moka) always,
//! and Redis as the shared level when `REDIS_URL` is set. Entries carry tags (e.g. `artist:<id>`)
//! so an import that changes an artist invalidates every entry derived from it, in Redis and in
//! this process; other processes' in-process copies expire within [`LOCAL_TTL_SHARED`].
//!
//! Redis is an optimisation, never a dependency: every Redis call has a short timeout, and on
//! any failure the cache answers from (and writes to) the in-process level only, so losing Redis
//! costs hit rate, not availability.

use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

/// In-process TTL when no shared level exists.
const LOCAL_TTL: Duration = Duration::from_secs(300);
/// In-process TTL in front of Redis: short, so another process's invalidation shows soon.
pub const LOCAL_TTL_SHARED: Duration = Duration::from_secs(30);
/// Redis TTL of an entry.
const SHARED_TTL: Duration = Duration::from_secs(600);
/// A Redis call slower than this counts as Redis being down.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
const PREFIX: &str = "theset:";

#[derive(Clone)]
pub struct Cache {
    local: moka::future::Cache<String, Arc<Vec<u8>>>,
    redis: Option<ConnectionManager>,
    /// Start of every Redis key: [`PREFIX`] and this deployment's namespace.
    prefix: Arc<str>,
}

impl Cache {
    /// In-process only.
    pub fn local() -> Self {
        Self {
            local: build_local(LOCAL_TTL),
            redis: None,
            prefix: Arc::from(PREFIX),
        }
    }

    /// With Redis as the shared level. Fails only on a malformed URL or when Redis cannot be
    /// reached at start; later outages are absorbed.
    pub async fn with_redis(url: &str) -> Result<Self, redis::RedisError> {
        Self::with_redis_in(url, "default").await
    }

    /// [`Cache::with_redis`] with this deployment's keys under `namespace`.
    pub async fn with_redis_in(url: &str, namespace: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        let manager = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self {
            local: build_local(LOCAL_TTL_SHARED),
            redis: Some(manager),
            prefix: Arc::from(format!("{PREFIX}{namespace}:")),
        })
    }

    /// Redis at `url` if it answers now, else in-process only (logged).
    pub async fn from_url_or_local(url: &str, namespace: &str) -> Self {
        match tokio::time::timeout(REDIS_TIMEOUT * 4, Self::with_redis_in(url, namespace)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Redis unavailable; caching in-process only");
                Self::local()
            }
            Err(_) => {
                tracing::warn!("Redis did not answer; caching in-process only");
                Self::local()
            }
        }
    }

    pub async fn get(&self, key: &CacheKey) -> Option<Arc<Vec<u8>>> {
        let found = self.lookup(key).await;
        let level = match &found {
            Some((_, level)) => *level,
            None => "miss",
        };
        metrics::counter!("cache_lookups_total", "level" => level).increment(1);
        found.map(|(v, _)| v)
    }

    /// The entry and the level that had it (`local` or `shared`).
    async fn lookup(&self, key: &CacheKey) -> Option<(Arc<Vec<u8>>, &'static str)> {
        if let Some(v) = self.local.get(&key.full).await {
            return Some((v, "local"));
        }
        let mut redis = self.redis.clone()?;
        let got: Option<Vec<u8>> = guarded(redis.get(format!("{}{}", self.prefix, key.full)))
            .await
            .flatten();
        let v = Arc::new(got?);
        self.local.insert(key.full.clone(), v.clone()).await;
        Some((v, "shared"))
    }

    pub async fn set(&self, key: &CacheKey, value: Vec<u8>) {
        let value = Arc::new(value);
        self.local.insert(key.full.clone(), value.clone()).await;
        if let Some(mut redis) = self.redis.clone() {
            let full = format!("{}{}", self.prefix, key.full);
            let mut pipe = redis::pipe();
            pipe.set_ex(&full, value.as_slice(), SHARED_TTL.as_secs());
            for tag in &key.tags {
                let tag_key = format!("{}tag:{tag}", self.prefix);
                pipe.sadd(&tag_key, &full).expire(
                    &tag_key,
                    i64::try_from(SHARED_TTL.as_secs() * 2).unwrap_or(i64::MAX),
                );
            }
            let _: Option<()> = guarded(pipe.query_async(&mut redis)).await;
        }
    }

    /// Drops every entry tagged `tag`, here and in Redis.
    pub async fn invalidate_tag(&self, tag: &str) {
        let marker = format!("|{tag}|");
        // Local keys embed their tags (see `CacheKey`), so the local level needs no index.
        let _ = self
            .local
            .invalidate_entries_if(move |k, _| k.contains(&marker));
        if let Some(mut redis) = self.redis.clone() {
            let tag_key = format!("{}tag:{tag}", self.prefix);
            if let Some(keys) = guarded::<Vec<String>>(redis.smembers(&tag_key)).await {
                let mut pipe = redis::pipe();
                for k in &keys {
                    pipe.del(k);
                }
                pipe.del(&tag_key);
                let _: Option<()> = guarded(pipe.query_async(&mut redis)).await;
            }
        }
    }

    /// The Redis connection and this deployment's key prefix, for other shared state (limits).
    pub fn redis(&self) -> Option<(ConnectionManager, String)> {
        self.redis.clone().map(|r| (r, self.prefix.to_string()))
    }

    pub fn has_shared_level(&self) -> bool {
        self.redis.is_some()
    }
}

/// A cache key and the tags that invalidate it. The tags are part of the key string, so the
/// in-process level can invalidate by tag without an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    full: String,
    tags: Vec<String>,
}

impl CacheKey {
    pub fn new(base: &str, tags: &[String]) -> Self {
        let mut full = base.to_owned();
        for t in tags {
            full.push('|');
            full.push_str(t);
            full.push('|');
        }
        Self {
            full,
            tags: tags.to_vec(),
        }
    }
}

/// The cached artist page of `slug` (`GET /api/v1/artists/{slug}`).
pub fn artist_page_key(slug: &str) -> CacheKey {
    CacheKey::new(&format!("v1:artist-page:{slug}"), &[artist_tag(slug)])
}

/// The tag of everything derived from one artist.
pub fn artist_tag(slug: &str) -> String {
    format!("artist:{slug}")
}

fn build_local(ttl: Duration) -> moka::future::Cache<String, Arc<Vec<u8>>> {
    moka::future::Cache::builder()
        .max_capacity(64 * 1024 * 1024)
        .weigher(|k: &String, v: &Arc<Vec<u8>>| {
            u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX)
        })
        .time_to_live(ttl)
        .support_invalidation_closures()
        .build()
}

/// Runs a Redis call under [`REDIS_TIMEOUT`]; `None` (and a log line) on error or timeout.
async fn guarded<T>(call: impl std::future::Future<Output = redis::RedisResult<T>>) -> Option<T> {
    match tokio::time::timeout(REDIS_TIMEOUT, call).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "Redis call failed; in-process cache only");
            None
        }
        Err(_) => {
            tracing::debug!("Redis call timed out; in-process cache only");
            None
        }
    }
}
