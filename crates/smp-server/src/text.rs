//! Short texts built without `core::fmt`: the few strings responses carry
//! (image versions, date-times, os info) are numbers and fixed words, and
//! `core::fmt`'s machinery would cost several kilobytes of flash on a
//! Cortex-M for them.

/// A string of at most `N` bytes in a fixed buffer. Appending past the end
/// fails and leaves the text as it was.
#[derive(Clone)]
pub struct Text<const N: usize> {
    // heapless's string, whose `as_str` needs no UTF-8 check (it is built
    // from whole `&str`s only): `core::str::from_utf8` would cost several
    // hundred bytes of Cortex-M code.
    text: heapless::String<N>,
}

/// The text did not fit its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Text<N> {
    /// An empty text.
    pub const fn new() -> Self {
        Text {
            text: heapless::String::new(),
        }
    }

    /// The text so far.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// Nothing appended yet.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends `s` whole, or nothing when it does not fit.
    pub fn push_str(&mut self, s: &str) -> Result<(), Full> {
        self.text.push_str(s).map_err(|_| Full)
    }

    /// Appends `n` in decimal, zero-padded to at least `width` digits.
    pub fn push_u32(&mut self, n: u32, width: usize) -> Result<(), Full> {
        // u32::MAX has 10 digits.
        let mut digits = [b'0'; 10];
        let mut count = 0;
        let mut rest = n;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
            count += 1;
            if rest == 0 {
                break;
            }
        }
        let count = count.max(width.min(digits.len()));
        let start = digits.len() - count;
        if self.text.len() + count > N {
            return Err(Full);
        }
        for digit in digits.get(start..).unwrap_or_default() {
            // An ASCII digit: always one byte, and room was checked above.
            let _ = self.text.push(char::from(*digit));
        }
        Ok(())
    }
}

impl<const N: usize> core::ops::Deref for Text<N> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_and_padded_to_the_width() {
        let mut t = Text::<32>::new();
        t.push_u32(0, 0).unwrap();
        t.push_str(" ").unwrap();
        t.push_u32(7, 3).unwrap();
        t.push_str(" ").unwrap();
        t.push_u32(u32::MAX, 2).unwrap();
        t.push_str(" ").unwrap();
        t.push_u32(1234, 2).unwrap();
        assert_eq!(t.as_str(), "0 007 4294967295 1234");
    }

    #[test]
    fn a_push_that_does_not_fit_leaves_the_text_unchanged() {
        let mut t = Text::<4>::new();
        t.push_str("abc").unwrap();
        assert_eq!(t.push_str("de"), Err(Full));
        assert_eq!(t.push_u32(12, 0), Err(Full));
        assert_eq!(t.as_str(), "abc");
        t.push_u32(9, 0).unwrap();
        assert_eq!(t.as_str(), "abc9");
    }
}
