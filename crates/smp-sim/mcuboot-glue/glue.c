/* The small C side of smp-sim's real MCUboot (--bootloader mcuboot): the
 * flash_map_backend MCUboot's bootutil calls, forwarded to Rust over the
 * virtual device's two slots, its log lines forwarded to Rust's `log`, and
 * one entry point, smp_sim_boot_go, that runs context_boot_go once and says
 * what MCUboot chose. The Rust side serialises calls: the state here is one
 * boot's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bootutil/bootutil.h>
#include <bootutil/image.h>
#include <flash_map_backend/flash_map_backend.h>

#include "bootutil_priv.h"

/* Implemented in Rust (src/hw/mcuboot/ffi.rs). `slot` is 0 (primary) or 1
 * (secondary); offsets are within the slot; 0 is success. */
extern int smp_sim_flash_read(void *ctx, uint8_t slot, uint32_t off, void *dst, uint32_t len);
extern int smp_sim_flash_write(void *ctx, uint8_t slot, uint32_t off, const void *src,
                               uint32_t len);
extern int smp_sim_flash_erase(void *ctx, uint8_t slot, uint32_t off, uint32_t len);
extern void smp_sim_mcuboot_log_line(int level, const char *line);

/* One slot as the Rust side describes it. */
struct smp_sim_slot {
    uint32_t device_offset;
    uint32_t size;
    uint32_t sector_size;
    uint32_t write_size;
    uint8_t erased_value;
};

/* What one boot_go decided. */
struct smp_sim_boot_result {
    /* 0: an image to jump to; -1: MCUboot found none; -2: the flash failed
     * (the boot was cut there). */
    int rc;
    /* BOOT_SWAP_TYPE_* of the image at this boot. */
    uint8_t swap_type;
    /* 1: MCUboot found the journal of a swap cut by a reset, and resumed it. */
    uint8_t resumed;
    /* The booted image's offset in the flash device, and its header. */
    uint32_t image_offset;
    struct image_version version;
};

static void *rust_ctx;
/* A flash operation the Rust side refused (the power was cut, or a NOR rule
 * broken) ends the boot there, as a power cut ends a board's: MCUboot's own
 * error paths would hang (FIH_PANIC). */
static jmp_buf flash_failed;
static struct smp_sim_slot slots[2];
static struct flash_area areas[2];

/* Whether this boot's swap_read_status found a swap to resume: build.rs
 * links with --wrap=swap_read_status in the swap modes, so loader.c's call
 * comes here first (MCUboot's log does not say it resumes). */
static uint8_t partial_swap_found;

#ifndef MCUBOOT_OVERWRITE_ONLY
int __real_swap_read_status(struct boot_loader_state *state, struct boot_status *bs);
int __wrap_swap_read_status(struct boot_loader_state *state, struct boot_status *bs);

int __wrap_swap_read_status(struct boot_loader_state *state, struct boot_status *bs)
{
    int rc = __real_swap_read_status(state, bs);

    if (rc == 0 && !boot_status_is_reset(bs)) {
        partial_swap_found = 1;
    }
    return rc;
}
#endif

void smp_sim_mcuboot_log(int level, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    smp_sim_mcuboot_log_line(level, line);
}

static int slot_of_id(int id)
{
    switch (id) {
    case SMP_SIM_AREA_SLOT0: return 0;
    case SMP_SIM_AREA_SLOT1: return 1;
    default: return -1;
    }
}

static int slot_of_area(const struct flash_area *area)
{
    return slot_of_id(area->fa_id);
}

int flash_area_open(uint8_t id, const struct flash_area **area)
{
    int slot = slot_of_id(id);

    if (slot < 0) {
        return -1;
    }
    *area = &areas[slot];
    return 0;
}

void flash_area_close(const struct flash_area *area)
{
    (void)area;
}

