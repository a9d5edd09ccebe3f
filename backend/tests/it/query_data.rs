//! The committed query data (`backend/.sqlx/`, what builds check every `query!` against without a
//! database) matches the schema the migrations make: each statement, described by Postgres
//! now, has the columns, types, nullability and parameters the data says. A migration that
//! changes a column a query reads fails here until `cargo xtask sqlx-prepare` is run (and then,
//! if the code no longer fits, at compile time).

use std::path::PathBuf;

use sqlx::{Executor, PgPool};

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_committed_query_data_matches_the_schema(db: PgPool) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".sqlx");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("backend/.sqlx: run `cargo xtask sqlx-prepare`")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no query data in {}", dir.display());
    let mut stale = Vec::new();
    for path in &files {
        let data: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
        let sql = data["query"].as_str().expect("query text");
        let now = match db
            .describe(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
                sql.to_owned(),
            )))
            .await
        {
            Ok(d) => serde_json::to_value(&d).expect("describe as json"),
            Err(e) => {
                stale.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        if comparable(&now) != comparable(&data["describe"]) {
            stale.push(format!(
                "{}: committed {} but the schema gives {now}",
                path.display(),
                data["describe"]
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "query data out of date (run `cargo xtask sqlx-prepare`):\n{}",
        stale.join("\n")
    );
}

/// A description without the nullability of columns the query overrides (`name?`, `name!`):
/// the macros store the override's verdict there (sqlx 0.9), the database its own guess.
fn comparable(describe: &serde_json::Value) -> serde_json::Value {
    let mut d = describe.clone();
    let overridden: Vec<bool> = d["columns"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    // `name!`, `name?`, `name!: Type`: the macro's nullability, not the schema's.
                    c["name"]
                        .as_str()
                        .map(|n| n.split(':').next().unwrap_or(n).trim_end())
                        .is_some_and(|n| n.ends_with('?') || n.ends_with('!'))
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(nullable) = d["nullable"].as_array_mut() {
        for (n, o) in nullable.iter_mut().zip(overridden) {
            if o {
                *n = serde_json::Value::Null;
            }
        }
    }
    d
}

/// A closed set stored as a Postgres enum has exactly the Rust enum's names, in its order: the
/// database refuses what the code cannot name, and the code can name nothing the database lacks.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn enum_types_hold_the_rust_enums_names(db: PgPool) {
    use theset_shared::api::{
        DataOrigin, FlagReason, FlagStatus, JobStatus, LineupRole, LinkOrigin, LinkService,
        ModerationStatus, NoMatch, NotificationKind, Role, SessionKind, SetlistKind, SetlistSource,
        ShowStatus,
    };
    let labels = |t: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT e.enumlabel::text FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid \
                 WHERE t.typname = $1 ORDER BY e.enumsortorder",
            )
            .bind(t)
            .fetch_all(&db)
            .await
            .expect("labels")
        }
    };
    fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|n| as_str(*n).to_owned()).collect()
    }
    for (pg, rust) in [
        (
            "moderation_status",
            names(ModerationStatus::ALL, ModerationStatus::as_str),
        ),
        ("flag_status", names(FlagStatus::ALL, FlagStatus::as_str)),
        ("flag_reason", names(FlagReason::ALL, FlagReason::as_str)),
        ("job_status", names(JobStatus::ALL, JobStatus::as_str)),
        ("user_role", names(Role::ALL, Role::as_str)),
        ("lineup_role", names(LineupRole::ALL, LineupRole::as_str)),
        ("show_status", names(ShowStatus::ALL, ShowStatus::as_str)),
        ("setlist_kind", names(SetlistKind::ALL, SetlistKind::as_str)),
        (
            "setlist_source",
            names(SetlistSource::ALL, SetlistSource::as_str),
        ),
        ("data_origin", names(DataOrigin::ALL, DataOrigin::as_str)),
        ("link_service", names(LinkService::ALL, LinkService::as_str)),
        ("link_origin", names(LinkOrigin::ALL, LinkOrigin::as_str)),
        ("session_kind", names(SessionKind::ALL, SessionKind::as_str)),
        (
            "notification_kind",
            names(NotificationKind::ALL, NotificationKind::as_str),
        ),
        ("no_match", names(NoMatch::ALL, NoMatch::as_str)),
    ] {
        assert_eq!(labels(pg).await, rust, "{pg}");
    }
    // A stranger is refused by the column itself, not only by the code — when the statement is
    // prepared, so `cargo sqlx prepare --check` fails on it.
    for misspelled in [
        "UPDATE setlists SET moderation_status = 'hiden' WHERE false",
        "SELECT id FROM shows WHERE status = 'upcomming'",
        "SELECT id FROM setlists WHERE kind = 'actuall' OR source = 'crowds'",
        "SELECT id FROM artists WHERE origin = 'dmeo'",
        "SELECT notify(ARRAY[]::uuid[], 'new_shwo', 'x', NULL, 't', 'b')",
    ] {
        let refused = db
            .describe(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
                misspelled.to_owned(),
            )))
            .await
            .expect_err(misspelled);
        assert!(
            refused.to_string().contains("invalid input value for enum"),
            "{misspelled}: {refused}"
        );
    }
}
