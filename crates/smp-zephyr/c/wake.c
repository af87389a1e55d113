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

/* `ms` (at most WAIT_MAX_MS) as a timeout, rounded up to whole ticks. */
static k_timeout_t timeout_of(uint32_t ms)
{
#if CONFIG_SYS_CLOCK_TICKS_PER_SEC <= 42949
	uint32_t ticks = (ms * CONFIG_SYS_CLOCK_TICKS_PER_SEC + (MSEC_PER_SEC - 1U)) / MSEC_PER_SEC;

	return K_TICKS(ticks);
#else
	return K_MSEC(ms);
#endif
}

/* Waits up to `ms` milliseconds, rounded up to whole ticks, or forever for a
 * negative `ms`.
 */
void rust_smp_wake_take(int32_t ms)
{
	if (ms < 0) {
		(void)k_sem_take(&rust_smp_wake, K_FOREVER);
		return;
	}
	(void)k_sem_take(&rust_smp_wake, timeout_of(MIN((uint32_t)ms, WAIT_MAX_MS)));
}

/* Sleeps at least `ms` milliseconds (the reset's delay), with the same
 * conversion: zephyr-lang-rust's sleep converts through 64 bits.
 */
void rust_smp_sleep_ms(uint32_t ms)
{
	while (ms > 0U) {
		uint32_t part = MIN(ms, WAIT_MAX_MS);

		(void)k_sleep(timeout_of(part));
		ms -= part;
	}
}
