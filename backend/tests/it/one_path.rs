//! One write path: a REST write and a pushed mutation are the same action, applied once per fan
//! and mutation id through the same apply and the one exactly-once record — a retry through the
//! other door gets the first answer and changes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::sync::{Device, now_hlc, push};
use theset_testkit::rows::{artist, days_from_today, show, song};
use theset_testkit::{Role, TestApp};

struct Stage {
    open: Uuid,
    closed: Uuid,
    hit: Uuid,
}

async fn stage(db: &PgPool) -> Stage {
    let a = artist(db, "Two Doors", &[], None, 0.0).await;
    Stage {
        open: show(db, a, None, days_from_today(7), "upcoming").await,
        closed: show(db, a, None, days_from_today(-1), "completed").await,
        hit: song(db, a, "Hit", 80).await,
    }
}

/// Up and down votes on `line`, counted from the votes themselves.
async fn votes_on(db: &PgPool, line: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE value = 1), count(*) FILTER (WHERE value = -1) \
         FROM votes WHERE setlist_song_id = $1::uuid",
    )
    .bind(line)
    .fetch_one(db)
    .await
    .expect("count")
}

/// The exactly-once rows of `mutation` (first answers, replays).
async fn records(db: &PgPool, mutation: Uuid) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE NOT replay), count(*) FILTER (WHERE replay) \
         FROM applied_mutations WHERE mutation_id = $1",
    )
    .bind(mutation)
    .fetch_one(db)
    .await
    .expect("records")
}

async fn rest_vote(
    live: &TestApp,
    token: &str,
    line: &str,
    value: i16,
    mutation: Uuid,
) -> (StatusCode, Value) {
    live.put(
        &format!("/api/v1/setlist-songs/{line}/vote"),
        Some(token),
        json!({ "mutation_id": mutation, "value": value }),
    )
    .await
}

fn pushed_vote(d: &mut Device, id: Uuid, line: &str, value: i16) -> Value {
    let mut m = d.mutation(
        "vote.set@1",
        json!({ "setlist_song_id": line, "show_id": null, "song_id": null, "value": value }),
        now_hlc(),
    );
    m["id"] = json!(id);
    m
}

