//! A show's discussion: comments and replies one level deep, edits within ten minutes, deletion
//! of one's own, moderators hiding and restoring, flags on comments and profiles, the per-account
//! budget, and the same rules through a sync push (a retried comment is written once).

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::sync::{Device, now_hlc, push};
use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_thread_with_replies_edits_deletions_and_moderators(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Talk Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(8), "upcoming").await;
    let (alice_id, _, alice) = live.quick(Role::User).await;
    let (_, _, bob) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let path = format!("/api/v1/shows/{show}/comments");

    let (s, first) = live
        .post(
            &path,
            Some(&alice),
            json!({ "body": "  Opening with the new single? See https://example.org/news.  " }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(
        first["body"],
        "Opening with the new single? See https://example.org/news."
    );
    let first_id = first["id"].as_str().expect("id").to_owned();
    let (s, reply) = live
        .post(
            &path,
            Some(&bob),
            json!({ "parent_id": first_id, "body": "Surely the encore." }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reply}");
    let reply_id = reply["id"].as_str().expect("id").to_owned();
    let (s, body) = live
        .post(
            &path,
            Some(&alice),
            json!({ "parent_id": reply_id, "body": "Deeper" }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "replies are one level deep: {body}"
    );
    let (s, later) = live
        .post(
            &path,
            Some(&bob),
            json!({ "body": "Anyone driving from the coast?" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{later}");

    // Newest first; "best" puts the replied-to one first.
    let (_, newest) = live.get_as(&path, None).await;
    assert_eq!(newest["total"], 3);
    assert_eq!(newest["comments"][0]["id"], later["id"]);
    assert_eq!(newest["comments"][1]["replies"][0]["id"], reply["id"]);
    let (_, best) = live.get_as(&format!("{path}?order=best"), None).await;
    assert_eq!(best["comments"][0]["id"], first["id"]);
    let (s, _) = live.get_as(&format!("{path}?order=loudest"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Only the author edits, and only for ten minutes; nobody deletes another's comment.
    let one = format!("/api/v1/comments/{first_id}");
    let (s, _) = live
        .patch(&one, Some(&bob), json!({ "body": "Hijacked" }))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, edited) = live
        .patch(
            &one,
            Some(&alice),
            json!({ "body": "Opening with the new single!" }),
        )
        .await;
    assert_eq!(
        (s, edited["edited_at"].is_string()),
        (StatusCode::OK, true),
        "{edited}"
    );
    sqlx::query("UPDATE comments SET created_at = now() - interval '11 minutes' WHERE id = $1")
        .bind(first_id.parse::<Uuid>().expect("uuid"))
        .execute(&db)
        .await
        .expect("age");
    let (s, body) = live
        .patch(&one, Some(&alice), json!({ "body": "Too late" }))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "{body}"
    );
    let (s, _) = live.delete(&one, Some(&bob)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A moderator hides bob's reply: others see its place, moderators its text; then restores.
    let (s, _) = live
        .post_empty(&format!("/api/v1/comments/{reply_id}/hide"), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, hidden) = live
        .post_empty(
            &format!("/api/v1/comments/{reply_id}/hide"),
            Some(&moderator),
        )
        .await;
    assert_eq!(
        (s, hidden["hidden"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{hidden}"
    );
    let (_, seen) = live.get_as(&path, Some(&alice)).await;
    let shown = &seen["comments"][1]["replies"][0];
    assert_eq!(
        (shown["hidden"].as_bool(), shown["body"].as_str()),
        (Some(true), Some(""))
    );
    let (_, seen) = live.get_as(&path, Some(&moderator)).await;
    assert_eq!(
        seen["comments"][1]["replies"][0]["body"],
        "Surely the encore."
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.comment_hidden'",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    live.post_empty(
        &format!("/api/v1/comments/{reply_id}/restore"),
        Some(&moderator),
    )
    .await;
    let (_, seen) = live.get_as(&path, None).await;
    assert_eq!(
        seen["comments"][1]["replies"][0]["body"],
        "Surely the encore."
    );

    // Deleting a comment with replies keeps its place; one without goes.
    let (s, _) = live.delete(&one, Some(&alice)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, seen) = live.get_as(&path, None).await;
    assert_eq!(
        (
            seen["comments"][1]["deleted"].as_bool(),
            seen["comments"][1]["body"].as_str()
        ),
        (Some(true), Some(""))
    );
    let (s, _) = live
        .post(
            &path,
            Some(&bob),
            json!({ "parent_id": first_id, "body": "To a deleted one" }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a removed comment takes no new replies"
    );
    live.delete(
        &format!("/api/v1/comments/{}", later["id"].as_str().expect("id")),
        Some(&bob),
    )
    .await;
    let (_, seen) = live.get_as(&path, None).await;
    assert_eq!(seen["total"], 2);

    // Flags reach comments and profiles, and their resolutions act on them.
    let (s, flag) = live
        .post(
            "/api/v1/flags",
            Some(&alice),
            json!({ "comment_id": reply_id, "reason": "offensive" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{flag}");
    sqlx::query("UPDATE users SET display_name = 'Rude Name' WHERE id = (SELECT author_id FROM comments WHERE id = $1)")
        .bind(reply_id.parse::<Uuid>().expect("uuid"))
        .execute(&db)
        .await
        .expect("rename");
    let bob_id: Uuid = sqlx::query_scalar("SELECT author_id FROM comments WHERE id = $1")
        .bind(reply_id.parse::<Uuid>().expect("uuid"))
        .fetch_one(&db)
        .await
        .expect("bob");
    let (s, profile_flag) = live
        .post(
            "/api/v1/flags",
            Some(&alice),
            json!({ "user_id": bob_id, "reason": "offensive", "note": "that name" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{profile_flag}");
    let (s, _) = live
        .post(
            "/api/v1/flags",
            Some(&alice),
            json!({ "user_id": alice_id, "reason": "spam" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "nobody flags themselves");
    let (s, _) = live
        .post(
            "/api/v1/flags",
            Some(&alice),
            json!({ "comment_id": reply_id, "user_id": bob_id, "reason": "spam" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "one target per flag");
    let (_, queue) = live
        .get_as("/api/v1/moderation/flags", Some(&moderator))
        .await;
    let kinds: Vec<&str> = queue
        .as_array()
        .expect("queue")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"comment") && kinds.contains(&"profile"),
        "{queue}"
    );
    let comment_flag = flag["id"].as_str().expect("id");
    let (s, body) = live
        .post(
            &format!("/api/v1/moderation/flags/{comment_flag}/resolve"),
            Some(&moderator),
            json!({ "action": "remove_song" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a comment has no song: {body}");
    let (s, _) = live
        .post(
            &format!("/api/v1/moderation/flags/{comment_flag}/resolve"),
            Some(&moderator),
            json!({ "action": "hide_comment" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, seen) = live.get_as(&path, None).await;
    assert_eq!(seen["comments"][0]["replies"][0]["hidden"], true);
    let (s, _) = live
        .post(
            &format!(
                "/api/v1/moderation/flags/{}/resolve",
                profile_flag["id"].as_str().expect("id")
            ),
            Some(&moderator),
            json!({ "action": "reset_profile" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, page) = live.get_as(&format!("/api/v1/users/{bob_id}"), None).await;
    assert_eq!(page["display_name"], "Fan");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn comments_pushed_from_a_device_are_written_once_and_bounded(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Pushed Talk", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(3), "upcoming").await;
    let (_, _, token) = live.quick(Role::User).await;
    let (_, _, other) = live.quick(Role::User).await;
    let mut d = Device::new(&token);
    let id = Uuid::now_v7();
    let comment = d.mutation(
        "comment.add@1",
        json!({ "comment_id": id, "show_id": show, "parent_id": null, "body": "Written on the train" }),
        now_hlc(),
    );
    let (s, first) = push(&live, &d, std::slice::from_ref(&comment)).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["results"][0]["outcome"], "applied", "{first}");
    // The same push again (a lost answer): the same result, one comment.
    let (_, again) = push(&live, &d, std::slice::from_ref(&comment)).await;
    assert_eq!(again["results"][0], first["results"][0]);
    // Another account cannot write under that id, nor edit it.
    let mut e = Device::new(&other);
    let forged = e.mutation(
        "comment.add@1",
        json!({ "comment_id": id, "show_id": show, "parent_id": null, "body": "Forged" }),
        now_hlc(),
    );
    let edit = e.mutation(
        "comment.edit@1",
        json!({ "comment_id": id, "body": "Forged" }),
        now_hlc(),
    );
    let (_, refused) = push(&live, &e, &[forged, edit]).await;
    assert_eq!(refused["results"][0]["outcome"], "rejected", "{refused}");
    assert_eq!(refused["results"][1]["outcome"], "rejected", "{refused}");
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM comments")
        .fetch_all(&db)
        .await
        .expect("comments");
    assert_eq!(bodies, vec!["Written on the train".to_owned()]);

    // A burst past the budget: what fits is written, the rest waits for a later push.
    let burst: Vec<_> = (0..12)
        .map(|n| {
            d.mutation(
                "comment.add@1",
                json!({ "comment_id": Uuid::now_v7(), "show_id": show, "parent_id": null, "body": format!("Spam {n}") }),
                now_hlc(),
            )
        })
        .collect();
    let (s, answer) = push(&live, &d, &burst).await;
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(s, StatusCode::OK, "{answer}");
    let answered = answer["results"].as_array().expect("results").len();
    assert!(
        answered < 12 && written <= 6,
        "five at once, then one per 20 s per account: {answered} answered, {written} written"
    );
    assert_eq!(
        i64::try_from(answered).expect("n") + 1,
        written,
        "every answered comment is written; the rest wait on the device"
    );
}
