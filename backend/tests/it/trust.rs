//! Trust before launch: pre-hijacked accounts, unconfirmed addresses, sign-up that tells nothing,
//! deleted accounts' votes, and the abuse budgets of pushes, imports, searches and streams.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::auth::limits::{Limits, Rate, Rates};
use uuid::Uuid;

use theset_testkit::Role;
use theset_testkit::mail::{next_mail, token_in};
use theset_testkit::rows as support;
use theset_testkit::{PASSWORD, TestApp, email};

fn login(address: &str, password: &str) -> Value {
    json!({ "email": address, "password": password, "device_id": "d" })
}

async fn status_of(live: &TestApp, method: Method, path: &str, bearer: &str) -> StatusCode {
    live.send(method, path, Some(bearer), None).await.0
}

/// A show open for voting with one community line.
async fn show_with_line(db: &PgPool) -> (Uuid, Uuid) {
    let artist = support::artist(
        db,
        &format!("Band {}", Uuid::new_v4().simple()),
        &[],
        None,
        0.0,
    )
    .await;
    let show = support::show(db, artist, None, support::days_from_today(10), "upcoming").await;
    let (_, lines) = support::setlist(db, show, artist, "community", &["Opener"]).await;
    (show, lines[0])
}

async fn vote(live: &TestApp, token: &str, line: Uuid, value: i16) -> (StatusCode, Value) {
    live.put(
        &format!("/api/v1/setlist-songs/{line}/vote"),
        Some(token),
        json!({ "mutation_id": Uuid::now_v7(), "value": value }),
    )
    .await
}