int flash_area_read(const struct flash_area *area, uint32_t off, void *dst, uint32_t len)
{
    if (smp_sim_flash_read(rust_ctx, (uint8_t)slot_of_area(area), off, dst, len) != 0) {
        longjmp(flash_failed, 1);
    }
    return 0;
}

int flash_area_write(const struct flash_area *area, uint32_t off, const void *src, uint32_t len)
{
    if (smp_sim_flash_write(rust_ctx, (uint8_t)slot_of_area(area), off, src, len) != 0) {
        longjmp(flash_failed, 1);
    }
    return 0;
}

int flash_area_erase(const struct flash_area *area, uint32_t off, uint32_t len)
{
    if (smp_sim_flash_erase(rust_ctx, (uint8_t)slot_of_area(area), off, len) != 0) {
        longjmp(flash_failed, 1);
    }
    return 0;
}

uint32_t flash_area_align(const struct flash_area *area)
{
    return slots[slot_of_area(area)].write_size;
}

uint8_t flash_area_erased_val(const struct flash_area *area)
{
    return slots[slot_of_area(area)].erased_value;
}

/* Uniform sectors: the nRF52840's 4 KiB pages. */
int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors)
{
    int slot = slot_of_id(fa_id);
    uint32_t n, i;

    if (slot < 0) {
        return -1;
    }
    n = slots[slot].size / slots[slot].sector_size;
    if (n > *count) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        sectors[i].fs_off = i * slots[slot].sector_size;
        sectors[i].fs_size = slots[slot].sector_size;
    }
    *count = n;
    return 0;
}

int flash_area_get_sector(const struct flash_area *area, uint32_t off, struct flash_sector *sector)
{
    uint32_t size = slots[slot_of_area(area)].sector_size;

    if (off >= area->fa_size) {
        return -1;
    }
    sector->fs_off = off / size * size;
    sector->fs_size = size;
    return 0;
}

int flash_area_id_from_multi_image_slot(int image_index, int slot)
{
    (void)image_index;
    switch (slot) {
    case 0: return SMP_SIM_AREA_SLOT0;
    case 1: return SMP_SIM_AREA_SLOT1;
    default: return -1;
    }
}

int flash_area_id_to_multi_image_slot(int image_index, int area_id)
{
    (void)image_index;
    return slot_of_id(area_id);
}

int flash_area_id_from_image_slot(int slot)
{
    return flash_area_id_from_multi_image_slot(0, slot);
}

int smp_sim_boot_go(void *ctx, const struct smp_sim_slot given[2], struct smp_sim_boot_result *out)
{
    static struct boot_loader_state state;
    struct boot_rsp rsp;
    int i;
    FIH_DECLARE(fih_rc, FIH_FAILURE);

    rust_ctx = ctx;
    for (i = 0; i < 2; i++) {
        slots[i] = given[i];
        areas[i].fa_id = i == 0 ? SMP_SIM_AREA_SLOT0 : SMP_SIM_AREA_SLOT1;
        areas[i].fa_device_id = FLASH_DEVICE_ID;
        areas[i].fa_off = given[i].device_offset;
        areas[i].fa_size = given[i].size;
    }

    memset(&rsp, 0, sizeof(rsp));
    memset(out, 0, sizeof(*out));
    if (setjmp(flash_failed) != 0) {
        rust_ctx = NULL;
        out->rc = -2;
        return out->rc;
    }
    boot_state_clear(&state);
    partial_swap_found = 0;
    FIH_CALL(context_boot_go, fih_rc, &state, &rsp);

    out->rc = FIH_EQ(fih_rc, FIH_SUCCESS) ? 0 : -1;
    out->swap_type = state.swap_type[0];
    out->resumed = partial_swap_found;
    if (out->rc == 0 && rsp.br_hdr != NULL) {
        out->image_offset = rsp.br_image_off;
        out->version = rsp.br_hdr->ih_ver;
    }
    rust_ctx = NULL;
    return out->rc;
}
