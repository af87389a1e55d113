//! Storage erase that counts.

use crate::groups::zephyr_basic::{BasicError, BasicPlatform};

#[derive(Default)]
pub struct FakeBasic {
    pub erases: usize,
    pub fail: Option<BasicError>,
}

impl BasicPlatform for FakeBasic {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        self.erases += 1;
        self.fail.map_or(Ok(()), Err)
    }
}
