/* Flash area ids: the image's two slots, as Zephyr's fixed-partitions number
 * them (boot_partition 0, slot0_partition 1, slot1_partition 2). */
#ifndef SMP_SIM_SYSFLASH_H
#define SMP_SIM_SYSFLASH_H

#define SMP_SIM_AREA_SLOT0 1
#define SMP_SIM_AREA_SLOT1 2

#define FLASH_AREA_IMAGE_PRIMARY(x) SMP_SIM_AREA_SLOT0
#define FLASH_AREA_IMAGE_SECONDARY(x) SMP_SIM_AREA_SLOT1

#endif
