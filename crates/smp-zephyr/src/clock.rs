//! The clock of the date-time command (os group): the RTC of the
//! devicetree's `rtc` alias (RUST_SMP_GRP_OS_DATETIME_RTC, as Zephyr's
//! os_mgmt uses), or else a RAM clock.

use smp_server::groups::os::{ClockError, DateTime};

/// The RAM clock: Unix time minus uptime, in milliseconds, once a client set
/// it. A reset forgets it, as a device without an RTC does.
#[cfg(not(CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC))]
#[derive(Default)]
pub struct Clock {
    offset_ms: Option<i64>,
}

#[cfg(not(CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC))]
impl Clock {
    pub fn new() -> Self {
        Clock::default()
    }

    pub fn now(&self) -> Result<DateTime, ClockError> {
        let offset = self.offset_ms.ok_or(ClockError::NotSet)?;
        DateTime::from_unix_millis(zephyr::sys::uptime_get().saturating_add(offset))
            .ok_or(ClockError::Failed)
    }

    pub fn set(&mut self, now: DateTime) -> Result<(), ClockError> {
        self.offset_ms = Some(now.to_unix_millis() - zephyr::sys::uptime_get());
        Ok(())
    }
}

/// The RTC: every read and write goes to the device, which keeps the time
/// (and knows whether it was ever set).
#[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC)]
pub struct Clock {
    dev: *const crate::sys::raw::device,
}

#[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC)]
impl Clock {
    pub fn new() -> Self {
        use crate::sys::raw;
        // SAFETY: returns a pointer to a statically allocated device.
        let dev = unsafe { raw::rust_smp_rtc() };
        // SAFETY: `dev` points to a device object (static, never freed).
        if unsafe { zephyr::raw::device_is_ready(dev.cast()) } {
            crate::log_info!("date-time on the rtc alias's RTC");
        } else {
            crate::log_error!("the rtc alias's RTC is not ready: date-time answers err {0, 5}");
        }
        Clock { dev }
    }

    pub fn now(&self) -> Result<DateTime, ClockError> {
        use crate::sys::raw;
        let mut tm = raw::rtc_time {
            tm_sec: 0,
            tm_min: 0,
            tm_hour: 0,
            tm_mday: 0,
            tm_mon: 0,
            tm_year: 0,
            tm_wday: 0,
            tm_yday: 0,
            tm_isdst: 0,
            tm_nsec: 0,
        };
        // SAFETY: a device pointer from rust_smp_rtc and a valid out struct;
        // the driver checks its own readiness.
        let rc = unsafe { raw::rtc_get_time(self.dev, &mut tm) };
        if rc == -(raw::ENODATA as i32) {
            return Err(ClockError::NotSet);
        }
        if rc != 0 {
            return Err(ClockError::Failed);
        }
        from_rtc(&tm).ok_or(ClockError::Failed)
    }

    pub fn set(&mut self, now: DateTime) -> Result<(), ClockError> {
        use crate::sys::raw;
        let tm = raw::rtc_time {
            tm_sec: now.second.into(),
            tm_min: now.minute.into(),
            tm_hour: now.hour.into(),
            tm_mday: now.day.into(),
            tm_mon: i32::from(now.month) - 1,
            tm_year: i32::from(now.year) - 1900,
            // Unknown, as Zephyr's os_mgmt leaves them.
            tm_wday: -1,
            tm_yday: -1,
            tm_isdst: -1,
            tm_nsec: i32::from(now.millis.unwrap_or(0)) * 1_000_000,
        };
        // SAFETY: as in `now`, with a valid input struct.
        match unsafe { raw::rtc_set_time(self.dev, &tm) } {
            0 => Ok(()),
            _ => Err(ClockError::Failed),
        }
    }
}

/// The RTC's broken-down time as the core's, if every field is in range.
#[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC)]
fn from_rtc(tm: &crate::sys::raw::rtc_time) -> Option<DateTime> {
    let field = |v: i32, lo: i32, hi: i32| (lo..=hi).contains(&v).then(|| v as u8);
    let year = u16::try_from(tm.tm_year.checked_add(1900)?).ok()?;
    Some(DateTime {
        year: (1900..=11899).contains(&year).then_some(year)?,
        month: field(tm.tm_mon, 0, 11)? + 1,
        day: field(tm.tm_mday, 1, 31)?,
        hour: field(tm.tm_hour, 0, 23)?,
        minute: field(tm.tm_min, 0, 59)?,
        second: field(tm.tm_sec, 0, 59)?,
        millis: Some((tm.tm_nsec.clamp(0, 999_999_999) / 1_000_000) as u16),
    })
}
