//! Wikidata's search and `wbgetentities`, and Wikipedia's page summaries, replayed from the
//! recorded entities and summaries.

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, Shared, status};

fn p434(entity: &Value) -> impl Iterator<Item = &str> {
    entity["claims"]["P434"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/mainsnak/datavalue/value")?.as_str())
}

/// `GET /w/api.php`: `action=query&list=search&srsearch=haswbstatement:P434=<mbid>` and
/// `action=wbgetentities&ids=<qid>`.
pub(super) async fn api(State(c): Shared, axum::extract::Query(q): Params) -> Response {
    match q.get("action").map(String::as_str) {
        Some("query") => {
            let wanted = q
                .get("srsearch")
                .and_then(|s| s.strip_prefix("haswbstatement:P434="))
                .map(str::to_lowercase);
            let hits: Vec<Value> = c
                .wd_entities
                .values()
                .filter(|e| {
                    wanted
                        .as_deref()
                        .is_some_and(|m| p434(e).any(|v| v.eq_ignore_ascii_case(m)))
                })
                .map(|e| json!({ "ns": 0, "title": e["id"] }))
                .collect();
            Json(json!({ "batchcomplete": "", "query": { "searchinfo": { "totalhits": hits.len() }, "search": hits } }))
                .into_response()
        }
        Some("wbgetentities") => {
            let mut out = serde_json::Map::new();
            for id in q
                .get("ids")
                .map(String::as_str)
                .unwrap_or_default()
                .split('|')
            {
                let e = c
                    .wd_entities
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| json!({ "id": id, "missing": "" }));
                out.insert(id.to_owned(), e);
            }
            Json(json!({ "entities": out, "success": 1 })).into_response()
        }
        _ => status(
            StatusCode::BAD_REQUEST,
            json!({ "error": { "code": "badvalue", "info": "Unrecognized value for parameter \"action\"." } }),
        ),
    }
}

/// `GET /api/rest_v1/page/summary/{title}`.
pub(super) async fn summary(State(c): Shared, UrlPath(title): UrlPath<String>) -> Response {
    let key = title.replace('_', " ");
    match c.wp_summaries.get(&key) {
        Some(s) => Json(s.clone()).into_response(),
        None => status(
            StatusCode::NOT_FOUND,
            json!({ "type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found", "title": "Not found.", "detail": "Page or revision not found." }),
        ),
    }
}
