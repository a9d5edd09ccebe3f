//! Who may call what: every route of the API, called as anonymous, the owner ("user"), another
//! user, a moderator and an admin, against one table of expected outcomes. The table must cover
//! every operation in the OpenAPI document, so a new route cannot ship without its row.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use utoipa::OpenApi;
use uuid::Uuid;

use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Reaches the handler: anything but 401 and 403.
    Ok,
    /// 401: not signed in (or a credential this route does not take).
    Unauth,
    /// 403: signed in without the role.
    Forbid,
    /// 404: someone else's resource, indistinguishable from a missing one (no IDOR).
    Hidden,
}
use Want::{Forbid, Hidden, Ok as Allow, Unauth};
use theset_testkit::Role;

/// Expected outcome as: anonymous, owner, other user, moderator, admin.
type Row = (&'static str, &'static str, Option<Value>, [Want; 5]);

const PUBLIC: [Want; 5] = [Allow; 5];
const SIGNED_IN: [Want; 5] = [Unauth, Allow, Allow, Allow, Allow];
const MODERATOR: [Want; 5] = [Unauth, Forbid, Forbid, Allow, Allow];
const ADMIN: [Want; 5] = [Unauth, Forbid, Forbid, Forbid, Allow];
const OWNER_ONLY: [Want; 5] = [Unauth, Allow, Hidden, Hidden, Hidden];
const COOKIE_ONLY: [Want; 5] = [Unauth; 5];

