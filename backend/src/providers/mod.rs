//! Typed models of the external APIs' answers, one module per service. They are lenient where the
//! services are (optional fields default), strict where we depend on a field (ids, names).
//! The HTTP clients that fetch them come with the importers.

pub mod setlistfm;
pub mod spotify;
pub mod ticketmaster;
