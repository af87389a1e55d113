#ifndef SMP_SIM_OS_MALLOC_H
#define SMP_SIM_OS_MALLOC_H
#include <stdlib.h>
#endif
