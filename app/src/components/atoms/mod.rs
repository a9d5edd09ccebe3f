mod avatar;
mod badge;
mod button;
mod demo;
mod field;
mod pending;
mod progress;

pub use avatar::Avatar;
pub use badge::Badge;
pub use button::Button;
pub use demo::DemoNotice;
pub use field::Field;
pub use pending::{PendingMark, StaleNote};
pub use progress::ProgressBar;
