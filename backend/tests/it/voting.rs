//! Community lists, votes and predictions against the live server: catalogue rules, roles,
//! closing at show time, idempotent retries (also concurrent), totals equal to a fresh count,
//! and the live stream with coalescing and resume.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::db::community::{self, Cursor};
use theset_backend::db::votes;
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

struct Stage {
    show: Uuid,
    artist: Uuid,
    songs: Vec<Uuid>,
}

async fn stage(db: &PgPool, days: i64) -> Stage {
    let artist = support::artist(
        db,
        &format!("Voters {}", Uuid::new_v4().simple()),
        &[],
        None,
        0.0,
    )
    .await;
    let show = support::show(db, artist, None, support::days_from_today(days), "upcoming").await;
    let mut songs = Vec::new();
    for t in ["Opener", "Hit Single", "Deep Cut", "Ballad"] {
        songs.push(support::song(db, artist, t, 50).await);
    }
    Stage {
        show,
        artist,
        songs,
    }
}

fn mid() -> String {
    Uuid::now_v7().to_string()
}

async fn add(
    live: &TestApp,
    token: &str,
    show: Uuid,
    song: Uuid,
    mutation: &str,
) -> (StatusCode, Value) {
    live.post(
        &format!("/api/v1/shows/{show}/community/songs"),
        Some(token),
        json!({ "mutation_id": mutation, "song_id": song }),
    )
    .await
}

