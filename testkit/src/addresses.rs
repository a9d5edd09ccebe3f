//! Who signs up in a test: a unique address per call and one password.

use uuid::Uuid;

/// The password the kit's sign-ups use (long enough, in no breach list).
pub const PASSWORD: &str = "four words walk into a bar";

/// A unique address per call: the SMTP sink and the database are shared by every test.
pub fn email(tag: &str) -> String {
    format!("{tag}-{}@example.com", Uuid::new_v4().simple())
}
