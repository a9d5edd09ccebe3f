//! Notifications: each event tells the people it concerns once (never the one who acted), kinds
//! can be turned off, the feed is read and marked read over REST and through the sync (pull
//! brings them, `notification.read@1` marks them on every device).

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::db::predictions;
use theset_shared::api::NotificationKind;
use uuid::Uuid;

use crate::sync::{Device, now_hlc, pull_all, pull_until, push};
use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows as support;

async fn kinds_of(db: &PgPool, user: Uuid) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT kind::text, title FROM notifications WHERE user_id = $1 ORDER BY created_at, kind::text",
    )
    .bind(user)
    .fetch_all(db)
    .await
    .expect("notifications")
}

fn has(list: &[(String, String)], kind: &str, title_part: &str) -> bool {
    list.iter()
        .any(|(k, t)| k == kind && t.contains(title_part))
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn events_tell_the_people_they_concern_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "News Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(-1), "completed").await;
    let mut songs = Vec::new();
    for t in ["Opener", "Single", "Closer"] {
        songs.push(support::song(&db, artist, t, 50).await);
    }
    let (actual, _) = support::setlist(&db, show, artist, "setlistfm", &["Opener", "Single"]).await;
    let (alice_id, _, alice) = live.quick(Role::User).await;
    let (bob_id, _, bob) = live.quick(Role::User).await;
    let (moderator_id, _, moderator) = live.quick(Role::Moderator).await;

    // Corrections: bob's version supersedes alice's; the moderator verifies bob's.
    let edit = |base: i64, titles: &[&str]| {
        json!({ "mutation_id": Uuid::now_v7(), "base_version": base,
                "songs": titles.iter().map(|t| json!({ "title": t })).collect::<Vec<_>>() })
    };
    let (s, _) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&alice),
            edit(1, &["Opener", "Single", "Closer"]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&bob),
            edit(2, &["Opener", "Closer"]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut conn = db.acquire().await.expect("conn");
    for (who, picks) in [
        (alice_id, vec![0, 2]),
        (bob_id, vec![1]),
        (moderator_id, vec![0]),
    ] {
        let lines: Vec<_> = picks
            .iter()
            .map(|i: &usize| (songs[*i], "x".to_owned(), false))
            .collect();
        predictions::replace_prediction(&mut conn, show, artist, who, &lines)
            .await
            .expect("prediction");
    }
    drop(conn);
    let (s, _) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&moderator),
            json!({ "version": 3 }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Alice writes again; the moderator rejects it.
    live.put(
        &format!("/api/v1/setlists/{actual}"),
        Some(&alice),
        edit(3, &["Wrong"]),
    )
    .await;
    let (s, body) = live
        .post(
            &format!("/api/v1/setlists/{actual}/reject"),
            Some(&moderator),
            json!({ "version": 4, "reason": "Not what was played" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // A reply, and a reply to oneself.
    let thread = format!("/api/v1/shows/{show}/comments");
    let (_, bobs) = live
        .post(
            &thread,
            Some(&bob),
            json!({ "body": "Best gig of the year" }),
        )
        .await;
    live.post(
        &thread,
        Some(&alice),
        json!({ "parent_id": bobs["id"], "body": "Agreed!" }),
    )
    .await;
    live.post(
        &thread,
        Some(&bob),
        json!({ "parent_id": bobs["id"], "body": "Still buzzing" }),
    )
    .await;

    // A report, dismissed.
    let (_, flag) = live
        .post(
            "/api/v1/flags",
            Some(&alice),
            json!({ "setlist_id": actual, "reason": "other" }),
        )
        .await;
    let (s, _) = live
        .post(
            &format!(
                "/api/v1/moderation/flags/{}/resolve",
                flag["id"].as_str().expect("id")
            ),
            Some(&moderator),
            json!({ "action": "dismiss" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let alice_news = kinds_of(&db, alice_id).await;
    let bob_news = kinds_of(&db, bob_id).await;
    let moderator_news = kinds_of(&db, moderator_id).await;
    assert!(
        has(&alice_news, "correction_decided", "was changed"),
        "{alice_news:?}"
    );
    assert!(
        has(&alice_news, "correction_decided", "was rejected"),
        "{alice_news:?}"
    );
    assert!(
        has(&alice_news, "prediction_scored", "scored"),
        "{alice_news:?}"
    );
    assert!(
        has(&alice_news, "flag_resolved", "looked at your report"),
        "{alice_news:?}"
    );
    assert!(
        has(&bob_news, "correction_decided", "was verified"),
        "{bob_news:?}"
    );
    assert!(
        has(&bob_news, "prediction_scored", "scored"),
        "{bob_news:?}"
    );
    assert!(
        has(&bob_news, "comment_reply", "replied to your comment"),
        "{bob_news:?}"
    );
    assert_eq!(
        bob_news
            .iter()
            .filter(|(k, _)| k == "comment_reply")
            .count(),
        1,
        "not for bob's own reply"
    );
    assert!(
        moderator_news.is_empty(),
        "the moderator acted: {moderator_news:?}"
    );
    let rank: String = sqlx::query_scalar(
        "SELECT body FROM notifications WHERE user_id = $1 AND kind = 'prediction_scored'",
    )
    .bind(alice_id)
    .fetch_one(&db)
    .await
    .expect("rank");
    assert!(
        rank.starts_with("Rank ") && rank.contains(" of 3"),
        "{rank}"
    );

    // The same event produced again (a second backend process, a retried job): one row.
    for _ in 0..2 {
        theset_backend::db::notifications::notify(
            &db,
            &[alice_id],
            NotificationKind::NewShow,
            "once",
            None,
            "Once",
            "",
        )
        .await
        .expect("notify");
    }
    let once: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE dedupe = 'once'")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(once, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn show_news_reach_followers_and_goers_and_sync_to_their_devices(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Touring Band", &[], None, 0.0).await;
    let (carol, _, token) = live.quick(Role::User).await;
    let (other, _, _) = live.quick(Role::User).await;
    sqlx::query("INSERT INTO user_follows_artists (user_id, artist_id) VALUES ($1, $2)")
        .bind(carol)
        .bind(artist)
        .execute(&db)
        .await
        .expect("follow");
    let show = support::show(&db, artist, None, support::days_from_today(30), "upcoming").await;
    sqlx::query("INSERT INTO show_attendance (user_id, show_id, going) VALUES ($1, $2, true)")
        .bind(carol)
        .bind(show)
        .execute(&db)
        .await
        .expect("going");
    for change in [
        "UPDATE shows SET date = date + 1 WHERE id = $1",
        "UPDATE shows SET status = 'ongoing' WHERE id = $1",
        "UPDATE shows SET status = 'cancelled' WHERE id = $1",
    ] {
        sqlx::query(change)
            .bind(show)
            .execute(&db)
            .await
            .expect("change");
    }
    let news = kinds_of(&db, carol).await;
    assert_eq!(
        news.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec!["new_show", "show_changed", "show_changed"],
        "announced, moved, cancelled (not the routine ongoing): {news:?}"
    );
    assert!(
        kinds_of(&db, other).await.is_empty(),
        "neither following nor going"
    );

    // Turned off, a kind is not produced.
    let (s, prefs) = live
        .put(
            "/api/v1/me/notification-prefs",
            Some(&token),
            json!({ "kinds": [{ "kind": "new_show", "enabled": false }] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{prefs}");
    assert!(
        prefs["kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .any(|k| k["kind"] == "new_show" && k["enabled"] == false)
    );
    support::show(&db, artist, None, support::days_from_today(40), "upcoming").await;
    assert_eq!(kinds_of(&db, carol).await.len(), 3);

    // The feed, and the device: a pull brings them; read there, read everywhere.
    let (_, feed) = live.get_as("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(feed["unread"], 3);
    let mut d = Device::new(&token);
    let pulled = pull_all(&live, &mut d).await;
    // A row may come twice (the snapshot, then the log behind another test's transaction):
    // upserts, so a device keeps one.
    let mut ids: Vec<Value> = pulled
        .iter()
        .filter(|c| c["type"] == "notification")
        .map(|c| c["id"].clone())
        .collect();
    ids.sort_by_key(ToString::to_string);
    ids.dedup();
    assert_eq!(ids.len(), 3, "{pulled:?}");
    let read = d.mutation("notification.read@1", json!({ "ids": [ids[0]] }), now_hlc());
    let (s, _) = push(&live, &d, &[read]).await;
    assert_eq!(s, StatusCode::OK);
    let (_, feed) = live.get_as("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(feed["unread"], 2);
    // The read state comes back to every device.
    pull_until(&live, &mut d, |got| {
        got.iter()
            .any(|c| c["type"] == "notification" && c["id"] == ids[0] && c["read"] == true)
    })
    .await;
    let (s, _) = live
        .post("/api/v1/me/notifications/read", Some(&token), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, feed) = live.get_as("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(feed["unread"], 0);
    // Someone else's ids change nothing.
    let (_, _, stranger) = live.quick(Role::User).await;
    let (s, _) = live
        .post(
            "/api/v1/me/notifications/read",
            Some(&stranger),
            json!({ "ids": [ids[1]] }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = live
        .post(
            "/api/v1/me/notifications/read",
            Some(&token),
            json!({ "ids": vec![Uuid::nil(); 501] }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn tickets_on_sale_remind_followers_the_day_before_and_when_they_open(db: PgPool) {
    use chrono::{Duration as Span, Utc};
    use theset_backend::db::notifications::onsale;

    let live = TestApp::start(db.clone()).await;
    let headliner = support::artist(&db, "Big Band", &[], None, 0.0).await;
    let opener = support::artist(&db, "Small Band", &[], None, 0.0).await;
    let (fan, _, _) = live.quick(Role::User).await;
    let (quiet, _, quiet_token) = live.quick(Role::User).await;
    let (stranger, _, _) = live.quick(Role::User).await;
    for (user, artist) in [(fan, opener), (quiet, headliner)] {
        sqlx::query("INSERT INTO user_follows_artists (user_id, artist_id) VALUES ($1, $2)")
            .bind(user)
            .bind(artist)
            .execute(&db)
            .await
            .expect("follow");
    }
    let (s, _) = live
        .put(
            "/api/v1/me/notification-prefs",
            Some(&quiet_token),
            json!({ "kinds": [{ "kind": "onsale", "enabled": false }] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let show = support::show(
        &db,
        headliner,
        None,
        support::days_from_today(60),
        "upcoming",
    )
    .await;
    sqlx::query("INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'support', 1)")
        .bind(show)
        .bind(opener)
        .execute(&db)
        .await
        .expect("support act");
    let sale = Utc::now() + Span::days(3);
    sqlx::query("UPDATE shows SET onsale_at = $2 WHERE id = $1")
        .bind(show)
        .bind(sale)
        .execute(&db)
        .await
        .expect("sale");
    let onsale_titles = |user| {
        let db = db.clone();
        async move {
            kinds_of(&db, user)
                .await
                .into_iter()
                .filter(|(k, _)| k == "onsale")
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
        }
    };

    let at = |offset: Span| onsale(&db, sale + offset);
    assert_eq!(at(Span::hours(-30)).await.expect("run"), 0, "too early");
    assert_eq!(
        at(Span::hours(-24)).await.expect("run"),
        1,
        "the day before"
    );
    assert_eq!(at(Span::hours(-23)).await.expect("run"), 0, "once");
    assert_eq!(at(Span::minutes(1)).await.expect("run"), 1, "at the time");
    assert_eq!(at(Span::minutes(2)).await.expect("run"), 0, "once");
    assert_eq!(
        onsale_titles(fan).await,
        vec![
            "Tickets for Big Band go on sale in 24 hours".to_owned(),
            "Tickets for Big Band are on sale now".to_owned()
        ],
        "a follower of the support act hears too"
    );
    assert!(onsale_titles(quiet).await.is_empty(), "turned off");
    assert!(onsale_titles(stranger).await.is_empty(), "follows neither");

    // A sale that moves reminds again; one that opened long before the show was imported does not.
    let moved = sale + Span::days(2);
    sqlx::query("UPDATE shows SET onsale_at = $2 WHERE id = $1")
        .bind(show)
        .bind(moved)
        .execute(&db)
        .await
        .expect("moved sale");
    assert_eq!(onsale(&db, moved - Span::hours(2)).await.expect("run"), 1);
    assert_eq!(onsale(&db, moved + Span::hours(7)).await.expect("run"), 0);
    sqlx::query("UPDATE shows SET status = 'cancelled' WHERE id = $1")
        .bind(show)
        .execute(&db)
        .await
        .expect("cancel");
    assert_eq!(
        onsale(&db, moved + Span::minutes(1)).await.expect("run"),
        0,
        "a cancelled show has no sale"
    );

    // The scheduler's minute job is what runs it.
    let soon = support::show(&db, opener, None, support::days_from_today(90), "upcoming").await;
    sqlx::query("UPDATE shows SET onsale_at = now() + interval '90 minutes' WHERE id = $1")
        .bind(soon)
        .execute(&db)
        .await
        .expect("sale soon");
    theset_backend::jobs::enqueue_cron_job(&db, theset_backend::jobs::types::CRON_STATUSES)
        .await
        .expect("enqueue");
    theset_backend::jobs::worker::Worker::new(
        db.clone(),
        theset_backend::jobs::Providers::default(),
    )
    .run_one()
    .await
    .expect("run")
    .expect("a job ran");
    assert!(
        onsale_titles(fan)
            .await
            .contains(&"Tickets for Small Band go on sale in 2 hours".to_owned()),
        "{:?}",
        onsale_titles(fan).await
    );
}
