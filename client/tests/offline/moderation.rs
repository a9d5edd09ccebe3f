//! A moderator on a train: the flag queue and the lists of shows in scope are on the device, so
//! flags are resolved and a list verified with no signal; both go out once later, and a
//! verification of a version that moved on comes back refused with the current one.

use sqlx::PgPool;
use theset_shared::api::FlagAction;
use theset_testkit::rows;

use super::{open, serve_on, sign_up, sync_until};

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_moderator_works_the_queue_and_verifies_offline(db: PgPool) {
    let artist = rows::artist(&db, "Queue Band", &[], None, 0.0).await;
    let show = rows::show(&db, artist, None, rows::days_from_today(-3), "completed").await;
    let other = rows::show(&db, artist, None, rows::days_from_today(-10), "completed").await;
    let (list, lines) = rows::setlist(&db, show, artist, "setlistfm", &["One", "Spam"]).await;
    let (moved, _) = rows::setlist(&db, other, artist, "setlistfm", &["A", "B"]).await;
    let server = serve_on(db.clone(), "127.0.0.1:0").await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("dir");
    let client = open(dir.path(), addr);
    sign_up(&client, &db, "moderator").await;
    sqlx::query("UPDATE users SET role = 'moderator'")
        .execute(&db)
        .await
        .expect("role");
    let token = theset_testkit::accounts::with_role(&db, theset_testkit::Role::User)
        .await
        .access;
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/flags"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "setlist_id": list, "setlist_song_id": lines[1], "reason": "spam" }))
        .send()
        .await
        .expect("flag");
    assert!(res.status().is_success());
    client.follow(artist, true).expect("follow");
    sync_until(&client, |c| {
        c.store().actual(show).expect("actual").setlist_id.is_some()
    })
    .await;
    // The queue is read once online (and kept).
    let queue = client.flags().await.expect("flags");
    assert_eq!(queue.len(), 1);

    server.stop().await;
    let queue = client.flags().await.expect("the kept queue");
    assert_eq!(queue.len(), 1, "the queue works with no signal");
    client
        .resolve_flag(queue[0].id, FlagAction::RemoveSong)
        .expect("resolve");
    assert!(
        client.flags().await.expect("flags").is_empty(),
        "resolved here"
    );
    let actual = client.store().actual(show).expect("actual");
    client
        .verify_setlist(list, actual.version)
        .expect("verify offline");
    let shown = client.store().actual(show).expect("actual");
    assert!(
        shown.verified && shown.pending,
        "verified on this device, not yet sent"
    );
    // Another list moves on while the moderator looks at it.
    let seen = client.store().actual(other).expect("other").version;
    client
        .verify_setlist(moved, seen)
        .expect("verify the other");
    sqlx::query("UPDATE setlists SET version = version + 1 WHERE id = $1")
        .bind(moved)
        .execute(&db)
        .await
        .expect("moved on");

    // Restarted, then back online: each decision once; the stale one comes back refused.
    drop(client);
    let client = open(dir.path(), addr);
    assert!(client.store().actual(show).expect("actual").pending);
    let server = serve_on(db.clone(), &addr.to_string()).await;
    sync_until(&client, |c| {
        let a = c.store().actual(show).expect("actual");
        a.verified && !a.pending
    })
    .await;
    let refused = client.rejected_changes().expect("refused");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].what, "Verification");
    assert_eq!(refused[0].setlist_id, Some(moved));
    assert_eq!(
        refused[0].current.as_ref().map(|v| v.version),
        Some(seen + 1)
    );
    let (verified, lines): (Option<i32>, i64) = sqlx::query_as(
        "SELECT verified_version, (SELECT count(*) FROM setlist_songs WHERE setlist_id = $1) \
         FROM setlists WHERE id = $1",
    )
    .bind(list)
    .fetch_one(&db)
    .await
    .expect("state");
    assert_eq!((verified, lines), (Some(actual.version), 1));
    let other_verified: Option<i32> =
        sqlx::query_scalar("SELECT verified_version FROM setlists WHERE id = $1")
            .bind(moved)
            .fetch_one(&db)
            .await
            .expect("other");
    assert_eq!(other_verified, None);
    server.stop().await;
}
