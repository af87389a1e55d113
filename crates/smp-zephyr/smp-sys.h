/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Zephyr headers rustapp/build.rs runs bindgen over (besides what
 * zephyr-lang-rust's zephyr-sys binds): sockets, reboot, the thread list,
 * Bluetooth connections and GATT (zephyr-sys binds only bluetooth.h).
 * Static inline functions among the bound ones get C wrappers
 * (smp-sys-wrapper.c), compiled into the app by rustapp/CMakeLists.txt.
 * Also: the flash map and the image slots (image group), hwinfo (Memfault).
 */

/* As zephyr-sys's wrapper.h: the build defines KERNEL, which hides syscall
 * declarations from application code.
 */
#undef KERNEL

#include <stdint.h>

/* As zephyr-sys's wrapper.h: libclang may lack these predefines. */
#ifndef __INT8_C
#define __INT8_C(x) x
#endif
#ifndef __INT16_C
#define __INT16_C(x) x
#endif
#ifndef __INT32_C
#define __INT32_C(x) x
#endif
#ifndef __INT64_C
#define __INT64_C(x) x##LL
#endif
#ifndef __INTMAX_C
#define __INTMAX_C(x) x##LL
#endif
#ifndef __UINT8_C
#define __UINT8_C(x) x##U
#endif
#ifndef __UINT16_C
#define __UINT16_C(x) x##U
#endif
#ifndef __UINT32_C
#define __UINT32_C(x) x##U
#endif
#ifndef __UINT64_C
#define __UINT64_C(x) x##ULL
#endif
#ifndef __UINTMAX_C
#define __UINTMAX_C(x) x##ULL
#endif

#include <zephyr/autoconf.h>

#if defined(CONFIG_CPU_CORTEX_M)
#if !defined(CONFIG_FP_HARDABI) && !defined(FORCE_FP_HARDABI) && !defined(__SOFTFP__)
#define __SOFTFP__
#endif
#endif

#include <zephyr/kernel.h>
#include <zephyr/sys/reboot.h>

/* c/wake.c */
void rust_smp_wake_give(void);
void rust_smp_wake_take(int32_t ms);
void rust_smp_sleep_ms(uint32_t ms);
#include <errno.h>

#ifdef CONFIG_NET_SOCKETS
#include <zephyr/net/socket.h>
#endif

#ifdef CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS
/* c/udp_dtls.c */
int rust_smp_udp_dtls_socket(int family);
#endif

#ifdef CONFIG_NET_HOSTNAME_ENABLE
#include <zephyr/net/hostname.h>
#endif

#ifdef CONFIG_RUST_SMP_GRP_OS_RESET_BOOT_MODE
#include <zephyr/retention/bootmode.h>
#endif

#ifdef CONFIG_SERIAL
#include <zephyr/drivers/uart.h>
#endif

#ifdef CONFIG_RUST_SMP_TRANSPORT_BT
#include <zephyr/bluetooth/conn.h>
#include <zephyr/bluetooth/gatt.h>

/* c/ble_gatt.c */
int rust_smp_bt_start(void);
int rust_smp_bt_notify(struct bt_conn *conn, const uint8_t *data, uint16_t len);
#endif

#ifdef CONFIG_RUST_SMP_TRANSPORT_SHELL
#include <stdbool.h>
#include <stddef.h>
#include <zephyr/shell/shell.h>

/* c/smp_shell.c */
bool rust_smp_shell_ready(void);
int rust_smp_shell_inner_read(uint8_t *data, size_t len, size_t *cnt);
void rust_smp_shell_lock(void);
void rust_smp_shell_unlock(void);
int rust_smp_shell_write(const uint8_t *data, size_t len);
#endif

#ifdef CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC
#include <zephyr/drivers/rtc.h>

/* The RTC the date-time command uses, as Zephyr's os_mgmt picks it. */
static inline const struct device *rust_smp_rtc(void)
{
	return DEVICE_DT_GET(DT_ALIAS(rtc));
}
#endif

#ifdef CONFIG_FILE_SYSTEM
#include <zephyr/fs/fs.h>
#endif

#ifdef CONFIG_FLASH_MAP
#include <zephyr/storage/flash_map.h>
#endif

#ifdef CONFIG_SETTINGS
#include <zephyr/settings/settings.h>
#endif

#ifdef CONFIG_SHELL_BACKEND_DUMMY
#include <zephyr/shell/shell.h>
#include <zephyr/shell/shell_dummy.h>
#endif

/* errno as the C library sees it. Not z_errno(): on native_sim the C library
 * is the host's (CONFIG_EXTERNAL_LIBC), and the socket layer sets the host's
 * errno. Being static inline, it is compiled (in smp-sys-wrapper.c) with the
 * application's real flags and headers.
 */
static inline int rust_smp_errno(void)
{
	return errno;
}

#if DT_HAS_CHOSEN(zephyr_uart_mcumgr)
/* The UART the serial SMP transport uses, as Zephyr's MCUmgr UART transport
 * picks it.
 */
static inline const struct device *rust_smp_uart(void)
{
	return DEVICE_DT_GET(DT_CHOSEN(zephyr_uart_mcumgr));
}
#endif

#ifdef CONFIG_RUST_SMP_GRP_IMG
#include <zephyr/storage/flash_map.h>

/* The flash map id of absolute image slot `slot` (0-3: slot0_partition to
 * slot3_partition), -1 when the devicetree has no such partition. */
static inline int rust_smp_slot_partition_id(uint8_t slot)
{
	switch (slot) {
#if FIXED_PARTITION_EXISTS(slot0_partition)
	case 0:
		return FIXED_PARTITION_ID(slot0_partition);
#endif
#if FIXED_PARTITION_EXISTS(slot1_partition)
	case 1:
		return FIXED_PARTITION_ID(slot1_partition);
#endif
#if FIXED_PARTITION_EXISTS(slot2_partition)
	case 2:
		return FIXED_PARTITION_ID(slot2_partition);
#endif
#if FIXED_PARTITION_EXISTS(slot3_partition)
	case 3:
		return FIXED_PARTITION_ID(slot3_partition);
#endif
	default:
		return -1;
	}
}

/* The image pairs served: 2 with CONFIG_UPDATEABLE_IMAGE_NUMBER >= 2 and
 * slot2_partition/slot3_partition in the devicetree (image 1), otherwise 1. */
static inline uint8_t rust_smp_image_count(void)
{
#if defined(CONFIG_UPDATEABLE_IMAGE_NUMBER) && CONFIG_UPDATEABLE_IMAGE_NUMBER >= 2 && \
	FIXED_PARTITION_EXISTS(slot2_partition) && FIXED_PARTITION_EXISTS(slot3_partition)
	return 2;
#else
	return 1;
#endif
}

/* The slot the running image executes from: 1 only for a direct-XIP build
 * linked for the secondary slot (the code partition is slot1_partition). */
static inline uint8_t rust_smp_running_slot(void)
{
#if DT_HAS_CHOSEN(zephyr_code_partition) && FIXED_PARTITION_EXISTS(slot1_partition)
	return DT_SAME_NODE(DT_CHOSEN(zephyr_code_partition), DT_NODELABEL(slot1_partition))
		       ? 1 : 0;
#else
	return 0;
#endif
}
#endif

#ifdef CONFIG_RUST_SMP_GRP_MEMFAULT
#include <zephyr/drivers/hwinfo.h>
#endif

/* ENOTSUP as the C library defines it: on native_sim the host's (95), which
 * is not the value bindgen reads from Zephyr's minimal libc (134).
 */
static inline int rust_smp_enotsup(void)
{
	return ENOTSUP;
}

#if defined(CONFIG_FLASH_MAP)
#if FIXED_PARTITION_EXISTS(storage_partition)
/* The flash map ID of the storage partition (storage erase). */
static inline uint8_t rust_smp_storage_partition_id(void)
{
	return FIXED_PARTITION_ID(storage_partition);
}

#if defined(CONFIG_FILE_SYSTEM_LITTLEFS)
/* The littlefs fstab entry mounted from the storage partition, or NULL:
 * storage erase unmounts it first.
 */
#define RUST_SMP_FSTAB_DECLARE(node) FS_FSTAB_DECLARE_ENTRY(node);
DT_FOREACH_STATUS_OKAY(zephyr_fstab_littlefs, RUST_SMP_FSTAB_DECLARE)

#define RUST_SMP_FSTAB_ON_STORAGE(node)                                                \
	if (DT_SAME_NODE(DT_PHANDLE(node, partition), DT_NODELABEL(storage_partition))) { \
		return &FS_FSTAB_ENTRY(node);                                          \
	}

static inline struct fs_mount_t *rust_smp_storage_fs(void)
{
	DT_FOREACH_STATUS_OKAY(zephyr_fstab_littlefs, RUST_SMP_FSTAB_ON_STORAGE)
	return NULL;
}
#endif
#endif
#endif
