//! The second round of the attack suite: what calendar feeds, live capture, set-list history,
//! mail, the upstream quota, moderator powers and step-up opened. Each case failed on the code
//! before its fix; the suite's rule holds (a JSON 4xx with a stable code and nothing changed, or
//! the documented safe outcome).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_shared::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use uuid::Uuid;

use theset_testkit::mail::{link_after, next_mail, token_in};
use theset_testkit::rows;
use theset_testkit::{Role, TestApp, email};

use super::Suite;
use crate::sync::{Device, now_hlc};

/// Signs in with a mailed link to `address`: the owner proving the address. The session's
/// access token.
async fn take_back(live: &TestApp, address: &str, seen: &mut Vec<String>) -> String {
    let (s, _) = live
        .post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = token_in(&next_mail(address, seen).await);
    let (s, pair) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": token, "device_id": "owner" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    pair["access_token"].as_str().expect("access").to_owned()
}

/// A new calendar address for the account of `access`: its path on this server.
async fn new_feed(live: &TestApp, access: &str) -> String {
    let (s, feed) = live.post_empty("/api/v1/me/calendar", Some(access)).await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    let url = url::Url::parse(feed["url"].as_str().expect("url")).expect("feed url");
    let path = url.path().to_owned();
    let (s, _) = live.get_text(&path).await;
    assert_eq!(s, StatusCode::OK, "a fresh feed answers");
    path
}

fn access_of(pair: &Value) -> String {
    pair["access_token"].as_str().expect("access").to_owned()
}

