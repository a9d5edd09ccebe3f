//! At the venue (issue 16), against the real backend on loopback and a fresh database:
//! - the show pack of a 25-song show with 300 catalogue songs on the wire, gzip as the app
//!   fetches it: the scope the going brings (first pull) and the pages kept with it (target
//!   ≤ 150 kB without tiles);
//! - one capture and one vote pushed: the request with every header, counted on the TCP link
//!   (target ≤ 1 kB each; the answer is printed beside it);
//! - the crowd merge of 5,000 captures (target ≤ 50 ms), beside sorting the same captures by
//!   time (the least any merge must do) measured in the same run.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_backend::auth::limits::Limits;
use theset_client::Client;
use theset_client::vault::{FileVault, Tokens, Vault};
use theset_shared::crowd::{self, Capture};
use theset_testkit::TestApp;
use uuid::Uuid;

const CATALOGUE: i32 = 300;
const SHOW_SONGS: i32 = 25;
const PAST_SHOWS: i32 = 8;
const FANS: usize = 250;
const CAPTURED: usize = 20;

/// One artist with a 300-song catalogue; a show tomorrow at a venue with a 25-song community
/// list carrying votes; eight past shows with 25-song actual lists (what likely songs and the
/// rarity of scores come from). Returns `(artist, show tomorrow)`.
async fn stage(db: &PgPool) -> (Uuid, Uuid) {
    let artist: Uuid = sqlx::query_scalar(
        "INSERT INTO artists (name, slug, genres, popularity) VALUES ('Venue Bench', 'venue-bench', ARRAY['rock'], 80) RETURNING id",
    )
    .fetch_one(db)
    .await
    .expect("artist");
    sqlx::query(
        "WITH s AS (INSERT INTO songs (title, normalized_title, album, popularity) \
                    SELECT 'A Song Called Number ' || j, 'a song called number ' || j, 'Album ' || (j / 12), j % 100 \
                    FROM generate_series(1, $2) j RETURNING id) \
         INSERT INTO artist_songs (artist_id, song_id) SELECT $1, id FROM s",
    )
    .bind(artist)
    .bind(CATALOGUE)
    .execute(db)
    .await
    .expect("catalogue");
    let venue: Uuid = sqlx::query_scalar(
        "INSERT INTO venues (name, city, country_code, location) \
         VALUES ('Bench Arena', 'Inglewood', 'US', ST_SetSRID(ST_MakePoint(-118.3392, 33.9535), 4326)::geography) RETURNING id",
    )
    .fetch_one(db)
    .await
    .expect("venue");
    let show: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, venue_id, date, starts_at, status, name) \
         VALUES ($1, $2, current_date + 1, now() + interval '1 day', 'upcoming', 'Bench Night') RETURNING id",
    )
    .bind(artist)
    .bind(venue)
    .fetch_one(db)
    .await
    .expect("show");
    sqlx::query("INSERT INTO show_artists (show_id, artist_id, role) VALUES ($1, $2, 'headliner')")
        .bind(show)
        .bind(artist)
        .execute(db)
        .await
        .expect("lineup");
    sqlx::query(
        "INSERT INTO shows (headliner_artist_id, venue_id, date, status) \
         SELECT $1, $2, current_date - k * 7, 'completed' FROM generate_series(1, $3) k",
    )
    .bind(artist)
    .bind(venue)
    .bind(PAST_SHOWS)
    .execute(db)
    .await
    .expect("past shows");
    sqlx::query(
        "INSERT INTO setlists (show_id, artist_id, kind, source) \
         SELECT s.id, s.headliner_artist_id, CASE WHEN s.date < current_date THEN 'actual'::setlist_kind ELSE 'predicted' END, \
                CASE WHEN s.date < current_date THEN 'setlistfm'::setlist_source ELSE 'community' END \
         FROM shows s WHERE s.headliner_artist_id = $1",
    )
    .bind(artist)
    .execute(db)
    .await
    .expect("lists");
    sqlx::query(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position, upvotes, net_votes) \
         SELECT l.id, x.song_id, so.title, row_number() OVER (PARTITION BY l.id ORDER BY so.title) - 1, 40, 40 \
         FROM setlists l CROSS JOIN LATERAL (SELECT song_id FROM artist_songs WHERE artist_id = l.artist_id \
                                             ORDER BY md5(song_id::text || l.id::text) LIMIT $2) x \
         JOIN songs so ON so.id = x.song_id WHERE l.artist_id = $1",
    )
    .bind(artist)
    .bind(SHOW_SONGS)
    .execute(db)
    .await
    .expect("lines");
    (artist, show)
}

