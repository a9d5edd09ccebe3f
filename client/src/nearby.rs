//! "Near me": tonight's shows around a point (the server's list), and with no signal the
//! device's own answers — the venues it knows (those of the shows in its scope, synced with
//! their coordinates, and those in venue lists and pages it was shown) ordered by distance within
//! the radius with the list's other filters applied, and tonight's shows among those it holds.
//! The device answers only when the server cannot be reached and no answer to the very same
//! question was kept.

use std::collections::HashMap;

use chrono::NaiveDate;
use theset_shared::api::{Page, ShowListQuery, ShowSummary, VenueDetail, VenueSummary};
use theset_shared::geo::distance_km;
use theset_shared::ipc::{Fetched, GeoPoint};
use theset_shared::sync::SyncShow;
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

/// The list's filters, as the server applies them.
pub(crate) struct Filter<'a> {
    pub at: GeoPoint,
    pub km: f64,
    pub city: Option<&'a str>,
    pub has_upcoming: bool,
    pub limit: usize,
}

impl Client {
    pub(crate) fn venues_near_on_device(
        &self,
        filter: &Filter<'_>,
    ) -> Result<Fetched<Page<VenueSummary>>, ClientError> {
        let mut known: Vec<VenueSummary> = Vec::new();
        for body in self.store.kept_pages_under("/venues")? {
            if let Ok(page) = serde_json::from_str::<Page<VenueSummary>>(&body) {
                known.extend(page.items);
            } else if let Ok(detail) = serde_json::from_str::<VenueDetail>(&body) {
                known.push(detail.summary);
            }
        }
        let today = chrono::Utc::now().date_naive();
        let items = nearest(known, &self.store.stored_shows()?, today, filter);
        Ok(Fetched {
            data: Page {
                items,
                next_cursor: None,
            },
            stale: true,
            fetched_at: chrono::Utc::now(),
        })
    }
}

/// Most shows a city has on one night, for the list's one page.
const TONIGHT_LIMIT: u32 = 100;

impl Client {
    /// Today's shows (the device's date) at venues within `km` of `at`, by start.
    pub async fn tonight_near(
        &self,
        at: GeoPoint,
        km: f64,
    ) -> Result<Fetched<Vec<ShowSummary>>, ClientError> {
        if !(-90.0..=90.0).contains(&at.lat) || !(-180.0..=180.0).contains(&at.lng) {
            return Err(ClientError::Invalid(
                "That position is not on Earth.".into(),
            ));
        }
        let km = if km.is_finite() {
            km.clamp(1.0, 20_000.0)
        } else {
            50.0
        };
        let today = chrono::Local::now().date_naive();
        let wire = ShowListQuery {
            near: Some(format!("{},{}", at.lat, at.lng)),
            km: Some(km),
            from: Some(today),
            to: Some(today),
            limit: Some(TONIGHT_LIMIT),
            ..ShowListQuery::default()
        };
        match self.page_of::<Page<ShowSummary>>("/shows", &wire).await {
            Ok(page) => Ok(Fetched {
                data: page.data.items,
                stale: page.stale,
                fetched_at: page.fetched_at,
            }),
            Err(e) if e.is_transient() => Ok(Fetched {
                data: tonight(&self.store.stored_shows()?, at, km, today),
                stale: true,
                fetched_at: chrono::Utc::now(),
            }),
            Err(e) => Err(e),
        }
    }
}

/// The shows of `shows` on `today` at venues within `km` of `at`, by start time.
fn tonight(shows: &[SyncShow], at: GeoPoint, km: f64, today: NaiveDate) -> Vec<ShowSummary> {
    let mut out: Vec<ShowSummary> = shows
        .iter()
        .filter(|s| s.summary.date == today)
        .filter(|s| {
            s.venue_lat
                .zip(s.venue_lng)
                .is_some_and(|(lat, lng)| distance_km(at, GeoPoint { lat, lng }) <= km)
        })
        .map(|s| s.summary.clone())
        .collect();
    out.sort_by_key(|s| (s.starts_at, s.id));
    out
}

