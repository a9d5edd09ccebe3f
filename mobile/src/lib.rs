//! Phone-specific capabilities behind one interface, with a desktop fallback.
//!
//! On Android and iOS a Tauri plugin answers from the OS (network callbacks, location services);
//! on desktop there is no such service, so connectivity is learnt from sync attempts and location
//! comes from what the user types. The app code asks this trait and never checks the platform.

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

pub trait Platform: Send + Sync {
    fn connectivity(&self) -> Connectivity;
    /// The device's position, when the platform has one and the user allowed it.
    fn position(&self) -> Option<Position>;
}

/// Desktop: no OS connectivity signal, no location service.
#[derive(Debug, Default, Clone, Copy)]
pub struct Desktop;

impl Platform for Desktop {
    fn connectivity(&self) -> Connectivity {
        Connectivity::Unknown
    }

    fn position(&self) -> Option<Position> {
        None
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
        assert_eq!(Desktop.position(), None);
    }
}
