/* Cortex-M startup and port (../port.h) for QEMU's MPS2 boards: vector
 * table, reset handler, semihosting exit, SysTick instruction counter.
 *
 * The reset handler copies .data, zeroes .bss, turns the FPU on when the
 * build uses it (CPACR: CP10/CP11 full access; the model object uses the FPU
 * on every preset with one), connects newlib's stdio to the host
 * (initialise_monitor_handles, from --specs=rdimon.specs), runs main and
 * exits QEMU with main's return value (SYS_EXIT_EXTENDED). Faults print the
 * fault status and the faulting PC and exit with status 70.
 *
 * BM_SYSCLK_HZ is the board's SysTick (CPU) clock: 25 MHz on mps2-an386 and
 * mps2-an500, 20 MHz on mps2-an505. */
#include <stdint.h>
#include <stdio.h>

#include "../port.h"

#ifndef BM_SYSCLK_HZ
#error "define BM_SYSCLK_HZ as the board's CPU clock in Hz"
#endif

/* From the linker script (sections.ld). */
extern uint32_t __data_load__[], __data_start__[], __data_end__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __stack_top__[];

extern void initialise_monitor_handles(void);
int main(void);

/*---- Semihosting ------------------------------------------------------*/

enum {
  SYS_WRITE0 = 0x04,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20,
  ADP_Stopped_ApplicationExit = 0x20026,
  ADP_Stopped_RunTimeErrorUnknown = 0x20023,
};

static int semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void bm_exit(int status) {
  uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
  fflush(stdout);
  semihost(SYS_EXIT_EXTENDED, block);
  /* A host without the extension: say only success or failure. */
  semihost(SYS_EXIT, (const void *)(uintptr_t)(status == 0
                                                   ? ADP_Stopped_ApplicationExit
                                                   : ADP_Stopped_RunTimeErrorUnknown));
  for (;;)
    ;
}

/*---- SysTick instruction counter --------------------------------------*/

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { ++systick_wraps; }

void bm_counter_start(void) {
  SYST_CSR = 0;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0; /* any write clears it; it reloads on the next tick */
  systick_wraps = 0;
  SYST_CSR = 7; /* enable, interrupt on wrap, processor clock */
}

uint32_t bm_counter_resolution(void) { return 1000000000u / BM_SYSCLK_HZ; }

/* Under -icount shift=0 one instruction takes 1 ns of virtual time, so a
 * SysTick period of 1e9/BM_SYSCLK_HZ ns is that many instructions. */
uint64_t bm_counter_read(void) {
  uint32_t wraps, value;
  do {
    wraps = systick_wraps;
    value = SYST_CVR;
  } while (wraps != systick_wraps);
  return (((uint64_t)wraps << 24) + (0xFFFFFFu - value)) *
         bm_counter_resolution();
}

/*---- Reset and faults -------------------------------------------------*/

void Reset_Handler(void) {
  uint32_t *src = __data_load__, *dst = __data_start__;
  while (dst < __data_end__)
    *dst++ = *src++;
  for (dst = __bss_start__; dst < __bss_end__;)
    *dst++ = 0;
#if defined(__ARM_FP)
  (*(volatile uint32_t *)0xE000ED88u) |= 0xFu << 20; /* CPACR: CP10, CP11 */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  initialise_monitor_handles();
  bm_exit(main());
}

static void put_hex(char *p, uint32_t v) {
  int i;
  for (i = 7; i >= 0; --i, v >>= 4)
    p[i] = "0123456789abcdef"[v & 15];
}

/* Reports the fault without stdio (its state may be what broke). */
__attribute__((used)) static void fault_report(const uint32_t *frame) {
  char msg[] = "fault: CFSR=xxxxxxxx HFSR=xxxxxxxx PC=xxxxxxxx\n";
  uint32_t block[2] = {ADP_Stopped_ApplicationExit, 70};
  put_hex(msg + 12, *(volatile uint32_t *)0xE000ED28u);
  put_hex(msg + 26, *(volatile uint32_t *)0xE000ED2Cu);
  put_hex(msg + 38, frame[6]); /* the stacked PC */
  semihost(SYS_WRITE0, msg);
  semihost(SYS_EXIT_EXTENDED, block);
  for (;;)
    ;
}

/* Thread code runs on MSP only, so MSP at entry points at the fault frame. */
__attribute__((naked)) void Fault_Handler(void) {
  __asm__ volatile("mrs r0, msp\n\tb fault_report");
}

typedef void (*Handler)(void);

__attribute__((section(".vectors"), used)) static const Handler vectors[16] = {
    (Handler)(uintptr_t)__stack_top__,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    Fault_Handler, /* SecureFault (v8-M) */
    0,
    0,
    0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};
