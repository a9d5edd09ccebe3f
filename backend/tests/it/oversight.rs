//! Moderators' tools beside the flag queue: vote oversight lists organised-looking accounts and
//! voids their votes (recounted by the database, audited); an alias taken from a suggestion
//! links the lines already written with that title.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_backend::db::votes;
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_burst_of_fresh_accounts_is_listed_and_its_votes_voided(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Rigged Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(6), "upcoming").await;
    let (_, lines) =
        support::setlist(&db, show, artist, "community", &["One", "Two", "Three"]).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let (_, _, fan) = live.quick(Role::User).await;
    // An old account voting at its own pace.
    let (honest, _, _) = live.quick(Role::User).await;
    sqlx::query("UPDATE users SET created_at = now() - interval '90 days' WHERE id = $1")
        .bind(honest)
        .execute(&db)
        .await
        .expect("old");
    votes::set(&db, honest, lines[0], Some(1))
        .await
        .expect("vote");
    // Cast an hour ago (the table's triggers stamp the server's time; set it around them).
    let mut tx = db.begin().await.expect("tx");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("replica");
    sqlx::query("UPDATE votes SET updated_at = now() - interval '1 hour' WHERE user_id = $1")
        .bind(honest)
        .execute(&mut *tx)
        .await
        .expect("an hour ago");
    tx.commit().await.expect("commit");
    // Three accounts made today, each voting the three lines within seconds.
    let mut ring = Vec::new();
    for _ in 0..3 {
        let (id, _, _) = live.quick(Role::User).await;
        for line in &lines {
            votes::set(&db, id, *line, Some(1)).await.expect("vote");
        }
        ring.push(id);
    }
    let path = format!("/api/v1/moderation/shows/{show}/votes");
    let (s, _) = live.get_as(&path, Some(&fan)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, report) = live.get_as(&path, Some(&moderator)).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["votes"], 10);
    let listed: Vec<Uuid> = report["suspects"]
        .as_array()
        .expect("suspects")
        .iter()
        .filter_map(|s| s["user_id"].as_str()?.parse().ok())
        .collect();
    let mut want = ring.clone();
    want.sort();
    let mut got = listed.clone();
    got.sort();
    assert_eq!(got, want, "the ring, not the honest fan: {report}");
    assert!(
        report["suspects"][0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r == "fresh_burst")
    );

    for id in &ring {
        let (s, voided) = live
            .post(
                &format!("/api/v1/moderation/users/{id}/votes/void"),
                Some(&moderator),
                json!({ "show_id": show }),
            )
            .await;
        assert_eq!(
            (s, voided["removed"].as_i64()),
            (StatusCode::OK, Some(3)),
            "{voided}"
        );
    }
    let up: Vec<i32> = sqlx::query_scalar(
        "SELECT upvotes FROM setlist_songs WHERE id = ANY($1) ORDER BY position",
    )
    .bind(&lines)
    .fetch_all(&db)
    .await
    .expect("totals");
    assert_eq!(up, vec![1, 0, 0], "recounted: only the honest vote is left");
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.votes_voided'",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 3);
    let (_, report) = live.get_as(&path, Some(&moderator)).await;
    assert_eq!(report["suspects"].as_array().map(Vec::len), Some(0));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_alias_links_the_lines_already_written(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Alias Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(-2), "completed").await;
    let song = support::song(&db, artist, "Fluorescent Adolescent", 50).await;
    let (_, lines) =
        support::setlist(&db, show, artist, "setlistfm", &["Flourescent Adolescent"]).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let catalogue = vec![(song, "Fluorescent Adolescent".to_owned())];
    let offered = theset_shared::titles::candidates("Flourescent Adolescent", &catalogue);
    assert_eq!(offered.first().map(|c| c.0), Some(song), "suggested");
    let (s, added) = live
        .post(
            &format!("/api/v1/songs/{song}/aliases"),
            Some(&moderator),
            json!({ "alias": "Flourescent Adolescent" }),
        )
        .await;
    assert_eq!(
        (s, added["lines_linked"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{added}"
    );
    let linked: Option<Uuid> =
        sqlx::query_scalar("SELECT song_id FROM setlist_songs WHERE id = $1")
            .bind(lines[0])
            .fetch_one(&db)
            .await
            .expect("line");
    assert_eq!(linked, Some(song));
}