async fn vote(
    live: &TestApp,
    token: &str,
    line: &str,
    value: i16,
    mutation: &str,
) -> (StatusCode, Value) {
    live.put(
        &format!("/api/v1/setlist-songs/{line}/vote"),
        Some(token),
        json!({ "mutation_id": mutation, "value": value }),
    )
    .await
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn fans_add_catalogue_songs_and_vote_once_each(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (_, _, alice) = live.quick(Role::User).await;
    let (_, _, bob) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;

    let m = mid();
    let (st, first) = add(&live, &alice, s.show, s.songs[1], &m).await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    let line = first["setlist_song_id"].as_str().expect("line").to_owned();
    // The same mutation again: the same answer, nothing new.
    assert_eq!(
        add(&live, &alice, s.show, s.songs[1], &m).await,
        (StatusCode::CREATED, first.clone())
    );
    // Another fan adding the same song gets the existing line.
    let (st, again) = add(&live, &bob, s.show, s.songs[1], &mid()).await;
    assert_eq!(
        (st, again["setlist_song_id"].as_str()),
        (StatusCode::OK, Some(line.as_str()))
    );
    let (st, second) = add(&live, &bob, s.show, s.songs[2], &mid()).await;
    assert_eq!(st, StatusCode::CREATED);
    let other_line = second["setlist_song_id"].as_str().expect("line").to_owned();

    // Songs outside the headliner's catalogue are refused; free text is for moderators.
    let stranger = support::artist(&db, "Someone Else", &[], None, 0.0).await;
    let foreign = support::song(&db, stranger, "Not Theirs", 1).await;
    assert_eq!(
        add(&live, &alice, s.show, foreign, &mid()).await.0,
        StatusCode::BAD_REQUEST
    );
    let title = async |token: &str| {
        live.post(
            &format!("/api/v1/shows/{}/community/titles", s.show),
            Some(token),
            json!({ "mutation_id": mid(), "title": "Cover of a Classic" }),
        )
        .await
    };
    assert_eq!(title(&alice).await.0, StatusCode::FORBIDDEN);
    let (st, cover) = title(&moderator).await;
    assert_eq!(
        (st, cover["song_id"].clone()),
        (StatusCode::CREATED, Value::Null)
    );

    // Votes: up, retried, changed, cleared; one per fan and line.
    let m = mid();
    let (st, t) = vote(&live, &alice, &line, 1, &m).await;
    assert_eq!(
        (st, t["upvotes"].as_i64(), t["net_votes"].as_i64()),
        (StatusCode::OK, Some(1), Some(1))
    );
    assert_eq!(
        vote(&live, &alice, &line, 1, &m).await.1,
        t,
        "retry answers the same"
    );
    let (_, t) = vote(&live, &bob, &line, 1, &mid()).await;
    assert_eq!(t["upvotes"], 2);
    let (_, t) = vote(&live, &alice, &line, -1, &mid()).await;
    assert_eq!(
        (
            t["upvotes"].as_i64(),
            t["downvotes"].as_i64(),
            t["net_votes"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let (_, t) = vote(&live, &alice, &line, 0, &mid()).await;
    assert_eq!(
        (t["upvotes"].as_i64(), t["downvotes"].as_i64()),
        (Some(1), Some(0))
    );
    vote(&live, &alice, &other_line, 1, &mid()).await;
    vote(&live, &bob, &other_line, 1, &mid()).await;
    assert_eq!(
        vote(&live, &alice, &line, 2, &mid()).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        vote(&live, &alice, &Uuid::new_v4().to_string(), 1, &mid())
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The list: best first, with the caller's own vote.
    let (_, list) = live
        .get_as(&format!("/api/v1/shows/{}/community", s.show), Some(&alice))
        .await;
    let titles: Vec<&str> = list["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|x| x["title"].as_str().expect("t"))
        .collect();
    assert_eq!(titles, ["Deep Cut", "Hit Single", "Cover of a Classic"]);
    assert_eq!(list["songs"][0]["my_vote"], 1);
    assert_eq!(list["songs"][1]["my_vote"], Value::Null);
    assert_eq!(list["voting_open"], true);
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM applied_mutations")
        .fetch_one(&db)
        .await
        .expect("q");
    assert!(applied >= 9, "{applied}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_same_mutation_sent_at_once_applies_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, line) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let line = line["setlist_song_id"].as_str().expect("line").to_owned();
    let m = mid();
    let answers = futures::future::join_all((0..16).map(|_| vote(&live, &fan, &line, 1, &m))).await;
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].1["upvotes"], 1);
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM applied_mutations WHERE kind = 'vote.set@1'")
            .fetch_one(&db)
            .await
            .expect("q");
    assert_eq!(rows, 1);
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
}

/// A retried vote is answered as the first time and changes nothing: after a later vote of the
/// same fan (the retry must not bring the old value back), and after voting closed (the retry of
/// a vote made before gets its answer, not the refusal).
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_retried_vote_gets_its_first_answer_even_after_later_changes(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 3).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, line) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let line = line["setlist_song_id"].as_str().expect("line").to_owned();
    let first = mid();
    let answer = vote(&live, &fan, &line, 1, &first).await;
    assert_eq!(answer.0, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.1["upvotes"], 1);
    let (st, later) = vote(&live, &fan, &line, -1, &mid()).await;
    assert_eq!(st, StatusCode::OK, "{later}");
    assert_eq!(later["downvotes"], 1);

    assert_eq!(vote(&live, &fan, &line, 1, &first).await, answer);
    let value: i16 = sqlx::query_scalar("SELECT value FROM votes")
        .fetch_one(&db)
        .await
        .expect("vote");
    assert_eq!(value, -1, "the retry left the later vote in place");

    sqlx::query("UPDATE shows SET starts_at = now() - interval '1 minute' WHERE id = $1")
        .bind(s.show)
        .execute(&db)
        .await
        .expect("start");
    assert_eq!(vote(&live, &fan, &line, 1, &first).await, answer);
    let (st, _) = vote(&live, &fan, &line, 1, &mid()).await;
    assert_eq!(st, StatusCode::CONFLICT, "a new vote is refused");
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn voting_and_predictions_close_when_the_show_starts(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 3).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, line) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let line = line["setlist_song_id"].as_str().expect("line").to_owned();
    let put = async |songs: Value| {
        live.put(
            &format!("/api/v1/shows/{}/prediction", s.show),
            Some(&fan),
            json!({ "mutation_id": mid(), "songs": songs }),
        )
        .await
    };
    assert_eq!(
        put(json!([{ "song_id": s.songs[0] }])).await.0,
        StatusCode::OK
    );
    // The show starts.
    sqlx::query("UPDATE shows SET starts_at = now() - interval '1 minute' WHERE id = $1")
        .bind(s.show)
        .execute(&db)
        .await
        .expect("start");
    let (st, body) = vote(&live, &fan, &line, 1, &mid()).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    assert_eq!(
        add(&live, &fan, s.show, s.songs[1], &mid()).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(put(json!([])).await.0, StatusCode::CONFLICT);
    let (_, p) = live
        .get_as(&format!("/api/v1/shows/{}/prediction", s.show), Some(&fan))
        .await;
    assert_eq!(
        (p["locked"].as_bool(), p["songs"].as_array().map(Vec::len)),
        (Some(true), Some(1))
    );
    let (_, list) = live
        .get_as(&format!("/api/v1/shows/{}/community", s.show), None)
        .await;
    assert_eq!(list["voting_open"], false);
    // Lines of actual set-lists never take votes.
    let (_, actual) = support::setlist(&db, s.show, s.artist, "setlistfm", &["Opener"]).await;
    let (st, body) = vote(&live, &fan, &actual[0].to_string(), 1, &mid()).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn personal_predictions_are_ordered_private_and_validated(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (_, _, alice) = live.quick(Role::User).await;
    let (_, _, bob) = live.quick(Role::User).await;
    let url = format!("/api/v1/shows/{}/prediction", s.show);
    let body = |songs: Value| Some(json!({ "mutation_id": mid(), "songs": songs }));
    let (st, p) = live.send(Method::PUT, &url, Some(&alice), body(json!([
        { "song_id": s.songs[2] }, { "song_id": s.songs[0] }, { "song_id": s.songs[3], "encore": true }
    ]))).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let titles: Vec<(String, bool)> = p["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|x| {
            (
                x["title"].as_str().expect("t").to_owned(),
                x["encore"].as_bool().expect("e"),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("Deep Cut".into(), false),
            ("Opener".into(), false),
            ("Ballad".into(), true)
        ]
    );
    // Each fan sees only their own.
    let (_, theirs) = live.get_as(&url, Some(&bob)).await;
    assert_eq!(theirs["songs"], json!([]));
    let (_, mine) = live.get_as(&url, Some(&alice)).await;
    assert_eq!(mine["songs"], p["songs"]);
    for (bad, why) in [
        (
            json!([{ "song_id": s.songs[0] }, { "song_id": s.songs[0] }]),
            "duplicate",
        ),
        (
            json!([{ "song_id": s.songs[0], "encore": true }, { "song_id": s.songs[1] }]),
            "main after encore",
        ),
        (
            json!([{ "song_id": Uuid::new_v4() }]),
            "not in the catalogue",
        ),
        (
            json!([{ "song_id": s.songs[0], "position": 3 }]),
            "unknown field",
        ),
    ] {
        let (st, _) = live.send(Method::PUT, &url, Some(&alice), body(bad)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{why}");
    }
    let (_, still) = live.get_as(&url, Some(&alice)).await;
    assert_eq!(still["songs"], p["songs"], "refused updates change nothing");
}

/// Reads SSE `totals` events until `n` arrived or `within` passed.
async fn read_events(res: reqwest::Response, n: usize, within: Duration) -> Vec<(String, Value)> {
    read_events_until(res, |out| out.len() >= n, within).await
}

/// Events until `done` holds for what arrived, or `within` passes.
async fn read_events_until(
    res: reqwest::Response,
    done: impl Fn(&[(String, Value)]) -> bool,
    within: Duration,
) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut buf = String::new();
    let mut res = res;
    let deadline = tokio::time::Instant::now() + within;
    while !done(&out) {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await else {
            break;
        };
        for event in theset_testkit::sse::take_events(&mut buf, &chunk) {
            if let (Some(id), Some(data)) = (event.id, event.data) {
                out.push((id, serde_json::from_str(&data).expect("json")));
            }
        }
    }
    out
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn live_totals_stream_coalesces_bursts_and_resumes(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, a) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let line = a["setlist_song_id"].as_str().expect("line").to_owned();
    let (_, list) = live
        .get_as(&format!("/api/v1/shows/{}/community", s.show), None)
        .await;
    let cursor = list["cursor"].as_str().expect("cursor").to_owned();
    let stream = live
        .req(
            Method::GET,
            &format!("/api/v1/shows/{}/events?after={cursor}", s.show),
        )
        .send()
        .await
        .expect("sse");
    assert_eq!(stream.status(), StatusCode::OK);

    // A burst: 12 fans vote up within a few milliseconds.
    let mut fans = Vec::new();
    for _ in 0..12 {
        fans.push(live.quick(Role::User).await.2);
    }
    let ids: Vec<String> = fans.iter().map(|_| mid()).collect();
    let cast = futures::future::join_all(
        fans.iter()
            .zip(&ids)
            .map(|(f, m)| vote(&live, f, &line, 1, m)),
    )
    .await;
    for (status, body) in &cast {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    // Generous: the feed waits for every older transaction of the cluster (other tests' too,
    // migrations included); the read ends as soon as the latest totals arrive.
    let started = std::time::Instant::now();
    let events = read_events_until(
        stream,
        |seen| seen.last().is_some_and(|(_, t)| t["upvotes"] == 12),
        Duration::from_secs(30),
    )
    .await;
    eprintln!("the burst's totals arrived after {:?}", started.elapsed());
    assert!(!events.is_empty(), "no live event");
    assert!(
        events.len() <= 4,
        "a burst of 12 votes came as {} events",
        events.len()
    );
    let last = events.last().expect("event");
    assert_eq!(last.1["upvotes"], 12, "the latest totals arrive");

    // Resume after the last event: nothing old again, the next change arrives.
    let resumed = live
        .req(Method::GET, &format!("/api/v1/shows/{}/events", s.show))
        .header("last-event-id", &last.0)
        .send()
        .await
        .expect("sse");
    vote(&live, &fan, &line, -1, &mid()).await;
    // Generous: a change waits behind the cluster's oldest open transaction (`db::feed`), and
    // other tests hold some on the shared cluster; the read ends as soon as the event arrives.
    let next = read_events(resumed, 1, Duration::from_secs(30)).await;
    assert_eq!(next.len(), 1);
    assert_eq!(
        (
            next[0].1["upvotes"].as_i64(),
            next[0].1["downvotes"].as_i64()
        ),
        (Some(12), Some(1))
    );
    let bad = live
        .req(Method::GET, &format!("/api/v1/shows/{}/events", s.show))
        .header("last-event-id", "soon")
        .send()
        .await
        .expect("sse");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_change_that_commits_late_is_never_skipped(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (early_user, _, fan) = live.quick(Role::User).await;
    let (late_user, _, _) = live.quick(Role::User).await;
    let (_, a) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let (_, b) = add(&live, &fan, s.show, s.songs[1], &mid()).await;
    let line_a: Uuid = a["setlist_song_id"]
        .as_str()
        .expect("a")
        .parse()
        .expect("uuid");
    let line_b: Uuid = b["setlist_song_id"]
        .as_str()
        .expect("b")
        .parse()
        .expect("uuid");
    // Start from a cursor past both additions (other tests' transactions may hide them a moment).
    let mut start = Cursor::default();
    for _ in 0..100 {
        start = community::watermark(&db, s.show).await.expect("watermark");
        if !community::hidden_after(&db, s.show, start)
            .await
            .expect("hidden")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Transaction 1 starts first and changes line A, but commits last.
    let mut slow = db.begin().await.expect("tx");
    votes::set(&mut *slow, late_user, line_a, Some(1))
        .await
        .expect("vote a");
    // Transaction 2 changes line B and commits at once.
    votes::set(&db, early_user, line_b, Some(1))
        .await
        .expect("vote b");
    let seen = community::changes_after(&db, s.show, start, 100)
        .await
        .expect("read");
    assert!(
        seen.iter().all(|(_, t)| t.setlist_song_id != line_b),
        "B must wait for the older open transaction: {seen:?}"
    );
    assert!(
        community::hidden_after(&db, s.show, start)
            .await
            .expect("hidden")
    );
    slow.commit().await.expect("commit");
    // Visible once every older transaction of the cluster (other tests run beside this one) ends.
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = community::changes_after(&db, s.show, start, 100)
            .await
            .expect("read");
        if seen.iter().any(|(_, t)| t.setlist_song_id == line_b) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lines: Vec<Uuid> = seen.iter().map(|(_, t)| t.setlist_song_id).collect();
    assert_eq!(lines, [line_a, line_b]);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(Cursor::decode(&seen[1].0.encode()) == Some(seen[1].0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn likely_songs_rank_recent_staples_and_seed_an_empty_list(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Predictable Band", &[], None, 0.0).await;
    for t in ["Staple", "New Single", "Never Played", "Old Era"] {
        support::song(&db, artist, t, 50).await;
    }
    for (days, titles) in [
        (-10, &["Staple", "New Single"][..]),
        (-20, &["Staple", "New Single"][..]),
        (-700, &["Staple", "Old Era"][..]),
    ] {
        let past = support::show(
            &db,
            artist,
            None,
            support::days_from_today(days),
            "completed",
        )
        .await;
        support::setlist(&db, past, artist, "setlistfm", titles).await;
    }
    sqlx::query(
        "UPDATE setlist_songs ss SET song_id = s.id FROM songs s JOIN artist_songs x ON x.song_id = s.id \
         WHERE x.artist_id = $1 AND s.title = ss.title",
    )
    .bind(artist)
    .execute(&db)
    .await
    .expect("match");
    let show = support::show(&db, artist, None, support::days_from_today(10), "upcoming").await;

    let (s, likely) = live
        .get_as(&format!("/api/v1/shows/{show}/likely"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let order: Vec<&str> = likely
        .as_array()
        .expect("list")
        .iter()
        .map(|l| l["title"].as_str().expect("t"))
        .collect();
    assert_eq!(order, ["Staple", "New Single", "Old Era", "Never Played"]);
    let p = |i: usize| likely[i]["probability"].as_f64().expect("p");
    assert!(p(0) > 0.8 && p(3) > 0.0 && p(3) < 0.1, "{likely}");

    // The empty community list starts from the likely songs, with their chances beside them.
    let (_, list) = live
        .get_as(&format!("/api/v1/shows/{show}/community"), None)
        .await;
    let seeded: Vec<&str> = list["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|l| l["title"].as_str().expect("t"))
        .collect();
    assert_eq!(seeded, ["Staple", "New Single"], "{list}");
    assert!(
        list["songs"][0]["likelihood"]
            .as_f64()
            .is_some_and(|p| p > 0.8)
    );
    let (_, again) = live
        .get_as(&format!("/api/v1/shows/{show}/community"), None)
        .await;
    assert_eq!(
        again["songs"].as_array().map(Vec::len),
        Some(2),
        "seeded once"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn every_subscriber_of_a_show_gets_each_change_once_late_joiners_their_backlog(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db, 10).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, a) = add(&live, &fan, s.show, s.songs[0], &mid()).await;
    let line = a["setlist_song_id"].as_str().expect("line").to_owned();
    let (_, list) = live
        .get_as(&format!("/api/v1/shows/{}/community", s.show), None)
        .await;
    let cursor = list["cursor"].as_str().expect("cursor").to_owned();
    let url = format!("/api/v1/shows/{}/events?after={cursor}", s.show);
    let early: Vec<reqwest::Response> =
        futures::future::join_all((0..5).map(|_| live.req(Method::GET, &url).send()))
            .await
            .into_iter()
            .map(|r| r.expect("sse"))
            .collect();
    assert_eq!(vote(&live, &fan, &line, 1, &mid()).await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Joins after the vote, from the same cursor: gets it from the backlog.
    let late = live.req(Method::GET, &url).send().await.expect("sse");
    let (_, _, other) = live.quick(Role::User).await;
    assert_eq!(
        vote(&live, &other, &line, 1, &mid()).await.0,
        StatusCode::OK
    );
    // Under load, changes can become visible together and arrive as one coalesced event (or the
    // list's own insertion can come after the cursor); what must hold: no event twice, in feed
    // order, totals only growing, ending at 2 for every subscriber.
    let reads = early
        .into_iter()
        .chain([late])
        // Other tests' open transactions can hold changes back for a while (the window tests'
        // backends import artists on the same cluster): wait for the end state, not a count.
        .map(|res| {
            read_events_until(
                res,
                |e| e.last().is_some_and(|(_, v)| v["upvotes"] == 2),
                Duration::from_secs(40),
            )
        });
    for (i, events) in futures::future::join_all(reads)
        .await
        .into_iter()
        .enumerate()
    {
        let cursors: Vec<Cursor> = events
            .iter()
            .map(|(id, _)| Cursor::decode(id).expect("cursor"))
            .collect();
        assert!(
            cursors.windows(2).all(|w| w[0] < w[1]),
            "subscriber {i}: {events:?}"
        );
        let ups: Vec<i64> = events
            .iter()
            .map(|(_, e)| e["upvotes"].as_i64().unwrap_or(-1))
            .collect();
        assert!(
            ups.windows(2).all(|w| w[0] < w[1]),
            "subscriber {i}: {ups:?}"
        );
        assert_eq!(ups.last(), Some(&2), "subscriber {i}: {events:?}");
    }
}

/// The server's SQL orders a community list as `theset_shared::api::sort_best_first` does (the
/// device re-sorts its own copy with that function; both must agree).
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_community_list_comes_best_first_as_shared_defines_it(db: PgPool) {
    let artist = support::artist(&db, "Order Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(3), "upcoming").await;
    let (_, lines) =
        support::setlist(&db, show, artist, "community", &["a", "b", "c", "d", "e"]).await;
    // (line, ups, downs): equal net votes told apart by up votes, then by position.
    for (line, ups, downs) in [(1, 3, 1), (2, 5, 3), (3, 2, 0), (4, 1, 1)] {
        for n in 0..ups + downs {
            let voter = support::user(&db, line * 100 + n).await;
            let value = if n < ups { 1 } else { -1 };
            votes::set(&db, voter, lines[line], Some(value))
                .await
                .expect("vote");
        }
    }
    let live = TestApp::start(db.clone()).await;
    let (s, list) = live
        .get_as(&format!("/api/v1/shows/{show}/community"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let served: Vec<(String, i32, i32)> = list["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|l| {
            let n = |k: &str| i32::try_from(l[k].as_i64().expect(k)).expect("i32");
            (
                l["title"].as_str().expect("title").to_owned(),
                n("net_votes"),
                n("upvotes"),
            )
        })
        .collect();
    let mut sorted = served.clone();
    theset_shared::api::sort_best_first(&mut sorted, |l| (l.1, l.2));
    assert_eq!(served, sorted);
    let titles: Vec<&str> = served.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(titles, ["c", "b", "d", "e", "a"]);
}

/// A wake-up sent while the listener is not listening is lost; the hub then wakes every stream
/// when it listens again (at start and after losing its connection), so none waits for its poll.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_hub_wakes_everyone_whenever_it_starts_listening(db: PgPool) {
    use theset_backend::events::{Hub, Wake};
    let hub = Hub::listen_to(db.clone(), "hub_test");
    let mut wake = hub.subscribe();
    let next = async |wake: &mut tokio::sync::broadcast::Receiver<Wake>| {
        tokio::time::timeout(Duration::from_secs(30), wake.recv())
            .await
            .expect("a wake-up")
            .expect("open")
    };
    assert_eq!(
        next(&mut wake).await,
        Wake::Everything,
        "listening: everyone"
    );
    let show = Uuid::new_v4();
    sqlx::query("SELECT pg_notify('hub_test', $1)")
        .bind(show.to_string())
        .execute(&db)
        .await
        .expect("notify");
    assert_eq!(
        next(&mut wake).await,
        Wake::Changed(show),
        "then each change"
    );

    // The listener's connection goes; a change meanwhile is not heard.
    let gone: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity a, pg_terminate_backend(a.pid) \
         WHERE a.datname = current_database() AND a.query LIKE 'LISTEN%hub_test%'",
    )
    .fetch_one(&db)
    .await
    .expect("terminate");
    assert_eq!(gone, 1, "the listener's backend");
    sqlx::query("SELECT pg_notify('hub_test', $1)")
        .bind(Uuid::new_v4().to_string())
        .execute(&db)
        .await
        .expect("notify");
    assert_eq!(
        next(&mut wake).await,
        Wake::Everything,
        "back: everyone, for what was missed"
    );
}
