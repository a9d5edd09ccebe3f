//! The Postgres job queue and the import jobs, against fake services replaying the fixtures.

use std::time::Duration;

use sqlx::PgPool;
use theset_backend::db::jobs::{self as queue, Failure, NewJob};
use theset_backend::db::progress::Scope;
use theset_backend::db::upsert;
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_artist_job, types};
use theset_backend::providers::ticketmaster::AttractionSearch;
use uuid::Uuid;

use crate::fakes::{AM_TM_ID, Fakes, fixture};

fn new_job(key: Option<&str>, max_attempts: i32) -> NewJob<'static> {
    NewJob {
        job_type: "test.noop",
        payload: serde_json::json!({}),
        artist_id: None,
        priority: 0,
        dedupe_key: key.map(str::to_owned),
        max_attempts,
    }
}

async fn status(db: &PgPool, id: Uuid) -> (String, i32) {
    sqlx::query_as("SELECT status, attempts FROM sync_jobs WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .expect("job")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn enqueue_deduplicates_pending_jobs_only(db: PgPool) {
    let a = queue::enqueue(&db, new_job(Some("k"), 3))
        .await
        .expect("enqueue");
    let b = queue::enqueue(&db, new_job(Some("k"), 3))
        .await
        .expect("enqueue again");
    assert_eq!(a, b, "a pending job with the same key is reused");
    let job = queue::claim(&db, "w1", Duration::from_secs(30))
        .await
        .expect("claim")
        .expect("job");
    assert!(queue::complete(&db, job.id, "w1").await.expect("complete"));
    let c = queue::enqueue(&db, new_job(Some("k"), 3))
        .await
        .expect("enqueue after done");
    assert_ne!(a, c, "a finished job does not block a new one");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn concurrent_claims_never_share_a_job(db: PgPool) {
    for _ in 0..20 {
        queue::enqueue(&db, new_job(None, 3))
            .await
            .expect("enqueue");
    }
    let claims = (0..20).map(|i| {
        let db = db.clone();
        tokio::spawn(
            async move { queue::claim(&db, &format!("w{i}"), Duration::from_secs(30)).await },
        )
    });
    let mut ids = Vec::new();
    for c in futures::future::join_all(claims).await {
        ids.push(c.expect("task").expect("claim").expect("a job each").id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert!(
        queue::claim(&db, "late", Duration::from_secs(30))
            .await
            .expect("claim")
            .is_none()
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_expired_lease_is_reclaimed_and_the_old_worker_cannot_finish(db: PgPool) {
    let id = queue::enqueue(&db, new_job(None, 3))
        .await
        .expect("enqueue");
    queue::claim(&db, "dead", Duration::from_millis(200))
        .await
        .expect("claim")
        .expect("job");
    assert!(
        queue::claim(&db, "other", Duration::from_secs(30))
            .await
            .expect("claim")
            .is_none(),
        "lease held"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = queue::claim(&db, "alive", Duration::from_secs(30))
        .await
        .expect("claim")
        .expect("reclaimed");
    assert_eq!((again.id, again.attempts), (id, 2));
    assert!(
        !queue::renew(&db, id, "dead", Duration::from_secs(30))
            .await
            .expect("renew")
    );
    assert!(
        !queue::complete(&db, id, "dead").await.expect("complete"),
        "the dead worker lost the job"
    );
    assert_eq!(
        queue::fail(&db, id, "dead", "boom", Duration::ZERO, false)
            .await
            .expect("fail"),
        Failure::LeaseLost
    );
    assert!(queue::complete(&db, id, "alive").await.expect("complete"));
    assert_eq!(status(&db, id).await, ("succeeded".into(), 2));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn failures_back_off_then_fail_after_max_attempts(db: PgPool) {
    let id = queue::enqueue(&db, new_job(None, 2))
        .await
        .expect("enqueue");
    queue::claim(&db, "w", Duration::from_secs(30))
        .await
        .expect("claim")
        .expect("job");
    let first = queue::fail(&db, id, "w", "flaky", Duration::from_secs(60), false)
        .await
        .expect("fail");
    assert!(matches!(first, Failure::Retrying { .. }), "{first:?}");
    assert!(
        queue::claim(&db, "w", Duration::from_secs(30))
            .await
            .expect("claim")
            .is_none(),
        "backing off"
    );
    sqlx::query("UPDATE sync_jobs SET run_at = now() WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .expect("due");
    queue::claim(&db, "w", Duration::from_secs(30))
        .await
        .expect("claim")
        .expect("retry");
    let second = queue::fail(&db, id, "w", "still flaky", Duration::ZERO, false)
        .await
        .expect("fail");
    assert_eq!(second, Failure::Failed);
    let (s, _) = status(&db, id).await;
    assert_eq!(s, "failed");
    let err: Option<String> = sqlx::query_scalar("SELECT last_error FROM sync_jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .expect("error");
    assert_eq!(err.as_deref(), Some("still flaky"));

    let p = queue::enqueue(&db, new_job(None, 5))
        .await
        .expect("enqueue");
    queue::claim(&db, "w", Duration::from_secs(30))
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(
        queue::fail(&db, p, "w", "bad", Duration::ZERO, true)
            .await
            .expect("fail"),
        Failure::Failed
    );
}

/// Phase 1 as the search will do it: the artist from the Ticketmaster hit.
async fn arctic_monkeys(db: &PgPool) -> Uuid {
    let search: AttractionSearch = serde_json::from_value(fixture(
        "ticketmaster/attractions_search_arctic_monkeys.json",
    ))
    .expect("search");
    let hit = search
        .embedded
        .expect("hits")
        .attractions
        .into_iter()
        .find(|a| a.id == AM_TM_ID)
        .expect("AM");
    let mut conn = db.acquire().await.expect("conn");
    upsert::artists::from_attraction(&mut conn, &hit, None, theset_shared::api::DataOrigin::Live)
        .await
        .expect("artist")
}

async fn count(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .expect(sql)
}

async fn run_until_idle(worker: &Worker) {
    while worker.run_one().await.expect("run").is_some() {}
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn shows_job_imports_events_and_venues_idempotently(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let artist = arctic_monkeys(&db).await;
    let worker = Worker::new(db.clone(), fakes.providers());
    let job = enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 10)
        .await
        .expect("enqueue");
    assert_eq!(worker.run_one().await.expect("run"), Some(job));
    assert_eq!(status(&db, job).await.0, "succeeded");

    let events = fixture("ticketmaster/events_attraction_arctic_monkeys_page0.json")["page"]["totalElements"]
        .as_i64()
        .expect("total");
    assert_eq!(count(&db, "SELECT count(*) FROM shows").await, events);
    assert_eq!(
        count(&db, "SELECT count(*) FROM venues WHERE location IS NULL").await,
        0,
        "coordinates stored"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM shows WHERE status = 'cancelled'").await,
        1
    );
    // Past shows wait for setlist.fm, and the set-list job is queued.
    assert!(count(&db, "SELECT count(*) FROM show_setlist_imports").await >= 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM sync_jobs WHERE job_type = 'import.artist_setlists' AND status = 'queued'").await,
        1
    );
    let events_seen = theset_testkit::rows::settled_events(&db, Scope::Job(job)).await;
    assert!(
        events_seen
            .iter()
            .any(|e| e.step == "saving" && e.total == Some(events as i32))
    );
    assert!(events_seen.last().expect("last").is_terminal());

    // A second run changes nothing.
    let again = enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 10)
        .await
        .expect("enqueue");
    assert_ne!(again, job);
    worker.run_one().await.expect("run");
    assert_eq!(count(&db, "SELECT count(*) FROM shows").await, events);
    assert_eq!(
        count(&db, "SELECT count(*) FROM venues").await,
        count(&db, "SELECT count(DISTINCT ticketmaster_id) FROM venues").await
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn catalogue_job_keeps_studio_songs_once_per_song(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let artist = arctic_monkeys(&db).await;
    let worker = Worker::new(db.clone(), fakes.providers());
    let job = enqueue_artist_job(&db, types::ARTIST_CATALOGUE, artist, 10)
        .await
        .expect("enqueue");
    worker.run_one().await.expect("run");
    assert_eq!(status(&db, job).await.0, "succeeded");
    let songs = count(&db, "SELECT count(*) FROM artist_songs").await;
    assert!(songs > 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT normalized_title FROM songs GROUP BY 1 HAVING count(*) > 1) d"
        )
        .await,
        0,
        "one song per normal title: remasters and editions are the song"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM songs WHERE title ~* '(live|remix|demo)'"
        )
        .await,
        0,
        "version titles filtered"
    );
    let popularity: Option<i32> =
        sqlx::query_scalar("SELECT popularity FROM artists WHERE id = $1")
            .bind(artist)
            .fetch_one(&db)
            .await
            .expect("artist");
    assert!(popularity.is_some(), "profile refreshed from Spotify");
    // Re-running adds nothing.
    enqueue_artist_job(&db, types::ARTIST_CATALOGUE, artist, 10)
        .await
        .expect("enqueue");
    worker.run_one().await.expect("run");
    assert_eq!(count(&db, "SELECT count(*) FROM artist_songs").await, songs);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn setlists_job_imports_found_shows_and_backs_off_the_rest(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let artist = arctic_monkeys(&db).await;
    let worker = Worker::new(db.clone(), fakes.providers());
    // A past show of ours that setlist.fm has (2023-08-19), known before the import runs.
    let show: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date, status) VALUES ($1, '2023-08-19', 'completed') RETURNING id",
    )
    .bind(artist)
    .fetch_one(&db)
    .await
    .expect("show");
    sqlx::query("INSERT INTO show_setlist_imports (show_id) VALUES ($1)")
        .bind(show)
        .execute(&db)
        .await
        .expect("state");
    enqueue_artist_job(&db, types::ARTIST_CATALOGUE, artist, 5)
        .await
        .expect("enqueue");
    enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 10)
        .await
        .expect("enqueue");
    run_until_idle(&worker).await;

    let state: String =
        sqlx::query_scalar("SELECT state FROM show_setlist_imports WHERE show_id = $1")
            .bind(show)
            .fetch_one(&db)
            .await
            .expect("state");
    assert_eq!(state, "imported");
    assert_eq!(
        count(&db, "SELECT count(*) FROM shows WHERE date = '2023-08-19'").await,
        1,
        "the set-list landed on our show, not a duplicate"
    );
    // Recent history from setlist.fm became past shows with actual set-lists.
    assert!(count(&db, "SELECT count(*) FROM setlists WHERE kind = 'actual'").await >= 10);
    let (lines, matched): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(ss.song_id) FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id WHERE l.show_id = $1",
    )
    .bind(show)
    .fetch_one(&db)
    .await
    .expect("songs");
    assert!(lines > 10 && matched > 0, "{matched} of {lines}");
    // Shows setlist.fm does not have wait on their own back-off.
    let waiting = count(
        &db,
        "SELECT count(*) FROM show_setlist_imports WHERE state = 'not_found' AND next_attempt_at > now() + interval '5 hours'",
    )
    .await;
    assert!(waiting >= 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_jobs WHERE status <> 'succeeded'"
        )
        .await,
        0,
        "every job finished"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_job_without_its_provider_fails_permanently(db: PgPool) {
    let artist = arctic_monkeys(&db).await;
    let worker = Worker::new(db.clone(), Providers::default());
    let job = enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 0)
        .await
        .expect("enqueue");
    worker.run_one().await.expect("run");
    assert_eq!(status(&db, job).await.0, "failed");
    let last = theset_testkit::rows::settled_events(&db, Scope::Job(job)).await;
    assert_eq!(last.last().map(|e| e.status.as_str()), Some("failed"));
}

/// Kills a real worker process (SIGKILL) in the middle of a job; a second process picks the job up
/// after the lease expires and completes it once, with no duplicates.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_killed_worker_process_leaves_a_job_that_completes_once(db: PgPool) {
    let fakes = Fakes::start(Duration::from_millis(400)).await;
    let artist = arctic_monkeys(&db).await;
    let job = enqueue_artist_job(&db, types::ARTIST_CATALOGUE, artist, 0)
        .await
        .expect("enqueue");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("db name");
    let db_name = db
        .connect_options()
        .get_database()
        .expect("test database")
        .to_owned();
    let url = format!("{server}/{db_name}");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_theset-backend"))
            .arg("worker")
            .env("DATABASE_URL", &url)
            .env("THESET_JOB_LEASE_SECS", "2")
            .env("RUST_LOG", "warn")
            .envs(fakes.env())
            .spawn()
            .expect("worker process")
    };

    let mut first = spawn();
    // Wait until the job is visibly in progress (Spotify profile fetched), then kill -9.
    let start = std::time::Instant::now();
    loop {
        let steps = count(
            &db,
            &format!(
                "SELECT count(*) FROM sync_progress WHERE job_id = '{job}' AND step = 'albums'"
            ),
        )
        .await;
        if steps > 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the job never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");
    assert_eq!(status(&db, job).await.0, "running", "killed mid-job");

    let mut second = spawn();
    let start = std::time::Instant::now();
    while status(&db, job).await.0 != "succeeded" {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the job was never completed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().expect("stop");
    second.wait().expect("reap");

    assert_eq!(
        status(&db, job).await,
        ("succeeded".into(), 2),
        "completed on the second attempt"
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM sync_progress WHERE job_id = '{job}' AND status = 'succeeded'"
            )
        )
        .await,
        1,
        "completed once"
    );
    let songs = count(&db, "SELECT count(*) FROM songs").await;
    assert!(songs > 0);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT isrc) FROM songs").await,
        count(&db, "SELECT count(isrc) FROM songs").await
    );
    // The same import again, in-process: nothing new.
    enqueue_artist_job(&db, types::ARTIST_CATALOGUE, artist, 0)
        .await
        .expect("enqueue");
    Worker::new(db.clone(), fakes.providers())
        .run_one()
        .await
        .expect("run");
    assert_eq!(count(&db, "SELECT count(*) FROM songs").await, songs);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn two_ticketmaster_entries_for_one_spotify_artist_both_import(db: PgPool) {
    let search: AttractionSearch = serde_json::from_value(fixture(
        "ticketmaster/attractions_search_arctic_monkeys.json",
    ))
    .expect("search");
    let mut hit = search
        .embedded
        .expect("hits")
        .attractions
        .into_iter()
        .find(|a| a.id == AM_TM_ID)
        .expect("AM");
    let mut conn = db.acquire().await.expect("conn");
    let first = upsert::artists::from_attraction(
        &mut conn,
        &hit,
        None,
        theset_shared::api::DataOrigin::Live,
    )
    .await
    .expect("first");
    // The same act listed again under another Ticketmaster id, with the same external links.
    hit.id = "K8vZ9171ALIAS".into();
    hit.name = "Arctic Monkeys (Special Set)".into();
    let second = upsert::artists::from_attraction(
        &mut conn,
        &hit,
        None,
        theset_shared::api::DataOrigin::Live,
    )
    .await
    .expect("second");
    assert_ne!(first, second);
    let holders: i64 =
        sqlx::query_scalar("SELECT count(*) FROM artists WHERE spotify_id IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .expect("count");
    assert_eq!(holders, 1, "the Spotify link stays with the first artist");
    // Re-importing the first keeps its links.
    let again = search_first(&db).await;
    assert_eq!(again, first);
}

async fn search_first(db: &PgPool) -> Uuid {
    arctic_monkeys(db).await
}

/// Progress rows are served in (transaction, id) order behind the oldest running transaction:
/// a row whose transaction started first but commits last is never skipped by a stream.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn progress_written_by_a_late_commit_is_not_skipped(db: PgPool) {
    use theset_backend::db::progress::{self, Cursor, Report, Scope};
    let job: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO sync_jobs (job_type) VALUES ('cron.trending') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .expect("job");
    let report = |step: &'static str| Report::running("trending", step);
    let mut slow = db.begin().await.expect("tx");
    progress::record(&mut *slow, job, &report("first"))
        .await
        .expect("first");
    progress::record(&db, job, &report("second"))
        .await
        .expect("second");
    let seen = progress::events_after(&db, Scope::Job(job), Cursor::default(), 10)
        .await
        .expect("read");
    assert!(
        seen.is_empty(),
        "the committed row waits for the older open one: {seen:?}"
    );
    slow.commit().await.expect("commit");
    let mut steps = Vec::new();
    for _ in 0..100 {
        let seen = progress::events_after(&db, Scope::Job(job), Cursor::default(), 10)
            .await
            .expect("read");
        steps = seen.into_iter().map(|(_, e)| e.step).collect();
        if steps.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(steps, ["first", "second"]);
}
