/* RISC-V port (../port.h) for QEMU's virt board with picolibc: picolibc's
 * crt0 (--crt0=semihost: it also reports traps) sets up the stack, .data,
 * .bss and the FPU, and exits through semihosting with main's return value;
 * stdio goes to the host (--oslib=semihost). The counter is the instret CSR,
 * which QEMU makes exact under -icount. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../port.h"

static uint64_t instret(void) {
#if __riscv_xlen == 32
  uint32_t hi, lo, again;
  do {
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
    __asm__ volatile("csrr %0, minstret" : "=r"(lo));
    __asm__ volatile("csrr %0, minstreth" : "=r"(again));
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
#else
  uint64_t v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
#endif
}

static uint64_t start;

void bm_counter_start(void) { start = instret(); }

uint64_t bm_counter_read(void) { return instret() - start; }

uint32_t bm_counter_resolution(void) { return 1; }

void bm_exit(int status) { _exit(status); }