fn table() -> Vec<Row> {
    vec![
        ("GET", "/healthz", None, PUBLIC),
        ("GET", "/readyz", None, PUBLIC),
        ("GET", "/api/v1/artists", None, PUBLIC),
        ("GET", "/api/v1/artists/{slug}", None, PUBLIC),
        ("GET", "/api/v1/shows", None, PUBLIC),
        ("GET", "/api/v1/shows/{show}", None, PUBLIC),
        ("GET", "/api/v1/shows/{show}/setlists", None, PUBLIC),
        ("GET", "/api/v1/venues", None, PUBLIC),
        ("GET", "/api/v1/venues/{venue}", None, PUBLIC),
        ("GET", "/api/v1/search/artists?q=zzz", None, PUBLIC),
        (
            "POST",
            "/api/v1/artists/import",
            Some(json!({ "ticketmaster_id": "" })),
            PUBLIC,
        ),
        ("GET", "/api/v1/jobs/{job}", None, PUBLIC),
        (
            "GET",
            "/api/v1/jobs/{job}/events?follow=false",
            None,
            PUBLIC,
        ),
        (
            "GET",
            "/api/v1/artists/{slug}/import/events?follow=false",
            None,
            PUBLIC,
        ),
        ("GET", "/api/v1/users/{owner}", None, PUBLIC),
        ("GET", "/api/v1/users/{owner}/avatar", None, PUBLIC),
        ("POST", "/api/v1/auth/signup", Some(json!({})), PUBLIC),
        ("POST", "/api/v1/auth/login", Some(json!({})), PUBLIC),
        ("POST", "/api/v1/auth/refresh", Some(json!({})), PUBLIC),
        (
            "POST",
            "/api/v1/auth/browser/login",
            Some(json!({})),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/verify-email",
            Some(json!({ "token": "x" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/password-reset",
            Some(json!({ "email": "bad" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/password-reset/confirm",
            Some(json!({ "token": "x", "new_password": "y" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/magic-link",
            Some(json!({ "email": "bad" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/magic-link/consume",
            Some(json!({ "token": "x", "device_id": "d" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/browser/magic-link/consume",
            Some(json!({ "token": "x" })),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/oauth/{provider}/start",
            Some(json!({})),
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/browser/oauth/{provider}/start",
            Some(json!({})),
            PUBLIC,
        ),
        (
            "GET",
            "/api/v1/auth/oauth/{provider}/callback",
            None,
            PUBLIC,
        ),
        (
            "POST",
            "/api/v1/auth/oauth/exchange",
            Some(json!({})),
            PUBLIC,
        ),
        ("GET", "/api/v1/auth/browser/session", None, COOKIE_ONLY),
        ("POST", "/api/v1/auth/logout", None, SIGNED_IN),
        ("POST", "/api/v1/auth/verify-email/resend", None, SIGNED_IN),
        (
            "POST",
            "/api/v1/me/email",
            Some(json!({ "email": "another@example.com" })),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/me", None, SIGNED_IN),
        (
            "PATCH",
            "/api/v1/me",
            Some(json!({ "display_name": "Renamed" })),
            SIGNED_IN,
        ),
        ("DELETE", "/api/v1/me", None, SIGNED_IN),
        ("GET", "/api/v1/me/sessions", None, SIGNED_IN),
        ("DELETE", "/api/v1/me/sessions", None, SIGNED_IN),
        (
            "DELETE",
            "/api/v1/me/sessions/{owner_session}",
            None,
            OWNER_ONLY,
        ),
        ("PUT", "/api/v1/me/avatar", None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/me/password",
            Some(json!({ "current_password": "not the password", "new_password": "x" })),
            SIGNED_IN,
        ),
        ("DELETE", "/api/v1/me/avatar", None, SIGNED_IN),
        ("GET", "/api/v1/me/follows", None, SIGNED_IN),
        ("PUT", "/api/v1/me/follows/{artist}", None, SIGNED_IN),
        ("DELETE", "/api/v1/me/follows/{artist}", None, SIGNED_IN),
        ("GET", "/api/v1/me/going", None, SIGNED_IN),
        ("GET", "/api/v1/me/notifications", None, SIGNED_IN),
        (
            "GET",
            "/api/v1/moderation/shows/{show}/votes",
            None,
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/moderation/users/{owner}/votes/void",
            Some(json!({ "show_id": Uuid::nil() })),
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/me/notifications/read",
            Some(json!({})),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/me/notification-prefs", None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/me/notification-prefs",
            Some(json!({ "kinds": [] })),
            SIGNED_IN,
        ),
        (
            "POST",
            "/api/v1/shows/{show}/actual",
            Some(json!({ "mutation_id": Uuid::nil(), "songs": [] })),
            SIGNED_IN,
        ),
        ("PUT", "/api/v1/me/going/{show}", Some(json!({})), SIGNED_IN),
        ("DELETE", "/api/v1/me/going/{show}", None, SIGNED_IN),
        ("POST", "/api/v1/me/calendar", None, SIGNED_IN),
        ("DELETE", "/api/v1/me/calendar", None, SIGNED_IN),
        // The secret is the credential: a wrong one is 404 for everyone alike.
        ("GET", "/api/v1/calendar/{secret}", None, PUBLIC),
        ("GET", "/api/v1/artists/{slug}/links", None, MODERATOR),
        // Signed in without Spotify: reaches the handler (409, not linked).
        ("POST", "/api/v1/me/spotify/import", None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/artists/{slug}/links/{service}",
            Some(json!({ "external_id": null })),
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/songs/{song}/aliases",
            Some(json!({ "alias": "Another Name" })),
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/admin/jobs",
            Some(json!({ "job": "trending" })),
            ADMIN,
        ),
        (
            "PUT",
            "/api/v1/admin/users/{owner}/role",
            Some(json!({ "role": "moderator" })),
            ADMIN,
        ),
        ("GET", "/api/v1/admin/audit", None, ADMIN),
        ("GET", "/api/v1/openapi.json", None, PUBLIC),
        ("GET", "/api/v1/shows/{show}/community", None, PUBLIC),
        ("GET", "/api/v1/shows/{show}/comments", None, PUBLIC),
        (
            "POST",
            "/api/v1/shows/{show}/comments",
            Some(json!({ "body": "Who else is going?" })),
            SIGNED_IN,
        ),
        (
            "PATCH",
            "/api/v1/comments/{comment}",
            Some(json!({ "body": "Edited" })),
            OWNER_ONLY,
        ),
        ("DELETE", "/api/v1/comments/{comment}", None, OWNER_ONLY),
        ("POST", "/api/v1/comments/{comment}/hide", None, MODERATOR),
        (
            "POST",
            "/api/v1/comments/{comment}/restore",
            None,
            MODERATOR,
        ),
        ("GET", "/api/v1/shows/{show}/likely", None, PUBLIC),
        (
            "PUT",
            "/api/v1/setlists/{setlist}",
            Some(json!({ "mutation_id": Uuid::nil(), "base_version": 1, "songs": [] })),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/setlists/{setlist}/history", None, PUBLIC),
        (
            "POST",
            "/api/v1/setlists/{setlist}/verify",
            Some(json!({ "version": 99 })),
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/setlists/{setlist}/reject",
            Some(json!({ "version": 99, "reason": "wrong" })),
            MODERATOR,
        ),
        (
            "POST",
            "/api/v1/sync/push",
            Some(json!({ "device_id": Uuid::nil(), "mutations": [] })),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/sync/pull?device_id={line}", None, SIGNED_IN),
        ("GET", "/api/v1/sync/events", None, SIGNED_IN),
        ("GET", "/api/v1/trending/artists", None, PUBLIC),
        ("GET", "/api/v1/trending/shows", None, PUBLIC),
        ("GET", "/api/v1/home", None, PUBLIC),
        ("GET", "/api/v1/me/dashboard", None, SIGNED_IN),
        ("GET", "/api/v1/shows/{show}/leaderboard", None, PUBLIC),
        ("GET", "/api/v1/leaderboard", None, PUBLIC),
        (
            "POST",
            "/api/v1/flags",
            Some(json!({ "setlist_id": Uuid::nil(), "reason": "spam" })),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/moderation/flags", None, MODERATOR),
        (
            "POST",
            "/api/v1/moderation/flags/{line}/resolve",
            Some(json!({ "action": "dismiss" })),
            MODERATOR,
        ),
        ("GET", "/api/v1/shows/{show}/events", None, PUBLIC),
        (
            "POST",
            "/api/v1/shows/{show}/community/songs",
            Some(json!({ "mutation_id": Uuid::nil(), "song_id": Uuid::nil() })),
            SIGNED_IN,
        ),
        (
            "POST",
            "/api/v1/shows/{show}/community/titles",
            Some(json!({ "mutation_id": Uuid::nil(), "title": "" })),
            MODERATOR,
        ),
        (
            "PUT",
            "/api/v1/setlist-songs/{line}/vote",
            Some(json!({ "mutation_id": Uuid::nil(), "value": 5 })),
            SIGNED_IN,
        ),
        ("GET", "/api/v1/shows/{show}/prediction", None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/shows/{show}/prediction",
            Some(json!({ "mutation_id": Uuid::nil(), "songs": [{ "song_id": Uuid::nil() }] })),
            SIGNED_IN,
        ),
    ]
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn every_route_allows_exactly_the_roles_it_should(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let artist = support::artist(&db, "Rbac Band", &["rock"], Some(50), 1.0).await;
    let venue = support::venue(&db, "Rbac Hall", "Austin", 30.0, -97.0).await;
    let show = support::show(
        &db,
        artist,
        Some(venue),
        support::days_from_today(10),
        "upcoming",
    )
    .await;
    let song = support::song(&db, artist, "Rbac Song", 10).await;
    let (actual, _) = support::setlist(&db, show, artist, "setlistfm", &["Rbac Song"]).await;
    let job: Uuid = sqlx::query_scalar("INSERT INTO sync_jobs (job_type, status) VALUES ('cron.trending', 'succeeded') RETURNING id")
        .fetch_one(&db).await.expect("job");
    let png = {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("png");
        out
    };

    let mut failures = Vec::new();
    for (method, template, body, wants) in table() {
        // Fresh principals per route: some routes end sessions or delete accounts.
        let owner = live.quick(Role::User).await;
        let other = live.quick(Role::User).await;
        let moderator = live.quick(Role::Moderator).await;
        let admin = live.quick(Role::Admin).await;
        sqlx::query(
            "INSERT INTO user_avatars (user_id, content_type, image) VALUES ($1, 'image/png', $2)",
        )
        .bind(owner.0)
        .bind(&png)
        .execute(&db)
        .await
        .expect("avatar");
        // The owner's comment, with a reply (so deleting it keeps its place for the next caller).
        let comment: Uuid = sqlx::query_scalar(
            "INSERT INTO comments (id, show_id, author_id, body) VALUES (gen_random_uuid(), $1, $2, 'Mine') RETURNING id",
        )
        .bind(show)
        .bind(owner.0)
        .fetch_one(&db)
        .await
        .expect("comment");
        sqlx::query(
            "INSERT INTO comments (id, show_id, author_id, parent_id, body) VALUES (gen_random_uuid(), $1, $2, $3, 'Reply')",
        )
        .bind(show)
        .bind(other.0)
        .bind(comment)
        .execute(&db)
        .await
        .expect("reply");
        let path = template
            .replace("{comment}", &comment.to_string())
            .replace("{slug}", "rbac-band")
            .replace("{show}", &show.to_string())
            .replace("{venue}", &venue.to_string())
            .replace("{song}", &song.to_string())
            .replace("{artist}", &artist.to_string())
            .replace("{line}", &Uuid::new_v4().to_string())
            .replace("{setlist}", &actual.to_string())
            .replace("{job}", &job.to_string())
            .replace("{owner_session}", &owner.1.to_string())
            .replace("{owner}", &owner.0.to_string())
            .replace("{provider}", "google")
            .replace("{service}", "spotify");
        let callers = [
            None,
            Some(&owner.2),
            Some(&other.2),
            Some(&moderator.2),
            Some(&admin.2),
        ];
        for (who, (caller, want)) in ["anonymous", "owner", "other", "moderator", "admin"]
            .iter()
            .zip(callers.iter().zip(wants))
        {
            let mut req = live.req(method.parse().expect("method"), &path);
            if let Some(token) = caller {
                req = req.bearer_auth(token);
            }
            req = req.header(
                theset_shared::sync::PROTOCOL_HEADER,
                theset_shared::sync::PROTOCOL_VERSION.to_string(),
            );
            req = match (&body, template) {
                (_, "/api/v1/me/avatar") if method == "PUT" => {
                    req.header("content-type", "image/png").body(png.clone())
                }
                (Some(b), _) => req.json(b),
                (None, _) => req,
            };
            let status = req.send().await.expect("response").status();
            let ok = match want {
                Allow => status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                Unauth => status == StatusCode::UNAUTHORIZED,
                Forbid => status == StatusCode::FORBIDDEN,
                Hidden => status == StatusCode::NOT_FOUND,
            };
            if !ok {
                failures.push(format!(
                    "{method} {template} as {who}: got {status}, want {want:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));

    // Complete: every documented operation has a row.
    let doc = serde_json::to_value(theset_backend::http::ApiDoc::openapi()).expect("doc");
    let rows: BTreeSet<(String, String)> = table()
        .iter()
        .map(|(m, p, _, _)| {
            let p = p.split('?').next().unwrap_or(p);
            let p = p
                .replace("{show}", "{id}")
                .replace("{comment}", "{id}")
                .replace("{venue}", "{id}")
                .replace("{song}", "{id}")
                .replace("{job}", "{id}")
                .replace("{owner_session}", "{id}")
                .replace("{owner}", "{id}")
                .replace("{artist}", "{artist_id}")
                .replace("{line}", "{id}")
                .replace("{setlist}", "{id}");
            (m.to_lowercase(), p)
        })
        .collect();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("ops").keys() {
            if !rows.contains(&(method.clone(), path.clone())) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an access row: {missing:?}"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn role_changes_and_revocations_apply_on_the_next_request(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (user, _, token) = live.quick(Role::User).await;
    let (_, _, admin) = live.quick(Role::Admin).await;
    let audit = |t: &str| {
        let t = t.to_owned();
        let live = &live;
        async move { live.get_as("/api/v1/admin/audit", Some(&t)).await.0 }
    };
    assert_eq!(audit(&token).await, StatusCode::FORBIDDEN);
    let (s, body) = live
        .put(
            &format!("/api/v1/admin/users/{user}/role"),
            Some(&admin),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!((s, body["role"].as_str()), (StatusCode::OK, Some("admin")));
    assert_eq!(
        audit(&token).await,
        StatusCode::OK,
        "promotion applies at once"
    );
    live.put(
        &format!("/api/v1/admin/users/{user}/role"),
        Some(&admin),
        json!({ "role": "user" }),
    )
    .await;
    assert_eq!(
        audit(&token).await,
        StatusCode::FORBIDDEN,
        "demotion applies at once"
    );

    // Role changes are audited with who, whom, from and to.
    let (_, log) = live
        .get_as("/api/v1/admin/audit?action=user.role_changed", Some(&admin))
        .await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{log}");
    assert_eq!(items[0]["detail"], json!({ "from": "admin", "to": "user" }));
    assert_eq!(
        items[0]["subject_id"].as_str(),
        Some(user.to_string().as_str())
    );

    // Admins cannot demote themselves (the last admin would lock everyone out).
    let (admin_id, _, admin2) = live.quick(Role::Admin).await;
    let (s, _) = live
        .put(
            &format!("/api/v1/admin/users/{admin_id}/role"),
            Some(&admin2),
            json!({ "role": "user" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Unknown roles are refused without change.
    let (s, _) = live
        .put(
            &format!("/api/v1/admin/users/{user}/role"),
            Some(&admin),
            json!({ "role": "root" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
