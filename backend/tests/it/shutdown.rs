//! SIGTERM as a service manager sends it, against the real `theset-backend` process: a request
//! in flight is still answered and applied, new connections are refused, live streams end with a
//! reconnect hint, the running job goes back to the queue at once (attempt uncounted), and the
//! process exits cleanly within its grace.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

use theset_backend::jobs::{enqueue_artist_job, types};
use theset_testkit::Role;
use theset_testkit::accounts;
use theset_testkit::process::{Server, database_url};
use theset_testkit::rows as support;

/// A provider that accepts connections and never answers: the job calling it hangs.
async fn silent_provider() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

/// Adds `song` to `show`'s community list through `base` as the holder of `token`; the line.
pub(crate) async fn add_line(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    show: Uuid,
    song: Uuid,
) -> Uuid {
    let added: Value = http
        .post(format!("{base}/api/v1/shows/{show}/community/songs"))
        .bearer_auth(token)
        .json(&json!({ "mutation_id": Uuid::now_v7(), "song_id": song }))
        .send()
        .await
        .expect("add")
        .json()
        .await
        .expect("json");
    Uuid::parse_str(added["setlist_song_id"].as_str().expect("line")).expect("id")
}

async fn job_row(db: &PgPool, id: Uuid) -> (String, Option<String>, i32) {
    sqlx::query_as("SELECT status, locked_by, attempts FROM sync_jobs WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .expect("job")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn sigterm_answers_what_is_in_flight_and_hands_back_the_job(db: PgPool) {
    let (silent, _provider) = silent_provider().await;
    let artist = support::artist(&db, "Draining Band", &[], None, 0.0).await;
    sqlx::query("UPDATE artists SET ticketmaster_id = 'K-draining' WHERE id = $1")
        .bind(artist)
        .execute(&db)
        .await
        .expect("link");
    let show = support::show(&db, artist, None, support::days_from_today(5), "upcoming").await;
    let song = support::song(&db, artist, "Last Call", 50).await;
    let fan = accounts::with_role(&db, Role::User).await;
    let tm = format!("http://127.0.0.1:{silent}/discovery/v2");
    let mut server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_theset-backend")),
        &database_url(&db),
        &[
            ("THESET_SHUTDOWN_GRACE", "4"),
            ("TICKETMASTER_API_KEY", "tm-key"),
            ("TICKETMASTER_BASE_URL", &tm),
        ],
    );
    let http = reqwest::Client::new();

    // A line to vote on, then a job that hangs on the silent provider.
    let line = add_line(&http, &server.url, &fan.access, show, song).await;
    let job = enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 0)
        .await
        .expect("enqueue");
    let start = Instant::now();
    while job_row(&db, job).await.0 != "running" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the job never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A live stream of the show, open before the signal.
    let mut events = http
        .get(format!("{}/api/v1/shows/{show}/events", server.url))
        .send()
        .await
        .expect("stream");
    assert_eq!(events.status(), reqwest::StatusCode::OK);
    assert_eq!(
        events.headers()["x-accel-buffering"],
        "no",
        "a proxy in front must not buffer live updates"
    );

    // A vote whose body is only half sent when SIGTERM arrives.
    let body = json!({ "mutation_id": Uuid::now_v7(), "value": 1 }).to_string();
    let mut raw = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    let head = format!(
        "PUT /api/v1/setlist-songs/{line}/vote HTTP/1.1\r\nhost: 127.0.0.1\r\n\
         authorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        fan.access,
        body.len()
    );
    let (half, rest) = body.split_at(body.len() / 2);
    raw.write_all(head.as_bytes()).await.expect("head");
    raw.write_all(half.as_bytes()).await.expect("half");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    server.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // No new connection is taken while it drains.
    assert!(
        TcpStream::connect(("127.0.0.1", server.port))
            .await
            .is_err(),
        "a stopping server still accepts connections"
    );
    // The stream ends, telling the client to come back soon.
    let mut tail = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(chunk) = events.chunk().await.expect("bytes") {
            tail.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the live stream did not end: {tail}");
    assert!(tail.contains("retry: 1000"), "no reconnect hint: {tail}");

    // The rest of the vote arrives after the signal and is still answered and applied.
    raw.write_all(rest.as_bytes()).await.expect("rest");
    let mut answer = String::new();
    raw.read_to_string(&mut answer).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let net: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(value), 0)::bigint FROM votes WHERE setlist_song_id = $1",
    )
    .bind(line)
    .fetch_one(&db)
    .await
    .expect("votes");
    assert_eq!(net, 1, "the vote in flight was applied");

    // A clean exit within the grace, the job back in the queue for another process.
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server did not exit");
    assert!(status.success(), "{status:?}");
    assert!(
        signalled.elapsed() < Duration::from_secs(8),
        "took {:?}",
        signalled.elapsed()
    );
    let (status, locked_by, attempts) = job_row(&db, job).await;
    assert_eq!(
        (status.as_str(), locked_by, attempts),
        ("queued", None, 0),
        "the interrupted job is runnable again at once, its attempt not counted"
    );
}
