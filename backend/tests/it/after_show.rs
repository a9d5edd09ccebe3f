//! After the show, against a live server: a fan starts the actual set-list of a show that has
//! none (REST and sync), and moderators verify, reject and resolve flags offline: each decision
//! applies only to the version the moderator saw.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::sync::{Device, now_hlc, push};
use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows::{artist, days_from_today, setlist, show, song};

fn outcome(res: &Value, i: usize) -> String {
    let r = &res["results"][i];
    match r["status"].as_u64() {
        Some(s) => format!("{} {s}", r["outcome"].as_str().expect("outcome")),
        None => r["outcome"].as_str().expect("outcome").to_owned(),
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_fan_starts_the_list_of_a_show_without_one_and_a_second_start_meets_the_first(
    db: PgPool,
) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Manual Band", &[], None, 0.0).await;
    let past = show(&db, a, None, days_from_today(-1), "completed").await;
    let coming = show(&db, a, None, days_from_today(5), "upcoming").await;
    let hit = song(&db, a, "Big Hit", 80).await;
    let (_, _, token) = live.quick(Role::User).await;
    let songs = json!([{ "title": "big hit" }, { "title": "A Cover", "is_cover": true }]);
    let (st, body) = live
        .post(
            &format!("/api/v1/shows/{past}/actual"),
            Some(&token),
            json!({ "mutation_id": Uuid::now_v7(), "songs": songs }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(
        body["songs"][0]["song_id"],
        hit.to_string(),
        "matched to the catalogue"
    );
    let started: Uuid = body["setlist_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let source: String = sqlx::query_scalar("SELECT source::text FROM setlists WHERE id = $1")
        .bind(started)
        .fetch_one(&db)
        .await
        .expect("source");
    assert_eq!(source, "manual");
    // A second fan started theirs offline: refused with the first as it stands, for the merge.
    let (_, _, other) = live.quick(Role::User).await;
    let mut d = Device::new(&other);
    let m = d.mutation(
        "setlist.start@1",
        json!({ "show_id": past, "songs": [{ "title": "Their Opener" }], "note": null }),
        now_hlc(),
    );
    let (st, res) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(outcome(&res, 0), "rejected 409");
    assert_eq!(
        res["results"][0]["current"]["setlist_id"],
        started.to_string()
    );
    assert_eq!(res["results"][0]["current"]["version"], 1);
    // Not before the show; bad input changes nothing.
    let (st, body) = live
        .post(
            &format!("/api/v1/shows/{coming}/actual"),
            Some(&token),
            json!({ "mutation_id": Uuid::now_v7(), "songs": [{ "title": "Too Early" }] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, _) = live
        .post(
            &format!("/api/v1/shows/{coming}/actual"),
            Some(&token),
            json!({ "mutation_id": Uuid::now_v7(), "songs": [] }),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let lists: i64 = sqlx::query_scalar("SELECT count(*) FROM setlists WHERE show_id = $1")
        .bind(coming)
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(lists, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn offline_verification_applies_only_to_the_version_the_moderator_saw(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Moderated Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(-2), "completed").await;
    let (list, _) = setlist(&db, s, a, "setlistfm", &["One", "Two"]).await;
    let (_, _, mod_token) = live.quick(Role::Moderator).await;
    let (_, _, fan_token) = live.quick(Role::User).await;
    let mut moderator = Device::new(&mod_token);
    let mut fan = Device::new(&fan_token);
    // A fan's device verifying is refused: only moderators verify.
    let m = fan.mutation(
        "setlist.verify@1",
        json!({ "setlist_id": list, "version": 1 }),
        now_hlc(),
    );
    let (_, res) = push(&live, &fan, &[m]).await;
    assert_eq!(outcome(&res, 0), "rejected 403");
    // The moderator, offline, looks at version 1 and verifies it; meanwhile a fan corrects it.
    let verify = moderator.mutation(
        "setlist.verify@1",
        json!({ "setlist_id": list, "version": 1 }),
        now_hlc(),
    );
    let correction = fan.mutation(
        "setlist.edit@1",
        json!({ "setlist_id": list, "base_version": 1, "songs": [{ "title": "One" }, { "title": "Three" }], "note": null }),
        now_hlc(),
    );
    let (_, res) = push(&live, &fan, &[correction]).await;
    assert_eq!(outcome(&res, 0), "applied");
    let (_, res) = push(&live, &moderator, &[verify]).await;
    assert_eq!(
        outcome(&res, 0),
        "rejected 409",
        "version 1 is no longer current"
    );
    assert_eq!(res["results"][0]["current"]["version"], 2);
    let verified: Option<i32> =
        sqlx::query_scalar("SELECT verified_version FROM setlists WHERE id = $1")
            .bind(list)
            .fetch_one(&db)
            .await
            .expect("verified");
    assert_eq!(
        verified, None,
        "nothing verified that the moderator did not see"
    );
    // Version 2 seen: rejected offline (back to 1), then version 3 (= 1) verified.
    let decisions = [
        moderator.mutation(
            "setlist.reject@1",
            json!({ "setlist_id": list, "version": 2, "reason": "Three was not played" }),
            now_hlc(),
        ),
        moderator.mutation(
            "setlist.verify@1",
            json!({ "setlist_id": list, "version": 3 }),
            now_hlc(),
        ),
        // A retry of the same decisions (the answer got lost) applies nothing twice.
    ];
    let (_, res) = push(&live, &moderator, &decisions).await;
    assert_eq!(
        (outcome(&res, 0), outcome(&res, 1)),
        ("applied".into(), "applied".into()),
        "{res}"
    );
    let (_, again) = push(&live, &moderator, &decisions).await;
    assert_eq!(again["results"], res["results"]);
    let history = live.ok(&format!("/api/v1/setlists/{list}/history")).await["items"].clone();
    assert_eq!(history[0]["version"], 3);
    assert_eq!(history[0]["verified"], true);
    assert_eq!(history[1]["rejected_reason"], "Three was not played");
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action LIKE 'moderation.%'",
    )
    .bind(list)
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audits, 2, "each decision audited once");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn flags_are_resolved_offline_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Flagged Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(-2), "completed").await;
    let (list, lines) = setlist(&db, s, a, "setlistfm", &["Real", "Spam Line"]).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (st, flag) = live
        .post(
            "/api/v1/flags",
            Some(&fan),
            json!({ "setlist_id": list, "setlist_song_id": lines[1], "reason": "spam" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{flag}");
    let (_, _, mod_token) = live.quick(Role::Moderator).await;
    let mut d = Device::new(&mod_token);
    let resolve = d.mutation(
        "flag.resolve@1",
        json!({ "flag_id": flag["id"], "action": "remove_song" }),
        now_hlc(),
    );
    let twice = d.mutation(
        "flag.resolve@1",
        json!({ "flag_id": flag["id"], "action": "dismiss" }),
        now_hlc(),
    );
    let (_, res) = push(&live, &d, &[resolve, twice]).await;
    assert_eq!(outcome(&res, 0), "applied");
    assert_eq!(outcome(&res, 1), "rejected 409", "already handled");
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT title FROM setlist_songs WHERE setlist_id = $1 ORDER BY position",
    )
    .bind(list)
    .fetch_all(&db)
    .await
    .expect("lines");
    assert_eq!(left, ["Real"]);
}
