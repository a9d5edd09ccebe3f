//! The show's live stream carries its crowd set-list: a fan following the show (the app, or a
//! page with no app) sees the list the captures merge into as it forms, whole, without asking.

use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::live::{capture, drain, starts};
use crate::sync::{Device, now_hlc, push};
use theset_testkit::rows::{artist, days_from_today, show, song};
use theset_testkit::sse::take_events;
use theset_testkit::{Role, TestApp};

/// A stream of the show's events, with what has been read of it.
struct Listener {
    res: Response,
    buffer: String,
}

impl Listener {
    async fn open(live: &TestApp, show: Uuid) -> Self {
        let res = live
            .req(Method::GET, &format!("/api/v1/shows/{show}/events"))
            .send()
            .await
            .expect("stream");
        assert_eq!(res.status(), StatusCode::OK);
        Self {
            res,
            buffer: String::new(),
        }
    }

    /// The next `crowd` event within `within`, if one comes.
    async fn crowd(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .expect("read")?;
            for event in take_events(&mut self.buffer, &chunk) {
                if event.event.as_deref() == Some("crowd") {
                    assert_eq!(event.id, None, "the totals' cursor stays the stream's id");
                    return serde_json::from_str(event.data.as_deref()?).ok();
                }
            }
        }
    }
}

fn titles(crowd: &Value) -> Vec<String> {
    crowd["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .flat_map(|l| l["songs"].as_array().expect("songs").iter())
        .map(|s| s["title"].as_str().expect("title").to_owned())
        .collect()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_show_stream_carries_the_crowd_list_as_it_forms_and_goes(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let a = artist(&db, "Stream Band", &[], None, 0.0).await;
    let s = show(&db, a, None, days_from_today(0), "upcoming").await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(30);
    starts(&db, s, started, "upcoming").await;
    let opener = song(&db, a, "Opener", 50).await;
    // The show's community list is public too, but no crowd list: the events never carry it.
    theset_testkit::rows::setlist(&db, s, a, "community", &["Wished For"]).await;
    let (_, _, token) = live.quick(Role::User).await;

    // Listening before anything was captured: no crowd list to tell.
    let mut early = Listener::open(&live, s).await;
    assert_eq!(early.crowd(Duration::from_millis(600)).await, None);

    let mut d = Device::new(&token);
    let c = capture(
        s,
        Some(opener),
        "Opener",
        started + chrono::Duration::minutes(5),
    );
    let m = d.mutation("capture.add@1", c.clone(), now_hlc());
    let (st, res) = push(&live, &d, &[m]).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(res["results"][0]["outcome"], "applied", "{res}");
    drain(&db).await;
    let formed = early
        .crowd(Duration::from_secs(10))
        .await
        .expect("the listener hears the list form");
    assert_eq!(titles(&formed), ["Opener"]);
    assert_eq!(formed["lists"][0]["source"], "crowd");
    assert_eq!(formed["lists"][0]["show_id"], json!(s));

    // Listening later: the list as it stands, at once.
    let mut later = Listener::open(&live, s).await;
    let standing = later
        .crowd(Duration::from_secs(5))
        .await
        .expect("the list when the stream starts");
    assert_eq!(standing, formed);

    // The capture taken back: the list goes, and both listeners hear it.
    let undo = d.mutation(
        "capture.undo@1",
        json!({ "capture_id": c["capture_id"] }),
        now_hlc(),
    );
    let (st, res) = push(&live, &d, &[undo]).await;
    assert_eq!(st, StatusCode::OK, "{res}");
    assert_eq!(res["results"][0]["outcome"], "applied", "{res}");
    drain(&db).await;
    for listener in [&mut early, &mut later] {
        let gone = listener
            .crowd(Duration::from_secs(10))
            .await
            .expect("the listener hears the list go");
        assert_eq!(gone, json!({ "lists": [] }));
    }
}
