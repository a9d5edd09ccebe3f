//! Named databases for the benchmarks: made afresh (dropped if a run left one) and migrated, on
//! the server of `DATABASE_URL`.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

/// A fresh, migrated database `name` on `server` (`postgres://…:port` without a database), with a
/// pool of `connections`.
pub async fn fresh(server: &str, name: &str, connections: u32) -> PgPool {
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the server's postgres database");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .expect("create");
    }
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .connect(&format!("{server}/{name}"))
        .await
        .expect("pool");
    theset_backend::MIGRATOR.run(&pool).await.expect("migrate");
    pool
}