fn client(dir: &std::path::Path, base: &str, tokens: &Tokens) -> Client {
    let vault = FileVault::new(&dir.join("tokens"), &dir.join("key"));
    vault.save(tokens).expect("tokens");
    Client::open_with_vault(&dir.join("theset.sqlite3"), base, Box::new(vault)).expect("client")
}

async fn account(db: &PgPool) -> Tokens {
    let s = theset_testkit::accounts::with_role(db, theset_testkit::Role::User).await;
    Tokens {
        access_token: s.access,
        refresh_token: s.refresh,
        expires_at: chrono::Utc::now() + chrono::Duration::minutes(15),
    }
}

/// GETs `path` with gzip as the app asks for it; the bytes that crossed (compressed) and the
/// decoded JSON.
async fn gzipped(
    http: &reqwest::Client,
    url: String,
    token: &str,
    query: &[(&str, String)],
) -> (usize, serde_json::Value) {
    let res = http
        .get(url)
        .query(query)
        .bearer_auth(token)
        .header("x-theset-protocol", "1")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("get");
    assert!(res.status().is_success(), "{}", res.status());
    let gz = res
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let body = res.bytes().await.expect("body");
    let json = if gz {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut out)
            .expect("gunzip");
        serde_json::from_slice(&out).expect("json")
    } else {
        serde_json::from_slice(&body).expect("json")
    };
    (body.len(), json)
}

