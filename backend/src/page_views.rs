//! Page views of artist and show pages, for trending. Counted in memory and written in batches: a
//! write per view would turn the hottest reads into hot-row updates. A viewer (by address) counts
//! once per page per flush window, and a crash loses at most one window of counts — a nudge to a
//! trending score, not user data.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::db::page_views;

/// Distinct (viewer, page) pairs kept per window; past it, views wait for the next window.
const MAX_PENDING: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Page {
    /// Artist pages are served by slug (often from the cache, without the id at hand).
    Artist(String),
    Show(Uuid),
}

#[derive(Default)]
struct Window {
    seen: HashSet<(IpAddr, Page)>,
    counts: HashMap<Page, i64>,
}

#[derive(Clone, Default)]
pub struct PageViews {
    window: Arc<Mutex<Window>>,
}

impl PageViews {
    pub fn record(&self, viewer: IpAddr, page: Page) {
        let Ok(mut w) = self.window.lock() else {
            return;
        };
        if w.seen.len() >= MAX_PENDING || !w.seen.insert((viewer, page.clone())) {
            return;
        }
        *w.counts.entry(page).or_default() += 1;
    }

    /// Writes the window's counts and starts a new window; returns the views written.
    pub async fn flush(&self, db: &PgPool) -> sqlx::Result<i64> {
        let counts = match self.window.lock() {
            Ok(mut w) => std::mem::take(&mut *w).counts,
            Err(_) => return Ok(0),
        };
        if counts.is_empty() {
            return Ok(0);
        }
        let mut artists: Vec<(String, i64)> = Vec::new();
        let mut shows: Vec<(Uuid, i64)> = Vec::new();
        for (page, n) in counts {
            match page {
                Page::Artist(slug) => artists.push((slug, n)),
                Page::Show(id) => shows.push((id, n)),
            }
        }
        // Same order in every process, so concurrent flushes lock rows in the same order.
        artists.sort();
        shows.sort();
        let total =
            artists.iter().map(|(_, n)| n).sum::<i64>() + shows.iter().map(|(_, n)| n).sum::<i64>();
        page_views::add(db, &artists, &shows).await?;
        Ok(total)
    }

    /// Flushes every `every` until the state holding these counters is dropped.
    pub fn spawn_flusher(&self, db: PgPool, every: Duration) {
        let weak: Weak<Mutex<Window>> = Arc::downgrade(&self.window);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(window) = weak.upgrade() else {
                    break;
                };
                let views = PageViews { window };
                if let Err(e) = views.flush(&db).await {
                    tracing::warn!(error = %e, "writing page views failed; counts dropped");
                }
            }
        });
    }
}

/// Flush period when the server's settings do not say (`THESET_VIEW_FLUSH_SECS`).
pub const FLUSH_PERIOD: Duration = Duration::from_secs(10);
