//! Image version (protocol.md §4.3).

use core::cmp::Ordering;
use core::fmt;

use crate::text::Text;

/// `struct image_version`: 8 bytes in the header at offset 20.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageVersion {
    /// The first number of the version text (`iv_major`).
    pub major: u8,
    /// The second number (`iv_minor`).
    pub minor: u8,
    /// The third number (`iv_revision`).
    pub revision: u16,
    /// The build number, the fourth, left out of the text when 0
    /// (`iv_build_num`).
    pub build: u32,
}

impl ImageVersion {
    /// The version `major.minor.revision.build`.
    pub const fn new(major: u8, minor: u8, revision: u16, build: u32) -> Self {
        ImageVersion {
            major,
            minor,
            revision,
            build,
        }
    }

    /// Decodes `iv_major u8, iv_minor u8, iv_revision u16 LE, iv_build_num u32 LE`.
    pub fn from_bytes(b: [u8; 8]) -> Self {
        ImageVersion {
            major: b[0],
            minor: b[1],
            revision: u16::from_le_bytes([b[2], b[3]]),
            build: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// The 8 bytes [`ImageVersion::from_bytes`] decodes.
    pub fn to_bytes(self) -> [u8; 8] {
        let r = self.revision.to_le_bytes();
        let b = self.build.to_le_bytes();
        [self.major, self.minor, r[0], r[1], b[0], b[1], b[2], b[3]]
    }

    /// Compares major, minor and revision, and the build number only when
    /// `use_build` (Zephyr `img_mgmt_vercmp` with or without
    /// `MCUMGR_GRP_IMG_VERSION_CMP_USE_BUILD_NUMBER`). [`Ord`] always uses it.
    pub fn compare(&self, other: &Self, use_build: bool) -> Ordering {
        let release = (self.major, self.minor, self.revision).cmp(&(
            other.major,
            other.minor,
            other.revision,
        ));
        if use_build {
            release.then(self.build.cmp(&other.build))
        } else {
            release
        }
    }
}

impl ImageVersion {
    /// `M.m.r`, or `M.m.r.b` when the build number is not 0.
    pub fn text(&self) -> Text<VERSION_STR_MAX> {
        let mut t = Text::new();
        // Cannot fail: VERSION_STR_MAX holds the longest version.
        let _ = t.push_u32(self.major.into(), 0).and_then(|()| {
            t.push_str(".")?;
            t.push_u32(self.minor.into(), 0)?;
            t.push_str(".")?;
            t.push_u32(self.revision.into(), 0)?;
            if self.build != 0 {
                t.push_str(".")?;
                t.push_u32(self.build, 0)?;
            }
            Ok(())
        });
        t
    }
}

impl fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// The longest text [`ImageVersion`] displays as: `255.255.65535.4294967295`.
pub const VERSION_STR_MAX: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_without_build_when_it_is_zero() {
        assert_eq!(ImageVersion::new(1, 2, 3, 0).to_string(), "1.2.3");
    }

    #[test]
    fn displays_build_when_not_zero() {
        assert_eq!(ImageVersion::new(1, 2, 4, 5).to_string(), "1.2.4.5");
    }

    #[test]
    fn longest_text_fits_version_str_max() {
        let v = ImageVersion::new(255, 255, 65535, u32::MAX);
        assert_eq!(v.to_string().len(), VERSION_STR_MAX);
    }

    #[test]
    fn bytes_are_little_endian() {
        let v = ImageVersion::new(1, 2, 0x0304, 0x05060708);
        assert_eq!(v.to_bytes(), [1, 2, 4, 3, 8, 7, 6, 5]);
        assert_eq!(ImageVersion::from_bytes(v.to_bytes()), v);
    }

    #[test]
    fn ordering_is_major_minor_revision_then_build() {
        let v = ImageVersion::new;
        assert!(v(1, 2, 3, 0) < v(1, 2, 4, 0));
        assert!(v(1, 3, 0, 0) > v(1, 2, 65535, 0));
        assert!(v(2, 0, 0, 0) > v(1, 255, 0, 0));
        assert!(v(1, 2, 3, 1) > v(1, 2, 3, 0));
    }

    #[test]
    fn compare_ignores_build_unless_asked() {
        let a = ImageVersion::new(1, 2, 3, 9);
        let b = ImageVersion::new(1, 2, 3, 1);
        assert_eq!(a.compare(&b, false), Ordering::Equal);
        assert_eq!(a.compare(&b, true), Ordering::Greater);
        let c = ImageVersion::new(1, 2, 4, 0);
        assert_eq!(a.compare(&c, false), Ordering::Less);
        assert_eq!(a.compare(&c, true), Ordering::Less);
    }
}
