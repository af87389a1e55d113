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

/* The longest wait in milliseconds taken as such; longer ones are cut to it
 * (the caller loops). With it the conversion to ticks fits 32 bits at up to
 * 42 949 ticks/s: K_MSEC's 64-bit division would link 64-bit division
 * helpers (0.7 KB on Cortex-M) for this one call.
 */
#define WAIT_MAX_MS 100000U

/* Waits up to `ms` milliseconds, rounded up to whole ticks, or forever for a
 * negative `ms`.
 */
void rust_smp_wake_take(int32_t ms)
{
	if (ms < 0) {
		(void)k_sem_take(&rust_smp_wake, K_FOREVER);
		return;
	}
#if CONFIG_SYS_CLOCK_TICKS_PER_SEC <= 42949
	uint32_t wait = MIN((uint32_t)ms, WAIT_MAX_MS);
	uint32_t ticks = (wait * CONFIG_SYS_CLOCK_TICKS_PER_SEC + (MSEC_PER_SEC - 1U)) / MSEC_PER_SEC;

	(void)k_sem_take(&rust_smp_wake, K_TICKS(ticks));
#else
	(void)k_sem_take(&rust_smp_wake, K_MSEC(ms));
#endif
}
