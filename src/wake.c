/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The semaphore that wakes the SMP thread (src/wake.rs), defined statically
 * so it is valid before any ISR or callback gives it, with the two calls
 * Rust makes on it. (zephyr-lang-rust's Semaphore initialises itself on first
 * use, a path with a panic in it.)
 */

#include <zephyr/kernel.h>

K_SEM_DEFINE(rust_smp_wake, 0, 1);

void rust_smp_wake_give(void)
{
	k_sem_give(&rust_smp_wake);
}

/* Waits up to `ms` milliseconds, rounded up to whole ticks (K_MSEC), or
 * forever for a negative `ms`.
 */
void rust_smp_wake_take(int32_t ms)
{
	(void)k_sem_take(&rust_smp_wake, ms < 0 ? K_FOREVER : K_MSEC(ms));
}
