/* Times one whittle-compiled model (hosted C99 + POSIX clock_gettime).
 *
 *   cc -O2 -I<dir> -DWHITTLE_HEADER='"NAME.h"' -DWHITTLE_NAME=NAME \
 *      -DWHITTLE_UPPER=NAME_UPPER bench_harness.c NAME.o -o bench
 *   ./bench RUNS
 *
 * Inputs are filled with a fixed pattern; prints the fastest and the median
 * of RUNS timed calls (after 3 warm-up calls) in microseconds. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include WHITTLE_HEADER

#include "../runtime/harness/whittle_model_macros.h"

static const size_t input_sizes[] = UP(_INPUT_SIZES);
static const size_t output_sizes[] = UP(_OUTPUT_SIZES);

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void *aligned(size_t size) {
  unsigned char *p = malloc(size + 64);
  return p ? (void *)(((size_t)p + 63) & ~(size_t)63) : NULL;
}

int main(int argc, char **argv) {
  enum { NI = UP(_NUM_INPUTS), NO = UP(_NUM_OUTPUTS) };
  const void *inputs[NI + 1] = {0};
  void *outputs[NO + 1] = {0};
  int runs = argc > 1 ? atoi(argv[1]) : 20, i, r;
  double *t;
  void *arena = aligned(UP(_ARENA_SIZE) + 1);
  if (runs < 1 || !arena)
    return 2;
  t = malloc(sizeof(double) * runs);
  for (i = 0; i < NI; ++i) {
    float *p = aligned(input_sizes[i]);
    size_t k;
    if (!p)
      return 2;
    for (k = 0; k < input_sizes[i] / sizeof(float); ++k)
      p[k] = (float)((k * 7919u) % 1000u) / 1000.0f;
    inputs[i] = p;
  }
  for (i = 0; i < NO; ++i)
    if (!(outputs[i] = aligned(output_sizes[i])))
      return 2;
  for (r = 0; r < 3; ++r)
    M(_run)(inputs, outputs, arena);
  for (r = 0; r < runs; ++r) {
    double t0 = now_us();
    M(_run)(inputs, outputs, arena);
    t[r] = now_us() - t0;
  }
  qsort(t, runs, sizeof(double), cmp);
  printf("min_us %.1f median_us %.1f arena_bytes %lu\n", t[0], t[runs / 2],
         (unsigned long)UP(_ARENA_SIZE));
  return 0;
}
