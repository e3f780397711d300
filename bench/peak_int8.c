/* Single-core peak of the exact int8 multiply-accumulate whittle's kernels
 * use on x86-64. With VNNI (AVX512-VNNI with VL, or AVX-VNNI): vpdpbusd,
 * four u8 x s8 products summed into each 32-bit lane (the kernels flip the
 * input by 128 and fold the correction into the bias). With AVX2 only:
 * vpmaddwd on sign-extended 16-bit pairs (two int8 products per lane), then
 * vpaddd into the accumulator; vpmaddubsw would do four products per lane
 * but saturates its 16-bit sums, so whittle does not use it.
 * Twelve independent accumulators, as bench/peak_fma.c. Prints
 * "peak_int8_gmacs G instructions NAME" (int8 multiply-accumulates per ns),
 * or "peak_int8_gmacs 0" where neither applies (AArch64, older x86).
 *
 *   cc -O2 -march=native peak_int8.c -o peak_int8 && ./peak_int8 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#if defined(__x86_64__) &&                                                     \
    ((defined(__AVX512VNNI__) && defined(__AVX512VL__)) || defined(__AVXVNNI__))
/* acc_k += dot4(ymm14 as u8, ymm15 as s8) per 32-bit lane. */
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define STEP(k) "vpdpbusd %%ymm15, %%ymm14, %%ymm" #k "\n\t"
#else
#define STEP(k) "{vex} vpdpbusd %%ymm15, %%ymm14, %%ymm" #k "\n\t"
#endif
#define PRODUCTS 4
#define NAME "vpdpbusd"
#elif defined(__x86_64__) && defined(__AVX2__)
/* One step of accumulator k: ymm13 = pairs(ymm14 x ymm15); acc += ymm13.
 * Inline assembly, so that the compiler neither hoists the loop-invariant
 * multiply nor keeps the accumulators in memory. */
#define STEP(k)                                                                \
  "vpmaddwd %%ymm15, %%ymm14, %%ymm13\n\t"                                     \
  "vpaddd %%ymm13, %%ymm" #k ", %%ymm" #k "\n\t"
#define PRODUCTS 2
#define NAME "vpmaddwd+vpaddd"
#endif

#ifdef STEP
#define STEPS                                                                  \
  STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8)      \
      STEP(9) STEP(10) STEP(11)

int main(void) {
  long iters = 20000000, i;
  int rep;
  double best = 0;
  /* 12 accumulators x 8 lanes x PRODUCTS products per step. */
  const double macs = 12.0 * 8 * PRODUCTS * iters;
  __asm__ volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n\t"
                   "vpxor %%ymm15, %%ymm15, %%ymm15" ::
                       : "xmm14", "xmm15");
  for (rep = 0; rep < 5; ++rep) {
    double t0 = now_s(), t;
    for (i = 0; i < iters; ++i)
      __asm__ volatile(STEPS ::
                           : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                             "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                             "xmm13");
    t = now_s() - t0;
    if (macs / t > best)
      best = macs / t;
  }
  printf("peak_int8_gmacs %.2f instructions %s\n", best / 1e9, NAME);
  return 0;
}
#else
int main(void) {
  printf("peak_int8_gmacs 0 instructions n/a\n");
  return 0;
}
#endif
