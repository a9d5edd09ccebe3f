//! Cron: each slot fires once whatever the number of schedulers; the trending and weekly jobs.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use sqlx::PgPool;
use theset_backend::cron::{self, fire};
use theset_backend::db::progress::Scope;
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_cron_job, types};
use uuid::Uuid;

use theset_testkit::rows::{artist, days_from_today, show, user};

async fn count(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .expect(sql)
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_slot_fires_once_across_concurrent_schedulers(db: PgPool) {
    let entries = cron::entries(&theset_backend::config::ScheduleConfig::default());
    let trending = entries
        .iter()
        .find(|e| e.name == "trending")
        .expect("trending")
        .clone();
    let slot = Utc
        .with_ymd_and_hms(2026, 11, 26, 2, 0, 0)
        .single()
        .expect("slot");
    // Eight schedulers (as in eight backend processes, each with its own connection) race for it.
    let racers = (0..8).map(|i| {
        let (db, entry) = (db.clone(), trending.clone());
        tokio::spawn(async move { fire(&db, &entry, slot, &format!("instance-{i}")).await })
    });
    let fired: Vec<Option<Uuid>> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("fire"))
        .collect();
    assert_eq!(fired.iter().filter(|f| f.is_some()).count(), 1, "{fired:?}");
    assert_eq!(count(&db, "SELECT count(*) FROM cron_runs").await, 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_jobs WHERE job_type = 'cron.trending'"
        )
        .await,
        1
    );
    // The next slot is a new run.
    let next = trending.schedule.after(&slot).next().expect("next slot");
    // While the previous run is still queued, the new slot coalesces into it.
    let first = fired.into_iter().flatten().next();
    assert_eq!(
        fire(&db, &trending, next, "instance-0")
            .await
            .expect("fire"),
        first
    );
    assert_eq!(count(&db, "SELECT count(*) FROM cron_runs").await, 2);
    assert_eq!(count(&db, "SELECT count(*) FROM sync_jobs").await, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn trending_ranks_recent_activity_and_near_shows(db: PgPool) {
    let followed = artist(&db, "Followed Band", &[], None, 0.0).await;
    let touring = artist(&db, "Touring Band", &[], None, 0.0).await;
    let quiet = artist(&db, "Quiet Band", &[], None, 0.0).await;
    sqlx::query("UPDATE artists SET ticketmaster_id = 'tm-' || slug")
        .execute(&db)
        .await
        .expect("tm ids");
    for n in 0..3 {
        let u = user(&db, n).await;
        sqlx::query("INSERT INTO user_follows_artists (user_id, artist_id) VALUES ($1, $2)")
            .bind(u)
            .bind(followed)
            .execute(&db)
            .await
            .expect("follow");
    }
    show(&db, touring, None, days_from_today(5), "upcoming").await;
    show(&db, quiet, None, days_from_today(200), "upcoming").await;
    let job = enqueue_cron_job(&db, types::CRON_TRENDING)
        .await
        .expect("enqueue");
    Worker::new(db.clone(), Providers::default())
        .run_one()
        .await
        .expect("run");
    let scores: Vec<(String, f64)> =
        sqlx::query_as("SELECT name, trending_score FROM artists ORDER BY trending_score DESC")
            .fetch_all(&db)
            .await
            .expect("scores");
    let names: Vec<&str> = scores.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Followed Band", "Touring Band", "Quiet Band"],
        "{scores:?}"
    );
    assert_eq!(scores[2].1, 0.0, "a show 200 days out adds nothing");
    let expected = 3.0 * theset_shared::trending::FOLLOW_WEIGHT;
    assert!(
        (scores[0].1 - expected).abs() < 0.01,
        "three fresh follows: {}",
        scores[0].1
    );
    // The top artists were queued for a deep refresh.
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT artist_id) FROM sync_jobs WHERE job_type LIKE 'import.%'"
        )
        .await,
        3
    );
    let events = theset_testkit::rows::settled_events(&db, Scope::Job(job)).await;
    assert_eq!(
        events.last().map(|e| e.status.as_str()),
        Some("succeeded"),
        "{events:#?}"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn weekly_sweep_queues_everyone_cleans_up_and_reports(db: PgPool) {
    for i in 0..25 {
        let a = artist(&db, &format!("Band {i:02}"), &[], None, 0.0).await;
        sqlx::query("UPDATE artists SET ticketmaster_id = $2 WHERE id = $1")
            .bind(a)
            .bind(format!("tm{i}"))
            .execute(&db)
            .await
            .expect("tm id");
    }
    sqlx::query("INSERT INTO songs (title, normalized_title) VALUES ('Orphan', 'orphan')")
        .execute(&db)
        .await
        .expect("orphan");
    let job = enqueue_cron_job(&db, types::CRON_WEEKLY)
        .await
        .expect("enqueue");
    Worker::new(db.clone(), Providers::default())
        .with_sweep_delay(Duration::ZERO)
        .run_one()
        .await
        .expect("run");
    assert_eq!(
        count(&db, "SELECT count(*) FROM songs").await,
        0,
        "orphan song removed"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT artist_id) FROM sync_jobs WHERE job_type = 'import.artist_shows'"
        )
        .await,
        25,
        "every artist, across two batches"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT artist_id) FROM sync_jobs WHERE job_type = 'import.artist_profile'"
        )
        .await,
        25,
        "every artist's own record is fetched again too"
    );
    let events = theset_testkit::rows::settled_events(&db, Scope::Job(job)).await;
    let report = events
        .iter()
        .find(|e| e.step == "report")
        .and_then(|e| e.message.clone())
        .expect("report");
    assert!(
        report.contains("0 set-list songs with drifted vote totals"),
        "{report}"
    );
    assert!(report.contains("removed 1 orphan songs"), "{report}");
}

