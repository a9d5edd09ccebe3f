//! The simulated fans: each a real `theset-client` with its own store, acting in offline bursts
//! and syncing whenever it feels like it, whatever the network does.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use rand::Rng;
use rand::seq::SliceRandom;
use sqlx::PgPool;
use theset_client::Client;
use theset_client::vault::{FileVault, Tokens, Vault};
use theset_shared::api::{PredictionLine, VoteValue};
use theset_shared::sync::Mutation;
use uuid::Uuid;

use crate::world::{Catalogue, account};

pub struct Fan {
    pub user: Uuid,
    pub client: Client,
    pub artist: usize,
    /// Every mutation this fan made, in order.
    pub log: Mutex<Vec<Mutation>>,
    last_error: Mutex<String>,
    _dir: tempfile::TempDir,
}

pub async fn make(n: usize, db: &PgPool, url: &str, catalogue: &Catalogue) -> Result<Arc<Fan>> {
    let (user, access, refresh) = account(db, n).await?;
    let dir = tempfile::tempdir()?;
    let vault = FileVault::new(&dir.path().join("tokens.bin"), &dir.path().join("key"));
    vault.save(&Tokens {
        access_token: access,
        refresh_token: refresh,
        expires_at: chrono::Utc::now() + chrono::Duration::hours(2),
    })?;
    let client = Client::open_with_vault(&dir.path().join("theset.sqlite3"), url, Box::new(vault))?;
    let artist = n % catalogue.artists.len();
    let follow = client.follow(catalogue.artists[artist].id, true)?;
    Ok(Arc::new(Fan {
        user,
        client,
        artist,
        log: Mutex::new(vec![follow]),
        last_error: Mutex::new(String::new()),
        _dir: dir,
    }))
}

impl Fan {
    fn record(&self, m: Mutation) {
        if let Ok(mut log) = self.log.lock() {
            log.push(m);
        }
    }

    /// One burst of 1–4 actions, all offline (only the local store is touched).
    pub fn burst(&self, catalogue: &Catalogue) -> Result<usize> {
        let artist = &catalogue.artists[self.artist];
        let plan: Vec<(u8, Uuid, Uuid, VoteValue, Vec<Uuid>)> = {
            let mut rng = rand::rng();
            (0..rng.random_range(1..=4))
                .map(|_| {
                    let show = artist.shows[rng.random_range(0..artist.shows.len())];
                    let song = artist.songs[rng.random_range(0..artist.songs.len())];
                    let value = [
                        VoteValue::Up,
                        VoteValue::Up,
                        VoteValue::Down,
                        VoteValue::Clear,
                    ][rng.random_range(0..4)];
                    let mut picks = artist.songs.clone();
                    picks.shuffle(&mut rng);
                    picks.truncate(rng.random_range(1..=6));
                    (rng.random_range(0..100u8), show, song, value, picks)
                })
                .collect()
        };
        let mut made = 0;
        for (dice, show, song, value, picks) in plan {
            if dice < 70 {
                self.record(self.client.add_song(show, song)?);
                self.record(self.client.vote_song(show, song, value)?);
                made += 2;
            } else {
                let n = picks.len();
                let lines = picks
                    .into_iter()
                    .enumerate()
                    .map(|(i, song_id)| PredictionLine {
                        song_id,
                        encore: n > 2 && i == n - 1,
                    })
                    .collect();
                self.record(self.client.predict(show, lines)?);
                made += 1;
            }
        }
        Ok(made)
    }

    /// A sync that may fail or hang on a bad network; bounded so the fan gets on with life.
    pub async fn try_sync(&self) -> bool {
        self.sync_within(Duration::from_secs(20)).await
    }

    pub async fn sync_within(&self, limit: Duration) -> bool {
        let outcome = match tokio::time::timeout(limit, self.client.sync()).await {
            Ok(Ok(_)) => return true,
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {limit:?}"),
        };
        if let Ok(mut last) = self.last_error.lock() {
            *last = outcome;
        }
        false
    }

    /// Why the last sync failed, and the outbox counts (for a report on unsettled fans).
    pub fn trouble(&self) -> String {
        let last = self
            .last_error
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default();
        format!(
            "{:?} after {last}",
            self.client.store().outbox_counts().ok()
        )
    }

    /// Records a mutation this fan made (the checks compare the server against the log).
    pub fn keep(&self, m: Mutation) {
        self.record(m);
    }

    pub fn settled(&self) -> bool {
        matches!(self.client.store().outbox_counts(), Ok((0, 0, _)))
    }
}

/// Every fan syncs (with jitter, as a real app's retry would) until it has nothing left to send,
/// for at most `window` after the network healed; returns how many did not get there.
pub async fn settle(fans: &[Arc<Fan>], window: Duration, name: &str) -> Result<usize> {
    let healed = std::time::Instant::now();
    let mut settle = Vec::new();
    for fan in fans {
        let fan = fan.clone();
        settle.push(tokio::spawn(async move {
            while healed.elapsed() < window {
                if fan
                    .sync_within(window.saturating_sub(healed.elapsed()))
                    .await
                    && fan.settled()
                {
                    return true;
                }
                let pause = rand::rng().random_range(200..1000);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            false
        }));
    }
    let mut unsettled = 0;
    for (fan, s) in fans.iter().zip(settle) {
        if !s.await? {
            unsettled += 1;
            if unsettled <= 5 {
                println!("reliability/{name}: unsettled fan: {}", fan.trouble());
            }
        }
    }
    Ok(unsettled)
}

/// Fans that settled early missed what later ones pushed: one more pull each, once every change
/// logged so far can be served, so every store is compared with the same server.
pub async fn final_pull(db: &PgPool, fans: &[Arc<Fan>]) -> Result<()> {
    for _ in 0..200 {
        let served: bool = sqlx::query_scalar(
            "SELECT pg_snapshot_xmin(pg_current_snapshot()) > coalesce((SELECT max(tx) FROM sync_changes), '0'::xid8)",
        )
        .fetch_one(db)
        .await?;
        if served {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for fan in fans {
        for _ in 0..10 {
            if fan.client.pull_all().await.is_ok() {
                break;
            }
        }
    }
    Ok(())
}
