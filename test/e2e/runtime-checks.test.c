/* Feeds whittle-compiled models control data from their inputs: Gather
 * indices, integer divisors, Range bounds, a Loop's trip count and
 * condition and a sequence position, in range and out of it.
 * Prints each run's status and outputs for FileCheck. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "div.h"
#include "gather.h"
#include "loop.h"
#include "range.h"
#include "seq.h"

static unsigned char gather_storage[GATHER_ARENA_SIZE + 64];
static unsigned char div_storage[DIV_ARENA_SIZE + 64];
static unsigned char range_storage[RANGE_ARENA_SIZE + 64];
static unsigned char loop_storage[LOOP_ARENA_SIZE + 64];
static unsigned char seq_storage[SEQ_ARENA_SIZE + 64];

static void *aligned_arena(unsigned char *storage) {
  return (void *)(((uintptr_t)storage + 63) & ~(uintptr_t)63);
}

static void gather(int64_t i0, int64_t i1) {
  static float x[5][3], y[2][3];
  int64_t idx[2];
  const void *in[2];
  void *out[1];
  int r, k;
  for (k = 0; k < 15; ++k)
    x[k / 3][k % 3] = (float)k;
  idx[0] = i0;
  idx[1] = i1;
  in[0] = x;
  in[1] = idx;
  out[0] = y;
  r = gather_run(in, out, aligned_arena(gather_storage));
  printf("gather %lld %lld: status %d rows %g %g\n", (long long)i0,
         (long long)i1, r, y[0][0] / 3, y[1][0] / 3);
}

static void divide(int32_t b0, int32_t b1, int32_t b2, int32_t b3) {
  int32_t a[4] = {7, -7, INT_MIN, 9}, b[4], q[4], m[4];
  const void *in[2];
  void *out[2];
  int r;
  b[0] = b0;
  b[1] = b1;
  b[2] = b2;
  b[3] = b3;
  in[0] = a;
  in[1] = b;
  out[0] = q;
  out[1] = m;
  r = div_run(in, out, aligned_arena(div_storage));
  printf("div: status %d q %d %d %d %d r %d %d %d %d\n", r, (int)q[0],
         (int)q[1], (int)q[2], (int)q[3], (int)m[0], (int)m[1], (int)m[2],
         (int)m[3]);
}

static void range(int32_t s, int32_t l, int32_t d) {
  int32_t y[4] = {0, 0, 0, 0};
  const void *in[3];
  void *out[1];
  int r;
  in[0] = &s;
  in[1] = &l;
  in[2] = &d;
  out[0] = y;
  r = range_run(in, out, aligned_arena(range_storage));
  printf("range %d %d %d: status %d y %d %d %d %d\n", (int)s, (int)l, (int)d,
         r, (int)y[0], (int)y[1], (int)y[2], (int)y[3]);
}

static void loop(int64_t m, int c) {
  float y = 10, res = 0, steps[3] = {0, 0, 0};
  _Bool cond = c != 0;
  const void *in[3];
  void *out[2];
  int r;
  in[0] = &m;
  in[1] = &cond;
  in[2] = &y;
  out[0] = &res;
  out[1] = steps;
  r = loop_run(in, out, aligned_arena(loop_storage));
  if (r == 0)
    printf("loop %lld %d: status %d res %g steps %g %g %g\n", (long long)m, c,
           r, res, steps[0], steps[1], steps[2]);
  else
    printf("loop %lld %d: status %d\n", (long long)m, c, r);
}

static void seq(int64_t p) {
  float a = 1, b = 2, kept = 0;
  const void *in[3];
  void *out[1];
  int r;
  in[0] = &a;
  in[1] = &b;
  in[2] = &p;
  out[0] = &kept;
  r = seq_run(in, out, aligned_arena(seq_storage));
  if (r == 0)
    printf("seq %lld: status %d kept %g\n", (long long)p, r, kept);
  else
    printf("seq %lld: status %d\n", (long long)p, r);
}

int main(void) {
  printf("codes %d %d %d\n", GATHER_STATUS_INDEX_OUT_OF_RANGE,
         DIV_STATUS_DIVISION_BY_ZERO, RANGE_STATUS_SHAPE_MISMATCH);
  gather(4, -5);
  gather(1, 5);
  gather(-6, 0);
  gather(INT64_MAX, INT64_MIN);
  divide(2, 2, -1, -3);
  divide(2, 0, -1, -3);
  range(3, 10, 2);
  range(10, 2, -2);
  range(3, 12, 2);
  range(0, 4, 0);
  range(INT_MIN, INT_MAX, INT_MAX);
  loop(3, 1);
  loop(4, 1);
  loop(3, 0);
  seq(0);
  seq(-1);
  seq(2);
  seq(-3);
  return 0;
}