/// Two real backend processes run the scheduler on one database with a schedule firing every
/// second: every slot is recorded once and queued once.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn two_processes_fire_each_slot_once(db: PgPool) {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("db");
    let url = format!(
        "{server}/{}",
        db.connect_options().get_database().expect("db name")
    );
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_theset-backend"))
            .arg("worker")
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .env("THESET_CRON_TRENDING", "* * * * * *")
            .env("THESET_CRON_ACTIVE", "0 0 0 1 1 *")
            .env("THESET_CRON_WEEKLY", "0 0 0 1 1 *")
            .spawn()
            .expect("worker process")
    };
    let (mut a, mut b) = (spawn(), spawn());
    tokio::time::sleep(Duration::from_secs(5)).await;
    for p in [&mut a, &mut b] {
        let _ = p.kill();
        let _ = p.wait();
    }
    let (rows, slots, with_job): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT slot), count(job_id) FROM cron_runs WHERE name = 'trending'",
    )
    .fetch_one(&db)
    .await
    .expect("cron runs");
    assert!(rows >= 2, "the schedule fired ({rows} runs)");
    assert_eq!(rows, slots, "no slot fired twice");
    assert_eq!(with_job, rows, "every fired slot queued (or joined) a job");
    // Slots are the schedule's instants (whole seconds here), not each process's own clock, which
    // is what makes two processes agree on them.
    let off_schedule = count(
        &db,
        "SELECT count(*) FROM cron_runs WHERE date_trunc('second', slot) <> slot",
    )
    .await;
    assert_eq!(off_schedule, 0);
    let instances = count(&db, "SELECT count(DISTINCT instance) FROM cron_runs").await;
    assert!(instances >= 1);
    let jobs = count(
        &db,
        "SELECT count(*) FROM sync_jobs WHERE job_type = 'cron.trending'",
    )
    .await;
    assert!(jobs <= rows, "{jobs} jobs for {rows} slots");
}

/// The weekly sweep fetches each artist's own Ticketmaster record again: a renamed artist with a
/// new picture and links is current a week later, not only its shows.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_weekly_sweep_refreshes_the_artists_own_record(db: PgPool) {
    use wiremock::matchers::path;
    use wiremock::{Mock, ResponseTemplate};
    let fakes = crate::fakes::Fakes::start(Duration::ZERO).await;
    let a = artist(&db, "Old Name", &["rock"], None, 0.0).await;
    sqlx::query("UPDATE artists SET ticketmaster_id = 'K8vZ917renamed' WHERE id = $1")
        .bind(a)
        .execute(&db)
        .await
        .expect("tm id");
    Mock::given(path("/tm/discovery/v2/attractions/K8vZ917renamed.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "K8vZ917renamed", "name": "New Name",
            "images": [{ "url": "https://s1.ticketm.net/new.jpg", "ratio": "16_9", "width": 1024, "height": 576 }],
            "classifications": [{ "genre": { "name": "Alternative" } }],
            "externalLinks": { "homepage": [{ "url": "https://newname.example" }] }
        })))
        .mount(&fakes.server)
        .await;
    enqueue_cron_job(&db, types::CRON_WEEKLY)
        .await
        .expect("enqueue");
    let worker = Worker::new(db.clone(), fakes.providers()).with_sweep_delay(Duration::ZERO);
    // The sweep, then what it queued (shows and catalogue find nothing for this id: fine).
    while worker.run_one().await.expect("run").is_some() {}
    let (name, image, genres, links): (String, Option<String>, Vec<String>, serde_json::Value) =
        sqlx::query_as("SELECT name, image_url, genres, links FROM artists WHERE id = $1")
            .bind(a)
            .fetch_one(&db)
            .await
            .expect("artist");
    assert_eq!(name, "New Name");
    assert_eq!(image.as_deref(), Some("https://s1.ticketm.net/new.jpg"));
    assert_eq!(genres, ["alternative"]);
    assert_eq!(links[0]["url"], "https://newname.example");
}
