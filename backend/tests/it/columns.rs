//! No column of the schema is unwritten by the product. Every column of every table is written by
//! a statement of the backend (`backend/src`) or of a migration (a trigger, a backfill) — an
//! `INSERT` naming it, an `UPDATE … SET` or `ON CONFLICT … DO UPDATE SET` of it, a trigger's
//! `NEW.col :=` — or by its default at the moment of the insert (an id, a timestamp, a
//! transaction id). A column nothing fills is a fact the app can only show empty, or invented.

use std::path::Path;

use regex::Regex;
use sqlx::PgPool;

/// Columns written by nothing but a constant default, on purpose.
const CONSTANT_BY_DESIGN: &[(&str, &str)] = &[(
    "sync_horizon.only_row",
    "the guard that keeps the table to one row",
)];

fn corpus() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs" || e == "sql") {
                out.push(p);
            }
        }
    }
    walk(&root.join("src"), &mut files);
    walk(&root.join("../migrations"), &mut files);
    files.sort();
    let mut text = String::new();
    for f in files {
        // SQL in Rust strings is continued with `\` at the end of a line.
        let raw = std::fs::read_to_string(&f).unwrap_or_default();
        text.push(' ');
        text.push_str(&raw.replace("\\\n", " ").replace("\\\"", "\""));
    }
    Regex::new(r"\s+")
        .expect("regex")
        .replace_all(&text, " ")
        .into_owned()
}

/// How `table.column` is written, if it is.
fn writer(corpus: &str, table: &str, column: &str) -> Option<&'static str> {
    let col = Regex::new(&format!(r"(?i)\b{column}\b")).expect("regex");
    let set = Regex::new(&format!(r"(?i)\b{column}\s*=")).expect("regex");
    let re = |p: String| Regex::new(&p).expect("regex");
    if re(format!(r"(?i)INSERT INTO {table}\s*\(([^)]*)\)"))
        .captures_iter(corpus)
        .any(|c| col.is_match(&c[1]))
    {
        return Some("INSERT");
    }
    if re(format!(
        r#"(?i)UPDATE {table}\b(?: AS)?(?: \w+)? SET (.{{0,1500}}?)(?: WHERE | FROM | RETURNING |;|"|$)"#
    ))
    .captures_iter(corpus)
    .any(|c| set.is_match(&c[1]))
    {
        return Some("UPDATE");
    }
    if re(format!(
        r#"(?i)INSERT INTO {table}\b.{{0,3000}}?ON CONFLICT[^;"]*?DO UPDATE SET (.{{0,2000}}?)(?: WHERE | RETURNING |;|"|$)"#
    ))
    .captures_iter(corpus)
    .any(|c| set.is_match(&c[1]))
    {
        return Some("upsert");
    }
    if re(format!(r"NEW\.{column}\s*:=")).is_match(corpus) {
        return Some("trigger");
    }
    None
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn every_column_is_written_by_the_product(db: PgPool) {
    let columns: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.column_default::text, c.is_identity::text \
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.table_name NOT IN ('spatial_ref_sys', '_sqlx_migrations') \
         ORDER BY 1, 2",
    )
    .fetch_all(&db)
    .await
    .expect("columns");
    assert!(columns.len() > 100, "the schema: {} columns", columns.len());
    let corpus = corpus();
    let moment = [
        "now()",
        "gen_random_uuid()",
        "nextval(",
        "pg_current_xact_id()",
    ];
    let mut unwritten = Vec::new();
    for (table, column, default, identity) in &columns {
        let name = format!("{table}.{column}");
        let how = writer(&corpus, table, column).or_else(|| {
            let by_moment = identity == "YES"
                || default
                    .as_deref()
                    .is_some_and(|d| moment.iter().any(|m| d.contains(m)));
            by_moment.then_some("its default, at the insert")
        });
        match how {
            Some(how) => println!("{name:<48} {how}"),
            None if CONSTANT_BY_DESIGN.iter().any(|(c, _)| *c == name) => {}
            None => unwritten.push(name),
        }
    }
    assert!(
        unwritten.is_empty(),
        "columns nothing writes (fill them from a real source, or drop them with what shows them): {unwritten:?}"
    );
}
