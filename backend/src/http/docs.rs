//! The OpenAPI document (`/api/v1/openapi.json`) and an interactive page (`/api/v1/docs`). The
//! page and its script are served from here: no third-party script ever runs on the origin that
//! holds the browser session cookie. The script builds the page with DOM calls (never HTML
//! strings) and sends requests from a form, with a bearer token typed into the page.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

mod constraints;

#[derive(OpenApi)]
#[openapi(
    info(title = "TheSet API", version = "1", description = "Concert set-list predictions, votes and actual set-lists."),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::artists::list,
        super::artists::by_slug,
        super::shows::list,
        super::shows::by_id,
        super::shows::setlists,
        super::venues::list,
        super::venues::by_id,
        super::search::search,
        super::imports::import,
        super::jobs::job,
        super::jobs::job_events,
        super::jobs::artist_events,
        super::admin::start_job,
        super::admin::set_role,
        super::admin::audit_log,
        super::auth::password::signup,
        super::auth::password::login,
        super::auth::password::refresh,
        super::auth::password::logout,
        super::auth::password::browser_login,
        super::auth::password::browser_session,
        super::auth::links::verify_email,
        super::auth::links::resend_verification,
        super::auth::links::add_email,
        super::auth::links::request_reset,
        super::auth::links::confirm_reset,
        super::auth::links::request_magic_link,
        super::auth::links::consume_magic_link,
        super::auth::links::consume_magic_link_in_browser,
        super::auth::oauth::start,
        super::auth::oauth_browser::start,
        super::auth::oauth::exchange,
        super::moderation::add_alias,
        super::moderation::flag,
        super::moderation::queue,
        super::moderation::resolve,
        super::actuals::correct,
        super::actuals::history,
        super::actuals::verify,
        super::actuals::start,
        super::actuals::show_leaderboard,
        super::actuals::leaderboard,
        super::voting::community,
        super::voting::likely,
        super::voting::add_song,
        super::voting::add_title,
        super::voting::vote,
        super::voting::prediction,
        super::voting::predict,
        super::show_events::events,
        super::follows::list,
        super::follows::follow,
        super::follows::unfollow,
        super::attendance::list,
        super::attendance::going,
        super::attendance::not_going,
        super::attendance::new_feed,
        super::attendance::revoke_feed,
        super::attendance::feed,
        super::discovery::trending_artists,
        super::discovery::trending_shows,
        super::discovery::home,
        super::discovery::dashboard,
        super::actuals::reject,
        super::sync::push,
        super::sync::pull,
        super::sync::events,
        super::profile::me,
        super::profile::update,
        super::profile::delete_account,
        super::profile::list_sessions,
        super::profile::end_other_sessions,
        super::profile::revoke_session,
        super::profile::public_profile,
        super::profile::upload_avatar,
        super::profile::remove_avatar,
        super::auth::change_password::change_password,
        super::comments::thread,
        super::comments::add,
        super::comments::edit,
        super::comments::delete,
        super::comments::hide,
        super::comments::restore,
        super::notifications::feed,
        super::notifications::mark_read,
        super::notifications::prefs,
        super::notifications::set_prefs,
        super::oversight::show_votes,
        super::oversight::void,
        super::artist_links::of_artist,
        super::artist_links::set,
        super::library::import,
    ),
    tags((name = "artists"), (name = "shows"), (name = "venues"), (name = "setlists"), (name = "health"), (name = "search"), (name = "jobs"), (name = "auth"), (name = "profile"), (name = "admin"), (name = "moderation"), (name = "voting"), (name = "discovery"), (name = "sync"), (name = "comments"))
)]
pub struct ApiDoc;

/// The document as served: the derived one with the constraints the server enforces.
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for missing in constraints::apply(&mut doc) {
            tracing::error!(%missing, "an API constraint found nothing to apply to");
        }
        doc
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { axum::Json(document()) }))
        .route(
            "/docs",
            get(|| asset("text/html; charset=utf-8", include_str!("docs/page.html"))),
        )
        .route(
            "/docs/docs.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("docs/docs.js"),
                )
            }),
        )
        .route(
            "/docs/docs.css",
            get(|| asset("text/css; charset=utf-8", include_str!("docs/docs.css"))),
        )
}

/// The page's own policy: scripts, styles and requests from this origin only.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                        connect-src 'self'; img-src 'self'; form-action 'none'; \
                        frame-ancestors 'none'; base-uri 'none'";

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    );
    res
}

#[cfg(test)]
mod tests {
    use theset_shared::api::{
        FlagAction, FlagReason, FlagStatus, JobName, SessionKind, SetlistKind, SetlistSource,
    };

    /// The names a closed set has on the wire, by its schema's name.
    macro_rules! wire_names {
        ($($t:ident),+) => {
            vec![$((stringify!($t), $t::ALL.iter().map(|n| n.as_str()).collect::<Vec<_>>())),+]
        };
    }

    #[test]
    fn closed_sets_are_documented_by_their_wire_names() {
        let doc = super::document();
        for (schema, names) in wire_names!(
            FlagAction,
            FlagReason,
            FlagStatus,
            JobName,
            SessionKind,
            SetlistKind,
            SetlistSource
        ) {
            let documented: Vec<&str> = doc["components"]["schemas"][schema]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{schema} is not in the document"))
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            assert_eq!(documented, names, "{schema}");
        }
    }
}
