//! Atomic design: atoms (single elements), molecules (small groups), organisms (page sections).

pub mod atoms;
pub mod molecules;
pub mod organisms;
