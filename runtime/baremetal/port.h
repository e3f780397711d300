/* What the bare-metal harness (harness.c) needs from a board port: a counter
 * to measure one inference and a way to stop the machine with a status.
 * Each port (cortex-m/, riscv/) provides these next to its startup code.
 * Console and file output go through the C library's stdio, which the port
 * binds to semihosting (newlib's rdimon on Arm, picolibc on RISC-V). */
#ifndef WHITTLE_BAREMETAL_PORT_H
#define WHITTLE_BAREMETAL_PORT_H

#include <stdint.h>

/* Starts the inference counter from zero. */
void bm_counter_start(void);

/* Instructions executed since bm_counter_start(). Exact (Cortex-M: to the
 * SysTick resolution, bm_counter_resolution() instructions) only when QEMU
 * runs with `-icount shift=0`, where virtual time advances 1 ns per
 * instruction; otherwise it follows host time and means little. */
uint64_t bm_counter_read(void);

/* Instructions per counter step under `-icount shift=0` (1 when exact). */
uint32_t bm_counter_resolution(void);

/* Ends the simulation: QEMU exits with `status` (0..255). */
void bm_exit(int status) __attribute__((noreturn));

#endif
