//! External services, one module per service: typed models of their answers (`models.rs`) and a
//! real client (`mod.rs`) over the shared [`service::ServiceClient`] (rate limits, retries, errors).
//! Every base URL and key comes from [`config::ProvidersConfig`], so tests and the offline demo point
//! the same clients at local servers.

pub mod config;
pub mod redact;
pub mod service;
pub mod setlistfm;
pub mod spotify;
pub mod ticketmaster;
pub mod wikipedia;

pub use service::{Limits, ProviderError, ServiceClient};
