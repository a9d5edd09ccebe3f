//! Vote totals on `setlist_songs` are kept exact by the database under concurrency.

use futures::future::join_all;
use sqlx::PgPool;
use theset_backend::db::votes;
use uuid::Uuid;

use theset_testkit::rows::*;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn fifty_concurrent_voters_leave_exact_totals(db: PgPool) {
    let a = artist(&db, "Crowd Pleasers", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(7), "upcoming").await;
    let (_, songs) = setlist(
        &db,
        s,
        a,
        "community",
        &["One", "Two", "Three", "Four", "Five"],
    )
    .await;
    let mut users = Vec::new();
    for n in 0..50 {
        users.push(user(&db, n).await);
    }
    // Every voter, on its own connection, votes on every song, flips some votes, clears some and
    // re-votes, all interleaved with the others. Each (user, song) ends at a known value.
    let tasks = users.iter().enumerate().map(|(n, &u)| {
        let db = db.clone();
        let songs = songs.clone();
        tokio::spawn(async move {
            for round in 0..3 {
                for (i, &song) in songs.iter().enumerate() {
                    let value = match (n + i + round) % 3 {
                        0 => Some(1),
                        1 => Some(-1),
                        _ => None,
                    };
                    votes::set(&db, u, song, value).await.expect("vote");
                    // Same vote twice: an idempotent retry must not move totals.
                    votes::set(&db, u, song, value).await.expect("retry");
                }
            }
        })
    });
    for r in join_all(tasks).await {
        r.expect("voter task");
    }
    assert!(
        votes::drifted(&db).await.expect("recount").is_empty(),
        "totals drifted from a fresh count"
    );

    // Compare against the values each voter ended with (round 2), computed independently.
    for (i, &song) in songs.iter().enumerate() {
        let (mut up, mut down) = (0, 0);
        for n in 0..users.len() {
            match (n + i + 2) % 3 {
                0 => up += 1,
                1 => down += 1,
                _ => {}
            }
        }
        let (u, d, net): (i32, i32, i32) =
            sqlx::query_as("SELECT upvotes, downvotes, net_votes FROM setlist_songs WHERE id = $1")
                .bind(song)
                .fetch_one(&db)
                .await
                .expect("totals");
        assert_eq!((u, d, net), (up, down, up - down), "song {i}");
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn totals_follow_deleted_songs_and_accounts(db: PgPool) {
    let a = artist(&db, "Short Memory", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(7), "upcoming").await;
    let (_, songs) = setlist(&db, s, a, "community", &["Only"]).await;
    let voter: Uuid = user(&db, 1).await;
    votes::set(&db, voter, songs[0], Some(1))
        .await
        .expect("vote");
    // A deleted account's vote leaves the totals with it (no anonymous +1s).
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(voter)
        .execute(&db)
        .await
        .expect("delete user");
    let (up, anon): (i32, i64) = sqlx::query_as(
        "SELECT ss.upvotes, (SELECT count(*) FROM votes WHERE user_id IS NULL) FROM setlist_songs ss WHERE ss.id = $1",
    )
    .bind(songs[0])
    .fetch_one(&db)
    .await
    .expect("totals");
    assert_eq!((up, anon), (0, 0));
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
    // The app cannot write totals that disagree with themselves.
    let bad = sqlx::query("UPDATE setlist_songs SET net_votes = 99 WHERE id = $1")
        .bind(songs[0])
        .execute(&db)
        .await;
    assert!(
        bad.is_err(),
        "CHECK (net_votes = upvotes - downvotes) must refuse"
    );
}

/// REST votes are committed in groups: 40 fans voting at once, each one vote after another on
/// five lines, with malformed votes among them. Each valid vote is answered 200 only after its
/// group committed, a refused one changes nothing and fails nobody else, each fan's last vote
/// per line is what stays, totals equal a fresh count, and groups of more than one were formed.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn concurrent_rest_votes_commit_in_groups_and_keep_each_fans_last_vote(db: PgPool) {
    use reqwest::StatusCode;
    use std::collections::HashMap;
    use std::sync::atomic::Ordering;
    use theset_testkit::{Role, TestApp};

    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = theset_backend::auth::limits::Limits::new(theset_testkit::unlimited_votes());
    })
    .await;
    let a = artist(&db, "Group Committers", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(7), "upcoming").await;
    let (_, lines) = setlist(
        &db,
        s,
        a,
        "community",
        &["One", "Two", "Three", "Four", "Five"],
    )
    .await;
    let mut fans = Vec::new();
    for _ in 0..40 {
        let (user, _, token) = live.quick(Role::User).await;
        fans.push((user, token));
    }
    let tasks = fans.iter().enumerate().map(|(n, (user, token))| {
        let (live, lines) = (&live, lines.clone());
        async move {
            let mut last = HashMap::new();
            for i in 0..15 {
                let line = lines[(n + i) % lines.len()];
                // Every fifth vote is malformed: refused, and nothing else with it.
                let value: i16 = if i % 5 == 4 {
                    7
                } else if (n + i) % 3 == 0 {
                    -1
                } else {
                    1
                };
                let (status, body) = live
                    .put(
                        &format!("/api/v1/setlist-songs/{line}/vote"),
                        Some(token),
                        serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": value }),
                    )
                    .await;
                if value == 7 {
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
                } else {
                    assert_eq!(status, StatusCode::OK, "{body}");
                    last.insert(line, value);
                }
            }
            (*user, last)
        }
    });
    let expected: HashMap<(Uuid, Uuid), i16> = join_all(tasks)
        .await
        .into_iter()
        .flat_map(|(user, last)| last.into_iter().map(move |(line, v)| ((user, line), v)))
        .collect();
    let stored: Vec<(Uuid, Uuid, i16)> =
        sqlx::query_as("SELECT user_id, setlist_song_id, value FROM votes")
            .fetch_all(&db)
            .await
            .expect("votes");
    let stored: HashMap<(Uuid, Uuid), i16> =
        stored.into_iter().map(|(u, l, v)| ((u, l), v)).collect();
    assert_eq!(
        stored, expected,
        "each fan's last vote per line, nothing else"
    );
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
    let batches = &live.vote_batches;
    assert!(
        batches.writes.load(Ordering::Relaxed) >= 40 * 12,
        "every valid vote went through the group commit"
    );
    assert!(
        batches.largest.load(Ordering::Relaxed) > 1,
        "concurrent votes shared a transaction"
    );
}
