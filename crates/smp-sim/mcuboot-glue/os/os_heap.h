#ifndef SMP_SIM_OS_HEAP_H
#define SMP_SIM_OS_HEAP_H
#endif
