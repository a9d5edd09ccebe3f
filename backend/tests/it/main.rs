//! Backend integration tests: each `#[sqlx::test]` gets a fresh, migrated Postgres database and
//! drives the real router.

mod actuals;
mod after_show;
mod artists;
mod attacks;
mod auth;
mod cache;
mod comments;
mod config;
mod cron;
mod discovery;
mod errors;
mod fakes;
mod imports;
mod jobs;
mod layers;
mod live;
mod mail_links;
mod moderation;
mod oauth;
mod oauth_browser;
mod profile;
mod providers;
mod proxies;
mod query_data;
mod rbac;
mod replay;
mod secrets;
mod seed;
mod shows;
mod sync;
mod trust;
mod venues;
mod votes;
mod voting;
mod web;
