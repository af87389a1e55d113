//! The date-time string of os command 4: parsing, formatting, and conversion
//! to and from Unix time for platforms that keep a clock as a count.

use crate::text::Text;

/// A calendar date and time, no time zone (as Zephyr's RTC API has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// 1900..=11899, the years the text form covers.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31, within the month.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59 (no leap second).
    pub second: u8,
    /// Milliseconds, when the clock has them.
    pub millis: Option<u16>,
}

/// Shortest and longest accepted strings (Zephyr's RTC_DATETIME_STRING_SIZE bounds).
const MIN_LEN: usize = 19;
const MAX_LEN: usize = 25;

impl DateTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.mmm]`: six decimal fields, each followed by
    /// any one delimiter, an optional `.mmm`, trailing text (such as a `Z` or
    /// `+01:00` zone) ignored. `None` for anything out of bounds.
    pub fn parse(s: &str) -> Option<Self> {
        if !(MIN_LEN..=MAX_LEN).contains(&s.len()) {
            return None;
        }
        let mut rest = s.as_bytes();
        let mut fields = [0u32; 6];
        for (i, field) in fields.iter_mut().enumerate() {
            let (value, after) = leading_number(rest)?;
            *field = value;
            rest = after;
            if i < 5 {
                rest = rest.get(1..)?;
            }
        }
        let millis = match rest {
            [b'.', frac @ ..] => {
                let (value, _) = leading_number(frac)?;
                Some(u16::try_from(value).ok().filter(|ms| *ms <= 999)?)
            }
            _ => None,
        };
        let [year, month, day, hour, minute, second] = fields;
        let dt = DateTime {
            year: u16::try_from(year).ok()?,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            millis,
        };
        let valid = (1900..=11899).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= u32::from(days_in_month(dt.year, dt.month))
            && hour <= 23
            && minute <= 59
            && second <= 59;
        valid.then_some(dt)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, with `.mmm` when the clock has milliseconds.
    pub fn format(&self) -> Text<32> {
        let mut s = Text::new();
        let fields = [
            ("", u32::from(self.year), 4),
            ("-", self.month.into(), 2),
            ("-", self.day.into(), 2),
            ("T", self.hour.into(), 2),
            (":", self.minute.into(), 2),
            (":", self.second.into(), 2),
        ];
        let millis = self.millis.map(|ms| (".", u32::from(ms), 3));
        // Cannot fail: the longest output (year 11899 and millis) is 25 bytes.
        for (sep, n, width) in fields.into_iter().chain(millis) {
            let _ = s.push_str(sep).and_then(|()| s.push_u32(n, width));
        }
        s
    }

    /// Milliseconds since 1970-01-01T00:00:00.
    pub fn to_unix_millis(&self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        secs * 1000 + i64::from(self.millis.unwrap_or(0))
    }

    /// The date-time `ms` milliseconds after 1970-01-01T00:00:00, with millis.
    /// `None` outside the years 1900..=11899.
    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        let days = ms.div_euclid(86_400_000);
        let of_day = ms.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let secs = of_day / 1000;
        Some(DateTime {
            year: u16::try_from(year)
                .ok()
                .filter(|y| (1900..=11899).contains(y))?,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            millis: Some((of_day % 1000) as u16),
        })
    }
}

/// The decimal number at the start of `s` (1 to 9 digits) and what follows it.
fn leading_number(s: &[u8]) -> Option<(u32, &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let (number, rest) = s.split_at_checked(digits)?;
    let value = number
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    Some((value, rest))
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> DateTime {
        DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millis: None,
        }
    }

    #[test]
    fn parses_zephyr_test_vectors() {
        assert_eq!(
            DateTime::parse("2023-08-04T04:40:13"),
            Some(dt(2023, 8, 4, 4, 40, 13))
        );
        assert_eq!(
            DateTime::parse("2001-01-02T03:04:05"),
            Some(dt(2001, 1, 2, 3, 4, 5))
        );
    }

    #[test]
    fn rejects_zephyr_invalid_vectors() {
        assert_eq!(DateTime::parse("abcdefghij"), None);
        assert_eq!(DateTime::parse("20a1-b1-aTbb:dd:qq"), None);
        assert_eq!(DateTime::parse("1820-01-02T03:04:05"), None);
    }

    #[test]
    fn accepts_any_delimiter_and_ignores_trailing_zone() {
        assert_eq!(
            DateTime::parse("2023/08/04 04.40.13Z"),
            Some(dt(2023, 8, 4, 4, 40, 13))
        );
        assert_eq!(
            DateTime::parse("2023-08-04T04:40:13+01:00"),
            Some(dt(2023, 8, 4, 4, 40, 13))
        );
    }

    #[test]
    fn parses_milliseconds() {
        let mut want = dt(2024, 2, 29, 23, 59, 59);
        want.millis = Some(7);
        assert_eq!(DateTime::parse("2024-02-29T23:59:59.007"), Some(want));
        assert_eq!(DateTime::parse("2024-02-29T23:59:59.1000"), None);
    }

    #[test]
    fn rejects_out_of_range_fields_and_lengths() {
        for s in [
            "2023-13-04T04:40:13",
            "2023-00-04T04:40:13",
            "2023-02-29T04:40:13",
            "2023-08-32T04:40:13",
            "2023-08-04T24:40:13",
            "2023-08-04T04:60:13",
            "2023-08-04T04:40:60",
            "2023-08-04T04:40",
            "2023-08-04T04:40:13.123456789",
        ] {
            assert_eq!(DateTime::parse(s), None, "{s}");
        }
    }

    #[test]
    fn formats_with_and_without_millis() {
        assert_eq!(
            dt(2001, 1, 2, 3, 4, 5).format().as_str(),
            "2001-01-02T03:04:05"
        );
        let mut t = dt(2001, 1, 2, 3, 4, 5);
        t.millis = Some(42);
        assert_eq!(t.format().as_str(), "2001-01-02T03:04:05.042");
    }

    #[test]
    fn unix_millis_round_trip() {
        let mut t = dt(2023, 8, 4, 4, 40, 13);
        t.millis = Some(250);
        assert_eq!(t.to_unix_millis(), 1_691_124_013_250);
        assert_eq!(DateTime::from_unix_millis(1_691_124_013_250), Some(t));
        let epoch = DateTime::from_unix_millis(0).unwrap();
        assert_eq!(epoch.format().as_str(), "1970-01-01T00:00:00.000");
        assert_eq!(
            DateTime::parse("1900-03-01T00:00:00")
                .unwrap()
                .to_unix_millis(),
            -2_203_891_200_000
        );
    }
}