/// The venues of `known` and of `shows` matching `filter`, nearest first. A venue seen several
/// times is counted once (its list entry preferred: it has the server's count and address).
fn nearest(
    known: Vec<VenueSummary>,
    shows: &[SyncShow],
    today: NaiveDate,
    filter: &Filter<'_>,
) -> Vec<VenueSummary> {
    let mut venues: HashMap<Uuid, VenueSummary> = HashMap::new();
    let mut upcoming: HashMap<Uuid, i64> = HashMap::new();
    for s in shows {
        let Some(v) = &s.summary.venue else { continue };
        if s.summary.date >= today {
            *upcoming.entry(v.id).or_default() += 1;
        }
        venues.entry(v.id).or_insert_with(|| VenueSummary {
            id: v.id,
            name: v.name.clone(),
            address: None,
            city: v.city.clone(),
            state: None,
            country: None,
            country_code: v.country_code.clone(),
            postal_code: None,
            timezone: None,
            latitude: s.venue_lat,
            longitude: s.venue_lng,
            upcoming_show_count: 0,
            origin: s.summary.origin,
            distance_km: None,
        });
    }
    for v in known {
        venues.insert(v.id, v);
    }
    let city = filter.city.map(str::to_lowercase);
    let mut out: Vec<VenueSummary> = venues
        .into_values()
        .filter_map(|mut v| {
            let at = GeoPoint {
                lat: v.latitude?,
                lng: v.longitude?,
            };
            let d = distance_km(filter.at, at);
            v.upcoming_show_count = v
                .upcoming_show_count
                .max(upcoming.get(&v.id).copied().unwrap_or(0));
            v.distance_km = Some(d);
            let in_city = city.as_ref().is_none_or(|c| {
                v.city
                    .as_deref()
                    .is_some_and(|vc| vc.to_lowercase().contains(c.as_str()))
            });
            let ok =
                d <= filter.km && in_city && (!filter.has_upcoming || v.upcoming_show_count > 0);
            ok.then_some(v)
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance_km
            .partial_cmp(&b.distance_km)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    out.truncate(filter.limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use theset_shared::api::{ArtistRef, ShowStatus, ShowSummary, VenueRef};

    fn venue(id: u128, name: &str, lat: f64, lng: f64) -> VenueSummary {
        VenueSummary {
            id: Uuid::from_u128(id),
            name: name.into(),
            address: None,
            city: Some("London".into()),
            state: None,
            country: None,
            country_code: None,
            postal_code: None,
            timezone: None,
            latitude: Some(lat),
            longitude: Some(lng),
            upcoming_show_count: 0,
            origin: Default::default(),
            distance_km: None,
        }
    }

    fn show(venue_id: u128, date: NaiveDate, at: Option<(f64, f64)>) -> SyncShow {
        SyncShow {
            summary: ShowSummary {
                id: Uuid::new_v4(),
                name: None,
                date,
                start_time: None,
                starts_at: None,
                status: ShowStatus::Upcoming,
                artist: ArtistRef {
                    id: Uuid::from_u128(99),
                    name: "A".into(),
                    slug: "a".into(),
                },
                venue: Some(VenueRef {
                    id: Uuid::from_u128(venue_id),
                    name: format!("Venue {venue_id}"),
                    city: Some("Manchester".into()),
                    country_code: None,
                }),
                ticket_url: None,
                origin: Default::default(),
            },
            venue_lat: at.map(|p| p.0),
            venue_lng: at.map(|p| p.1),
        }
    }

    fn filter(at: GeoPoint, km: f64) -> Filter<'static> {
        Filter {
            at,
            km,
            city: None,
            has_upcoming: false,
            limit: 50,
        }
    }

    #[test]
    fn tonight_is_todays_shows_within_the_radius() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let here = GeoPoint {
            lat: 53.48,
            lng: -2.24,
        };
        let shows = [
            show(1, today, Some((53.488, -2.244))),
            show(2, today.succ_opt().expect("date"), Some((53.488, -2.244))),
            show(3, today, Some((51.5, -0.1))),
            show(4, today, None),
        ];
        let tonight = tonight(&shows, here, 50.0, today);
        assert_eq!(tonight.len(), 1);
        assert_eq!(
            tonight[0].venue.as_ref().map(|v| v.name.as_str()),
            Some("Venue 1")
        );
    }

    #[test]
    fn the_nearest_known_venue_comes_first_within_the_radius() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let o2 = venue(1, "The O2", 51.503, 0.003);
        let wembley = venue(2, "Wembley Stadium", 51.556, -0.280);
        let paris = venue(3, "Accor Arena", 48.839, 2.379);
        // Manchester, known only from a synced show (tomorrow), and a show with no coordinates.
        let shows = [
            show(4, today.succ_opt().expect("date"), Some((53.488, -2.244))),
            show(5, today, None),
        ];
        let at_o2 = GeoPoint {
            lat: 51.5030,
            lng: 0.0032,
        };
        let near = nearest(
            vec![wembley, o2, paris],
            &shows,
            today,
            &filter(at_o2, 300.0),
        );
        let names: Vec<&str> = near.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["The O2", "Wembley Stadium", "Venue 4"]);
        assert!(near[0].distance_km.expect("distance") < 0.1);
        assert_eq!(near[2].upcoming_show_count, 1);

        let mut upcoming = filter(at_o2, 300.0);
        upcoming.has_upcoming = true;
        upcoming.city = Some("manc");
        let near = nearest(vec![], &shows, today, &upcoming);
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].name, "Venue 4");
    }
}