/// A line on the open show's community list, added over REST.
async fn line(live: &TestApp, token: &str, s: &Stage) -> String {
    let (st, added) = live
        .post(
            &format!("/api/v1/shows/{}/community/songs", s.open),
            Some(token),
            json!({ "mutation_id": Uuid::now_v7(), "song_id": s.hit }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    added["setlist_song_id"].as_str().expect("line").to_owned()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_pushed_vote_retried_over_rest_gets_its_first_answer(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    let mut d = Device::new(&token);
    let id = Uuid::now_v7();
    let m = pushed_vote(&mut d, id, &line, 1);
    let (st, pushed) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{pushed}");
    let first = &pushed["results"][0];
    assert_eq!(first["outcome"], "applied", "{pushed}");
    assert_eq!(votes_on(&db, &line).await, (1, 0));
    // The REST retry carries another value: the first answer comes back, nothing changes.
    let (st, again) = rest_vote(&live, &token, &line, -1, id).await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(again, first["body"], "the push's body, answered again");
    assert_eq!(votes_on(&db, &line).await, (1, 0));
    assert_eq!(records(&db, id).await, (1, 0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_rest_vote_retried_in_a_push_gets_its_first_answer(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    let id = Uuid::now_v7();
    let (st, first) = rest_vote(&live, &token, &line, 1, id).await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert_eq!(first["upvotes"], 1);
    let mut d = Device::new(&token);
    let m = pushed_vote(&mut d, id, &line, -1);
    let (st, pushed) = push(&live, &d, std::slice::from_ref(&m)).await;
    assert_eq!(st, StatusCode::OK, "{pushed}");
    assert_eq!(pushed["last_seq"], 1, "the number is spent");
    assert_eq!(pushed["results"][0]["outcome"], "applied", "{pushed}");
    assert_eq!(pushed["results"][0]["body"], first);
    assert_eq!(votes_on(&db, &line).await, (1, 0));
    // One first answer, and the device's position kept as a replay of it.
    assert_eq!(records(&db, id).await, (1, 1));
    // The push retried (its answer lost) is answered by position, the same again.
    let (st, retried) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{retried}");
    assert_eq!(retried["results"], pushed["results"]);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_pushed_refusal_is_the_answer_a_rest_retry_gets(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let mut d = Device::new(&token);
    let id = Uuid::now_v7();
    let mut add = d.mutation(
        "community.add@1",
        json!({ "show_id": s.closed, "song_id": s.hit }),
        now_hlc(),
    );
    add["id"] = json!(id);
    let (st, pushed) = push(&live, &d, &[add]).await;
    assert_eq!(st, StatusCode::OK, "{pushed}");
    let refused = &pushed["results"][0];
    assert_eq!(refused["outcome"], "rejected", "{pushed}");
    // Over REST, to the open show this time: the kept refusal is the answer.
    let (st, again) = live
        .post(
            &format!("/api/v1/shows/{}/community/songs", s.open),
            Some(&token),
            json!({ "mutation_id": id, "song_id": s.hit }),
        )
        .await;
    assert_eq!(st.as_u16(), refused["status"], "{again}");
    assert_eq!(again["error"]["code"], refused["code"], "{again}");
    assert_eq!(again["error"]["message"], refused["message"]);
    let lines: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM setlist_songs l JOIN setlists s ON s.id = l.setlist_id WHERE s.show_id = $1",
    )
    .bind(s.open)
    .fetch_one(&db)
    .await
    .expect("lines");
    assert_eq!(lines, 0, "nothing added by the retry");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn one_mutation_sent_through_both_doors_at_once_applies_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    for round in 0..8 {
        let id = Uuid::now_v7();
        let value = if round % 2 == 0 { -1 } else { 1 };
        let mut d = Device::new(&token);
        let batch = [pushed_vote(&mut d, id, &line, value)];
        let (rest, (st, pushed)) = tokio::join!(
            rest_vote(&live, &token, &line, value, id),
            push(&live, &d, &batch)
        );
        assert_eq!(rest.0, StatusCode::OK, "{}", rest.1);
        assert_eq!(st, StatusCode::OK, "{pushed}");
        assert_eq!(pushed["results"][0]["body"], rest.1, "round {round}");
        assert_eq!(records(&db, id).await.0, 1);
    }
    assert_eq!(votes_on(&db, &line).await, (1, 0));
    let clean: bool = sqlx::query_scalar(
        "SELECT upvotes = 1 AND downvotes = 0 FROM setlist_songs WHERE id = $1::uuid",
    )
    .bind(&line)
    .fetch_one(&db)
    .await
    .expect("totals");
    assert!(clean, "the totals count each vote once");
}

/// The device's position as the server keeps it.
async fn last_seq(db: &PgPool, d: &Device) -> i64 {
    sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(d.id)
        .fetch_one(db)
        .await
        .expect("device")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_pushed_vote_commits_in_the_votes_group_commit(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    let writes = || {
        live.vote_batches
            .writes
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let before = writes();
    let mut d = Device::new(&token);
    let id = Uuid::now_v7();
    let m = pushed_vote(&mut d, id, &line, 1);
    let (st, pushed) = push(&live, &d, std::slice::from_ref(&m)).await;
    assert_eq!(st, StatusCode::OK, "{pushed}");
    assert_eq!(pushed["last_seq"], 1);
    assert_eq!(pushed["results"][0]["outcome"], "applied", "{pushed}");
    assert_eq!(writes(), before + 1, "the push went through the batcher");
    assert_eq!(last_seq(&db, &d).await, 1);
    let kept: (Option<Uuid>, Option<i64>) =
        sqlx::query_as("SELECT device_id, seq FROM applied_mutations WHERE mutation_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .expect("record");
    assert_eq!(kept, (Some(d.id), Some(1)), "kept at the device's position");
    // Its answer lost, the device pushes it again: answered by position, nothing applied.
    let (st, again) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(again, pushed);
    assert_eq!(votes_on(&db, &line).await, (1, 0));
    assert_eq!(records(&db, id).await, (1, 0));
    // A device restored from an old copy pushes another vote under the spent number: the kept
    // answer of that number, with the mutation it carried, and nothing applied.
    let mut restored = Device::new(&token);
    restored.id = d.id;
    let other = pushed_vote(&mut restored, Uuid::now_v7(), &line, -1);
    let (st, kept) = push(&live, &restored, &[other]).await;
    assert_eq!(st, StatusCode::OK, "{kept}");
    assert_eq!(kept["results"], pushed["results"]);
    assert_eq!(votes_on(&db, &line).await, (1, 0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_refused_pushed_vote_is_kept_and_spends_its_number(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    // The show has happened since the line was added: voting is closed.
    sqlx::query("UPDATE shows SET status = 'completed', date = current_date - 1 WHERE id = $1")
        .bind(s.open)
        .execute(&db)
        .await
        .expect("close");
    let mut d = Device::new(&token);
    let first = pushed_vote(&mut d, Uuid::now_v7(), &line, 1);
    let (st, pushed) = push(&live, &d, &[first]).await;
    assert_eq!(st, StatusCode::OK, "{pushed}");
    assert_eq!(pushed["results"][0]["outcome"], "rejected", "{pushed}");
    assert_eq!(
        pushed["last_seq"], 1,
        "the number is spent: the queue moves on"
    );
    let second = pushed_vote(&mut d, Uuid::now_v7(), &line, -1);
    let (st, next) = push(&live, &d, &[second]).await;
    assert_eq!(st, StatusCode::OK, "{next}");
    assert_eq!(next["results"][0]["seq"], 2);
    assert_eq!(next["results"][0]["outcome"], "rejected");
    assert_eq!(last_seq(&db, &d).await, 2);
    assert_eq!(votes_on(&db, &line).await, (0, 0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn one_vote_pushed_twice_at_once_by_its_device_applies_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let s = stage(&db).await;
    let (_, _, token) = live.quick(Role::User).await;
    let line = line(&live, &token, &s).await;
    for round in 0..6 {
        let mut d = Device::new(&token);
        let id = Uuid::now_v7();
        let value = if round % 2 == 0 { -1 } else { 1 };
        let batch = [pushed_vote(&mut d, id, &line, value)];
        let ((a_st, a), (b_st, b)) = tokio::join!(push(&live, &d, &batch), push(&live, &d, &batch));
        assert_eq!((a_st, b_st), (StatusCode::OK, StatusCode::OK), "{a} {b}");
        assert_eq!(a["results"], b["results"], "round {round}: one answer");
        assert_eq!(a["results"][0]["outcome"], "applied", "{a}");
        assert_eq!(records(&db, id).await, (1, 0), "round {round}");
        assert_eq!(last_seq(&db, &d).await, 1);
    }
    assert_eq!(votes_on(&db, &line).await, (1, 0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn rest_changes_without_an_id_are_actions_and_spend_their_budget(db: PgPool) {
    use theset_backend::auth::limits::{Limits, Rate, Rates};
    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(Rates {
            vote_account: Rate::new(4, 60_000),
            ..Rates::default()
        });
    })
    .await;
    let s = stage(&db).await;
    let artist: Uuid = sqlx::query_scalar("SELECT headliner_artist_id FROM shows WHERE id = $1")
        .bind(s.open)
        .fetch_one(&db)
        .await
        .expect("artist");
    let (_, _, token) = live.quick(Role::User).await;
    let follows = format!("/api/v1/me/follows/{artist}");
    // Each is the sync's action through the one apply: the same answers as ever (201 when it made
    // something new, 204 when it was so already) …
    assert_eq!(
        live.put(&follows, Some(&token), json!(null)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        live.put(&follows, Some(&token), json!(null)).await.0,
        StatusCode::NO_CONTENT
    );
    let going = format!("/api/v1/me/going/{}", s.open);
    let (st, body) = live
        .put(&going, Some(&token), json!({ "public": false }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let comments = format!("/api/v1/shows/{}/comments", s.open);
    let (st, comment) = live
        .post(&comments, Some(&token), json!({ "body": "See you there" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["body"], "See you there");
    // … and each spent one of the account's vote budget, as the same action pushed does.
    let (st, body) = live.delete(&follows, Some(&token)).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let still: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_follows_artists WHERE artist_id = $1)",
    )
    .bind(artist)
    .fetch_one(&db)
    .await
    .expect("follow");
    assert!(still, "refused past the budget: nothing changed");
}