/// Item 1: a calendar address made by whoever held the account before its owner proved the
/// address (or before a password change, a reset, "sign out everywhere else") reads nothing.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn calendar_addresses_end_with_the_credentials_that_made_them(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let mut seen = Vec::new();

    // A pre-hijacker registered the owner's address and made a feed; the owner takes it back.
    let address = email("feed-owner");
    let attacker = access_of(&live.signup_and_login(&address, "attacker").await);
    next_mail(&address, &mut seen).await;
    let planted = new_feed(&live, &attacker).await;
    let owner = take_back(&live, &address, &mut seen).await;
    let mut t = Suite::from_now(&live).await;
    t.refused(
        "calendar: a pre-hijacker's feed after the owner proved the address",
        live.req(Method::GET, &planted),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // "Sign out everywhere else" ends the owner's own feed too (a lost phone had it).
    let feed = new_feed(&live, &owner).await;
    let (s, _) = live.delete("/api/v1/me/sessions", Some(&owner)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    t.settle().await;
    t.refused(
        "calendar: a feed after \"sign out everywhere else\"",
        live.req(Method::GET, &feed),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let (s, _) = live.get_as("/api/v1/me", Some(&owner)).await;
    assert_eq!(s, StatusCode::OK, "the device that asked stays signed in");

    // A password change (from a fan who has one) and a reset by mail end it as well.
    let (_, fan, _) = live.account("feed-fan").await;
    let feed = new_feed(&live, &fan).await;
    let (s, body) = live
        .put(
            "/api/v1/me/password",
            Some(&fan),
            json!({ "current_password": theset_testkit::PASSWORD, "new_password": "another long passphrase 42" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    t.settle().await;
    t.refused(
        "calendar: a feed after a password change",
        live.req(Method::GET, &feed),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let feed = new_feed(&live, &fan).await;
    let (_, me) = live.get_as("/api/v1/me", Some(&fan)).await;
    let fan_address = me["email"].as_str().expect("address").to_owned();
    let asked = std::time::SystemTime::now();
    let (s, _) = live
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": fan_address }),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = token_in(&link_after(&fan_address, asked, "/auth/reset-password").await);
    let (s, body) = live
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": "a third long passphrase 7" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    t.settle().await;
    t.refused(
        "calendar: a feed after a password reset",
        live.req(Method::GET, &feed),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    println!("attack suite, calendar feeds: {} cases", t.cases);
}

/// A show that starts at `at` (and its headliner): `(artist, show)`.
async fn show_at(db: &PgPool, name: &str, at: chrono::DateTime<chrono::Utc>) -> (Uuid, Uuid) {
    let a = rows::artist(db, name, &[], None, 0.0).await;
    let s = rows::show(db, a, None, at.date_naive(), "upcoming").await;
    sqlx::query("UPDATE shows SET starts_at = $2 WHERE id = $1")
        .bind(s)
        .bind(at)
        .execute(db)
        .await
        .expect("start");
    (a, s)
}

fn capture(show: Uuid, title: &str, at: chrono::DateTime<chrono::Utc>) -> Value {
    json!({ "capture_id": Uuid::now_v7(), "show_id": show, "title": title, "at": at })
}

/// Item 2: a capture's stamp is the device's word; the server's clock decides whether the show
/// has begun. A list of a show that has not begun takes no correction.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn captures_and_corrections_wait_for_the_show_by_the_servers_clock(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let start = chrono::Utc::now() + chrono::Duration::days(45);
    let (a, s) = show_at(&db, "Far Future Band", start).await;
    let (_, _, token) = live.quick(Role::User).await;
    let mut d = Device::new(&token);
    let mut t = Suite::from_now(&live).await;
    let m = d.mutation(
        "capture.add@1",
        capture(s, "Opener", start + chrono::Duration::minutes(30)),
        now_hlc(),
    );
    t.safe(
        "capture: stamped inside a show that starts in 45 days",
        live.req(Method::POST, "/api/v1/sync/push")
            .bearer_auth(&token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&json!({ "device_id": d.id, "mutations": [m] })),
        StatusCode::OK,
        |b| b["results"][0]["outcome"] == "rejected" && b["results"][0]["status"] == 409,
    )
    .await;
    // During a show, a stamp hours ahead of the server's clock.
    let (_, on) = show_at(
        &db,
        "On Stage Now",
        chrono::Utc::now() - chrono::Duration::minutes(20),
    )
    .await;
    t.settle().await;
    let m = d.mutation(
        "capture.add@1",
        capture(
            on,
            "Later Song",
            chrono::Utc::now() + chrono::Duration::hours(3),
        ),
        now_hlc(),
    );
    t.safe(
        "capture: a device clock hours ahead of the server's",
        live.req(Method::POST, "/api/v1/sync/push")
            .bearer_auth(&token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&json!({ "device_id": d.id, "mutations": [m] })),
        StatusCode::OK,
        |b| b["results"][0]["outcome"] == "rejected" && b["results"][0]["status"] == 400,
    )
    .await;

    // An actual list held for the future show (an import gone wrong) takes no correction.
    let (list, _) = rows::setlist(&db, s, a, "setlistfm", &["Opener"]).await;
    t.settle().await;
    t.refused(
        "correction: the actual list of a show that has not begun",
        live.req(Method::PUT, &format!("/api/v1/setlists/{list}"))
            .bearer_auth(&token)
            .json(&json!({ "mutation_id": Uuid::now_v7(), "base_version": 1,
                           "songs": [{ "title": "Made Up" }] })),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    println!("attack suite, live capture: {} cases", t.cases);
}

/// Item 2: scores drawn from a crowd list go with it: captures taken back leave no score.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn provisional_scores_follow_the_list_they_came_from(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (a, s) = show_at(
        &db,
        "Crowd Band",
        chrono::Utc::now() - chrono::Duration::minutes(30),
    )
    .await;
    let opener = rows::song(&db, a, "Opener", 50).await;
    let (fan, _, token) = live.quick(Role::User).await;
    let prediction: Uuid = sqlx::query_scalar(
        "WITH l AS (INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
                    VALUES ($1, $2, 'predicted', 'user', $3) RETURNING id) \
         INSERT INTO setlist_songs (setlist_id, song_id, title, position) \
         SELECT id, $4, 'Opener', 0 FROM l RETURNING setlist_id",
    )
    .bind(s)
    .bind(a)
    .bind(fan)
    .bind(opener)
    .fetch_one(&db)
    .await
    .expect("prediction");
    let score = || async {
        sqlx::query_scalar::<_, Option<f64>>("SELECT accuracy_score FROM setlists WHERE id = $1")
            .bind(prediction)
            .fetch_one(&db)
            .await
            .expect("score")
    };
    let worker = Worker::new(db.clone(), Providers::default());
    let mut d = Device::new(&token);
    let c = json!({ "capture_id": Uuid::now_v7(), "show_id": s, "song_id": opener,
                    "title": "Opener", "at": chrono::Utc::now() - chrono::Duration::minutes(5) });
    let m = d.mutation("capture.add@1", c.clone(), now_hlc());
    let (st, res) = crate::sync::push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(res["results"][0]["outcome"], "applied", "{res}");
    while worker.run_one().await.expect("job").is_some() {}
    assert!(
        score().await.is_some(),
        "scored provisionally against the crowd list"
    );
    let m = d.mutation(
        "capture.undo@1",
        json!({ "capture_id": c["capture_id"] }),
        now_hlc(),
    );
    let (_, res) = crate::sync::push(&live, &d, &[m]).await;
    assert_eq!(res["results"][0]["outcome"], "applied", "{res}");
    while worker.run_one().await.expect("job").is_some() {}
    assert_eq!(
        score().await,
        None,
        "the list went away, and so did its score"
    );
}

/// Item 3: the history everyone reads is paged, and one account cannot grow a list's history
/// without bound (its own budget, and a daily cap per list).
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn set_list_history_is_paged_and_corrections_are_bounded(db: PgPool) {
    let live = TestApp::start_with(db.clone(), |auth| {
        // Only the per-list cap is under test here: the correction budget is lifted.
        auth.limits =
            theset_backend::auth::limits::Limits::new(theset_backend::auth::limits::Rates {
                correction_account: theset_backend::auth::limits::Rate::new(1_000, 1),
                ..theset_testkit::unlimited_votes()
            });
    })
    .await;
    let (a, s) = show_at(
        &db,
        "History Band",
        chrono::Utc::now() - chrono::Duration::days(1),
    )
    .await;
    let (list, _) = rows::setlist(&db, s, a, "setlistfm", &["One"]).await;
    let (_, _, token) = live.quick(Role::User).await;
    let cap = theset_shared::api::DAILY_CORRECTIONS_PER_LIST;
    let mut version = 1;
    for n in 0..cap {
        let (st, body) = live
            .put(
                &format!("/api/v1/setlists/{list}"),
                Some(&token),
                json!({ "mutation_id": Uuid::now_v7(), "base_version": version,
                        "songs": [{ "title": format!("Song {n}") }] }),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        version = body["version"].as_i64().expect("version") as i32;
    }
    let mut t = Suite::from_now(&live).await;
    t.refused(
        "history: one more correction of the same list the same day",
        live.req(Method::PUT, &format!("/api/v1/setlists/{list}"))
            .bearer_auth(&token)
            .json(
                &json!({ "mutation_id": Uuid::now_v7(), "base_version": version,
                           "songs": [{ "title": "Once More" }] }),
            ),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    t.refused(
        "history: a page larger than the largest",
        live.req(
            Method::GET,
            &format!("/api/v1/setlists/{list}/history?limit=100000"),
        ),
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    // Anonymous readers get a page, newest first, and a cursor to the rest.
    let (st, page) = live
        .get_as(&format!("/api/v1/setlists/{list}/history"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 20, "the documented page size");
    assert_eq!(items[0]["version"], version);
    let cursor = page["next_cursor"].as_str().expect("more pages");
    let (_, rest) = live
        .get_as(
            &format!("/api/v1/setlists/{list}/history?cursor={cursor}"),
            None,
        )
        .await;
    let older = rest["items"].as_array().expect("items");
    assert_eq!(
        usize::try_from(version).expect("versions"),
        items.len() + older.len(),
        "every version once, across pages"
    );
    assert!(rest["next_cursor"].is_null());
    // A cursor of another list is refused rather than misread.
    let (b, elsewhere) = show_at(
        &db,
        "Other Band",
        chrono::Utc::now() - chrono::Duration::days(2),
    )
    .await;
    let (other, _) = rows::setlist(&db, elsewhere, b, "manual", &["Two"]).await;
    t.settle().await;
    t.refused(
        "history: a cursor of another list",
        live.req(
            Method::GET,
            &format!("/api/v1/setlists/{other}/history?cursor={cursor}"),
        ),
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
    println!("attack suite, set-list history: {} cases", t.cases);
}

/// Item 4: sign-ups with a taken address spend that address's mail budget like every other
/// mail, repeat "you already have an account" once, and leave the owner's link working.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn sign_ups_cannot_bomb_an_inbox_or_spoil_its_links(db: PgPool) {
    use theset_backend::auth::limits::{Limits, Rate, Rates};
    // Every request comes from loopback: the per-network budgets are lifted, the per-address
    // one is under test.
    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(Rates {
            mail_ip: Rate::new(1_000, 1),
            signup_ip: Rate::new(1_000, 1),
            ..Rates::default()
        });
    })
    .await;
    let mut seen = Vec::new();
    // The owner signed up (one mail: the welcome) and confirmed.
    let taken = email("bombed");
    live.signup_and_login(&taken, "owner").await;
    next_mail(&taken, &mut seen).await;
    theset_testkit::accounts::confirm(&db, &taken)
        .await
        .expect("confirm");
    let signup = || {
        live.req(Method::POST, "/api/v1/auth/signup").json(&json!({
            "email": taken, "password": theset_testkit::PASSWORD,
            "display_name": "Bomber", "device_id": "bomber"
        }))
    };
    let mut t = Suite::from_now(&live).await;
    let before = t.before.clone();
    t.safe(
        "mail: a sign-up with a taken address",
        signup(),
        StatusCode::ACCEPTED,
        |_| true,
    )
    .await;
    t.mailed_since(&before).await;
    next_mail(&taken, &mut seen).await;
    t.safe(
        "mail: the same sign-up again at once",
        signup(),
        StatusCode::ACCEPTED,
        |_| true,
    )
    .await;
    t.refused(
        "mail: a third sign-up, past the address's mail budget",
        signup(),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    for _ in 0..3 {
        let (s, _) = theset_testkit::json_of(signup().send().await.expect("signup")).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mails = theset_testkit::mail::mails_to(&taken);
    assert_eq!(
        mails.len(),
        2,
        "the welcome and one \"you already have an account\": six sign-ups, not six mails"
    );

    // An owner about to open a mailed link: someone's new request does not spoil it.
    let owner = email("clicking");
    live.signup_and_login(&owner, "owner").await;
    next_mail(&owner, &mut seen).await;
    let ask = || live.post("/api/v1/auth/magic-link", None, json!({ "email": owner }));
    assert_eq!(ask().await.0, StatusCode::ACCEPTED);
    let first = token_in(&next_mail(&owner, &mut seen).await);
    assert_eq!(ask().await.0, StatusCode::ACCEPTED);
    next_mail(&owner, &mut seen).await;
    // The documented safe outcome: the owner signs in with it (a session is made).
    let (s, pair) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": first, "device_id": "owner-phone" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the first link still works: {pair}");
    t.cases += 1;
    println!("attack suite, mail: {} cases", t.cases);
}

/// Item 5: what people cause upstream has a daily share across instances (the rest of the
/// quota stays with the jobs); a spent share answers from what is held and says so; the
/// Spotify import wants a confirmed address.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn people_cannot_drain_the_upstream_quota(db: PgPool) {
    use theset_backend::auth::limits::{Limits, Rate, Rates};
    let fakes = crate::fakes::Fakes::start(std::time::Duration::ZERO).await;
    let live = TestApp::start_with_providers(db.clone(), fakes.providers(), |auth| {
        auth.limits = Limits::new(Rates {
            upstream_search_ip: Rate::new(1_000, 1),
            people_upstream_daily: 2,
            ..Rates::default()
        });
    })
    .await;
    let mut t = Suite::from_now(&live).await;
    for n in 0..2 {
        let (s, b) = live
            .get_as(&format!("/api/v1/search/artists?q=drain{n}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["budget_spent"], false, "{b}");
    }
    t.safe(
        "quota: an uncached search past the day's share for people",
        live.req(Method::GET, "/api/v1/search/artists?q=drain2"),
        StatusCode::OK,
        |b| b["budget_spent"] == true && b["unavailable"][0] == "ticketmaster",
    )
    .await;
    let calls = fakes
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("attractions.json"))
        .count();
    assert_eq!(calls, 2, "the third search never reached Ticketmaster");

    let (_, unconfirmed, _) = live.unverified_account("library").await;
    t.settle().await;
    t.refused(
        "quota: a Spotify library import from an unconfirmed address",
        live.req(Method::POST, "/api/v1/me/spotify/import")
            .bearer_auth(&unconfirmed),
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;
    println!("attack suite, upstream quota: {} cases", t.cases);
}

/// The session cookie and CSRF token of a browser signed in with a password.
async fn browser_session(live: &TestApp, address: &str) -> (String, String) {
    let res = live
        .req(Method::POST, "/api/v1/auth/browser/login")
        .json(&json!({ "email": address, "password": theset_testkit::PASSWORD }))
        .send()
        .await
        .expect("browser login");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let (_, body) = theset_testkit::json_of(res).await;
    (
        cookie,
        body["csrf_token"].as_str().expect("csrf").to_owned(),
    )
}

/// Item 6: a planted sign-in link cannot swap a signed-in browser into another account.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_planted_link_cannot_replace_a_signed_in_browser_session(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let mut seen = Vec::new();
    let victim = email("victim-browser");
    live.signup_and_login(&victim, "victim").await;
    next_mail(&victim, &mut seen).await;
    let (cookie, csrf) = browser_session(&live, &victim).await;
    // The attacker's own sign-in link, planted where the victim opens it.
    let attacker = email("planter");
    live.signup_and_login(&attacker, "planter").await;
    next_mail(&attacker, &mut seen).await;
    let (s, _) = live
        .post(
            "/api/v1/auth/magic-link",
            None,
            json!({ "email": attacker }),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let planted = token_in(&next_mail(&attacker, &mut seen).await);
    let mut t = Suite::from_now(&live).await;
    t.refused(
        "login CSRF: a planted link consumed over a signed-in browser without its CSRF token",
        live.req(Method::POST, "/api/v1/auth/browser/magic-link/consume")
            .header("cookie", &cookie)
            .json(&json!({ "token": planted })),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused(
        "login CSRF: a password sign-in over a signed-in browser without its CSRF token",
        live.req(Method::POST, "/api/v1/auth/browser/login")
            .header("cookie", &cookie)
            .json(&json!({ "email": attacker, "password": theset_testkit::PASSWORD })),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    // The victim's own app asks first, then sends the session's proof: allowed.
    let res = live
        .req(Method::POST, "/api/v1/auth/browser/magic-link/consume")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({ "token": planted }))
        .send()
        .await
        .expect("consume");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "with the proof, a chosen switch works"
    );
    t.cases += 1;
    println!("attack suite, login CSRF: {} cases", t.cases);
}

/// Item 7: a deleted or hidden reply is no longer quoted in the notification it caused.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn notifications_quote_replies_as_they_stand(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (a, s) = show_at(
        &db,
        "Chat Band",
        chrono::Utc::now() + chrono::Duration::days(3),
    )
    .await;
    let _ = a;
    let (_, _, author) = live.quick(Role::User).await;
    let (_, _, replier) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let comment = |token: &str, body: Value| {
        live.req(Method::POST, &format!("/api/v1/shows/{s}/comments"))
            .bearer_auth(token)
            .json(&body)
    };
    let (st, parent) = theset_testkit::json_of(
        comment(&author, json!({ "body": "Which opener tonight?" }))
            .send()
            .await
            .expect("comment"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{parent}");
    let quoted = |body: &'static str| {
        let (live, author) = (&live, author.clone());
        async move {
            let (_, feed) = live.get_as("/api/v1/me/notifications", Some(&author)).await;
            let items = feed["items"].as_array().cloned().unwrap_or_default();
            let body_now = items
                .iter()
                .find(|n| n["kind"] == "comment_reply")
                .map(|n| n["body"].as_str().unwrap_or_default().to_owned());
            assert_eq!(body_now.as_deref(), Some(body), "{feed}");
        }
    };
    let reply = |text: &str| comment(&replier, json!({ "body": text, "parent_id": parent["id"] }));
    let (_, first) = theset_testkit::json_of(
        reply("My address is 12 Private Lane")
            .send()
            .await
            .expect("reply"),
    )
    .await;
    quoted("My address is 12 Private Lane").await;
    let (st, _) = live
        .delete(
            &format!("/api/v1/comments/{}", first["id"].as_str().expect("id")),
            Some(&replier),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    quoted("This reply was removed.").await;
    // Hidden by a moderator: the same.
    let (_, second) = theset_testkit::json_of(
        reply("Something a moderator hides")
            .send()
            .await
            .expect("reply"),
    )
    .await;
    let (st, _) = live
        .post_empty(
            &format!(
                "/api/v1/comments/{}/hide",
                second["id"].as_str().expect("id")
            ),
            Some(&moderator),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, feed) = live.get_as("/api/v1/me/notifications", Some(&author)).await;
    let bodies: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == "comment_reply")
        .filter_map(|n| n["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        ["This reply was removed.", "This reply was removed."]
    );
}

/// Item 8: moderator and admin powers need a proven address, whichever door; the operator's
/// commands vouch for a mailbox, not for whoever registered the address.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn moderator_powers_need_a_proven_address(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, show) = show_at(
        &db,
        "Mod Band",
        chrono::Utc::now() + chrono::Duration::days(3),
    )
    .await;
    let (_, _, author) = live.quick(Role::User).await;
    let (_, target) = theset_testkit::json_of(
        live.req(Method::POST, &format!("/api/v1/shows/{show}/comments"))
            .bearer_auth(&author)
            .json(&json!({ "body": "Stays visible" }))
            .send()
            .await
            .expect("comment"),
    )
    .await;
    let (moderator, _, token) = live.quick(Role::Moderator).await;
    let (admin, _, admin_token) = live.quick(Role::Admin).await;
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = ANY($1)")
        .bind(vec![moderator, admin])
        .execute(&db)
        .await
        .expect("unconfirmed");
    let (fan, _, _) = live.quick(Role::User).await;
    let mut t = Suite::from_now(&live).await;
    t.refused(
        "moderation: an unconfirmed moderator hides a comment",
        live.req(
            Method::POST,
            &format!(
                "/api/v1/comments/{}/hide",
                target["id"].as_str().expect("id")
            ),
        )
        .bearer_auth(&token),
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;
    t.refused(
        "moderation: an unconfirmed moderator reads the flag queue",
        live.req(Method::GET, "/api/v1/moderation/flags")
            .bearer_auth(&token),
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;
    t.refused(
        "admin: an unconfirmed admin changes a role",
        live.req(Method::PUT, &format!("/api/v1/admin/users/{fan}/role"))
            .bearer_auth(&admin_token)
            .json(&json!({ "role": "moderator" })),
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;
    // A confirmed admin cannot hand powers to an unconfirmed account either.
    let (_, _, real_admin) = live.quick(Role::Admin).await;
    let (unproven, _, _) = live.quick(Role::User).await;
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(unproven)
        .execute(&db)
        .await
        .expect("unconfirmed");
    t.settle().await;
    t.refused(
        "admin: moderator powers for an unproven address",
        live.req(Method::PUT, &format!("/api/v1/admin/users/{unproven}/role"))
            .bearer_auth(&real_admin)
            .json(&json!({ "role": "moderator" })),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // The operator's commands: set-role refuses an unproven address; confirm-email proves as a
    // stranger, so a pre-hijacker's password stops working.
    let mut seen = Vec::new();
    let address = email("operator-vouched");
    live.signup_and_login(&address, "squatter").await;
    next_mail(&address, &mut seen).await;
    let refused =
        theset_backend::cli::set_role(&db, &address, theset_shared::api::Role::Admin).await;
    assert!(refused.is_err(), "set-role on an unproven address");
    let public: url::Url = "http://127.0.0.1/".parse().expect("url");
    let link = theset_backend::cli::confirm_email(&db, &address, &public)
        .await
        .expect("confirm-email");
    assert!(link.contains("/auth/reset-password#token="), "{link}");
    let (s, _) = live
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": address, "password": theset_testkit::PASSWORD, "device_id": "squatter" }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the squatter's password is gone"
    );
    t.cases += 1;
    theset_backend::cli::set_role(&db, &address, theset_shared::api::Role::Admin)
        .await
        .expect("a proven address may be given a role");
    println!("attack suite, moderator powers: {} cases", t.cases);
}

/// Item 9: deleting the account, or giving it an address, wants proof the owner is here.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn deleting_an_account_or_adding_an_address_steps_up(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, access, _) = live.account("step-up").await;
    let delete = |token: &str, body: Value| {
        live.req(Method::DELETE, "/api/v1/me")
            .bearer_auth(token)
            .json(&body)
    };
    let mut t = Suite::from_now(&live).await;
    t.refused(
        "step-up: deleting an account from a signed-in device alone",
        delete(&access, json!({})),
        StatusCode::FORBIDDEN,
        "step_up_required",
    )
    .await;
    t.refused(
        "step-up: deleting an account with a wrong password",
        delete(
            &access,
            json!({ "current_password": "not the password at all" }),
        ),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    // An account without a password (made by a mailed link): a code goes to its address.
    let mut seen = Vec::new();
    let address = email("passwordless");
    let (s, _) = live
        .post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = token_in(&next_mail(&address, &mut seen).await);
    let (_, pair) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": token, "device_id": "pl" }),
        )
        .await;
    let passwordless = access_of(&pair);
    t.settle().await;
    let before = t.before.clone();
    t.safe(
        "step-up: an account without a password is mailed a code",
        delete(&passwordless, json!({})),
        StatusCode::FORBIDDEN,
        |b| b["error"]["code"] == "step_up_required",
    )
    .await;
    t.mailed_since(&before).await;
    let mail = next_mail(&address, &mut seen).await;
    let code = mail
        .lines()
        .skip_while(|l| !l.contains("enter this code"))
        .nth(1)
        .expect("a code line")
        .trim()
        .to_owned();
    t.refused(
        "step-up: a made-up code",
        delete(&passwordless, json!({ "code": "a".repeat(43) })),
        StatusCode::BAD_REQUEST,
        "invalid_token",
    )
    .await;
    let (s, body) = theset_testkit::json_of(
        delete(&passwordless, json!({ "code": code }))
            .send()
            .await
            .expect("delete"),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    t.cases += 1;

    // An account with neither password nor address: a sign-in of the last ten minutes.
    let (user, session, bare) = live.quick(Role::User).await;
    sqlx::query("UPDATE users SET email = NULL, email_verified_at = NULL WHERE id = $1")
        .bind(user)
        .execute(&db)
        .await
        .expect("no address");
    sqlx::query("UPDATE sessions SET created_at = now() - interval '1 hour' WHERE id = $1")
        .bind(session)
        .execute(&db)
        .await
        .expect("an old sign-in");
    t.settle().await;
    t.refused(
        "step-up: an address added from a sign-in an hour old",
        live.req(Method::POST, "/api/v1/me/email")
            .bearer_auth(&bare)
            .json(&json!({ "email": email("added-late") })),
        StatusCode::FORBIDDEN,
        "step_up_required",
    )
    .await;
    println!("attack suite, step-up: {} cases", t.cases);
}

/// Item 11: what a music service calls a link becomes one only when people may safely open it.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn provider_addresses_become_links_only_when_safe(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let attraction: theset_backend::providers::ticketmaster::Attraction =
        serde_json::from_value(json!({
            "id": "K8vZ917evil", "name": "Link Band", "images": [],
            "externalLinks": {
                "homepage": [{ "url": "javascript:alert(document.cookie)" }],
                "wiki": [{ "url": "data:text/html,<script>alert(1)</script>" }],
                "twitter": [{ "url": "http://example.com/not-tls" }],
                "instagram": [{ "url": "https://www.instagram.com/linkband" }]
            }
        }))
        .expect("attraction");
    let mut conn = db.acquire().await.expect("conn");
    theset_backend::db::upsert::artists::from_attraction(
        &mut conn,
        &attraction,
        None,
        theset_shared::api::DataOrigin::Live,
    )
    .await
    .expect("upsert");
    drop(conn);
    let (s, page) = live.get_as("/api/v1/artists/link-band", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let urls: Vec<&str> = page["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|l| l["url"].as_str())
        .collect();
    assert_eq!(urls, ["https://www.instagram.com/linkband"]);
}