fn captures(seed: u64) -> Vec<Capture> {
    let t0 = chrono::Utc::now();
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s >> 33
    };
    let songs: Vec<Uuid> = (0..25).map(|_| Uuid::now_v7()).collect();
    let mut out = Vec::with_capacity(FANS * CAPTURED);
    for fan in 0..FANS {
        let user = Uuid::from_u128(fan as u128 + 1);
        let skew = (next() % 181) as i64 - 90;
        for (i, song) in songs.iter().take(CAPTURED).enumerate() {
            out.push(Capture {
                id: Uuid::now_v7(),
                user,
                song_id: Some(*song),
                title: format!("Song {i}"),
                at: t0 + chrono::Duration::seconds(i as i64 * 240 + skew + (next() % 30) as i64),
                encore: i >= 18 && next() % 2 == 0,
            });
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base_url.rsplit_once('/').expect("database name");
    let db = theset_testkit::databases::fresh(server, "bench_venue", 10).await;
    let (_, show) = stage(&db).await;
    let tokens = account(&db).await;
    let app = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(theset_testkit::unlimited_votes());
    })
    .await;
    let base = app.base.clone();
    println!(
        "venue: a show tomorrow with {SHOW_SONGS} songs on its list, {CATALOGUE} catalogue songs, {PAST_SHOWS} past shows"
    );

    // The show pack: going, then everything a fresh device fetches for it.
    let dir = tempfile::tempdir().expect("dir");
    let c = client(dir.path(), &base, &tokens);
    c.set_going(show, true, false).expect("going");
    c.push_all().await.expect("going pushed");
    let http = reqwest::Client::builder().no_gzip().build().expect("http");
    let (mut scope_bytes, mut cursor, device) = (0usize, None::<String>, Uuid::now_v7());
    let mut changes = 0;
    loop {
        let mut q = vec![("device_id", device.to_string())];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let (n, page) = gzipped(
            &http,
            format!("{base}/api/v1/sync/pull"),
            &tokens.access_token,
            &q,
        )
        .await;
        scope_bytes += n;
        changes += page["changes"].as_array().map_or(0, Vec::len);
        cursor = page["cursor"].as_str().map(str::to_owned);
        if page["more"] != true {
            break;
        }
    }
    let mut page_bytes = 0;
    let venue = c
        .show_view(show)
        .await
        .expect("view")
        .summary
        .venue
        .expect("venue")
        .id;
    for path in [
        format!("/shows/{show}"),
        format!("/shows/{show}/likely"),
        format!("/shows/{show}/leaderboard"),
        format!("/venues/{venue}"),
    ] {
        page_bytes += gzipped(
            &http,
            format!("{base}/api/v1{path}"),
            &tokens.access_token,
            &[],
        )
        .await
        .0;
    }
    c.pull_all().await.expect("the scope on the device");
    let pack = c.prepare_pack(show).await.expect("pack");
    assert!(pack.missing.is_empty(), "{:?}", pack.missing);
    println!(
        "  show pack on the wire    {:>8.1} kB   scope {:.1} kB ({changes} rows) + pages {:.1} kB, gzip (target ≤ 150 kB); {:.1} kB on the device",
        (scope_bytes + page_bytes) as f64 / 1000.0,
        scope_bytes as f64 / 1000.0,
        page_bytes as f64 / 1000.0,
        pack.bytes as f64 / 1000.0
    );

    // One capture and one vote, each pushed alone through a counting link.
    let (link, counts) = theset_testkit::loopback::counting_proxy(app.addr).await;
    let dir2 = tempfile::tempdir().expect("dir");
    let counted = client(dir2.path(), &format!("http://{link}"), &tokens);
    // The device is claimed, its clock and sequence started, and the connection warm.
    counted.set_going(show, true, false).expect("going");
    counted.push_all().await.expect("warm");
    let line: Uuid = sqlx::query_scalar(
        "SELECT ss.id FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE l.show_id = $1 AND l.source = 'community' LIMIT 1",
    )
    .bind(show)
    .fetch_one(&db)
    .await
    .expect("line");
    sqlx::query("UPDATE shows SET starts_at = now() - interval '10 minutes', status = 'ongoing' WHERE id = $1")
        .bind(show)
        .execute(&db)
        .await
        .expect("on stage");
    let catalogue_song: Uuid = sqlx::query_scalar(
        "SELECT song_id FROM artist_songs x JOIN shows s ON s.headliner_artist_id = x.artist_id WHERE s.id = $1 LIMIT 1",
    )
    .bind(show)
    .fetch_one(&db)
    .await
    .expect("song");
    let mut measured = Vec::new();
    for what in ["capture", "vote"] {
        match what {
            "capture" => {
                counted
                    .capture(show, Some(catalogue_song), "A Song Called Number 1", false)
                    .expect("capture");
            }
            _ => {
                sqlx::query("UPDATE shows SET starts_at = now() + interval '1 day', status = 'upcoming' WHERE id = $1")
                    .bind(show)
                    .execute(&db)
                    .await
                    .expect("open for votes");
                counted
                    .vote(line, theset_shared::api::VoteValue::Up)
                    .expect("vote");
            }
        }
        let before = counts.read();
        let pushed = counted.push_all().await.expect("push");
        assert_eq!(pushed.rejected, 0, "{what} applied");
        let after = counts.read();
        measured.push((what, after.0 - before.0, after.1 - before.1));
    }
    for (what, up, down) in measured {
        println!(
            "  one {what:<7} pushed      {up:>8} B    request with every header (target ≤ 1,000 B); its answer {down} B, {} B both ways",
            up + down
        );
    }

    // The crowd merge of 5,000 captures, and sorting the same captures (the floor).
    let all = captures(7);
    let mut merge = Vec::new();
    let mut sort = Vec::new();
    let mut songs = 0;
    for _ in 0..30 {
        let t = Instant::now();
        songs = crowd::merge(&all).len();
        merge.push(t.elapsed());
        let mut copy: Vec<&Capture> = all.iter().collect();
        let t = Instant::now();
        copy.sort_by_key(|c| (c.at, c.id));
        sort.push(t.elapsed());
        std::hint::black_box(copy);
    }
    let (m, s) = (median(merge), median(sort));
    println!(
        "  crowd merge               {:>8.2} ms   {} captures by {FANS} fans with ±90 s clocks → {songs} songs; {:.1}× sorting them ({:.2} ms)   (target ≤ 50 ms)",
        m.as_secs_f64() * 1000.0,
        all.len(),
        m.as_secs_f64() / s.as_secs_f64().max(1e-9),
        s.as_secs_f64() * 1000.0
    );
    app.stop().await;
}
