//! Timestamps (ms since the Unix epoch, as the protocol carries them) as
//! UTC calendar dates, for people to read.

/// A UTC date and time to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Utc {
    /// The date and time `ms` after the epoch.
    pub fn from_ms(ms: u64) -> Utc {
        let secs = ms / 1000;
        let (days, rest) = ((secs / 86_400) as i64, (secs % 86_400) as u32);
        // Days to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Utc {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day,
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
        }
    }

    /// `2026-11-30T19:43:54Z`.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2026-11-30 19:43 UTC`.
    pub fn minutes(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Utc;

    #[test]
    fn dates_across_leap_days_and_centuries() {
        assert_eq!(Utc::from_ms(0).minutes(), "1970-01-01 00:00 UTC");
        assert_eq!(
            Utc::from_ms(1_795_467_600_000).minutes(),
            "2026-11-23 21:00 UTC"
        );
        assert_eq!(
            Utc::from_ms(951_782_400_000).minutes(),
            "2000-02-29 00:00 UTC"
        );
        assert_eq!(
            Utc::from_ms(1_795_467_634_999).rfc3339(),
            "2026-11-23T21:00:34Z"
        );
    }
}
