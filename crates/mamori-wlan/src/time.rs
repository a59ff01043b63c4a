//! Time stamps as logs write them, read in the source's time zone.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// How to read a source's local times: its zone (default Asia/Tokyo) and, for syslog lines
/// that omit the year, the year to assume.
#[derive(Debug, Clone)]
pub struct LocalTime {
    pub tz: TimeZone,
    pub year: i16,
    /// For stamps without a year: the year (of `year - 1 ..= year + 1`) that puts the time
    /// nearest this instant (the middle of the review period), so a period across New Year
    /// reads December and January right.
    pub reference: Option<Timestamp>,
}

impl LocalTime {
    pub fn new(tz: TimeZone, year: i16) -> LocalTime {
        LocalTime {
            tz,
            year,
            reference: None,
        }
    }

    /// Asia/Tokyo (no daylight saving), year as given.
    pub fn tokyo(year: i16) -> LocalTime {
        LocalTime::new(
            TimeZone::get("Asia/Tokyo").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(9))),
            year,
        )
    }

    pub fn with_reference(mut self, reference: Option<Timestamp>) -> LocalTime {
        self.reference = reference;
        self
    }

    fn at(&self, d: Date, t: Time) -> Option<Timestamp> {
        DateTime::from_parts(d, t)
            .to_zoned(self.tz.clone())
            .ok()
            .map(|z| z.timestamp())
    }

    /// `Tue Mar  4 10:15:02 2025` (C `ctime`, FreeRADIUS log and detail headers).
    pub fn ctime(&self, s: &str) -> Option<Timestamp> {
        let mut it = s.split_ascii_whitespace();
        let _weekday = it.next()?;
        let month = month(it.next()?)?;
        let day: i8 = it.next()?.parse().ok()?;
        let time = clock(it.next()?)?;
        let year: i16 = it.next()?.parse().ok()?;
        if it.next().is_some() {
            return None;
        }
        self.at(Date::new(year, month, day).ok()?, time)
    }

    /// `Mar  4 10:15:02`, `Jul 23 2024 14:31:54.468 UTC`, `*Jul 23 14:31:54.468` (syslog and
    /// Cisco): returns the time and how many whitespace-separated words it used.
    pub fn syslog(&self, s: &str) -> Option<(Timestamp, usize)> {
        let mut words = [""; 5];
        for (slot, w) in words.iter_mut().zip(s.split_ascii_whitespace()) {
            *slot = w;
        }
        let n = words.iter().take_while(|w| !w.is_empty()).count();
        let words = &words[..n];
        let m = month(words.first()?.trim_start_matches(['*', '.']))?;
        let day: i8 = words.get(1)?.parse().ok()?;
        let (year, clock_at) = match words.get(2)?.parse::<i16>() {
            Ok(y) if words.get(2)?.len() == 4 => (Some(y), 3),
            _ => (None, 2),
        };
        let t = clock(words.get(clock_at)?.trim_end_matches(':'))?;
        let mut used = clock_at + 1;
        let date = match year {
            Some(y) => Date::new(y, m, day).ok()?,
            None => self.nearest_year(m, day, t)?,
        };
        // A zone name after the clock: UTC/GMT/JST are read as such; another abbreviation
        // (CET, EST, …) is ambiguous and skipped: name the source's zone with `FORMAT@ZONE`.
        let zone = words.get(used).map(|w| w.trim_end_matches(':'));
        let is_zone = zone.is_some_and(|z| {
            (2..=5).contains(&z.len()) && z.bytes().all(|b| b.is_ascii_uppercase())
        });
        let ts = match zone {
            Some("UTC" | "GMT") => {
                used += 1;
                DateTime::from_parts(date, t)
                    .to_zoned(TimeZone::UTC)
                    .ok()?
                    .timestamp()
            }
            Some("JST") => {
                used += 1;
                DateTime::from_parts(date, t)
                    .to_zoned(TimeZone::fixed(jiff::tz::offset(9)))
                    .ok()?
                    .timestamp()
            }
            _ => {
                if is_zone {
                    used += 1;
                }
                self.at(date, t)?
            }
        };
        Some((ts, used))
    }

    /// The date of `month/day` in the year nearest the reference (or in `year`).
    fn nearest_year(&self, month: i8, day: i8, t: Time) -> Option<Date> {
        let Some(reference) = self.reference else {
            return Date::new(self.year, month, day).ok();
        };
        (self.year - 1..=self.year + 1)
            .filter_map(|y| {
                let d = Date::new(y, month, day).ok()?;
                let at = self.at(d, t)?;
                Some((at.duration_since(reference).abs(), d))
            })
            .min()
            .map(|(_, d)| d)
    }

    /// RFC 3339 (`2026-11-23T10:00:00+09:00`, `…Z`), or a local `2026-11-23 10:00:00` /
    /// `2026-11-23T10:00:00.123`.
    pub fn iso(&self, s: &str) -> Option<Timestamp> {
        let s = s.trim();
        // A date alone is not a time (it would read as midnight).
        if !s.contains(':') {
            return None;
        }
        if let Ok(t) = s.parse::<Timestamp>() {
            return Some(t);
        }
        let dt: DateTime = s.replacen(' ', "T", 1).parse().ok()?;
        dt.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    /// A date (`MM/DD/YYYY` as NPS writes it, or `YYYY/MM/DD`, `YYYY-MM-DD`) and a clock.
    pub fn date_and_clock(&self, date: &str, time: &str) -> Option<Timestamp> {
        let parts: Vec<&str> = date.trim().split(['/', '-']).collect();
        let [a, b, c] = parts.as_slice() else {
            return None;
        };
        let d = if a.len() == 4 {
            Date::new(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?).ok()?
        } else {
            Date::new(c.parse().ok()?, a.parse().ok()?, b.parse().ok()?).ok()?
        };
        self.at(d, clock(time.trim())?)
    }
}

