//! The evening at the venue, against a live server: going (REST and sync), the scope it brings
//! without a follow, the calendar feed, live captures and the crowd list they merge into.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use uuid::Uuid;

use crate::sync::{Device, now_hlc, of_type, pull_all, pull_until, push};
use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows::{artist, days_from_today, show, song};

/// Sets a show's start (statuses follow it on the scheduler's next run).
pub(crate) async fn starts(
    db: &PgPool,
    show: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    status: &str,
) {
    sqlx::query("UPDATE shows SET starts_at = $2, date = ($2 AT TIME ZONE 'UTC')::date, status = $3::show_status WHERE id = $1")
        .bind(show)
        .bind(at)
        .bind(status)
        .execute(db)
        .await
        .expect("start");
}

pub(crate) fn capture(
    show: Uuid,
    song: Option<Uuid>,
    title: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({ "capture_id": Uuid::now_v7(), "show_id": show, "song_id": song, "title": title, "at": at })
}

fn outcomes(res: &Value) -> Vec<String> {
    res["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let o = r["outcome"].as_str().expect("outcome");
            match r["status"].as_u64() {
                Some(s) => format!("{o} {s}"),
                None => o.to_owned(),
            }
        })
        .collect()
}

/// The distinct shows among pulled changes (a page may repeat a row the watermark held back).
fn show_ids(changes: &[Value]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = of_type(changes, "show")
        .iter()
        .map(|s| s["id"].as_str().expect("id").parse().expect("uuid"))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Runs queued jobs until none is left.
pub(crate) async fn drain(db: &PgPool) {
    let worker = Worker::new(db.clone(), Providers::default());
    while worker.run_one().await.expect("job").is_some() {}
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn going_is_idempotent_private_by_default_and_listed(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Going Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(3), "upcoming").await;
    let hidden = show(&db, a, None, days_from_today(9), "upcoming").await;
    let (me, _, token) = live.quick(Role::User).await;
    let path = format!("/api/v1/me/going/{s}");
    let (st, body) = live
        .put(&path, Some(&token), json!({ "public": true }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _) = live
        .put(&path, Some(&token), json!({ "public": true }))
        .await;
    assert_eq!(
        st,
        StatusCode::NO_CONTENT,
        "the same choice again changes nothing"
    );
    let (st, _) = live
        .put(
            &format!("/api/v1/me/going/{hidden}"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, mine) = live.get_as("/api/v1/me/going", Some(&token)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(mine.as_array().expect("list").len(), 2);
    // Only the public one shows on the profile.
    let page = live.ok(&format!("/api/v1/users/{me}")).await;
    let attending: Vec<&Value> = page["attending"]
        .as_array()
        .expect("attending")
        .iter()
        .collect();
    assert_eq!(attending.len(), 1, "{page}");
    assert_eq!(attending[0]["id"], s.to_string());
    // Bad input changes nothing.
    let (st, body) = live
        .put(
            &format!("/api/v1/me/going/{}", Uuid::now_v7()),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    let (st, body) = live
        .put(&path, Some(&token), json!({ "public": "yes" }))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (st, _) = live.delete(&path, Some(&token)).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, mine) = live.get_as("/api/v1/me/going", Some(&token)).await;
    assert_eq!(mine.as_array().expect("list").len(), 1);
    assert!(
        live.ok(&format!("/api/v1/users/{me}")).await["attending"]
            .as_array()
            .expect("attending")
            .is_empty()
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn going_brings_the_show_into_scope_without_a_follow_and_not_going_takes_it_away(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Unfollowed Band", &[], None, 0.0).await;
    let other = artist(&db, "Nobody's Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(2), "upcoming").await;
    let followed_show = show(&db, other, None, days_from_today(2), "upcoming").await;
    let hit = song(&db, a, "Hit", 80).await;
    let (_, _, token) = live.quick(Role::User).await;
    let mut d = Device::new(&token);
    let m = d.mutation(
        "follow.set@1",
        json!({ "artist_id": other, "follow": true }),
        now_hlc(),
    );
    push(&live, &d, &[m]).await;
    let snapshot = pull_all(&live, &mut d).await;
    assert_eq!(
        show_ids(&snapshot),
        [followed_show],
        "the followed artist's show only"
    );
    let m = d.mutation(
        "show.attend@1",
        json!({ "show_id": s, "going": true, "public": false }),
        now_hlc(),
    );
    let (st, res) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(outcomes(&res), ["applied"]);
    // The newly scoped artist's rows come at once; the attendance row itself once the feed's
    // horizon passes its transaction (other transactions on the cluster can hold it back).
    let changes = pull_until(&live, &mut d, |c| {
        !of_type(c, "song").is_empty() && !of_type(c, "attend").is_empty()
    })
    .await;
    let attends = of_type(&changes, "attend");
    assert_eq!(attends.len(), 1, "{changes:?}");
    assert_eq!(attends[0]["going"], true);
    assert_eq!(attends[0]["artist_id"], a.to_string());
    assert!(show_ids(&changes).contains(&s), "{changes:?}");
    assert_eq!(of_type(&changes, "song")[0]["id"], hit.to_string());
    // Voting needs no follow.
    let vote = d.mutation(
        "community.add@1",
        json!({ "show_id": s, "song_id": hit }),
        now_hlc(),
    );
    let (_, res) = push(&live, &d, &[vote]).await;
    assert_eq!(outcomes(&res), ["applied"]);
    // A fresh device's snapshot holds it too (beside the followed artist's show).
    let mut fresh = Device::new(&token);
    let m = fresh.mutation("show.keep@1", json!({ "show_id": s }), now_hlc());
    push(&live, &fresh, &[m]).await;
    let snap = pull_all(&live, &mut fresh).await;
    let mut both = vec![s, followed_show];
    both.sort();
    assert_eq!(show_ids(&snap), both);
    // Not going: the attendance's tombstone tells the devices to let the artist go.
    let m = d.mutation(
        "show.attend@1",
        json!({ "show_id": s, "going": false, "public": false }),
        now_hlc(),
    );
    push(&live, &d, &[m]).await;
    let gone = pull_until(&live, &mut d, |c| {
        c.iter()
            .any(|x| x["type"] == "deleted" && x["entity"] == "attend")
    })
    .await;
    let tomb = gone
        .iter()
        .find(|x| x["type"] == "deleted" && x["entity"] == "attend")
        .expect("tombstone");
    assert_eq!(tomb["id"], s.to_string());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_calendar_feed_lists_going_shows_behind_a_revocable_secret(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Calendar Band", &[], None, 0.0).await;
    let timed = show(&db, a, None, days_from_today(5), "upcoming").await;
    let start: chrono::DateTime<chrono::Utc> = (chrono::Utc::now() + chrono::Duration::days(5))
        .with_time(chrono::NaiveTime::from_hms_opt(19, 30, 0).expect("time"))
        .single()
        .expect("start");
    starts(&db, timed, start, "upcoming").await;
    let all_day = show(&db, a, None, days_from_today(12), "cancelled").await;
    let not_going = show(&db, a, None, days_from_today(6), "upcoming").await;
    let (_, _, token) = live.quick(Role::User).await;
    for s in [timed, all_day] {
        live.put(&format!("/api/v1/me/going/{s}"), Some(&token), json!({}))
            .await;
    }
    let (st, feed) = live.post_empty("/api/v1/me/calendar", Some(&token)).await;
    assert_eq!(st, StatusCode::CREATED, "{feed}");
    let url = feed["url"].as_str().expect("url").to_owned();
    assert!(url.ends_with(".ics"), "{url}");
    let path = url::Url::parse(&url).expect("url").path().to_owned();
    let res = live
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("feed");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/calendar")
    );
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .expect("cache")
            .contains("no-store")
    );
    let text = res.text().await.expect("body");
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
    assert!(text.contains(&format!("UID:show-{timed}@theset")));
    assert!(
        text.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))),
        "{text}"
    );
    assert!(text.contains("STATUS:CANCELLED"), "{text}");
    assert!(text.contains("DTSTART;VALUE=DATE:"), "{text}");
    assert!(!text.contains(&not_going.to_string()));
    // A new address revokes the old; revoking answers 404 alike for wrong and old secrets.
    let (_, again) = live.post_empty("/api/v1/me/calendar", Some(&token)).await;
    let (st, _) = live.get_text(&path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let new_path = url::Url::parse(again["url"].as_str().expect("url"))
        .expect("url")
        .path()
        .to_owned();
    assert_eq!(live.get_text(&new_path).await.0, StatusCode::OK);
    let (st, _) = live.delete("/api/v1/me/calendar", Some(&token)).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(live.get_text(&new_path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        live.get_text("/api/v1/calendar/not-a-secret.ics").await.0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn captures_count_once_inside_the_show_and_merge_into_the_crowd_list(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Live Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(0), "upcoming").await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(30);
    starts(&db, s, started, "upcoming").await;
    let (one, two) = (
        song(&db, a, "Opener", 50).await,
        song(&db, a, "Closer", 40).await,
    );
    // A prediction to be scored provisionally.
    let (fan, _, fan_token) = live.quick(Role::User).await;
    sqlx::query(
        "WITH l AS (INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
                    VALUES ($1, $2, 'predicted', 'user', $3) RETURNING id) \
         INSERT INTO setlist_songs (setlist_id, song_id, title, position) \
         SELECT id, $4, 'Opener', 0 FROM l",
    )
    .bind(s)
    .bind(a)
    .bind(fan)
    .bind(one)
    .execute(&db)
    .await
    .expect("prediction");
    let mut d = Device::new(&fan_token);
    let early = capture(s, Some(one), "Opener", started - chrono::Duration::hours(2));
    let late = capture(s, Some(one), "Opener", started + chrono::Duration::hours(8));
    let first = capture(
        s,
        Some(one),
        "Opener",
        started + chrono::Duration::minutes(5),
    );
    let cover = capture(
        s,
        None,
        "A Cover Song",
        started + chrono::Duration::minutes(9),
    );
    let closer = capture(
        s,
        Some(two),
        "Closer",
        started + chrono::Duration::minutes(14),
    );
    let stranger = capture(s, Some(Uuid::now_v7()), "Not Theirs", started);
    let batch: Vec<Value> = [
        ("capture.add@1", early),
        ("capture.add@1", late),
        ("capture.add@1", first.clone()),
        // The same capture again (a retried tap): applied once.
        ("capture.add@1", first.clone()),
        ("capture.add@1", cover),
        ("capture.add@1", closer),
        ("capture.add@1", stranger),
    ]
    .into_iter()
    .map(|(k, p)| d.mutation(k, p, now_hlc()))
    .collect();
    let (st, res) = push(&live, &d, &batch).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(
        outcomes(&res),
        [
            "rejected 409",
            "rejected 409",
            "applied",
            "applied",
            "applied",
            "applied",
            "rejected 400"
        ]
    );
    assert!(
        res["results"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("not started")
    );
    assert!(
        res["results"][1]["message"]
            .as_str()
            .expect("msg")
            .contains("over")
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM captures WHERE show_id = $1")
        .bind(s)
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(stored, 3);
    // Another account cannot take over a capture id.
    let (_, _, other_token) = live.quick(Role::User).await;
    let mut other = Device::new(&other_token);
    let m = other.mutation("capture.add@1", first.clone(), now_hlc());
    let (_, res) = push(&live, &other, &[m]).await;
    assert_eq!(outcomes(&res), ["rejected 409"]);
    // Capturing is going.
    let (_, going) = live.get_as("/api/v1/me/going", Some(&fan_token)).await;
    assert_eq!(going[0]["show"]["id"], s.to_string());
    drain(&db).await;
    let detail = live.ok(&format!("/api/v1/shows/{s}")).await;
    let lists = detail["setlists"].as_array().expect("lists");
    let crowd = lists
        .iter()
        .find(|l| l["source"] == "crowd")
        .unwrap_or_else(|| panic!("no crowd list: {detail}"));
    assert_eq!(
        crowd["kind"], "actual",
        "no imported list: the crowd's is the actual one"
    );
    let titles: Vec<&str> = crowd["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|l| l["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Opener", "A Cover Song", "Closer"]);
    let play: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM ss.play_time)::float8 FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE l.show_id = $1 AND l.source = 'crowd' ORDER BY ss.position",
    )
    .bind(s)
    .fetch_all(&db)
    .await
    .expect("play times");
    assert_eq!(play, [300.0, 540.0, 840.0]);
    // Scored provisionally: one of three played songs predicted.
    let board = live.ok(&format!("/api/v1/shows/{s}/leaderboard")).await;
    assert_eq!(board["provisional"], true, "{board}");
    assert_eq!(
        board["entries"].as_array().expect("entries").len(),
        1,
        "{board}"
    );
    // Undo takes a song out at the next merge; undoing twice is one undo; nobody else's.
    let cover_id = batch[4]["payload"]["capture_id"].clone();
    let m = other.mutation(
        "capture.undo@1",
        json!({ "capture_id": cover_id }),
        now_hlc(),
    );
    let (_, res) = push(&live, &other, &[m]).await;
    assert_eq!(outcomes(&res), ["rejected 404"]);
    let undo = [
        d.mutation(
            "capture.undo@1",
            json!({ "capture_id": cover_id }),
            now_hlc(),
        ),
        d.mutation(
            "capture.undo@1",
            json!({ "capture_id": cover_id }),
            now_hlc(),
        ),
    ];
    let (_, res) = push(&live, &d, &undo).await;
    assert_eq!(outcomes(&res), ["applied", "applied"]);
    drain(&db).await;
    let detail = live.ok(&format!("/api/v1/shows/{s}")).await;
    let crowd = detail["setlists"]
        .as_array()
        .expect("lists")
        .iter()
        .find(|l| l["source"] == "crowd")
        .cloned()
        .expect("crowd");
    assert_eq!(crowd["songs"].as_array().expect("songs").len(), 2);
    assert_eq!(crowd["version"], 2);
    // A merge with nothing new writes no version.
    sqlx::query("INSERT INTO sync_jobs (job_type, payload) VALUES ('live.crowd_merge', $1)")
        .bind(json!({ "show_id": s }))
        .execute(&db)
        .await
        .expect("job");
    drain(&db).await;
    let v: i32 =
        sqlx::query_scalar("SELECT version FROM setlists WHERE show_id = $1 AND source = 'crowd'")
            .bind(s)
            .fetch_one(&db)
            .await
            .expect("version");
    assert_eq!(v, 2);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_scheduler_starts_and_ends_shows_on_the_clock(db: PgPool) {
    let a = artist(&db, "Clock Band", &[], None, 0.0).await;
    let now = chrono::Utc::now();
    let on = show(&db, a, None, days_from_today(0), "upcoming").await;
    starts(&db, on, now - chrono::Duration::minutes(10), "upcoming").await;
    let soon = show(&db, a, None, days_from_today(0), "upcoming").await;
    starts(&db, soon, now + chrono::Duration::minutes(10), "upcoming").await;
    let over = show(&db, a, None, days_from_today(0), "ongoing").await;
    starts(&db, over, now - chrono::Duration::hours(6), "ongoing").await;
    let cancelled = show(&db, a, None, days_from_today(0), "cancelled").await;
    starts(
        &db,
        cancelled,
        now - chrono::Duration::minutes(10),
        "cancelled",
    )
    .await;
    let undated = show(&db, a, None, days_from_today(-2), "upcoming").await;
    let (started, ended) = theset_backend::db::shows::advance_statuses(&db)
        .await
        .expect("statuses");
    assert_eq!((started, ended), (1, 2));
    for (s, want) in [
        (on, "ongoing"),
        (soon, "upcoming"),
        (over, "completed"),
        (cancelled, "cancelled"),
        (undated, "completed"),
    ] {
        let status: String = sqlx::query_scalar("SELECT status::text FROM shows WHERE id = $1")
            .bind(s)
            .fetch_one(&db)
            .await
            .expect("status");
        assert_eq!(status, want);
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_catalogue_always_has_a_show_on_tonight(db: PgPool) {
    use theset_backend::db::demo::keep_tonight;
    let mut conn = db.acquire().await.expect("conn");
    let now = chrono::Utc::now();
    let small = artist(&db, "Small Catalogue", &[], None, 0.0).await;
    song(&db, small, "Only Song", 10).await;
    let big = artist(&db, "Big Catalogue", &[], None, 0.0).await;
    for t in ["One", "Two", "Three"] {
        song(&db, big, t, 10).await;
    }
    let hall = theset_testkit::rows::venue(&db, "Hall", "Town", 51.5, -0.1).await;
    show(&db, big, Some(hall), days_from_today(-30), "completed").await;
    let id = keep_tonight(&mut conn, now)
        .await
        .expect("demo")
        .expect("a show");
    let row: (Uuid, Option<Uuid>, chrono::DateTime<chrono::Utc>, String) = sqlx::query_as(
        "SELECT headliner_artist_id, venue_id, starts_at, status::text FROM shows WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .expect("show");
    assert_eq!(
        (row.0, row.1),
        (big, Some(hall)),
        "the largest catalogue, at its venue"
    );
    assert!(
        row.2 <= now && now - row.2 <= chrono::Duration::minutes(90),
        "on stage now"
    );
    assert_eq!(row.3, "ongoing");
    assert!(matches!(
        theset_shared::crowd::accepts_capture(Some(row.2), row.2.date_naive(), now),
        theset_shared::crowd::Capturable::Yes
    ));
    // Again within the evening: nothing moves.
    assert_eq!(keep_tonight(&mut conn, now).await.expect("again"), Some(id));
    let again: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT starts_at FROM shows WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .expect("start");
    assert_eq!(again, row.2);
    // A capture of this evening, then the next evening: it goes, the show stays the same one.
    let (fan, _, _) = {
        let live = TestApp::start(db.clone()).await;
        live.quick(Role::User).await
    };
    sqlx::query("INSERT INTO captures (id, show_id, user_id, title, captured_at) VALUES ($1, $2, $3, 'One', now())")
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(fan)
        .execute(&db)
        .await
        .expect("capture");
    let later = now + chrono::Duration::hours(20);
    assert_eq!(
        keep_tonight(&mut conn, later).await.expect("next"),
        Some(id)
    );
    let (start, captures): (chrono::DateTime<chrono::Utc>, i64) = sqlx::query_as(
        "SELECT starts_at, (SELECT count(*) FROM captures WHERE show_id = $1) FROM shows WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .expect("moved");
    assert!(start <= later && later - start <= chrono::Duration::minutes(90));
    assert_eq!(captures, 0);
}
