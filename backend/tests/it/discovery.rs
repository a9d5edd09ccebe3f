//! Discovery: page views, trending artists and shows, the home page, the dashboard, and
//! moderators rejecting a set-list version.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_cron_job, types};
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::TestApp;
use theset_testkit::rows::{self, artist, days_from_today, show, song};

async fn rescore(db: &PgPool) {
    enqueue_cron_job(db, types::CRON_SCORES)
        .await
        .expect("enqueue");
    Worker::new(db.clone(), Providers::default())
        .run_one()
        .await
        .expect("run");
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn page_views_count_each_viewer_once_per_window(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Viewed Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(10), "upcoming").await;
    for _ in 0..3 {
        let (st, _) = live.get_as("/api/v1/artists/viewed-band", None).await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = live.get_as(&format!("/api/v1/shows/{s}"), None).await;
        assert_eq!(st, StatusCode::OK);
    }
    // Pages that do not exist are not counted.
    live.get_as("/api/v1/artists/nobody-here", None).await;
    assert_eq!(live.views.flush(&db).await.expect("flush"), 2);
    let rows: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT subject_id, views FROM page_views ORDER BY views")
            .fetch_all(&db)
            .await
            .expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|(_, n)| *n == 1), "{rows:?}");
    // The next window counts the same viewer again, on top of today's row.
    live.get_as("/api/v1/artists/viewed-band", None).await;
    assert_eq!(live.views.flush(&db).await.expect("flush"), 1);
    let (day_views, lifetime): (i64, i64) = sqlx::query_as(
        "SELECT p.views, a.view_count FROM page_views p JOIN artists a ON a.id = p.subject_id",
    )
    .fetch_one(&db)
    .await
    .expect("artist views");
    assert_eq!((day_views, lifetime), (2, 2));
    assert_eq!(
        live.views.flush(&db).await.expect("flush"),
        0,
        "nothing pending"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn trending_shows_rank_votes_views_and_proximity(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Trend Band", &[], Some(40), 0.0).await;
    let b = artist(&db, "Other Band", &[], Some(90), 0.0).await;
    let voted = show(&db, a, None, days_from_today(40), "upcoming").await;
    let soon = show(&db, b, None, days_from_today(1), "upcoming").await;
    let far = show(&db, b, None, days_from_today(80), "upcoming").await;
    let past = show(&db, a, None, days_from_today(-3), "completed").await;
    let s = song(&db, a, "Anthem", 50).await;
    // Nothing scored yet: the home page still lists shows (soonest first) and artists (popular first).
    let (_, home) = live.get_as("/api/v1/home", None).await;
    assert_eq!(home["signed_in"], false);
    assert_eq!(
        ids(&home["trending_shows"]),
        [soon, voted, far].map(|u| u.to_string())
    );
    assert_eq!(
        ids(&home["trending_artists"]),
        [b, a].map(|u| u.to_string())
    );

    // Six fans vote on the show 40 days out.
    let (_, _, first) = live.quick(Role::User).await;
    let (st, line) = live
        .post(
            &format!("/api/v1/shows/{voted}/community/songs"),
            Some(&first),
            json!({ "mutation_id": Uuid::now_v7(), "song_id": s }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{line}");
    let line_id = line["setlist_song_id"].as_str().expect("line").to_owned();
    for _ in 0..6 {
        let (_, _, fan) = live.quick(Role::User).await;
        let (st, body) = live
            .put(
                &format!("/api/v1/setlist-songs/{line_id}/vote"),
                Some(&fan),
                json!({ "mutation_id": Uuid::now_v7(), "value": 1 }),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    rescore(&db).await;
    let (st, shows) = live.get_as("/api/v1/trending/shows?limit=10", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        ids(&shows),
        [voted, soon, far].map(|u| u.to_string()),
        "six fresh votes outweigh a show tomorrow; the past show does not trend: {shows}"
    );
    let score = |id: Uuid| {
        shows
            .as_array()
            .expect("array")
            .iter()
            .find(|v| v["id"] == id.to_string())
            .and_then(|v| v["trending_score"].as_f64())
            .expect("score")
    };
    let expected = 6.0 + 5.0 * (-40.0f64 / 14.0).exp();
    assert!(
        (score(voted) - expected).abs() < 0.01,
        "{} vs {expected}",
        score(voted)
    );
    let past_score: f64 = sqlx::query_scalar("SELECT trending_score FROM shows WHERE id = $1")
        .bind(past)
        .fetch_one(&db)
        .await
        .expect("past");
    assert_eq!(past_score, 0.0);

    // Views lift a show, logarithmically: 30 viewers of the far show today.
    sqlx::query("INSERT INTO page_views (subject_id, day, views) VALUES ($1, current_date, 30)")
        .bind(far)
        .execute(&db)
        .await
        .expect("views");
    rescore(&db).await;
    let far_score: f64 = sqlx::query_scalar("SELECT trending_score FROM shows WHERE id = $1")
        .bind(far)
        .fetch_one(&db)
        .await
        .expect("far");
    let expected = 0.5 * 31f64.ln() + 5.0 * (-80.0f64 / 14.0).exp();
    assert!((far_score - expected).abs() < 0.01, "{far_score}");

    // A show that has been cancelled since drops out of the ranking at the next run.
    sqlx::query("UPDATE shows SET status = 'cancelled' WHERE id = $1")
        .bind(voted)
        .execute(&db)
        .await
        .expect("cancel");
    rescore(&db).await;
    let (_, shows) = live.get_as("/api/v1/trending/shows", None).await;
    assert!(!ids(&shows).contains(&voted.to_string()), "{shows}");
    let (st, err) = live.get_as("/api/v1/trending/shows?limit=500", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["code"], "invalid_parameter");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn home_lists_followed_artists_upcoming_shows(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let followed = artist(&db, "Followed", &[], None, 0.0).await;
    let support_act = artist(&db, "Support Act", &[], None, 0.0).await;
    let stranger = artist(&db, "Stranger", &[], None, 0.0).await;
    let own = show(&db, followed, None, days_from_today(20), "upcoming").await;
    let supported = show(&db, stranger, None, days_from_today(5), "upcoming").await;
    sqlx::query("INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'support', 1)")
        .bind(supported)
        .bind(support_act)
        .execute(&db)
        .await
        .expect("support");
    show(&db, stranger, None, days_from_today(3), "upcoming").await;
    show(&db, followed, None, days_from_today(-20), "completed").await;
    let (_, _, token) = live.quick(Role::User).await;
    for a in [followed, support_act] {
        let (st, _) = live
            .send(
                Method::PUT,
                &format!("/api/v1/me/follows/{a}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, home) = live.get_as("/api/v1/home", Some(&token)).await;
    assert_eq!(st, StatusCode::OK, "{home}");
    assert_eq!(home["signed_in"], true);
    assert_eq!(
        ids(&home["followed_upcoming"]),
        [supported, own].map(|u| u.to_string()),
        "soonest first, support slots included, past shows and strangers left out"
    );
    let (st, err) = live.get_as("/api/v1/home", Some("not-a-token")).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a bad token is refused, not ignored: {err}"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn dashboard_shows_predictions_scores_and_contributions(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Dash Band", &[], None, 0.0).await;
    let shown = show(&db, a, None, days_from_today(2), "upcoming").await;
    let later = show(&db, a, None, days_from_today(30), "upcoming").await;
    let mut songs = Vec::new();
    for t in ["One", "Two", "Three", "Four"] {
        songs.push(song(&db, a, t, 50).await);
    }
    let (fan, _, token) = live.quick(Role::User).await;
    let (_, _, rival) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let (_, empty) = live.get_as("/api/v1/me/dashboard", Some(&token)).await;
    assert_eq!(empty["scores"]["scored"], 0);
    assert_eq!(empty["scores"]["all_time_rank"], Value::Null);
    assert_eq!(empty["contributions"]["votes_cast"], 0);

    live.send(
        Method::PUT,
        &format!("/api/v1/me/follows/{a}"),
        Some(&token),
        None,
    )
    .await;
    let predict = |songs: Vec<Uuid>| {
        json!({ "mutation_id": Uuid::now_v7(),
                "songs": songs.into_iter().map(|s| json!({ "song_id": s })).collect::<Vec<_>>() })
    };
    for (who, picks) in [
        (&token, vec![songs[0], songs[1], songs[2]]),
        (&rival, vec![songs[3]]),
    ] {
        let (st, body) = live
            .put(
                &format!("/api/v1/shows/{shown}/prediction"),
                Some(who),
                predict(picks),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    let (_, line) = live
        .post(
            &format!("/api/v1/shows/{later}/community/songs"),
            Some(&token),
            json!({ "mutation_id": Uuid::now_v7(), "song_id": songs[0] }),
        )
        .await;
    let line_id = line["setlist_song_id"].as_str().expect("line").to_owned();
    live.put(
        &format!("/api/v1/setlist-songs/{line_id}/vote"),
        Some(&token),
        json!({ "mutation_id": Uuid::now_v7(), "value": 1 }),
    )
    .await;

    // The show happens; the imported list is corrected by the fan and verified.
    sqlx::query("UPDATE shows SET date = $2, status = 'completed' WHERE id = $1")
        .bind(shown)
        .bind(days_from_today(-1))
        .execute(&db)
        .await
        .expect("played");
    let (actual, _) = rows::setlist(&db, shown, a, "setlistfm", &["One", "Two"]).await;
    let (st, v2) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&token),
            json!({ "mutation_id": Uuid::now_v7(), "base_version": 1,
                         "songs": [{ "title": "One" }, { "title": "Two" }, { "title": "Three" }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v2}");
    let (st, verified) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&moderator),
            json!({ "version": 2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{verified}");
    live.post("/api/v1/flags", Some(&token), json!({ "setlist_id": actual, "setlist_song_id": null, "reason": "other", "note": "thanks" }))
    .await;

    let (st, dash) = live.get_as("/api/v1/me/dashboard", Some(&token)).await;
    assert_eq!(st, StatusCode::OK, "{dash}");
    assert_eq!(ids(&dash["followed_artists"]), [a.to_string()]);
    assert_eq!(
        dash["upcoming_shows"]
            .as_array()
            .expect("upcoming")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect::<Vec<_>>(),
        [later.to_string()]
    );
    let predictions = dash["predictions"].as_array().expect("predictions");
    assert_eq!(predictions.len(), 1, "{dash}");
    assert_eq!(predictions[0]["show"]["id"], shown.to_string());
    assert_eq!(predictions[0]["songs"], 3);
    assert_eq!(
        predictions[0]["rank"], 1,
        "the exact prediction beats the rival"
    );
    let score = predictions[0]["score"].as_f64().expect("scored");
    assert!(score > 99.0, "exact prediction: {score}");
    assert_eq!(dash["scores"]["scored"], 1);
    assert_eq!(dash["scores"]["all_time_rank"], 1);
    assert_eq!(
        dash["contributions"],
        json!({ "songs_added": 1, "votes_cast": 1, "corrections": 1, "flags_raised": 1, "setlists_verified": 0 })
    );
    let (_, mod_dash) = live.get_as("/api/v1/me/dashboard", Some(&moderator)).await;
    assert_eq!(mod_dash["contributions"]["setlists_verified"], 1);
    let (_, rival_dash) = live.get_as("/api/v1/me/dashboard", Some(&rival)).await;
    assert_eq!(rival_dash["predictions"][0]["rank"], 2);
    assert_eq!(rival_dash["scores"]["all_time_rank"], 2);
    let (st, _) = live.get_as("/api/v1/me/dashboard", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The public page shows scored shows only: a draft for a show to come stays private.
    let (_, draft) = live
        .put(
            &format!("/api/v1/shows/{later}/prediction"),
            Some(&token),
            predict(vec![songs[1]]),
        )
        .await;
    assert_eq!(draft["songs"].as_array().map(Vec::len), Some(1), "{draft}");
    let (st, page) = live.get_as(&format!("/api/v1/users/{fan}"), None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let history = page["show_history"].as_array().expect("history");
    assert_eq!(history.len(), 1, "{page}");
    assert_eq!(history[0]["show"]["id"], shown.to_string());
    assert_eq!(history[0]["rank"], 1);
    let (_, dash) = live.get_as("/api/v1/me/dashboard", Some(&token)).await;
    assert_eq!(dash["predictions"].as_array().map(Vec::len), Some(2));
}

async fn history(live: &TestApp, setlist: Uuid) -> Vec<Value> {
    let (_, h) = live
        .get_as(&format!("/api/v1/setlists/{setlist}/history"), None)
        .await;
    h["items"].as_array().expect("history").clone()
}

fn titles(version: &Value) -> Vec<String> {
    version["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|l| l["title"].as_str().expect("title").to_owned())
        .collect()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn moderators_reject_a_version_and_the_list_goes_back(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Reject Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(-2), "completed").await;
    let (actual, _) = rows::setlist(&db, s, a, "setlistfm", &["Alpha", "Beta"]).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let reject = |version: i32, reason: &str| json!({ "version": version, "reason": reason });
    let url = format!("/api/v1/setlists/{actual}/reject");

    // Nothing before the imported original.
    let (st, body) = live.post(&url, Some(&moderator), reject(1, "wrong")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");

    let vandal = json!({ "mutation_id": Uuid::now_v7(), "base_version": 1,
                         "songs": [{ "title": "Spam Spam Spam" }] });
    let (st, _) = live
        .put(&format!("/api/v1/setlists/{actual}"), Some(&fan), vandal)
        .await;
    assert_eq!(st, StatusCode::OK);
    let before = live.footprint().await;
    // Fans cannot reject; a stale version and a bad reason are refused; none of it changes anything.
    let (st, _) = live.post(&url, Some(&fan), reject(2, "spam")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, stale) = live.post(&url, Some(&moderator), reject(1, "spam")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(stale["current"]["version"], 2);
    for bad in [
        json!({ "version": 2, "reason": "" }),
        json!({ "version": 2, "reason": "x".repeat(501) }),
        json!({ "version": 2 }),
    ] {
        let (st, body) = live.post(&url, Some(&moderator), bad).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    }
    assert_eq!(live.footprint().await, before);
    assert_eq!(history(&live, actual).await.len(), 2);

    let (st, restored) = live
        .post(&url, Some(&moderator), reject(2, "vandalism"))
        .await;
    assert_eq!(st, StatusCode::OK, "{restored}");
    assert_eq!(restored["version"], 3);
    assert_eq!(titles(&restored), ["Alpha", "Beta"]);
    let h = history(&live, actual).await;
    assert_eq!(
        h.iter().map(|v| v["version"].as_i64()).collect::<Vec<_>>(),
        [Some(3), Some(2), Some(1)]
    );
    assert_eq!(h[1]["rejected_reason"], "vandalism");
    assert_eq!(h[0]["rejected_reason"], Value::Null);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.setlist_version_rejected' AND subject_id = $1",
    )
    .bind(actual)
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // Verified, then a bad correction: rejecting it goes back to the verified content, still verified.
    let (st, _) = live
        .post(
            &format!("/api/v1/setlists/{actual}/verify"),
            Some(&moderator),
            json!({ "version": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = live.post(&url, Some(&moderator), reject(3, "fine")).await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "the verified version is corrected, not rejected: {body}"
    );
    let (st, _) = live
        .put(
            &format!("/api/v1/setlists/{actual}"),
            Some(&fan),
            json!({ "mutation_id": Uuid::now_v7(), "base_version": 3,
                         "songs": [{ "title": "Alpha" }, { "title": "Gamma" }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, back) = live
        .post(&url, Some(&moderator), reject(4, "Gamma was not played"))
        .await;
    assert_eq!(st, StatusCode::OK, "{back}");
    assert_eq!(back["version"], 5);
    assert_eq!(titles(&back), ["Alpha", "Beta"]);
    assert_eq!(
        back["verified"], true,
        "the verified content came back, so the list is verified again"
    );
    let status: String =
        sqlx::query_scalar("SELECT moderation_status::text FROM setlists WHERE id = $1")
            .bind(actual)
            .fetch_one(&db)
            .await
            .expect("status");
    assert_eq!(status, "verified");
}
