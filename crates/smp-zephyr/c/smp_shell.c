/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The shell transport (src/smp_shell.rs): Zephyr's serial shell backend with
 * its read wrapped, so SMP frame lines are taken out of the shell's input
 * before the shell sees them, and the calls the SMP thread writes responses
 * with, under the shell's own write lock.
 *
 * Zephyr's MCUMGR_TRANSPORT_SHELL patches shell_uart.c for this; here the
 * backend stays as it is: its transport object (shell_transport_uart, made
 * writable by SHELL_UART_DEFINE) gets a copy of its API with another read,
 * before the shell starts.
 */

#include <errno.h>

#include <zephyr/device.h>
#include <zephyr/init.h>
#include <zephyr/kernel.h>
#include <zephyr/shell/shell.h>
#include <zephyr/shell/shell_uart.h>

/* Defined by SHELL_UART_DEFINE in Zephyr's shell_uart.c. */
extern struct shell_transport shell_transport_uart;

/* src/smp_shell.rs: the shell's bytes of what the backend received. */
int rust_smp_shell_read(void *data, size_t length, size_t *cnt);

static struct shell_transport_api smp_shell_api;

static int smp_shell_read(const struct shell_transport *transport, void *data, size_t length,
			  size_t *cnt)
{
	ARG_UNUSED(transport);
	return rust_smp_shell_read(data, length, cnt);
}

/* Before enable_shell_uart (POST_KERNEL) starts the shell thread, which
 * calls the API.
 */
static int smp_shell_install(void)
{
	smp_shell_api = shell_uart_transport_api;
	smp_shell_api.read = smp_shell_read;
	shell_transport_uart.api = &smp_shell_api;
	return 0;
}

SYS_INIT(smp_shell_install, PRE_KERNEL_1, 0);

bool rust_smp_shell_ready(void)
{
	return device_is_ready(DEVICE_DT_GET(DT_CHOSEN(zephyr_shell_uart)));
}

/* The backend's own read (shell thread only, from rust_smp_shell_read). */
int rust_smp_shell_inner_read(uint8_t *data, size_t len, size_t *cnt)
{
	return shell_uart_transport_api.read(&shell_transport_uart, data, len, cnt);
}

/* The shell holds this mutex whenever it writes (its thread while it
 * processes input and prints, shell_fprintf from commands, the log
 * backend), so a frame written under it is never split by shell output.
 * The shell initialises it before it reads, so before any request exists.
 */
void rust_smp_shell_lock(void)
{
	k_mutex_lock(&shell_backend_uart_get_ptr()->ctx->wr_mtx, K_FOREVER);
}

void rust_smp_shell_unlock(void)
{
	k_mutex_unlock(&shell_backend_uart_get_ptr()->ctx->wr_mtx);
}

/* How long a write waits for the backend's TX ring to have room (ms)
 * before the rest of the frame is dropped, as bytes on a dead line are.
 */
#define WRITE_PATIENCE_MS 1000

/* Writes all of `data` through the backend (lock held): its interrupt mode
 * takes what fits in its TX ring and the ISR drains it, so wait for room.
 */
int rust_smp_shell_write(const uint8_t *data, size_t len)
{
	int waited_ms = 0;

	while (len > 0) {
		size_t cnt = 0;
		int rc = shell_uart_transport_api.write(&shell_transport_uart, data, len, &cnt);

		if (rc != 0) {
			return rc;
		}
		if (cnt == 0) {
			if (waited_ms++ >= WRITE_PATIENCE_MS) {
				return -EIO;
			}
			k_sleep(K_MSEC(1));
			continue;
		}
		waited_ms = 0;
		data += cnt;
		len -= cnt;
	}
	return 0;
}
