//! The application's log lines, through Zephyr's `printk` with a C format
//! string: no heap and no `core::fmt` (the `log` crate's formatting, and
//! zephyr-lang-rust's logger, which formats into the heap, would cost both).
//! With CONFIG_LOG, printk output goes through Zephyr's logging like any
//! other printk.
//!
//! Lines above `CONFIG_RUST_SMP_LOG_LEVEL` (1 error, 2 warning, 3 info,
//! 4 debug; 0 none) are compiled out, as Zephyr's `LOG_LEVEL` does.
//!
//! ```ignore
//! log_error!("udp: cannot bind port %ld (errno %ld)", port, errno);
//! ```
//!
//! Every argument is passed as a C `long` (`%ld`), whatever its integer type.

/// The compile-time level filter.
pub const LEVEL: i64 = crate::config::CONFIG_RUST_SMP_LOG_LEVEL;

/// An integer log argument, widened to C's `long` for `%ld`.
pub trait Arg {
    fn c_long(self) -> core::ffi::c_long;
}

macro_rules! impl_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            // Log arguments are counts, errnos, ports and ids: a wrap of an
            // out-of-range value on a 32-bit `long` only garbles the line.
            #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
            fn c_long(self) -> core::ffi::c_long {
                self as core::ffi::c_long
            }
        }
    )*};
}
impl_arg!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize);

/// Each line's prefix (level and module, as Zephyr's log output writes
/// them), passed to `%s` so that every format string does not repeat it.
#[doc(hidden)]
pub const PREFIX: [&core::ffi::CStr; 4] = [
    c"<err> rust_smp: ",
    c"<wrn> rust_smp: ",
    c"<inf> rust_smp: ",
    c"<dbg> rust_smp: ",
];

/// Emits one line at `level` (1 to 4; prefix and newline added). Whether
/// printk exists is decided here, by the library's Kconfig, not by the crate
/// that expands the macro (an application may have no Kconfig cfg flags).
#[cfg(CONFIG_PRINTK)]
#[doc(hidden)]
#[macro_export]
macro_rules! log_at {
    ($level:expr, $fmt:literal $(, $arg:expr)* $(,)?) => {
        if $level <= $crate::log::LEVEL {
            // SAFETY: the format is a NUL-terminated literal: `%s` for the
            // NUL-terminated prefix, then `%ld` for each argument, a C long.
            unsafe {
                $crate::sys::raw::printk(
                    concat!("%s", $fmt, "\n\0").as_ptr().cast(),
                    $crate::log::PREFIX[$level - 1].as_ptr(),
                    $($crate::log::Arg::c_long($arg)),*
                );
            }
        }
    };
}

/// Without printk a log line only evaluates its arguments.
#[cfg(not(CONFIG_PRINTK))]
#[doc(hidden)]
#[macro_export]
macro_rules! log_at {
    ($level:expr, $fmt:literal $(, $arg:expr)* $(,)?) => {
        $(let _ = $arg;)*
    };
}

#[macro_export]
macro_rules! log_error {
    ($($t:tt)*) => { $crate::log_at!(1, $($t)*) };
}

#[macro_export]
macro_rules! log_warn {
    ($($t:tt)*) => { $crate::log_at!(2, $($t)*) };
}

#[macro_export]
macro_rules! log_info {
    ($($t:tt)*) => { $crate::log_at!(3, $($t)*) };
}

#[macro_export]
macro_rules! log_debug {
    ($($t:tt)*) => { $crate::log_at!(4, $($t)*) };
}
