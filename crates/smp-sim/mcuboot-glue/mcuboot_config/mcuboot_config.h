/* The MCUboot build smp-sim boots with (--bootloader mcuboot): what
 * sysbuild's default gives nrf52840dk_nrf52840, minus the signature (the
 * image is checked by its SHA-256 TLV only; see docs/real-mcuboot.md).
 * The upgrade mode (MCUBOOT_SWAP_USING_MOVE, _OFFSET or
 * MCUBOOT_OVERWRITE_ONLY) comes from build.rs: SMP_SIM_MCUBOOT_MODE. */
#ifndef SMP_SIM_MCUBOOT_CONFIG_H
#define SMP_SIM_MCUBOOT_CONFIG_H

#define MCUBOOT_VALIDATE_PRIMARY_SLOT 1
#define MCUBOOT_USE_TINYCRYPT 1
#define MCUBOOT_USE_FLASH_AREA_GET_SECTORS 1
#define MCUBOOT_HAVE_LOGGING 1
#define MCUBOOT_IMAGE_NUMBER 1
/* slot0_partition has 119 sectors of 4 KiB. */
#define MCUBOOT_MAX_IMG_SECTORS 128
/* nRF52840 writes 4-byte words; the trailer is laid out for 8, as Zephyr's
 * MCUboot does by default (BOOT_MAX_ALIGN). */
#define MCUBOOT_BOOT_MAX_ALIGN 8
#define MCUBOOT_FIH_PROFILE_OFF 1

#define MCUBOOT_WATCHDOG_FEED() do {} while (0)
#define MCUBOOT_CPU_IDLE() do {} while (0)

#endif
