//! NUL-terminated copies of Rust strings for Zephyr calls that take
//! `const char *` (file paths, settings names, shell lines), on the stack.

use core::ffi::c_char;

/// A string of at most `N - 1` bytes and its terminating NUL.
pub struct CStrBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> CStrBuf<N> {
    pub const fn new() -> Self {
        CStrBuf {
            buf: [0; N],
            len: 0,
        }
    }

    /// A copy of `s`; `None` when it does not fit or holds a NUL (C would
    /// see a shorter string than the one asked for).
    #[cfg(any(CONFIG_RUST_SMP_GRP_FS, CONFIG_RUST_SMP_GRP_SETTINGS))]
    pub fn copy_of(s: &str) -> Option<Self> {
        let mut c = Self::new();
        c.push(s.as_bytes())?;
        Some(c)
    }

    /// Appends `bytes`; `None` (and nothing appended) when they do not fit
    /// or hold a NUL.
    pub fn push(&mut self, bytes: &[u8]) -> Option<()> {
        if bytes.contains(&0) || self.len + bytes.len() >= N {
            return None;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        self.buf[self.len] = 0;
        Some(())
    }

    pub fn as_ptr(&self) -> *const c_char {
        self.buf.as_ptr() as *const c_char
    }
}
