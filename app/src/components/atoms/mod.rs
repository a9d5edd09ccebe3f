mod badge;
mod button;

pub use badge::Badge;
pub use button::Button;
