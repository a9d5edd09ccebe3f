//! Hybrid logical clocks: the time a user acted, as a 64-bit number that orders every vote a
//! user casts on any device. The upper 48 bits are wall-clock milliseconds, the lower 16 a
//! counter for events within one millisecond or behind a clock that went backwards.
//!
//! A device whose clock is wrong cannot win forever: the server clamps every incoming stamp to
//! its own time plus [`MAX_DRIFT_MS`], and a device adopts any later stamp it sees, so its next
//! vote sorts after what the server holds.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How far ahead of the server's clock a stamp may claim to be.
pub const MAX_DRIFT_MS: u64 = 120_000;
const COUNTER_BITS: u32 = 16;

/// One stamp. On the wire it is a decimal string: JSON numbers lose precision past 2^53 in
/// JavaScript, and the UI's IPC passes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc(pub u64);

impl Hlc {
    pub fn from_millis(ms: u64) -> Self {
        Self(ms << COUNTER_BITS)
    }

    pub fn millis(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    /// The stamp as a server accepts it: at most `MAX_DRIFT_MS` ahead of `server_ms`.
    pub fn clamped(self, server_ms: u64) -> Self {
        let ceiling = ((server_ms + MAX_DRIFT_MS) << COUNTER_BITS) | ((1 << COUNTER_BITS) - 1);
        Self(self.0.min(ceiling))
    }

    /// As stored in a Postgres `bigint` (stamps stay below 2^63 until the year 6429).
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    pub fn from_i64(v: i64) -> Self {
        Self(u64::try_from(v).unwrap_or(0))
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map(Hlc)
            .map_err(|_| serde::de::Error::custom("an HLC stamp is a decimal string"))
    }
}

/// A device's clock: the last stamp it issued or saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    pub fn starting_at(last: Hlc) -> Self {
        Self { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for an event now: later than every stamp issued or seen, and not behind the wall.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        let next = Hlc::from_millis(wall_ms).max(Hlc(self.last.0.saturating_add(1)));
        self.last = next;
        next
    }

    /// Adopts a stamp from elsewhere (a pulled vote), so the next tick sorts after it.
    pub fn observe(&mut self, seen: Hlc) {
        self.last = self.last.max(seen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wire_form_is_a_string() {
        let h = Hlc(u64::MAX - 1);
        let json = serde_json::to_string(&h).expect("json");
        assert_eq!(json, format!("\"{}\"", u64::MAX - 1));
        assert_eq!(serde_json::from_str::<Hlc>(&json).expect("back"), h);
        assert!(serde_json::from_str::<Hlc>("12").is_err());
        assert!(serde_json::from_str::<Hlc>("\"-1\"").is_err());
    }

    proptest! {
        #[test]
        fn ticks_strictly_increase_whatever_the_wall_does(walls in proptest::collection::vec(0u64..1u64 << 40, 1..50)) {
            let mut c = Clock::default();
            let mut prev = Hlc(0);
            for w in walls {
                let t = c.tick(w);
                prop_assert!(t > prev);
                prop_assert!(t.millis() >= w);
                prev = t;
            }
        }

        #[test]
        fn after_observing_a_stamp_the_next_tick_is_later(seen in 0u64..u64::MAX / 2, wall in 0u64..1u64 << 40) {
            let mut c = Clock::default();
            c.observe(Hlc(seen));
            prop_assert!(c.tick(wall) > Hlc(seen));
        }

        #[test]
        fn clamping_bounds_the_future_and_keeps_the_past(stamp in 0u64..u64::MAX, server in 0u64..1u64 << 40) {
            let c = Hlc(stamp).clamped(server);
            prop_assert!(c.millis() <= server + MAX_DRIFT_MS);
            prop_assert!(c <= Hlc(stamp));
            if Hlc(stamp).millis() <= server {
                prop_assert_eq!(c, Hlc(stamp));
            }
        }
    }
}
