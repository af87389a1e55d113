/* MCUboot's log lines go to the Rust `log` crate (target smp_sim::mcuboot). */
#ifndef SMP_SIM_MCUBOOT_LOGGING_H
#define SMP_SIM_MCUBOOT_LOGGING_H

#define MCUBOOT_LOG_LEVEL_OFF 0
#define MCUBOOT_LOG_LEVEL_ERROR 1
#define MCUBOOT_LOG_LEVEL_WARNING 2
#define MCUBOOT_LOG_LEVEL_INFO 3
#define MCUBOOT_LOG_LEVEL_DEBUG 4
#define MCUBOOT_LOG_LEVEL_SIM 5

#ifndef MCUBOOT_LOG_LEVEL
#define MCUBOOT_LOG_LEVEL MCUBOOT_LOG_LEVEL_DEBUG
#endif

#define MCUBOOT_LOG_MODULE_DECLARE(domain)
#define MCUBOOT_LOG_MODULE_REGISTER(domain)

void smp_sim_mcuboot_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define MCUBOOT_LOG_ERR(...) smp_sim_mcuboot_log(MCUBOOT_LOG_LEVEL_ERROR, __VA_ARGS__)
#define MCUBOOT_LOG_WRN(...) smp_sim_mcuboot_log(MCUBOOT_LOG_LEVEL_WARNING, __VA_ARGS__)
#define MCUBOOT_LOG_INF(...) smp_sim_mcuboot_log(MCUBOOT_LOG_LEVEL_INFO, __VA_ARGS__)
#define MCUBOOT_LOG_DBG(...) smp_sim_mcuboot_log(MCUBOOT_LOG_LEVEL_DEBUG, __VA_ARGS__)
#define MCUBOOT_LOG_SIM(...) smp_sim_mcuboot_log(MCUBOOT_LOG_LEVEL_SIM, __VA_ARGS__)

#endif
