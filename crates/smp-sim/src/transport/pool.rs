//! The core's netbuf pool shared between the receive threads and the SMP
//! thread: receivers wait for a free buffer instead of dropping data.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use smp_server::netbuf::{NetBuf, Pool, PoolError};

pub struct SharedPool {
    pool: Mutex<Pool<'static>>,
    returned: Condvar,
}

/// One buffer lent out by the pool.
pub type Buf = NetBuf<'static>;

impl SharedPool {
    /// Carves `count` buffers of `size` bytes out of one allocation made for the
    /// life of the process.
    pub fn new(size: usize, count: usize) -> Result<Self, PoolError> {
        let storage: &'static mut [u8] = vec![0u8; size * count].leak();
        Ok(SharedPool {
            pool: Mutex::new(Pool::new(storage, size, count)?),
            returned: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Pool<'static>> {
        self.pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a buffer, waiting up to `patience` for one to come back.
    pub fn alloc(&self, patience: Duration) -> Option<Buf> {
        let mut pool = self.lock();
        if let Some(buf) = pool.alloc() {
            return Some(buf);
        }
        let (mut pool, _) = self
            .returned
            .wait_timeout_while(pool, patience, |p| p.available() == 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pool.alloc()
    }

    pub fn release(&self, mut buf: Buf) {
        buf.clear();
        self.lock().release(buf);
        self.returned.notify_one();
    }

    pub fn buf_size(&self) -> usize {
        self.lock().buf_size()
    }

    pub fn buf_count(&self) -> usize {
        self.lock().buf_count()
    }

    /// (free now, fewest ever free).
    pub fn usage(&self) -> (usize, usize) {
        let pool = self.lock();
        (pool.available(), pool.min_available())
    }
}
