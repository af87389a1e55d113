//! A fixed-size single-producer single-consumer ring, lock-free, for handing
//! values from an interrupt or another thread to the SMP thread without a
//! heap and without masking interrupts.
//!
//! The two indices run over `0..2N` (twice the capacity), so "full" and
//! "empty" differ without a wasted slot and without asking N to be a power
//! of two.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

use zephyr::sync::atomic::{AtomicUsize, Ordering};

pub struct Ring<T, const N: usize> {
    slots: [UnsafeCell<MaybeUninit<T>>; N],
    /// Next slot to read, in `0..2N`; written by the consumer only.
    head: AtomicUsize,
    /// Next slot to write, in `0..2N`; written by the producer only.
    tail: AtomicUsize,
}

// SAFETY: a slot is written by the producer only while it is outside
// `head..tail`, and read by the consumer only once `tail` (stored with Release
// after the write) covers it; the consumer gives it back by storing `head`
// (Release) after the read. With the one-producer/one-consumer contract of
// `push` and `pop`, no slot is ever accessed from two contexts at once.
unsafe impl<T: Send, const N: usize> Sync for Ring<T, N> {}

impl<T: Copy, const N: usize> Ring<T, N> {
    pub const fn new() -> Self {
        // `len` adds up to 4N.
        const { assert!(N > 0 && N <= usize::MAX / 4, "ring size out of range") };
        Ring {
            slots: [const { UnsafeCell::new(MaybeUninit::uninit()) }; N],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
        }
    }

    fn next(index: usize) -> usize {
        if index + 1 == 2 * N {
            0
        } else {
            index + 1
        }
    }

    fn len(head: usize, tail: usize) -> usize {
        (tail + 2 * N - head) % (2 * N)
    }

    /// How many values are in the ring now (a snapshot: either side may
    /// move meanwhile); memory pool statistics' only question.
    #[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
    pub fn count(&self) -> usize {
        Self::len(
            self.head.load(Ordering::Acquire),
            self.tail.load(Ordering::Acquire),
        )
    }

    /// Appends `value`; gives it back when the ring is full.
    ///
    /// # Safety
    ///
    /// Only one context (one ISR, or one thread, or callers serialized by a
    /// lock) may push to a given ring.
    pub unsafe fn push(&self, value: T) -> Result<(), T> {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        if Self::len(head, tail) == N {
            return Err(value);
        }
        // SAFETY: the slot at `tail` is outside `head..tail`, so the consumer
        // does not read it until the store below publishes it; the caller
        // guarantees no other producer writes it.
        unsafe { (*self.slots[tail % N].get()).write(value) };
        self.tail.store(Self::next(tail), Ordering::Release);
        Ok(())
    }

    /// Takes the oldest value.
    ///
    /// # Safety
    ///
    /// Only one context may pop from a given ring.
    pub unsafe fn pop(&self) -> Option<T> {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        // SAFETY: `head != tail`: the producer wrote this slot and published
        // it with its Release store of `tail`, which the Acquire load above
        // saw; it does not write it again until `head` moves past it.
        let value = unsafe { (*self.slots[head % N].get()).assume_init_read() };
        self.head.store(Self::next(head), Ordering::Release);
        Some(value)
    }
}
