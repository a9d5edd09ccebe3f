use sqlx::PgPool;
use uuid::Uuid;

use theset_testkit::TestApp;
use theset_testkit::rows::*;

struct World {
    a: Uuid,
    b: Uuid,
    nyc: Uuid,
    la: Uuid,
}

async fn world(db: &PgPool) -> World {
    let a = artist(db, "Quiet Engines", &[], None, 0.0).await;
    let b = artist(db, "Loud Rooms", &[], None, 0.0).await;
    let nyc = venue(db, "Pier Stage", "New York", 40.70, -74.01).await;
    let la = venue(db, "Canyon Bowl", "Los Angeles", 34.11, -118.34).await;
    show(db, a, Some(nyc), date("2030-03-01"), "upcoming").await;
    show(db, a, Some(la), date("2030-03-05"), "upcoming").await;
    show(db, b, Some(nyc), date("2030-03-03"), "cancelled").await;
    show(db, a, Some(nyc), date("2020-06-01"), "completed").await;
    World { a, b, nyc, la }
}

fn dates(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|s| s["date"].as_str().expect("date").to_owned())
        .collect()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn list_filters_and_orders(db: PgPool) {
    let w = world(&db).await;
    let app = TestApp::start(db).await;
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?limit=1").await),
        ["2020-06-01", "2030-03-01", "2030-03-03", "2030-03-05"]
    );
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?order=desc&limit=1").await),
        ["2030-03-05", "2030-03-03", "2030-03-01", "2020-06-01"]
    );
    assert_eq!(
        dates(
            &app.all_pages(&format!("/api/v1/shows?artist_id={}", w.a))
                .await
        ),
        ["2020-06-01", "2030-03-01", "2030-03-05"]
    );
    assert_eq!(
        dates(
            &app.all_pages(&format!("/api/v1/shows?artist_id={}", w.b))
                .await
        ),
        ["2030-03-03"]
    );
    assert_eq!(
        dates(
            &app.all_pages(&format!("/api/v1/shows?venue_id={}", w.nyc))
                .await
        ),
        ["2020-06-01", "2030-03-01", "2030-03-03"]
    );
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?city=los%20angeles").await),
        ["2030-03-05"]
    );
    assert_eq!(
        dates(
            &app.all_pages("/api/v1/shows?from=2030-03-02&to=2030-03-05")
                .await
        ),
        ["2030-03-03", "2030-03-05"]
    );
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?status=cancelled").await),
        ["2030-03-03"]
    );
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?status=completed").await),
        ["2020-06-01"]
    );
    // Near a point: the Manhattan venue's shows within 10 km of Brooklyn, none of LA's; "tonight
    // near me" is this with one date.
    assert_eq!(
        dates(
            &app.all_pages("/api/v1/shows?near=40.68,-73.98&km=10&limit=1")
                .await
        ),
        ["2020-06-01", "2030-03-01", "2030-03-03"]
    );
    assert_eq!(
        dates(
            &app.all_pages("/api/v1/shows?near=40.68,-73.98&km=10&from=2030-03-01&to=2030-03-01")
                .await
        ),
        ["2030-03-01"]
    );
    assert_eq!(
        dates(&app.all_pages("/api/v1/shows?near=34.05,-118.25").await),
        ["2030-03-05"]
    );
    for bad in [
        "near=91,0",
        "near=x",
        "km=5",
        "near=1,1&km=0",
        "near=1,1&km=99999",
    ] {
        let (s, body) = app.get(&format!("/api/v1/shows?{bad}")).await;
        assert_eq!(s, reqwest::StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{bad}: {body}");
    }
    let _ = w.la;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn detail_has_venue_lineup_and_public_setlists(db: PgPool) {
    let w = world(&db).await;
    let support_act = artist(&db, "Opening Band", &[], None, 0.0).await;
    let s = show(&db, w.a, Some(w.la), date("2030-04-01"), "upcoming").await;
    sqlx::query("INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'support', 1)")
        .bind(s)
        .bind(support_act)
        .execute(&db)
        .await
        .expect("support");
    let (_, lines) = setlist(&db, s, w.a, "community", &["First", "Second", "Third"]).await;
    // Community lists rank by net votes: vote "Third" up twice, "First" down once.
    for (n, (line, v)) in [(lines[2], 1), (lines[2], 1), (lines[0], -1)]
        .into_iter()
        .enumerate()
    {
        let u = user(&db, n).await;
        theset_backend::db::votes::set(&db, u, line, Some(v))
            .await
            .expect("vote");
    }
    // A fan's personal prediction is not public.
    let fan = user(&db, 99).await;
    sqlx::query(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) VALUES ($1, $2, 'predicted', 'user', $3)",
    )
    .bind(s)
    .bind(w.a)
    .bind(fan)
    .execute(&db)
    .await
    .expect("personal");

    let app = TestApp::start(db).await;
    let d = app.ok(&format!("/api/v1/shows/{s}")).await;
    assert_eq!(d["artist"]["name"], "Quiet Engines");
    assert_eq!(d["venue_detail"]["name"], "Canyon Bowl");
    assert!(
        d["venue_detail"].get("capacity").is_none(),
        "no capacity that nothing filled"
    );
    let lineup: Vec<&str> = d["lineup"]
        .as_array()
        .expect("lineup")
        .iter()
        .map(|l| l["artist"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(lineup, ["Quiet Engines", "Opening Band"]);
    assert_eq!(d["lineup"][1]["role"], "support");
    let lists = d["setlists"].as_array().expect("setlists");
    assert_eq!(
        lists.len(),
        1,
        "personal predictions stay private: {lists:?}"
    );
    let ranked: Vec<&str> = lists[0]["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|s| s["title"].as_str().expect("title"))
        .collect();
    assert_eq!(ranked, ["Third", "Second", "First"]);
    assert_eq!(lists[0]["songs"][0]["upvotes"], 2);
    assert_eq!(lists[0]["songs"][2]["net_votes"], -1);
    assert_eq!(lists[0]["total_votes"], 3);

    let only = app.ok(&format!("/api/v1/shows/{s}/setlists")).await;
    assert_eq!(only["items"], d["setlists"]);
    insta::assert_json_snapshot!("show_detail", d, {
        ".**.id" => "[id]", ".**.show_id" => "[id]", ".**.updated_at" => "[time]",
    });
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn actual_setlists_keep_play_order_and_encores(db: PgPool) {
    let a = artist(&db, "Slow Comets", &[], None, 0.0).await;
    let s = show(&db, a, None, date("2021-05-05"), "completed").await;
    let (list, lines) = setlist(&db, s, a, "setlistfm", &["Intro", "Hit", "Closer"]).await;
    sqlx::query("UPDATE setlist_songs SET set_name = 'encore' WHERE id = $1")
        .bind(lines[2])
        .execute(&db)
        .await
        .expect("encore");
    let app = TestApp::start(db).await;
    let lists = app.ok(&format!("/api/v1/shows/{s}/setlists")).await;
    let l = &lists["items"][0];
    assert_eq!(l["id"], list.to_string());
    assert_eq!(l["kind"], "actual");
    let order: Vec<(&str, &str)> = l["songs"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|s| {
            (
                s["title"].as_str().expect("t"),
                s["set_name"].as_str().expect("s"),
            )
        })
        .collect();
    assert_eq!(
        order,
        [("Intro", "main"), ("Hit", "main"), ("Closer", "encore")]
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn postponed_and_rescheduled_shows_keep_their_status(db: PgPool) {
    use theset_backend::db::{community, shows};

    let live = TestApp::start(db.clone()).await;
    let band = artist(&db, "Moving Band", &[], None, 0.0).await;
    let postponed = show(&db, band, None, days_from_today(-3), "postponed").await;
    let rescheduled = show(&db, band, None, days_from_today(0), "rescheduled").await;
    let cancelled = show(&db, band, None, days_from_today(20), "cancelled").await;
    sqlx::query("UPDATE shows SET starts_at = now() - interval '5 minutes' WHERE id = $1")
        .bind(rescheduled)
        .execute(&db)
        .await
        .expect("starts");

    // The clock moves a rescheduled show on stage; a postponed one stays put past its old date.
    shows::advance_statuses(&db).await.expect("advance");
    let status = |id: Uuid| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status::text FROM shows WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .expect("status")
        }
    };
    assert_eq!(status(postponed).await, "postponed");
    assert_eq!(status(rescheduled).await, "ongoing");
    assert_eq!(status(cancelled).await, "cancelled");

    // Votes and predictions stay open for the postponed show; the cancelled one is closed.
    let open = |id: Uuid| {
        let db = db.clone();
        async move {
            community::window(&db, id)
                .await
                .expect("window")
                .expect("show")
                .open
        }
    };
    assert!(open(postponed).await);
    assert!(!open(cancelled).await);
    let (_, detail) = live.get(&format!("/api/v1/shows/{postponed}")).await;
    assert_eq!(detail["status"], "postponed", "{detail}");
    // Postponed shows are still listed among the artist's upcoming ones.
    let (_, page) = live.get("/api/v1/artists/moving-band").await;
    let upcoming: Vec<&str> = page["upcoming_shows"]
        .as_array()
        .expect("upcoming")
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert!(upcoming.contains(&"postponed"), "{page}");
}
