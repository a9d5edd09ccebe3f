//! The contract between TheSet's backend, offline client and UI.
//!
//! Everything here is plain data or pure logic, so it compiles for native targets and for
//! `wasm32-unknown-unknown` alike. Database and OpenAPI derives stay behind features so the UI
//! bundle carries none of them.

pub mod api;
pub mod artist_match;
pub mod catalogue;
pub mod comments;
pub mod crowd;
pub mod diff;
pub mod error;
pub mod geo;
pub mod hlc;
pub mod images;
pub mod ipc;
pub mod likely;
pub mod names;
pub mod oversight;
pub mod password;
pub mod scoring;
pub mod server_address;
pub mod setlist_text;
pub mod slug;
pub mod song_trends;
pub mod sync;
pub mod titles;
pub mod trending;
pub mod validate;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