async fn totals(db: &PgPool, line: Uuid) -> (i32, i32) {
    sqlx::query_as("SELECT upvotes, downvotes FROM setlist_songs WHERE id = $1")
        .bind(line)
        .fetch_one(db)
        .await
        .expect("totals")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_real_owner_proving_the_address_ends_a_pre_hijack(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let victim = email("victim");
    // The attacker signs up with the victim's address and signs in with their own password.
    let attacker = live.signup_and_login(&victim, "attacker-laptop").await;
    let attacker_access = attacker["access_token"]
        .as_str()
        .expect("access")
        .to_owned();
    let attacker_refresh = attacker["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    // Unconfirmed, the account browses but does not contribute.
    let (_, line) = show_with_line(&db).await;
    let (s, body) = vote(&live, &attacker_access, line, 1).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("email_unverified")),
        "{body}"
    );
    assert_eq!(totals(&db, line).await, (0, 0));
    assert_eq!(
        status_of(&live, Method::GET, "/api/v1/me", &attacker_access).await,
        StatusCode::OK
    );

    // The real owner signs in with a mailed link.
    let mut seen = Vec::new();
    next_mail(&victim, &mut seen).await; // the sign-up's confirmation mail
    let (s, _) = live
        .post("/api/v1/auth/magic-link", None, json!({ "email": victim }))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = token_in(&next_mail(&victim, &mut seen).await);
    let (s, owner) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": token, "device_id": "owner-phone" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{owner}");
    let owner_access = owner["access_token"].as_str().expect("access");

    // The attacker's password, session and refresh family no longer work.
    assert_eq!(
        status_of(&live, Method::GET, "/api/v1/me", &attacker_access).await,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = live
        .post("/api/v1/auth/login", None, login(&victim, PASSWORD))
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the attacker's password was removed"
    );
    let (s, _) = live
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": attacker_refresh, "device_id": "attacker-laptop" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // The owner starts clean and may vote.
    let (_, me) = live.get_as("/api/v1/me", Some(owner_access)).await;
    assert_eq!(me["email_verified"], true);
    let (s, body) = vote(&live, owner_access, line, 1).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(totals(&db, line).await, (1, 0));
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.address_proven' \
         AND (detail->>'password_removed')::boolean AND (detail->>'sessions_ended')::int >= 1",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audit, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_confirmation_code_keeps_the_owner_a_confirmation_link_clears_the_account(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    // In the app that signed up: password and session stay.
    let mine = email("mine");
    let pair = live.signup_and_login(&mine, "d").await;
    let access = pair["access_token"].as_str().expect("access");
    let mut seen = Vec::new();
    let mail = next_mail(&mine, &mut seen).await;
    assert!(mail.contains("paste this code"), "{mail}");
    let (s, _) = live
        .post(
            "/api/v1/auth/verify-email",
            Some(access),
            json!({ "token": token_in(&mail) }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(&live, Method::GET, "/api/v1/me", access).await,
        StatusCode::OK
    );
    let (s, _) = live
        .post("/api/v1/auth/login", None, login(&mine, PASSWORD))
        .await;
    assert_eq!(s, StatusCode::OK);

    // Someone else signed up with this address; its owner confirms from the mail's page.
    let hijacked = email("hijacked");
    let pair = live.signup_and_login(&hijacked, "d").await;
    let attacker = pair["access_token"].as_str().expect("access");
    let mail = next_mail(&hijacked, &mut seen).await;
    let (s, _) = live
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({ "token": token_in(&mail) }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(&live, Method::GET, "/api/v1/me", attacker).await,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = live
        .post("/api/v1/auth/login", None, login(&hijacked, PASSWORD))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let verified: bool = sqlx::query_scalar(
        "SELECT email_verified_at IS NOT NULL AND password_hash IS NULL FROM users WHERE email = $1",
    )
    .bind(&hijacked)
    .fetch_one(&db)
    .await
    .expect("user");
    assert!(verified);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn sign_up_answers_the_same_for_new_and_taken_addresses(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let taken = email("taken");
    live.signup_and_login(&taken, "d").await;
    let mut seen = Vec::new();
    next_mail(&taken, &mut seen).await;
    let body = |address: &str| json!({ "email": address, "password": "another long pass phrase", "display_name": "X", "device_id": "d" });
    let fresh = email("fresh");
    let (s1, b1) = live.post("/api/v1/auth/signup", None, body(&fresh)).await;
    let (s2, b2) = live.post("/api/v1/auth/signup", None, body(&taken)).await;
    assert_eq!((s1, &b1), (s2, &b2), "the answer tells nothing");
    assert_eq!(s1, StatusCode::ACCEPTED);
    assert!(
        b1.get("access_token").is_none(),
        "no session before sign-in"
    );
    // The mail tells the owner, with a way in.
    let mail = next_mail(&taken, &mut seen).await;
    assert!(mail.contains("You already have"), "{mail}");
    let (s, _) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": token_in(&mail), "device_id": "d" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the mail's link signs the owner in");
    let fresh_mail = next_mail(&fresh, &mut Vec::new()).await;
    assert!(fresh_mail.contains("Confirm your email"), "{fresh_mail}");
    // The taken account kept its password; the sign-up's password is not it.
    let (s, _) = live
        .post(
            "/api/v1/auth/login",
            None,
            login(&taken, "another long pass phrase"),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn deleting_an_account_takes_its_votes_off_the_totals(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, line) = show_with_line(&db).await;
    let (_, stays, _) = live.account("stays").await;
    assert_eq!(vote(&live, &stays, line, 1).await.0, StatusCode::OK);
    // Sign up, vote, delete, repeat: adds nothing.
    for n in 0..3 {
        let (_, access, _) = live.account(&format!("farm{n}")).await;
        assert_eq!(vote(&live, &access, line, 1).await.0, StatusCode::OK);
        assert_eq!(totals(&db, line).await, (2, 0));
        let (s, _) = live
            .send(
                Method::DELETE,
                "/api/v1/me",
                Some(&access),
                Some(json!({ "current_password": theset_testkit::PASSWORD })),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(totals(&db, line).await, (1, 0), "round {n}");
    }
    let drifted = theset_backend::db::votes::drifted(&db)
        .await
        .expect("recount");
    assert!(drifted.is_empty(), "{drifted:?}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_account_without_an_address_adds_one_confirmed_in_the_app_only(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (user, _, access) = live.quick(Role::User).await;
    sqlx::query("UPDATE users SET email = NULL, email_verified_at = NULL WHERE id = $1")
        .bind(user)
        .execute(&db)
        .await
        .expect("no address");
    let (s, body) = live
        .post_empty("/api/v1/auth/verify-email/resend", Some(&access))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let address = email("added");
    let (s, _) = live
        .post(
            "/api/v1/me/email",
            Some(&access),
            json!({ "email": address }),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = token_in(&next_mail(&address, &mut Vec::new()).await);
    // Clicked by whoever received it (perhaps not the account's owner): attaches nothing.
    let (s, body) = live
        .post("/api/v1/auth/verify-email", None, json!({ "token": token }))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    // Pasted into the account's own app: the address is its, confirmed.
    let (s, _) = live
        .post(
            "/api/v1/auth/verify-email",
            Some(&access),
            json!({ "token": token }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, me) = live.get_as("/api/v1/me", Some(&access)).await;
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (Some(address.as_str()), Some(true))
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn contributions_wait_for_a_confirmed_address(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (show, line) = show_with_line(&db).await;
    let (_, access, _) = live.unverified_account("waits").await;
    let song = Uuid::new_v4();
    // (Importing an artist is not among these: signed-out visitors may, within their budgets.)
    let refused = [
        (
            Method::PUT,
            format!("/api/v1/setlist-songs/{line}/vote"),
            json!({ "value": 1 }),
        ),
        (
            Method::POST,
            format!("/api/v1/shows/{show}/community/songs"),
            json!({ "song_id": song }),
        ),
        (
            Method::PUT,
            format!("/api/v1/shows/{show}/prediction"),
            json!({ "songs": [] }),
        ),
        (
            Method::POST,
            "/api/v1/flags".to_owned(),
            json!({ "target_type": "setlist_song", "target_id": line, "reason": "spam" }),
        ),
    ];
    for (method, path, body) in refused {
        let (s, answer) = live.send(method, &path, Some(&access), Some(body)).await;
        assert_eq!(
            (s, answer["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("email_unverified")),
            "{path}: {answer}"
        );
    }
    // Browsing and following still work.
    assert_eq!(
        status_of(
            &live,
            Method::GET,
            &format!("/api/v1/shows/{show}"),
            &access
        )
        .await,
        StatusCode::OK
    );
}

/// A push of `n` votes on `line` from a fresh device.
fn votes_push(device: Uuid, line: Uuid, from: i64, n: i64) -> Value {
    let mutations: Vec<Value> = (from..from + n)
        .map(|seq| {
            json!({ "id": Uuid::now_v7(), "seq": seq, "hlc": format!("{}", 1_000 + seq),
                    "kind": "vote.set@1", "payload": { "setlist_song_id": line, "value": if seq % 2 == 0 { 1 } else { -1 } } })
        })
        .collect();
    json!({ "device_id": device, "mutations": mutations })
}

async fn push(live: &TestApp, token: &str, body: Value) -> (StatusCode, Value, Option<String>) {
    let res = live
        .req(Method::POST, "/api/v1/sync/push")
        .bearer_auth(token)
        .header("x-theset-protocol", "1")
        .json(&body)
        .send()
        .await
        .expect("push");
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (s, b) = theset_testkit::json_of(res).await;
    (s, b, retry)
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_push_spends_the_vote_budget_per_mutation(db: PgPool) {
    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(Rates {
            vote_account: Rate::new(10, 60_000),
            ..Rates::default()
        });
    })
    .await;
    let (_, line) = show_with_line(&db).await;
    let (_, _, access) = live.quick(Role::User).await;
    let device = Uuid::now_v7();
    // 50 votes in one request: 10 go through, the rest stay with the device.
    let (s, body, _) = push(&live, &access, votes_push(device, line, 1, 50)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["last_seq"], 10);
    assert_eq!(body["results"].as_array().map(Vec::len), Some(10));
    // Sending the rest now: 429 with when to come back; nothing applied, nothing lost.
    let (s, body, retry) = push(&live, &access, votes_push(device, line, 11, 40)).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    assert!(
        retry
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|r| r >= 1)
    );
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(device)
        .fetch_one(&db)
        .await
        .expect("device");
    assert_eq!(last, 10);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_unconfirmed_push_applies_follows_and_holds_the_rest(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, line) = show_with_line(&db).await;
    let artist = support::artist(&db, "Held Band", &[], None, 0.0).await;
    let (user, _, access) = live.quick(Role::User).await;
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(user)
        .execute(&db)
        .await
        .expect("unverify");
    let device = Uuid::now_v7();
    let follow = json!({ "id": Uuid::now_v7(), "seq": 1, "hlc": "1", "kind": "follow.set@1", "payload": { "artist_id": artist, "follow": true } });
    let mut body = votes_push(device, line, 2, 2);
    body["mutations"]
        .as_array_mut()
        .expect("list")
        .insert(0, follow);
    let (s, answer, _) = push(&live, &access, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["last_seq"], 1, "the follow went, the votes wait");
    let (s, answer, _) = push(&live, &access, votes_push(device, line, 2, 2)).await;
    assert_eq!(
        (s, answer["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("email_unverified"))
    );
    assert_eq!(totals(&db, line).await, (0, 0));
    // Once confirmed, the same mutations go through: nothing was spent or lost.
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
        .bind(user)
        .execute(&db)
        .await
        .expect("verify");
    let (s, answer, _) = push(&live, &access, votes_push(device, line, 2, 2)).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["last_seq"], 3);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_replayed_push_answers_its_own_batch_only(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, line) = show_with_line(&db).await;
    let (_, _, access) = live.quick(Role::User).await;
    let device = Uuid::now_v7();
    let first = votes_push(device, line, 1, 30);
    let (s, _, _) = push(&live, &access, first.clone()).await;
    assert_eq!(s, StatusCode::OK);
    // An old batch of one: the answer is that one result, not every result since seq 1.
    let mut old = first.clone();
    old["mutations"] = json!([first["mutations"][0].clone()]);
    let (s, answer, _) = push(&live, &access, old).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    let seqs: Vec<i64> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["seq"].as_i64())
        .collect();
    assert_eq!(seqs, vec![1]);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn history_serves_public_lists_only(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Private Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(5), "upcoming").await;
    let (community, _) = support::setlist(&db, show, artist, "community", &["A"]).await;
    let (user, _, _) = live.quick(Role::User).await;
    let prediction: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         VALUES ($1, $2, 'predicted', 'user', $3) RETURNING id",
    )
    .bind(show)
    .bind(artist)
    .bind(user)
    .fetch_one(&db)
    .await
    .expect("prediction");
    let (s, _) = live
        .get_as(&format!("/api/v1/setlists/{community}/history"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = live
        .get_as(&format!("/api/v1/setlists/{prediction}/history"), None)
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_closed_live_stream_gives_its_place_back(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (user, _, access) = live.quick(Role::User).await;
    let open = || {
        live.req(Method::GET, "/api/v1/sync/events")
            .bearer_auth(&access)
            .header("x-theset-protocol", "1")
            .send()
    };
    let mut streams = Vec::new();
    for _ in 0..10 {
        let res = open().await.expect("stream");
        assert_eq!(res.status(), StatusCode::OK);
        streams.push(res);
    }
    // The eleventh is refused while ten are open.
    let res = open().await.expect("stream");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Closing them (no vote, no change anywhere) frees the places at once.
    drop(streams);
    let key = format!("user:{user}");
    let mut left = u32::MAX;
    for _ in 0..50 {
        left = live.streams.local_count(&key);
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "closed streams still counted: their tasks leaked");
    assert_eq!(open().await.expect("stream").status(), StatusCode::OK);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn anonymous_oauth_starts_and_avatar_uploads_are_bounded(db: PgPool) {
    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(Rates {
            oauth_start_ip: Rate::new(3, 60_000),
            avatar_account: Rate::new(2, 60_000),
            ..Rates::default()
        });
        auth.oauth = theset_backend::auth::oauth::Providers::new(
            theset_backend::auth::oauth::Provider::new(
                theset_backend::auth::oauth::ProviderKind::Google,
                "id".into(),
                "secret".into(),
                Some(&url::Url::parse("http://127.0.0.1:9/").expect("url")),
            ),
            None,
        );
    })
    .await;
    let start = json!({ "redirect_uri": "http://127.0.0.1:5000/callback", "code_challenge": "a".repeat(43) });
    for _ in 0..3 {
        let (s, body) = live
            .post("/api/v1/auth/oauth/google/start", None, start.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let (s, _) = live
        .post("/api/v1/auth/oauth/google/start", None, start)
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let flows: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_flows")
        .fetch_one(&db)
        .await
        .expect("flows");
    assert_eq!(flows, 3);

    let (_, _, access) = live.quick(Role::User).await;
    let png = {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([9, 9, 9]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("png");
        out
    };
    let upload = || {
        live.req(Method::PUT, "/api/v1/me/avatar")
            .bearer_auth(&access)
            .header("content-type", "image/png")
            .body(png.clone())
            .send()
    };
    assert_eq!(upload().await.expect("1").status(), StatusCode::OK);
    assert_eq!(upload().await.expect("2").status(), StatusCode::OK);
    assert_eq!(
        upload().await.expect("3").status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn old_answers_and_progress_events_are_pruned(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (user, _, _) = live.quick(Role::User).await;
    for (age, id) in [(91, Uuid::new_v4()), (1, Uuid::new_v4())] {
        sqlx::query(
            "INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, applied_at) \
             VALUES ($1, $2, 'vote.set@1', '{\"outcome\": \"superseded\"}', now() - make_interval(days => $3))",
        )
        .bind(user)
        .bind(id)
        .bind(age)
        .execute(&db)
        .await
        .expect("mutation");
    }
    let job = theset_backend::jobs::enqueue_cron_job(&db, theset_backend::jobs::types::CRON_SCORES)
        .await
        .expect("job");
    for age in [31, 2] {
        sqlx::query(
            "INSERT INTO sync_progress (job_id, phase, step, message, updated_at) \
             VALUES ($1, 'maintenance', 'x', 'y', now() - make_interval(days => $2))",
        )
        .bind(job)
        .bind(age)
        .execute(&db)
        .await
        .expect("progress");
    }
    let mut conn = db.acquire().await.expect("conn");
    theset_backend::db::sync::prune(&mut conn, theset_shared::sync::RETENTION_DAYS)
        .await
        .expect("prune sync");
    let gone = theset_backend::db::progress::prune(&mut *conn, theset_backend::jobs::PROGRESS_DAYS)
        .await
        .expect("prune progress");
    assert_eq!(gone, 1);
    let (mutations, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM applied_mutations), (SELECT count(*) FROM sync_progress)",
    )
    .fetch_one(&db)
    .await
    .expect("counts");
    assert_eq!((mutations, events), (1, 1), "the recent ones stay");
}
