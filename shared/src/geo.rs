//! Distances on the Earth for "near me" answered on the device (the server uses PostGIS).

use crate::ipc::GeoPoint;

/// The mean Earth radius (IUGG), in kilometres.
const EARTH_KM: f64 = 6371.0088;

/// The great-circle distance between two points, in kilometres (haversine: within 0.5 % of the
/// ellipsoid's answer, plenty for ordering venues).
pub fn distance_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlng = (b.lng - a.lng).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

/// The initial bearing from `a` to `b`, in degrees clockwise from north (0–360).
pub fn bearing_deg(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlng = (b.lng - a.lng).to_radians();
    let y = dlng.sin() * la2.cos();
    let x = la1.cos() * la2.sin() - la1.sin() * la2.cos() * dlng.cos();
    y.atan2(x).to_degrees().rem_euclid(360.0)
}

/// A bearing as one of the eight compass directions people say ("north-east").
pub fn compass(bearing: f64) -> &'static str {
    const NAMES: [&str; 8] = [
        "north",
        "north-east",
        "east",
        "south-east",
        "south",
        "south-west",
        "west",
        "north-west",
    ];
    let sector = ((bearing.rem_euclid(360.0) + 22.5) / 45.0).floor() as usize % 8;
    NAMES[sector]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint { lat, lng }
    }

    #[test]
    fn known_distances() {
        // London (Trafalgar Square) to Paris (Notre-Dame): about 343 km.
        let d = distance_km(p(51.508, -0.128), p(48.853, 2.349));
        assert!((d - 343.0).abs() < 3.0, "{d}");
        // Across the antimeridian: Fiji to Samoa is short, not around the world.
        let d = distance_km(p(-18.1, 178.4), p(-13.8, -171.8));
        assert!(d < 1200.0, "{d}");
    }

    #[test]
    fn directions_people_say() {
        let london = p(51.508, -0.128);
        assert_eq!(compass(bearing_deg(london, p(55.953, -3.188))), "north");
        assert_eq!(compass(bearing_deg(london, p(48.853, 2.349))), "south-east");
        assert_eq!(compass(bearing_deg(london, p(51.45, -2.58))), "west");
        assert_eq!(compass(359.0), "north");
        assert_eq!(compass(-10.0), "north");
        assert_eq!(compass(225.0), "south-west");
    }

    fn point() -> impl Strategy<Value = GeoPoint> {
        (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lng)| p(lat, lng))
    }

    proptest! {
        #[test]
        fn a_distance_is_a_metric_on_the_sphere(a in point(), b in point(), c in point()) {
            let ab = distance_km(a, b);
            prop_assert!(distance_km(a, a) < 1e-6);
            prop_assert!((ab - distance_km(b, a)).abs() < 1e-6);
            prop_assert!((0.0..=std::f64::consts::PI * EARTH_KM + 1e-6).contains(&ab));
            prop_assert!(ab <= distance_km(a, c) + distance_km(c, b) + 1e-6);
        }

        #[test]
        fn bearings_are_angles(a in point(), b in point()) {
            let t = bearing_deg(a, b);
            prop_assert!((0.0..360.0).contains(&t), "{t}");
            prop_assert!(!compass(t).is_empty());
        }
    }
}
