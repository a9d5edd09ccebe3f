//! Phone-specific capabilities behind one interface, with a desktop fallback.
//!
//! On Android and iOS the OS answers through Tauri's geolocation plugin ([`phone`]); on desktop
//! there is no location service ([`Desktop`]), so the venues page asks for a place instead.
//! Connectivity has no well-kept plugin on either OS: the webview's `navigator.onLine` (Android
//! needs `ACCESS_NETWORK_STATE` for it, see the README) and the sync loop's last attempt are what
//! the status bar shows, and [`Platform::connectivity`] says `Unknown` rather than guess.
//! The app asks this trait and never checks the platform.

pub mod phone;

use std::future::Future;

use serde::{Deserialize, Serialize};

/// What the device knows about its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    Online,
    Offline,
    /// The platform cannot tell; the last sync attempt decides.
    Unknown,
}

/// A position in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

impl Position {
    /// A position if both coordinates are finite and in range.
    pub fn new(latitude: f64, longitude: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
            Self {
                latitude,
                longitude,
            },
        )
    }
}

/// Why there is no position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("This device has no location service; pick a place on the map instead.")]
    Unsupported,
    #[error(
        "Location is turned off for TheSet. Allow it in the phone's settings to see venues near you."
    )]
    Denied,
    #[error("The phone could not find where it is ({0}).")]
    Failed(String),
}

pub trait Platform: Send + Sync + 'static {
    fn connectivity(&self) -> Connectivity;
    /// The device's position, asking the user's permission first where the OS wants that.
    fn position(&self) -> impl Future<Output = Result<Position, LocationError>> + Send;
}

/// Desktop: no OS connectivity signal, no location service.
#[derive(Debug, Default, Clone, Copy)]
pub struct Desktop;

impl Platform for Desktop {
    fn connectivity(&self) -> Connectivity {
        Connectivity::Unknown
    }

    async fn position(&self) -> Result<Position, LocationError> {
        Err(LocationError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_range_checked() {
        assert!(Position::new(40.75, -73.99).is_some());
        assert!(Position::new(95.0, 0.0).is_none());
        assert!(Position::new(0.0, -181.0).is_none());
        assert!(Position::new(f64::NAN, 0.0).is_none());
    }

    #[test]
    fn desktop_defers_to_sync_and_user_input() {
        assert_eq!(Desktop.connectivity(), Connectivity::Unknown);
        let answer = tauri::async_runtime::block_on(Desktop.position());
        assert_eq!(answer, Err(LocationError::Unsupported));
    }
}
