//! Flags and the moderation queue: fans flag, moderators remove songs, hide lists or dismiss,
//! and every decision is audited.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_backend::db::votes;
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn flags_reach_the_queue_and_moderators_resolve_them(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Flagged Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(5), "upcoming").await;
    let (list, lines) = support::setlist(
        &db,
        show,
        artist,
        "community",
        &["Real Song", "Spam Title", "Fine"],
    )
    .await;
    let (a, _, alice) = live.quick(Role::User).await;
    let (_, _, bob) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    votes::set(&db, a, lines[1], Some(1)).await.expect("vote");

    let flag = |line: Option<Uuid>, reason: &str| json!({ "setlist_id": list, "setlist_song_id": line, "reason": reason });
    let (s, first) = live
        .post("/api/v1/flags", Some(&alice), flag(Some(lines[1]), "spam"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (_, again) = live
        .post("/api/v1/flags", Some(&alice), flag(Some(lines[1]), "spam"))
        .await;
    assert_eq!(again["id"], first["id"], "one open flag per fan and target");
    live.post(
        "/api/v1/flags",
        Some(&bob),
        flag(Some(lines[1]), "offensive"),
    )
    .await;
    let (s, _) = live
        .post(
            "/api/v1/flags",
            Some(&bob),
            flag(Some(Uuid::new_v4()), "spam"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = live
        .post("/api/v1/flags", Some(&bob), flag(None, "because"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A line names its list: the same target as with the list given (bob's open flag again).
    let (s, by_line) = live
        .post(
            "/api/v1/flags",
            Some(&bob),
            json!({ "setlist_song_id": lines[1], "reason": "offensive" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{by_line}");
    let bobs: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM flags WHERE setlist_id = $1 AND setlist_song_id = $2 AND reason = 'offensive'",
    )
    .bind(list)
    .bind(lines[1])
    .fetch_all(&db)
    .await
    .expect("flags");
    assert_eq!(bobs.len(), 1, "one open flag per fan and target");
    assert_eq!(by_line["id"].as_str(), Some(bobs[0].to_string().as_str()));
    let (s, body) = live
        .post("/api/v1/flags", Some(&bob), json!({ "reason": "spam" }))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body")),
        "{body}"
    );

    let (s, queue) = live
        .get_as("/api/v1/moderation/flags", Some(&moderator))
        .await;
    assert_eq!(s, StatusCode::OK);
    let queue = queue.as_array().expect("queue").clone();
    assert_eq!(queue.len(), 1, "one row per target");
    assert_eq!(
        (queue[0]["subject"].as_str(), queue[0]["reports"].as_i64()),
        (Some("Spam Title"), Some(2))
    );
    let (s, _) = live.get_as("/api/v1/moderation/flags", Some(&alice)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let resolve = |id: &str, action: &str| {
        let (id, action) = (id.to_owned(), action.to_owned());
        let (live, moderator) = (&live, &moderator);
        async move {
            live.post(
                &format!("/api/v1/moderation/flags/{id}/resolve"),
                Some(moderator),
                json!({ "action": action }),
            )
            .await
        }
    };
    let id = queue[0]["id"].as_str().expect("id");
    let (s, done) = resolve(id, "remove_song").await;
    assert_eq!(
        (s, done["flags_closed"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{done}"
    );
    let (_, list_now) = live
        .get_as(&format!("/api/v1/shows/{show}/community"), None)
        .await;
    let titles: Vec<&str> = list_now["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|x| x["title"].as_str().expect("t"))
        .collect();
    assert!(!titles.contains(&"Spam Title"), "{titles:?}");
    let votes_left: i64 = sqlx::query_scalar("SELECT count(*) FROM votes")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(votes_left, 0);
    assert_eq!(resolve(id, "dismiss").await.0, StatusCode::CONFLICT);
    let (_, history) = live
        .get_as("/api/v1/moderation/flags?status=resolved", Some(&moderator))
        .await;
    assert_eq!(
        history[0]["subject"], "Spam Title",
        "the title survives the removal"
    );

    // A whole-list flag, hidden; a dismissed one changes nothing.
    let (_, f) = live
        .post(
            "/api/v1/flags",
            Some(&bob),
            flag(Some(lines[0]), "wrong_song"),
        )
        .await;
    let (s, _) = resolve(f["id"].as_str().expect("id"), "dismiss").await;
    assert_eq!(s, StatusCode::OK);
    let (_, f) = live
        .post("/api/v1/flags", Some(&bob), flag(None, "offensive"))
        .await;
    assert_eq!(
        resolve(f["id"].as_str().expect("id"), "remove_song")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (s, _) = resolve(f["id"].as_str().expect("id"), "hide_setlist").await;
    assert_eq!(s, StatusCode::OK);
    let (_, hidden) = live
        .get_as(&format!("/api/v1/shows/{show}/community"), None)
        .await;
    assert_eq!(hidden["songs"], json!([]));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.flag_resolved'",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 3);
}
