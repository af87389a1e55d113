//! Fixed-capacity buffers and the pool they come from.
//!
//! The pool carves `count` buffers of `size` bytes out of storage that the
//! platform provides (a static array on Zephyr, one allocation at start-up in
//! the virtual device), so the core never allocates. A transport takes a buffer
//! for each packet it receives and gives it back once the packet is answered;
//! `count` buffers therefore bound how many requests can be in flight.

/// The most buffers one pool can hold.
pub const MAX_NETBUF_COUNT: usize = 32;

/// Smallest buffer the server accepts: a header plus the largest error answer.
pub const MIN_NETBUF_SIZE: usize = 32;

/// One buffer: a fixed slice and how much of it is filled.
#[derive(Debug)]
pub struct NetBuf<'a> {
    data: &'a mut [u8],
    len: usize,
}

/// The bytes did not fit the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl<'a> NetBuf<'a> {
    /// An empty buffer over `data`, whose length is the capacity.
    pub fn new(data: &'a mut [u8]) -> Self {
        NetBuf { data, len: 0 }
    }

    /// Size of the buffer: the longest packet it holds.
    pub fn capacity(&self) -> usize {
        self.data.len()
    }

    /// Bytes filled.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing filled.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the buffer for the next packet.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The filled part.
    pub fn bytes(&self) -> &[u8] {
        self.data.get(..self.len).unwrap_or_default()
    }

    /// Appends `bytes`, or leaves the buffer unchanged when they do not fit.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) -> Result<(), Full> {
        let end = self.len.checked_add(bytes.len()).ok_or(Full)?;
        self.data
            .get_mut(self.len..end)
            .ok_or(Full)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends one byte, or fails when the buffer is full.
    pub fn push(&mut self, byte: u8) -> Result<(), Full> {
        self.extend_from_slice(&[byte])
    }

    /// The whole buffer, for writing in place; pair with [`NetBuf::set_len`].
    pub fn storage_mut(&mut self) -> &mut [u8] {
        self.data
    }

    /// Marks the first `len` bytes (at most the capacity) as filled.
    pub fn set_len(&mut self, len: usize) {
        self.len = len.min(self.data.len());
    }
}

/// Why a pool could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// `size` below [`MIN_NETBUF_SIZE`] or above 65535 + 8 (the largest packet).
    BadSize,
    /// `count` zero or above [`MAX_NETBUF_COUNT`].
    BadCount,
    /// The storage is smaller than `size * count`.
    StorageTooSmall,
}

/// A pool of equally sized buffers.
#[derive(Debug)]
pub struct Pool<'a> {
    free: heapless::Vec<&'a mut [u8], MAX_NETBUF_COUNT>,
    size: usize,
    count: usize,
    min_free: usize,
}

impl<'a> Pool<'a> {
    /// Carves `count` buffers of `size` bytes out of the start of `storage`,
    /// all free.
    pub fn new(storage: &'a mut [u8], size: usize, count: usize) -> Result<Self, PoolError> {
        if !(MIN_NETBUF_SIZE..=usize::from(u16::MAX) + crate::header::HEADER_LEN).contains(&size) {
            return Err(PoolError::BadSize);
        }
        if count == 0 || count > MAX_NETBUF_COUNT {
            return Err(PoolError::BadCount);
        }
        if size.checked_mul(count).is_none_or(|n| storage.len() < n) {
            return Err(PoolError::StorageTooSmall);
        }
        let mut free = heapless::Vec::new();
        for chunk in storage.chunks_exact_mut(size).take(count) {
            // Cannot fail: count <= MAX_NETBUF_COUNT was checked above.
            let _ = free.push(chunk);
        }
        Ok(Pool {
            free,
            size,
            count,
            min_free: count,
        })
    }

    /// Size of each buffer (`buf_size` in MCUmgr parameters).
    pub fn buf_size(&self) -> usize {
        self.size
    }

    /// Number of buffers (`buf_count` in MCUmgr parameters).
    pub fn buf_count(&self) -> usize {
        self.count
    }

    /// Buffers free now.
    pub fn available(&self) -> usize {
        self.free.len()
    }

    /// The fewest buffers that were ever free at once (memory pool statistics).
    pub fn min_available(&self) -> usize {
        self.min_free
    }

    /// Takes an empty buffer, or `None` when all are in use.
    pub fn alloc(&mut self) -> Option<NetBuf<'a>> {
        let buf = self.free.pop().map(NetBuf::new);
        self.min_free = self.min_free.min(self.free.len());
        buf
    }

    /// Returns a buffer taken from this pool.
    pub fn release(&mut self, buf: NetBuf<'a>) {
        debug_assert_eq!(buf.capacity(), self.size);
        // Cannot overflow: only buffers taken from this pool come back.
        let _ = self.free.push(buf.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_hands_out_count_buffers_of_size_then_none() {
        let mut storage = [0u8; 4 * 64];
        let mut pool = Pool::new(&mut storage, 64, 4).unwrap();
        let bufs: [_; 4] = core::array::from_fn(|_| pool.alloc().unwrap());
        assert!(bufs.iter().all(|b| b.capacity() == 64 && b.is_empty()));
        assert!(pool.alloc().is_none());
        assert_eq!(pool.min_available(), 0);
        for b in bufs {
            pool.release(b);
        }
        assert_eq!(pool.available(), 4);
    }

    #[test]
    fn released_buffer_comes_back_empty() {
        let mut storage = [0u8; 64];
        let mut pool = Pool::new(&mut storage, 64, 1).unwrap();
        let mut b = pool.alloc().unwrap();
        b.extend_from_slice(b"abc").unwrap();
        pool.release(b);
        assert!(pool.alloc().unwrap().is_empty());
    }

    #[test]
    fn pool_rejects_bad_geometry() {
        let mut storage = [0u8; 256];
        assert_eq!(
            Pool::new(&mut storage, 8, 2).unwrap_err(),
            PoolError::BadSize
        );
        assert_eq!(
            Pool::new(&mut storage, 64, 0).unwrap_err(),
            PoolError::BadCount
        );
        assert_eq!(
            Pool::new(&mut storage, 64, 33).unwrap_err(),
            PoolError::BadCount
        );
        assert_eq!(
            Pool::new(&mut storage, 128, 3).unwrap_err(),
            PoolError::StorageTooSmall
        );
    }

    #[test]
    fn extend_that_does_not_fit_changes_nothing() {
        let mut data = [0u8; 4];
        let mut b = NetBuf::new(&mut data);
        b.extend_from_slice(b"abc").unwrap();
        assert_eq!(b.extend_from_slice(b"de"), Err(Full));
        assert_eq!(b.bytes(), b"abc");
        b.push(b'd').unwrap();
        assert_eq!(b.push(b'e'), Err(Full));
    }
}
