//! Sync benchmarks (issue 6), against the real backend on loopback and a fresh database:
//! - push of 10,000 queued mutations (target ≤ 5 s), beside the same votes sent one REST
//!   request each (the baseline an online-only client pays);
//! - first pull of a 50-artist scope (target ≤ 2 s and ≤ 5 MB transferred, compressed);
//! - an incremental pull with nothing new (target ≤ 20 ms);
//! - local search over 10,000 cached artists (target ≤ 10 ms).

use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_backend::auth::limits::Limits;
use theset_client::Client;
use theset_client::vault::{FileVault, Tokens, Vault};
use theset_shared::api::{ArtistSummary, VoteValue};
use theset_testkit::TestApp;
use uuid::Uuid;

const ARTISTS: usize = 50;
const SONGS: usize = 150;
const SHOWS: usize = 12;
const LINES: usize = 15;
const PUSHED: usize = 10_000;
const VALUES: [i16; 3] = [1, -1, 0];

/// 50 artists with catalogues, shows from 60 days ago to 3 months ahead, community lists with
/// votes on the upcoming ones and actual set-lists on the past ones.
async fn stage(db: &PgPool) -> Vec<Uuid> {
    sqlx::query(
        "WITH a AS (INSERT INTO artists (name, slug, genres, popularity) \
                    SELECT 'Artist ' || i, 'artist-' || i, ARRAY['indie', 'rock'], i % 100 \
                    FROM generate_series(1, $1) i RETURNING id), \
              pairs AS MATERIALIZED (SELECT a.id AS artist, gen_random_uuid() AS song, j FROM a, generate_series(1, $2) j), \
              s AS (INSERT INTO songs (id, title, normalized_title, album, popularity) \
                    SELECT song, 'Song ' || j, 'song ' || j, 'Album ' || (j / 12), j % 100 FROM pairs) \
         INSERT INTO artist_songs (artist_id, song_id) SELECT artist, song FROM pairs",
    )
    .bind(ARTISTS as i32)
    .bind(SONGS as i32)
    .execute(db)
    .await
    .expect("catalogues");
    sqlx::query(
        "INSERT INTO shows (headliner_artist_id, date, status) \
         SELECT a.id, current_date + (k * 12 - 60), CASE WHEN k * 12 - 60 < 0 THEN 'completed'::show_status ELSE 'upcoming' END \
         FROM artists a, generate_series(0, $1 - 1) k",
    )
    .bind(SHOWS as i32)
    .execute(db)
    .await
    .expect("shows");
    sqlx::query(
        "INSERT INTO setlists (show_id, artist_id, kind, source) \
         SELECT s.id, s.headliner_artist_id, CASE WHEN s.date < current_date THEN 'actual'::setlist_kind ELSE 'predicted' END, \
                CASE WHEN s.date < current_date THEN 'setlistfm'::setlist_source ELSE 'community' END FROM shows s",
    )
    .execute(db)
    .await
    .expect("setlists");
    sqlx::query(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position, upvotes, net_votes) \
         SELECT l.id, x.song_id, so.title, x.n, x.n, x.n FROM setlists l \
         CROSS JOIN LATERAL (SELECT song_id, row_number() OVER () - 1 AS n FROM artist_songs WHERE artist_id = l.artist_id LIMIT $1) x \
         JOIN songs so ON so.id = x.song_id",
    )
    .bind(LINES as i64)
    .execute(db)
    .await
    .expect("lines");
    sqlx::query_scalar("SELECT id FROM artists ORDER BY name")
        .fetch_all(db)
        .await
        .expect("ids")
}

async fn account(db: &PgPool) -> (Uuid, Tokens) {
    let s = theset_testkit::accounts::session(
        db,
        theset_testkit::accounts::NewAccount {
            email: "bench@sync.test",
            display_name: "Bench",
            device: "bench",
            ..Default::default()
        },
    )
    .await
    .expect("account");
    (
        s.user,
        Tokens {
            access_token: s.access,
            refresh_token: s.refresh,
            expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
        },
    )
}

fn client(dir: &std::path::Path, base: &str, t: &Tokens) -> Client {
    let vault = FileVault::new(&dir.join("tokens.bin"), &dir.join("key"));
    vault.save(t).expect("tokens");
    Client::open_with_vault(&dir.join("theset.sqlite3"), base, Box::new(vault)).expect("client")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn quantile(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 * q) as usize).min(v.len() - 1)]
}

