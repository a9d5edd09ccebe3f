//! Votes applied set-wise in the group commit (`actions::apply::VoteWrite`): a batch's votes that
//! can go together are cast in a few statements for all of them, and every vote that needs more
//! (a new device, a position out of place, a second vote of a fan on one line, a device that is
//! not the fan's) is applied alone — with the answers, positions, records and totals each would
//! get on its own.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_backend::actions::apply::VoteWrite;
use theset_backend::commits::Write;
use theset_backend::db::mutations::Position;
use theset_backend::db::sessions::Caller;
use theset_backend::error::AppError;
use theset_shared::api::{Role, SessionKind, VoteValue};
use theset_shared::hlc::Hlc;
use theset_shared::sync::{Action, Outcome, VoteAction, VoteOn};
use uuid::Uuid;

use crate::sync::{Device, now_hlc, push};
use theset_testkit::TestApp;
use theset_testkit::rows::{artist, days_from_today, setlist, show, user};

fn caller(user_id: Uuid) -> Caller {
    Caller {
        user_id,
        session_id: Uuid::now_v7(),
        email: None,
        display_name: "Fan".into(),
        role: Role::User,
        email_verified: true,
        avatar_version: None,
        kind: SessionKind::Native,
    }
}

fn now() -> Hlc {
    Hlc(now_hlc())
}

fn vote(user: Uuid, line: Uuid, value: VoteValue, pushed: Option<(Uuid, i64)>) -> VoteWrite {
    VoteWrite {
        caller: caller(user),
        mutation: Uuid::now_v7(),
        action: Action::Vote(VoteAction {
            on: VoteOn::Line(line),
            value,
        }),
        at: now(),
        pushed: pushed.map(|(device, seq)| Position { device, seq }),
    }
}

async fn device(db: &PgPool, user: Uuid, last_seq: i64) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO devices (id, user_id, last_seq) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(user)
        .bind(last_seq)
        .execute(db)
        .await
        .expect("device");
    id
}

async fn last_seq(db: &PgPool, device: Uuid) -> Option<i64> {
    sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(device)
        .fetch_optional(db)
        .await
        .expect("device")
}

/// `(first answers, at the device's position)` kept for `mutation`.
async fn kept(db: &PgPool, mutation: Uuid) -> (i64, Option<(Uuid, i64)>) {
    let rows: Vec<(Option<Uuid>, Option<i64>)> = sqlx::query_as(
        "SELECT device_id, seq FROM applied_mutations WHERE mutation_id = $1 AND NOT replay",
    )
    .bind(mutation)
    .fetch_all(db)
    .await
    .expect("records");
    let at = rows.first().and_then(|(d, s)| d.zip(*s));
    (rows.len() as i64, at)
}

/// Lines whose stored totals differ from a count of their votes.
async fn drifted(db: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM setlist_songs ss \
         LEFT JOIN (SELECT setlist_song_id, count(*) FILTER (WHERE value = 1) AS up, \
                           count(*) FILTER (WHERE value = -1) AS down \
                    FROM votes GROUP BY setlist_song_id) c ON c.setlist_song_id = ss.id \
         WHERE ss.upvotes <> COALESCE(c.up, 0) OR ss.downvotes <> COALESCE(c.down, 0)",
    )
    .fetch_one(db)
    .await
    .expect("drift")
}

