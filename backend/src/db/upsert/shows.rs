//! Shows from Ticketmaster events, with their line-up.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::PgConnection;
use theset_shared::api::{LineupRole, ShowStatus};
use uuid::Uuid;

use crate::providers::ticketmaster;

/// Upserts event `e` (keyed by Ticketmaster id) with its line-up. `artists` maps attraction ids to
/// artist ids and `venues` venue ids; an event with no known artist or no date is skipped (`None`).
pub async fn from_event(
    db: &mut PgConnection,
    e: &ticketmaster::Event,
    artists: &HashMap<String, Uuid>,
    venues: &HashMap<String, Uuid>,
    today: NaiveDate,
    origin: theset_shared::api::DataOrigin,
) -> sqlx::Result<Option<Uuid>> {
    let Some(embedded) = &e.embedded else {
        return Ok(None);
    };
    let billed: Vec<Uuid> = embedded
        .attractions
        .iter()
        .filter_map(|a| artists.get(&a.id).copied())
        .collect();
    let (Some(&headliner), Some(date)) = (billed.first(), e.dates.start.local_date) else {
        return Ok(None);
    };
    let venue = embedded
        .venues
        .first()
        .and_then(|v| venues.get(&v.id))
        .copied();
    let price = e
        .price_ranges
        .iter()
        .find(|p| p.kind.as_deref() == Some("standard"))
        .or_else(|| e.price_ranges.first())
        .filter(|p| p.currency.as_deref().is_some_and(|c| c.len() == 3));
    let status = show_status(
        e.dates.status.as_ref().map(|s| s.code.as_str()),
        date,
        today,
    );
    // A max below the min would break the CHECK; treat it as the min.
    let price_max = price.and_then(|p| match (p.max, p.min) {
        (Some(max), Some(min)) => Some(max.max(min)),
        (max, _) => max,
    });
    let show_id = sqlx::query_scalar!(
        "INSERT INTO shows (ticketmaster_id, name, headliner_artist_id, venue_id, date, start_time, starts_at, \
           status, ticket_url, price_currency, price_min, price_max, onsale_at, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::float8::numeric, $12::float8::numeric, $13, $14) \
         ON CONFLICT (ticketmaster_id) DO UPDATE SET name = EXCLUDED.name, \
           headliner_artist_id = EXCLUDED.headliner_artist_id, venue_id = EXCLUDED.venue_id, \
           date = EXCLUDED.date, start_time = EXCLUDED.start_time, starts_at = EXCLUDED.starts_at, \
           status = EXCLUDED.status, ticket_url = EXCLUDED.ticket_url, \
           price_currency = EXCLUDED.price_currency, price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max, \
           onsale_at = EXCLUDED.onsale_at, origin = EXCLUDED.origin \
         RETURNING id",
        e.id,
        e.name,
        headliner,
        venue,
        date,
        e.dates.start.local_time,
        starts_at(&e.dates.start, e.dates.timezone.as_deref()),
        status as ShowStatus,
        // Only an address people may safely open becomes the "Tickets" link.
        e.url
            .as_deref()
            .filter(|u| theset_shared::validate::outbound_link(u)),
        price.and_then(|p| p.currency.clone()),
        price.and_then(|p| p.min),
        price_max,
        e.public_onsale(),
        origin as theset_shared::api::DataOrigin
    )
    .fetch_one(&mut *db)
    .await?;
    for (pos, artist) in billed.iter().enumerate() {
        let role = if pos == 0 {
            LineupRole::Headliner
        } else {
            LineupRole::Support
        };
        sqlx::query!(
            "INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (show_id, artist_id) DO UPDATE SET role = EXCLUDED.role, position = EXCLUDED.position",
            show_id,
            *artist,
            role as LineupRole,
            i32::try_from(pos).unwrap_or(i32::MAX)
        )
        .execute(&mut *db)
        .await?;
    }
    Ok(Some(show_id))
}

/// The instant a show starts: Ticketmaster's UTC `dateTime`, else local date and time in the
/// event's zone.
fn starts_at(start: &ticketmaster::EventStart, tz: Option<&str>) -> Option<chrono::DateTime<Utc>> {
    if let Some(t) = start.date_time {
        return Some(t);
    }
    let tz: chrono_tz::Tz = tz?.parse().ok()?;
    let local = start.local_date?.and_time(start.local_time?);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The status of an event as Ticketmaster gives it: a postponed show stays postponed whatever
/// its (old) date; a rescheduled one is ahead until its new date passes.
pub fn show_status(code: Option<&str>, date: NaiveDate, today: NaiveDate) -> ShowStatus {
    match code {
        Some("canceled" | "cancelled") => ShowStatus::Cancelled,
        Some("postponed") => ShowStatus::Postponed,
        _ if date < today => ShowStatus::Completed,
        Some("rescheduled") => ShowStatus::Rescheduled,
        _ => ShowStatus::Upcoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    #[test]
    fn status_from_code_and_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let past = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        assert_eq!(
            show_status(Some("canceled"), later, today),
            ShowStatus::Cancelled
        );
        assert_eq!(
            show_status(Some("onsale"), past, today),
            ShowStatus::Completed
        );
        assert_eq!(
            show_status(Some("rescheduled"), later, today),
            ShowStatus::Rescheduled
        );
        assert_eq!(
            show_status(Some("rescheduled"), past, today),
            ShowStatus::Completed
        );
        assert_eq!(
            show_status(Some("postponed"), past, today),
            ShowStatus::Postponed
        );
        assert_eq!(
            show_status(Some("offsale"), later, today),
            ShowStatus::Upcoming
        );
        assert_eq!(show_status(None, today, today), ShowStatus::Upcoming);
    }

    #[test]
    fn utc_start_from_local_time() {
        let start = ticketmaster::EventStart {
            local_date: NaiveDate::from_ymd_opt(2027, 1, 23),
            local_time: NaiveTime::from_hms_opt(19, 0, 0),
            date_time: None,
        };
        let t = starts_at(&start, Some("America/New_York")).expect("start");
        assert_eq!(t.to_rfc3339(), "2027-01-24T00:00:00+00:00");
        assert_eq!(starts_at(&start, Some("Not/AZone")), None);
    }
}