/// Seconds since the epoch (`Timestamp = 1741050902` in detail files).
pub fn unix(s: &str) -> Option<Timestamp> {
    Timestamp::from_second(s.trim().parse().ok()?).ok()
}

fn month(s: &str) -> Option<i8> {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    M.iter()
        .position(|m| m.eq_ignore_ascii_case(s))
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// `10:15:02` or `14:31:54.468`.
fn clock(s: &str) -> Option<Time> {
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut it = hms.split(':');
    let h: i8 = it.next()?.parse().ok()?;
    let m: i8 = it.next()?.parse().ok()?;
    let sec: i8 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    let nanos: i32 = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().take(9).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        format!("{digits:0<9}").parse().ok()?
    };
    Time::new(h, m, sec, nanos).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn formats() {
        let l = LocalTime::tokyo(2026);
        assert_eq!(
            l.ctime("Mon Nov 23 10:15:02 2026"),
            Some(ts("2026-11-23T01:15:02Z"))
        );
        assert_eq!(
            l.ctime("Tue Mar  4 10:15:02 2025"),
            Some(ts("2025-03-04T01:15:02Z"))
        );
        assert_eq!(
            l.syslog("Nov 23 10:15:02 wlc01 x"),
            Some((ts("2026-11-23T01:15:02Z"), 3))
        );
        assert_eq!(
            l.syslog("Jul 23 2024 14:31:54.468 UTC: %X"),
            Some((ts("2024-07-23T14:31:54.468Z"), 5))
        );
        assert_eq!(
            l.syslog("*Jul 23 14:31:54.468: %APF"),
            Some((ts("2026-07-23T05:31:54.468Z"), 3))
        );
        assert_eq!(
            l.iso("2026-11-23T10:00:00+09:00"),
            Some(ts("2026-11-23T01:00:00Z"))
        );
        assert_eq!(
            l.iso("2026-11-23 10:00:00"),
            Some(ts("2026-11-23T01:00:00Z"))
        );
        assert_eq!(
            l.date_and_clock("11/23/2026", "10:00:01"),
            Some(ts("2026-11-23T01:00:01Z"))
        );
        assert_eq!(unix("1764000000"), Some(ts("2025-11-24T16:00:00Z")));
        assert_eq!(l.ctime("Mon Nov 31 10:15:02 2026"), None);
        assert_eq!(l.iso("2026-11-23"), None, "a date alone is not a time");
        // A period across New Year: January stamps go to the next year.
        let l2 = LocalTime::tokyo(2026).with_reference(Some(ts("2026-12-31T00:00:00Z")));
        assert_eq!(
            l2.syslog("Jan  5 10:00:00 wlc01").map(|x| x.0),
            Some(ts("2027-01-05T01:00:00Z"))
        );
        assert_eq!(
            l2.syslog("Dec 20 10:00:00 wlc01").map(|x| x.0),
            Some(ts("2026-12-20T01:00:00Z"))
        );
        // An unknown zone abbreviation is skipped, not taken for the host.
        assert_eq!(
            l.syslog("Jul 23 2026 14:31:54.468 CET: %X").map(|x| x.1),
            Some(5)
        );
        assert_eq!(l.syslog("Foo 23 10:15:02"), None);
    }
}