fn outcome(done: &Result<theset_backend::commits::Done<Outcome>, AppError>) -> &Outcome {
    &done.as_ref().expect("an answer").answer
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_batch_votes_together_and_each_odd_vote_alone(db: PgPool) {
    let a = artist(&db, "Batch Band", &[], None, 0.0).await;
    let open = show(&db, a, None, days_from_today(7), "upcoming").await;
    let closed = show(&db, a, None, days_from_today(-1), "completed").await;
    let (_, lines) = setlist(&db, open, a, "community", &["One", "Two"]).await;
    let (_, shut) = setlist(&db, closed, a, "community", &["Old"]).await;
    let (l1, l2, old) = (lines[0], lines[1], shut[0]);
    let mut fans = Vec::new();
    for n in 0..9 {
        fans.push(user(&db, n).await);
    }
    // A later vote of fan 7 on line two is already in place: theirs is superseded.
    sqlx::query("INSERT INTO vote_clocks (user_id, setlist_song_id, hlc) VALUES ($1, $2, $3)")
        .bind(fans[7])
        .bind(l2)
        .bind(Hlc::from_millis(now().millis() + 60_000).as_i64())
        .execute(&db)
        .await
        .expect("clock");
    let d0 = device(&db, fans[0], 4).await;
    let d1 = device(&db, fans[1], 0).await;
    let d3 = device(&db, fans[3], 2).await;
    let d0b = device(&db, fans[0], 0).await;
    let d6 = device(&db, fans[6], 1).await;
    let stranger = device(&db, fans[8], 0).await;
    let d7 = device(&db, fans[7], 0).await;
    let new_device = Uuid::now_v7();
    let mut writes = vec![
        // Together: pushed in place, over REST, a pushed refusal, a superseded vote.
        vote(fans[0], l1, VoteValue::Up, Some((d0, 5))),
        vote(fans[1], l1, VoteValue::Down, Some((d1, 1))),
        vote(fans[2], l2, VoteValue::Up, None),
        vote(fans[3], old, VoteValue::Up, Some((d3, 3))),
        vote(fans[4], old, VoteValue::Up, None),
        vote(fans[7], l2, VoteValue::Up, Some((d7, 1))),
        // Alone: a device's first push, a second vote of fan 0 on line one, a position ahead,
        // a device that is someone else's.
        vote(fans[5], l2, VoteValue::Down, Some((new_device, 1))),
        vote(fans[0], l1, VoteValue::Down, Some((d0b, 1))),
        vote(fans[6], l2, VoteValue::Up, Some((d6, 5))),
        vote(fans[5], l1, VoteValue::Up, Some((stranger, 1))),
    ];
    // Fan 0 changed their mind a moment later, on another device.
    writes[7].at = Hlc::from_millis(now().millis() + 1);
    let mut tx = db.begin().await.expect("tx");
    let done = VoteWrite::apply_all(&mut tx, &writes, false)
        .await
        .expect("the batch applies");
    tx.commit().await.expect("commit");
    assert_eq!(done.len(), writes.len(), "one answer per vote");
    assert!(done.iter().flatten().all(|d| d.keep), "nothing undone");

    let Outcome::Applied { body, .. } = outcome(&done[1]) else {
        panic!("applied: {:?}", done[1]);
    };
    assert_eq!(
        (body["upvotes"].clone(), body["downvotes"].clone()),
        (json!(1), json!(1)),
        "the set's answer holds the set's votes: {body}"
    );
    // Cast in one statement, the set's votes answer with the same totals (alone, fan 0's vote
    // would have answered before fan 1's counted).
    assert!(
        matches!(outcome(&done[0]), Outcome::Applied { body: first, .. } if first == body),
        "{:?}",
        done[0]
    );
    assert!(matches!(outcome(&done[2]), Outcome::Applied { .. }));
    for i in [3, 4] {
        let Outcome::Rejected { code, .. } = outcome(&done[i]) else {
            panic!("closed: {:?}", done[i]);
        };
        assert_eq!(*code, theset_shared::ErrorCode::Conflict, "vote {i}");
    }
    assert_eq!(outcome(&done[5]), &Outcome::Superseded);
    assert!(matches!(outcome(&done[6]), Outcome::Applied { .. }));
    // Fan 0's second vote on line one (down, later) goes alone, after the set, and wins.
    let Outcome::Applied { body, .. } = outcome(&done[7]) else {
        panic!("applied: {:?}", done[7]);
    };
    assert_eq!(
        (body["upvotes"].clone(), body["downvotes"].clone()),
        (json!(0), json!(2))
    );
    assert!(
        matches!(&done[8], Err(AppError::Stale(gap)) if gap["expected_seq"] == 2),
        "a position ahead is told where to resume: {:?}",
        done[8]
    );
    assert!(
        matches!(&done[9], Err(AppError::Forbidden)),
        "{:?}",
        done[9]
    );

    // Positions: each pushed vote that was answered moved its device there; the others did not.
    assert_eq!(last_seq(&db, d0).await, Some(5));
    assert_eq!(last_seq(&db, d1).await, Some(1));
    assert_eq!(
        last_seq(&db, d3).await,
        Some(3),
        "a refusal spends its number"
    );
    assert_eq!(last_seq(&db, d7).await, Some(1));
    assert_eq!(
        last_seq(&db, new_device).await,
        Some(1),
        "made on first use"
    );
    assert_eq!(last_seq(&db, d0b).await, Some(1));
    assert_eq!(last_seq(&db, d6).await, Some(1));
    assert_eq!(last_seq(&db, stranger).await, Some(0));
    // Records: once each, at their positions; a REST refusal and the refused pushes keep none.
    assert_eq!(kept(&db, writes[0].mutation).await, (1, Some((d0, 5))));
    assert_eq!(kept(&db, writes[2].mutation).await, (1, None));
    assert_eq!(kept(&db, writes[3].mutation).await, (1, Some((d3, 3))));
    assert_eq!(kept(&db, writes[4].mutation).await, (0, None));
    assert_eq!(kept(&db, writes[5].mutation).await, (1, Some((d7, 1))));
    assert_eq!(kept(&db, writes[7].mutation).await, (1, Some((d0b, 1))));
    assert_eq!(kept(&db, writes[8].mutation).await.0, 0);
    assert_eq!(kept(&db, writes[9].mutation).await.0, 0);
    assert_eq!(drifted(&db).await, 0, "totals equal a fresh count");
    let on_old: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE setlist_song_id = $1")
        .bind(old)
        .fetch_one(&db)
        .await
        .expect("votes");
    assert_eq!(on_old, 0, "a refused vote wrote nothing");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_retried_mutation_in_a_batch_starts_it_over_and_gets_its_first_answer(db: PgPool) {
    let a = artist(&db, "Retry Band", &[], None, 0.0).await;
    let open = show(&db, a, None, days_from_today(7), "upcoming").await;
    let (_, lines) = setlist(&db, open, a, "community", &["One"]).await;
    let (fan, other) = (user(&db, 1).await, user(&db, 2).await);
    let d = device(&db, fan, 0).await;
    let first = vote(fan, lines[0], VoteValue::Up, None);
    let mut tx = db.begin().await.expect("tx");
    let answered = VoteWrite::apply_all(&mut tx, std::slice::from_ref(&first), false)
        .await
        .expect("first");
    tx.commit().await.expect("commit");
    let first_answer = outcome(&answered[0]).clone();
    // The same mutation, now pushed by the fan's device, in a batch with another fan's vote.
    let mut retried = vote(fan, lines[0], VoteValue::Down, Some((d, 1)));
    retried.mutation = first.mutation;
    let writes = vec![retried, vote(other, lines[0], VoteValue::Up, None)];
    let mut tx = db.begin().await.expect("tx");
    let done = VoteWrite::apply_all(&mut tx, &writes, false)
        .await
        .expect("runs");
    assert!(done.len() < writes.len(), "the batch asks to start over");
    tx.rollback().await.expect("undo");
    let mut tx = db.begin().await.expect("tx");
    let done = VoteWrite::apply_all(&mut tx, &writes, true)
        .await
        .expect("the rerun");
    tx.commit().await.expect("commit");
    assert_eq!(outcome(&done[0]), &first_answer, "the first answer again");
    assert!(matches!(outcome(&done[1]), Outcome::Applied { .. }));
    assert_eq!(
        last_seq(&db, d).await,
        Some(1),
        "kept at the position as a replay"
    );
    let votes: Vec<i16> =
        sqlx::query_scalar("SELECT value FROM votes WHERE user_id = $1 ORDER BY value")
            .bind(fan)
            .fetch_all(&db)
            .await
            .expect("votes");
    assert_eq!(votes, [1], "the retry changed nothing");
    assert_eq!(drifted(&db).await, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_crowd_pushing_at_once_leaves_each_device_in_place_and_totals_exact(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Crowd Band", &[], None, 0.0).await;
    let open = show(&db, a, None, days_from_today(7), "upcoming").await;
    let (_, lines) = setlist(&db, open, a, "community", &["One", "Two", "Three"]).await;
    let mut devices = Vec::new();
    for _ in 0..40 {
        let (_, _, token) = live.quick(theset_testkit::Role::User).await;
        devices.push(Device::new(&token));
    }
    // Two rounds: every fan votes, then changes their vote, each a push of its own, all at once.
    for round in 0..2 {
        let batches: Vec<_> = devices
            .iter_mut()
            .enumerate()
            .map(|(i, d)| {
                let value = if (i + round) % 3 == 0 { -1 } else { 1 };
                let line = lines[i % lines.len()];
                [d.mutation(
                    "vote.set@1",
                    json!({ "setlist_song_id": line, "show_id": null, "song_id": null, "value": value }),
                    now_hlc(),
                )]
            })
            .collect();
        let answers =
            futures::future::join_all(devices.iter().zip(&batches).map(|(d, m)| push(&live, d, m)))
                .await;
        for (st, body) in answers {
            assert_eq!(st, StatusCode::OK, "{body}");
            assert_eq!(body["last_seq"], round + 1, "{body}");
            assert_eq!(body["results"][0]["outcome"], "applied", "{body}");
        }
    }
    for d in &devices {
        assert_eq!(last_seq(&db, d.id).await, Some(2));
    }
    let records: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM applied_mutations WHERE kind = 'vote.set@1' AND device_id IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .expect("records");
    assert_eq!(records, 80, "one record per push");
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes")
        .fetch_one(&db)
        .await
        .expect("votes");
    assert_eq!(votes, 40, "one vote per fan");
    assert_eq!(drifted(&db).await, 0, "totals equal a fresh count");
}
