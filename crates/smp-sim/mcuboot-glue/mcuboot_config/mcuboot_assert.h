#ifndef SMP_SIM_MCUBOOT_ASSERT_H
#define SMP_SIM_MCUBOOT_ASSERT_H
#include <assert.h>
#define ASSERT(x) assert(x)
#endif