#[tokio::main]
async fn main() {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base_url.rsplit_once('/').expect("database name");
    let db = theset_testkit::databases::fresh(server, "bench_sync", 20).await;
    let artists = stage(&db).await;
    let (_, tokens) = account(&db).await;
    let server = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(theset_testkit::unlimited_votes());
    })
    .await;
    let base = server.base.clone();
    let dir = tempfile::tempdir().expect("dir");
    let c = client(dir.path(), &base, &tokens);
    for a in &artists {
        c.follow(*a, true).expect("follow");
    }
    c.push_all().await.expect("follows");
    println!(
        "sync: {ARTISTS} followed artists, {SONGS} songs and {SHOWS} shows each, {LINES} lines per set-list"
    );

    // First pull of the whole scope, and what it costs on the wire (gzip, as the app fetches).
    let t = Instant::now();
    let changes = c.pull_all().await.expect("first pull");
    let first = t.elapsed();
    let wire = reqwest::Client::builder().no_gzip().build().expect("http");
    let (mut bytes, mut cursor, device) = (0usize, None::<String>, Uuid::now_v7());
    let wire_started = Instant::now();
    loop {
        let mut q = vec![("device_id", device.to_string())];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let res = wire
            .get(format!("{base}/api/v1/sync/pull"))
            .query(&q)
            .bearer_auth(&tokens.access_token)
            .header("x-theset-protocol", "1")
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("pull");
        let gzipped = res
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let body = res.bytes().await.expect("body");
        bytes += body.len();
        let page: serde_json::Value = if gzipped {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut out)
                .expect("gunzip");
            serde_json::from_slice(&out).expect("json")
        } else {
            serde_json::from_slice(&body).expect("json")
        };
        cursor = page["cursor"].as_str().map(str::to_owned);
        if page["more"] != true {
            break;
        }
    }
    let wire = wire_started.elapsed();
    println!(
        "  first pull               {:>8.0} ms   {changes} changes, {:.2} MB transferred (targets ≤ 2000 ms, ≤ 5 MB); the server's part alone {:.0} ms",
        ms(first),
        bytes as f64 / 1e6,
        ms(wire)
    );

    // Incremental pulls with nothing new.
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let n = c.pull_all().await.expect("pull");
        times.push(t.elapsed());
        assert_eq!(n, 0, "nothing new");
    }
    println!(
        "  empty incremental pull   {:>8.1} ms median, {:.1} ms p95   (target ≤ 20 ms)",
        ms(quantile(&mut times, 0.5)),
        ms(quantile(&mut times, 0.95))
    );

    // 10,000 votes queued offline, pushed in one sync; then the same votes one REST call each.
    let show = c
        .store()
        .shows_of(artists[0])
        .expect("shows")
        .into_iter()
        .next_back()
        .expect("upcoming")
        .summary
        .id;
    let lines: Vec<Uuid> = c
        .store()
        .community(show)
        .expect("lines")
        .into_iter()
        .filter_map(|l| l.line_id)
        .collect();
    for i in 0..PUSHED {
        c.vote(
            lines[i % lines.len()],
            [VoteValue::Up, VoteValue::Down, VoteValue::Clear][i % 3],
        )
        .expect("vote");
    }
    let t = Instant::now();
    let p = c.push_all().await.expect("push");
    let push = t.elapsed();
    assert_eq!((p.pushed, p.rejected, p.held), (PUSHED, 0, None));
    let rest_n = 1_000;
    let http = reqwest::Client::new();
    let t = Instant::now();
    for i in 0..rest_n {
        let res = http
            .put(format!(
                "{base}/api/v1/setlist-songs/{}/vote",
                lines[i % lines.len()]
            ))
            .bearer_auth(&tokens.access_token)
            .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": VALUES[i % 3] }))
            .send()
            .await
            .expect("vote");
        assert!(res.status().is_success());
    }
    let rest = t.elapsed().mul_f64(PUSHED as f64 / rest_n as f64);
    println!(
        "  push of {PUSHED} mutations   {:>8.0} ms   ({:.0}/s; one REST call each: {:.0} ms, ratio {:.1}×)   (target ≤ 5000 ms)",
        ms(push),
        PUSHED as f64 / push.as_secs_f64(),
        ms(rest),
        rest.as_secs_f64() / push.as_secs_f64()
    );

    // Local search over 10,000 cached artists.
    let many: Vec<ArtistSummary> = (0..10_000)
        .map(|i| ArtistSummary {
            id: Uuid::now_v7(),
            slug: format!("band-{i}"),
            name: format!(
                "{} Band {i}",
                ["Velvet", "Neon", "Paper", "Silver", "Wild"][i % 5]
            ),
            image_url: None,
            genres: vec!["rock".into()],
            popularity: Some(50),
            followers: None,
            trending_score: 0.0,
            upcoming_show_count: 0,
            origin: Default::default(),
        })
        .collect();
    c.store().replace_artists(&many).expect("cache");
    let mut times = Vec::new();
    for i in 0..500 {
        let q = ["neon 12", "silv", "paper band 99", "wild 4"][i % 4];
        let t = Instant::now();
        let hits = c.store().search(q, 20).expect("search");
        times.push(t.elapsed());
        assert!(!hits.is_empty(), "{q}");
    }
    println!(
        "  local search, 10,000 artists {:>5.2} ms median, {:.2} ms p95   (target ≤ 10 ms)",
        ms(quantile(&mut times, 0.5)),
        ms(quantile(&mut times, 0.95))
    );
}
