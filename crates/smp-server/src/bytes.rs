//! Byte copies that cannot panic: the core never indexes past a buffer, so
//! its copies go through these rather than `copy_from_slice`, whose length
//! check stays in the image as a panic path wherever the compiler cannot
//! prove the lengths equal.

/// Copies as much of `from` as fits at the start of `to`; the bytes copied.
pub fn copy(to: &mut [u8], from: &[u8]) -> usize {
    let n = to.len().min(from.len());
    if let (Some(to), Some(from)) = (to.get_mut(..n), from.get(..n)) {
        for (t, f) in to.iter_mut().zip(from) {
            *t = *f;
        }
    }
    n
}

/// Moves `n` bytes of `buf` from `from` down to `to` (`to <= from`; ranges
/// may overlap), as `copy_within` does but without its panic path: bytes
/// outside the buffer are left alone.
pub fn move_down(buf: &mut [u8], from: usize, to: usize, n: usize) {
    for i in 0..n {
        let byte = buf.get(from.saturating_add(i)).copied();
        if let (Some(byte), Some(slot)) = (byte, buf.get_mut(to.saturating_add(i))) {
            *slot = byte;
        }
    }
}

/// `bytes` split after `at` bytes (all of it and nothing when shorter).
pub fn split(bytes: &[u8], at: usize) -> (&[u8], &[u8]) {
    bytes.split_at_checked(at).unwrap_or((bytes, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_down_handles_overlapping_ranges() {
        let mut buf = [0, 0, 1, 2, 3, 4];
        move_down(&mut buf, 2, 1, 4);
        assert_eq!(buf, [0, 1, 2, 3, 4, 4]);
    }

    #[test]
    fn move_down_leaves_bytes_outside_the_buffer_alone() {
        let mut buf = [9, 1, 2];
        move_down(&mut buf, 1, 0, 5);
        assert_eq!(buf, [1, 2, 2]);
    }

    #[test]
    fn copy_stops_at_the_shorter_side() {
        let mut to = [0u8; 3];
        assert_eq!(copy(&mut to, &[1, 2]), 2);
        assert_eq!(to, [1, 2, 0]);
        assert_eq!(copy(&mut to, &[7, 8, 9, 10]), 3);
        assert_eq!(to, [7, 8, 9]);
    }

    #[test]
    fn split_past_the_end_keeps_everything_in_front() {
        assert_eq!(split(&[1, 2, 3], 1), (&[1u8][..], &[2u8, 3][..]));
        assert_eq!(split(&[1, 2], 5), (&[1u8, 2][..], &[][..]));
    }
}
