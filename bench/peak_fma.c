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

/* Twelve named accumulators, not an array: GCC keeps an array of vectors in
 * memory across the loop, and store-to-load forwarding then bounds the rate
 * instead of the FMA units. */
#define FMA12(x)                                                               \
  x(0) x(1) x(2) x(3) x(4) x(5) x(6) x(7) x(8) x(9) x(10) x(11)
#define DECL(k) vec a##k = b * (float)(k + 1);
#define STEP(k) a##k = a##k * a + b;
#define SUM(k) sum += a##k[0];

int main(void) {
  vec a, b;
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
    FMA12(DECL)
    t0 = now_s();
    for (i = 0; i < iters; ++i) {
      FMA12(STEP)
    }
    t = now_s() - t0;
    if (2.0 * LANES * ACC * iters / t > best)
      best = 2.0 * LANES * ACC * iters / t;
    FMA12(SUM)
  }
  /* The sum keeps the loop live. */
  printf("peak_gflops %.2f lanes %d check %g\n", best / 1e9, LANES, (double)sum);
  return 0;
}
