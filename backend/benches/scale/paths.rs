//! The hot paths, each as a fan (or the job runner) meets it: over HTTP against a real server, or
//! the job's own function.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_backend::db::feed::Cursor;
use theset_backend::sync::PullCursor;
use theset_shared::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse};
use uuid::Uuid;

/// A signed-in fan with a registered device.
#[derive(Clone)]
pub struct Fan {
    pub token: String,
    pub device: Uuid,
}

/// What the paths need to know about the dataset.
pub struct Subjects {
    pub hot_show: Uuid,
    pub hot_lines: Vec<Uuid>,
    pub past_show: Uuid,
    /// A position in the change log one day back.
    pub day_ago: Cursor,
    pub fan: Fan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    ShowPage,
    CommunityList,
    Vote,
    PullFirst,
    PullDayAway,
    PullNothingNew,
    LeaderboardAllTime,
    LeaderboardShow,
    VenuesNear,
    TrendingJob,
}

impl Path {
    pub const ALL: [Path; 10] = [
        Path::ShowPage,
        Path::CommunityList,
        Path::Vote,
        Path::PullFirst,
        Path::PullDayAway,
        Path::PullNothingNew,
        Path::LeaderboardAllTime,
        Path::LeaderboardShow,
        Path::VenuesNear,
        Path::TrendingJob,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Path::ShowPage => "show page (hot show)",
            Path::CommunityList => "community list (hot show, signed in)",
            Path::Vote => "vote (hot show)",
            Path::PullFirst => "sync pull, first (every page)",
            Path::PullDayAway => "sync pull, back after a day (every page)",
            Path::PullNothingNew => "sync pull, nothing new",
            Path::LeaderboardAllTime => "leaderboard, all time",
            Path::LeaderboardShow => "leaderboard, a past show",
            Path::VenuesNear => "venues within 25 km of a point",
            Path::TrendingJob => "scores cron (trending of every artist and show, all-time board)",
        }
    }

    /// Runs timed per path: the heavy ones fewer times.
    pub fn runs(self) -> usize {
        match self {
            Path::TrendingJob | Path::PullFirst | Path::PullDayAway => 3,
            _ => 25,
        }
    }
}

pub struct Runner {
    pub http: reqwest::Client,
    pub base: String,
    pub db: PgPool,
    pub subjects: Subjects,
    /// Only the first page of multi-page pulls (when explaining: one page shows the plans).
    pub first_page_only: bool,
    vote_value: i16,
    line: usize,
}

impl Runner {
    pub fn new(base: &str, db: PgPool, subjects: Subjects) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            db,
            subjects,
            first_page_only: false,
            vote_value: 1,
            line: 0,
        }
    }

    async fn get(&self, path: &str, signed_in: bool) -> Result<Vec<u8>, String> {
        let mut req = self.http.get(format!("{}/api/v1{path}", self.base));
        if signed_in {
            req = req
                .bearer_auth(&self.subjects.fan.token)
                .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        }
        let res = req.send().await.map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("{path}: {}", res.status()));
        }
        res.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string())
    }

    /// Fetches `path`; what it answered, for the report.
    async fn size_of(&self, path: &str, signed_in: bool) -> Result<String, String> {
        let body = self.get(path, signed_in).await?;
        Ok(format!("{} bytes", body.len()))
    }

    async fn pull_page(&self, cursor: Option<&str>) -> Result<PullResponse, String> {
        let mut path = format!("/sync/pull?device_id={}", self.subjects.fan.device);
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        serde_json::from_slice(&self.get(&path, true).await?).map_err(|e| e.to_string())
    }

    /// Pulls from `cursor` until the server says there is no more (or one page when explaining):
    /// pages and changes seen, and the cursor a device holds after.
    async fn pull_all(&self, cursor: Option<String>) -> Result<(usize, usize, String), String> {
        let mut cursor = cursor;
        let (mut pages, mut changes) = (0, 0);
        loop {
            let page = self.pull_page(cursor.as_deref()).await?;
            pages += 1;
            changes += page.changes.len();
            if !page.more || self.first_page_only || pages > 10_000 {
                return Ok((pages, changes, page.cursor));
            }
            cursor = Some(page.cursor);
        }
    }

    /// The cursor a device holds after a complete pull from a day back (on a runner that pulls
    /// every page).
    pub async fn end_cursor(&self) -> Result<String, String> {
        self.pull_all(Some(PullCursor::Log(self.subjects.day_ago).encode()))
            .await
            .map(|(_, _, end)| end)
    }

    /// Runs `path` once; returns what it did, for the report.
    pub async fn run(&mut self, path: Path, end_cursor: &str) -> Result<String, String> {
        let s = &self.subjects;
        match path {
            Path::ShowPage => self.size_of(&format!("/shows/{}", s.hot_show), false).await,
            Path::CommunityList => {
                self.size_of(&format!("/shows/{}/community", s.hot_show), true)
                    .await
            }
            Path::Vote => {
                // Alternating values on rotating lines: every vote changes a total.
                let line = s.hot_lines[self.line % s.hot_lines.len()];
                self.line += 1;
                if self.line.is_multiple_of(s.hot_lines.len()) {
                    self.vote_value = -self.vote_value;
                }
                let res = self
                    .http
                    .put(format!("{}/api/v1/setlist-songs/{line}/vote", self.base))
                    .bearer_auth(&s.fan.token)
                    .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": self.vote_value }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    Ok("applied".to_owned())
                } else {
                    Err(format!("vote: {}", res.status()))
                }
            }
            Path::PullFirst => self
                .pull_all(None)
                .await
                .map(|(p, c, _)| format!("{c} changes in {p} pages")),
            Path::PullDayAway => self
                .pull_all(Some(PullCursor::Log(s.day_ago).encode()))
                .await
                .map(|(p, c, _)| format!("{c} changes in {p} pages")),
            Path::PullNothingNew => self
                .pull_all(Some(end_cursor.to_owned()))
                .await
                .map(|(_, c, _)| format!("{c} changes")),
            Path::LeaderboardAllTime => self.size_of("/leaderboard", false).await,
            Path::LeaderboardShow => {
                self.size_of(&format!("/shows/{}/leaderboard", s.past_show), false)
                    .await
            }
            Path::VenuesNear => self.size_of("/venues?near=-14.0,-106.0&km=25", false).await,
            Path::TrendingJob => {
                let job: Uuid = sqlx::query_scalar(
                    "INSERT INTO sync_jobs (job_type) VALUES ('cron.trending') RETURNING id",
                )
                .fetch_one(&self.db)
                .await
                .map_err(|e| e.to_string())?;
                let progress =
                    theset_backend::jobs::Progress::new(self.db.clone(), job, "trending");
                theset_backend::jobs::rescore(&self.db, &progress)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// `runs` timed runs after one warm-up: sorted durations and the last run's report.
    pub async fn time(
        &mut self,
        path: Path,
        end_cursor: &str,
    ) -> Result<(Vec<Duration>, String), String> {
        let mut what = self.run(path, end_cursor).await?;
        let mut took = Vec::new();
        for _ in 0..path.runs() {
            let started = Instant::now();
            what = self.run(path, end_cursor).await?;
            took.push(started.elapsed());
        }
        took.sort();
        Ok((took, what))
    }
}
