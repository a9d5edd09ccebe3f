//! The backend's layers point down: `http/` → `actions/` → `views/` → `db/`. Nothing below
//! `http/` may reach into it (an import circle through the HTTP layer is how the domain code
//! began speaking HTTP before), and nothing below `actions/` may reach into actions.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files of `layer` (a folder or file stem under `src/`) that mention any of `forbidden`.
fn offenders(layers: &[&str], forbidden: &[&str]) -> Vec<String> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(&src).expect("under src");
            let top = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default()
                .trim_end_matches(".rs");
            layers.contains(&top)
        })
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).expect("read");
            forbidden
                .iter()
                .find(|needle| text.contains(*needle))
                .map(|needle| format!("{} uses {needle}", f.display()))
        })
        .collect()
}

#[test]
fn nothing_below_http_imports_http() {
    let below = [
        "actions",
        "views",
        "db",
        "sync",
        "jobs",
        "providers",
        "auth",
        "cache",
        "cron",
        "events",
        "import",
        "scores",
        "seed",
        "show_feed",
        "page_views",
        "replay",
    ];
    let found = offenders(
        &below,
        &["crate::http", "super::http::", "theset_backend::http"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn read_models_and_sql_do_not_reach_up() {
    let found = offenders(
        &["views", "db"],
        &[
            "crate::actions",
            "crate::sync",
            "crate::jobs",
            "crate::http",
            "axum::",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_import_circle_between_modules() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = theset_testkit::modules::graph(&src);
    assert!(graph.contains_key("http") && graph["http"].contains("actions"));
    let circles = theset_testkit::modules::cycles(&graph);
    assert!(
        circles.is_empty(),
        "modules that import each other: {circles:#?}"
    );
}

/// Inside a folder the files point one way too: `http/auth/links.rs` and `password.rs`, or
/// `oauth.rs` and `oauth_browser.rs`, once imported each other.
#[test]
fn no_import_circle_between_the_files_of_a_folder() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let auth = theset_testkit::modules::file_graph(&src, &src.join("http/auth"));
    assert!(
        auth["oauth"].contains("oauth_browser"),
        "the graph sees sibling imports: {auth:#?}"
    );
    let mut circles = Vec::new();
    for dir in theset_testkit::modules::folders(&src) {
        let graph = theset_testkit::modules::file_graph(&src, &dir);
        for circle in theset_testkit::modules::cycles(&graph) {
            circles.push(format!(
                "{}: {}",
                dir.strip_prefix(&src).unwrap_or(&dir).display(),
                circle.join(" → ")
            ));
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other: {circles:#?}"
    );
}
