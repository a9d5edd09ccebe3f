//! End-to-end pieces shared by the desktop window tests and the phone browser tests: the real
//! backend as a process ([`Backend`]), driving the UI like a person ([`ui::Ui`]), screenshots.

mod backend;
mod tour;
pub mod ui;

pub use backend::{Backend, Seed, profile_dir, root, screenshot, wait_for_port};
pub use tour::tour;
