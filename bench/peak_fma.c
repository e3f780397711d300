/* Single-core peak of fused multiply-adds on this machine: 12 independent
 * vector accumulators (enough to cover FMA latency x throughput on current
 * x86-64 and AArch64 cores), each updated acc = acc * a + b. Prints
 * "peak_gflops G". Build with -O2 -march=native -ffp-contract=fast.
 *
 *   cc -O2 -march=native -ffp-contract=fast peak_fma.c -o peak && ./peak */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__) || defined(__ARM_FEATURE_SVE)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));
enum { ACC = 12 };

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  vec acc[ACC], a, b;
  long iters = 20000000, i;
  int k, rep;
  double best = 0;
  float sum = 0;
  for (k = 0; k < LANES; ++k) {
    a[k] = 0.999999f;
    b[k] = 1e-7f;
  }
  for (rep = 0; rep < 5; ++rep) {
    double t0, t;
    for (k = 0; k < ACC; ++k)
      acc[k] = b * (float)(k + 1);
    t0 = now_s();
    for (i = 0; i < iters; ++i)
      for (k = 0; k < ACC; ++k)
        acc[k] = acc[k] * a + b;
    t = now_s() - t0;
    if (2.0 * LANES * ACC * iters / t > best)
      best = 2.0 * LANES * ACC * iters / t;
    for (k = 0; k < ACC; ++k)
      sum += acc[k][0];
  }
  /* The sum keeps the loop live. */
  printf("peak_gflops %.2f lanes %d check %g\n", best / 1e9, LANES, (double)sum);
  return 0;
}
