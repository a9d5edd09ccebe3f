//! Every operation of the API a fan or moderator would use is reachable from the app: the
//! client core (the only place that knows URLs) calls its path, or it is in the list below of
//! operations that are deliberately not the app's, each with the reason. A new route that is
//! neither fails this test.

use std::collections::BTreeSet;

use utoipa::OpenApi;

/// Operations the app does not call itself, and why.
const NOT_THE_APPS: &[(&str, &str)] = &[
    (
        "/healthz",
        "the core checks a server with it (`ApiClient::health` joins it outside the prefix)",
    ),
    ("/readyz", "for load balancers and operators"),
    (
        "/api/v1/calendar/{secret}",
        "what a calendar app subscribes to (the app gives out the address)",
    ),
    (
        "/api/v1/trending/artists",
        "the home page carries trending artists (`GET /home`)",
    ),
    (
        "/api/v1/trending/shows",
        "the home page carries trending shows (`GET /home`)",
    ),
    (
        "/api/v1/me/follows",
        "follows reach the device through the sync pull",
    ),
    (
        "/api/v1/me/going",
        "attendance reaches the device through the sync pull",
    ),
    (
        "/api/v1/me/going/{id}",
        "\"I'm going\" is sent as `show.attend@1` through the outbox",
    ),
    (
        "/api/v1/me/follows/{artist_id}",
        "follows are sent as `follow.set@1` through the outbox",
    ),
    (
        "/api/v1/setlist-songs/{id}/vote",
        "votes are sent as `vote.set@1` through the outbox",
    ),
    (
        "/api/v1/shows/{id}/community/songs",
        "songs are added as `community.add@1` through the outbox",
    ),
    (
        "/api/v1/setlists/{id}",
        "corrections are `setlist.edit@1` through the outbox",
    ),
    (
        "/api/v1/setlists/{id}/verify",
        "verification is `setlist.verify@1` through the outbox",
    ),
    (
        "/api/v1/setlists/{id}/reject",
        "rejection is `setlist.reject@1` through the outbox",
    ),
    (
        "/api/v1/shows/{id}/actual",
        "starting a list is `setlist.start@1` through the outbox",
    ),
    (
        "/api/v1/flags",
        "reports are `flag.raise@1` through the outbox",
    ),
    (
        "/api/v1/moderation/flags/{id}/resolve",
        "decisions are `flag.resolve@1` through the outbox",
    ),
    (
        "/api/v1/comments/{id}",
        "edits and deletions are `comment.edit@1` / `comment.delete@1`",
    ),
    (
        "/api/v1/comments/{id}/hide",
        "moderators hide with `comment.hide@1` through the outbox",
    ),
    (
        "/api/v1/comments/{id}/restore",
        "moderators restore with `comment.hide@1` (hidden: false)",
    ),
    (
        "/api/v1/me/notifications",
        "notifications reach the device through the sync pull",
    ),
    (
        "/api/v1/me/notifications/read",
        "reading is `notification.read@1` through the outbox",
    ),
    (
        "/api/v1/jobs/{id}",
        "the app follows a job through its events (`/jobs/{id}/events`)",
    ),
    (
        "/api/v1/shows/{id}/events",
        "the app is nudged by `/sync/events` and pulls; a show's own stream serves other clients",
    ),
    (
        "/api/v1/shows/{id}/setlists",
        "the show's page (`GET /shows/{id}`) carries its lists",
    ),
];

/// The string literals of the client's source that look like API paths.
fn client_paths() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for piece in text.split('"').skip(1).step_by(2) {
                    if piece.starts_with('/') {
                        out.insert(piece.split('?').next().unwrap_or(piece).to_owned());
                    }
                }
            }
        }
    }
    out
}

/// Whether a literal like `/shows/{show}/comments` names the operation `/shows/{id}/comments`.
fn names(literal: &str, operation: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) =
        (literal.split('/').collect(), operation.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(l, o)| l == o || (o.starts_with('{') && l.starts_with('{') && l.ends_with('}')))
}

#[test]
fn every_operation_is_the_apps_or_says_why_not() {
    let doc = serde_json::to_value(theset_backend::http::ApiDoc::openapi()).expect("doc");
    let literals = client_paths();
    let listed: BTreeSet<&str> = NOT_THE_APPS.iter().map(|(p, _)| *p).collect();
    let mut unreached = Vec::new();
    for path in doc["paths"].as_object().expect("paths").keys() {
        let inside = path.strip_prefix("/api/v1").unwrap_or(path);
        let called = literals.iter().any(|l| names(l, inside));
        if !called && !listed.contains(path.as_str()) {
            unreached.push(path.clone());
        }
    }
    assert!(
        unreached.is_empty(),
        "operations neither the app's nor listed as API-only: {unreached:#?}"
    );
    // The list holds only documented operations the app does not call, so it cannot hide a
    // removed one or contradict the code.
    let mut wrong = Vec::new();
    for (path, _) in NOT_THE_APPS {
        let inside = path.strip_prefix("/api/v1").unwrap_or(path);
        if doc["paths"].get(*path).is_none() {
            wrong.push(format!("{path}: not in the API document"));
        } else if literals.iter().any(|l| names(l, inside)) {
            wrong.push(format!(
                "{path}: listed as not the app's, but the client calls it"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
