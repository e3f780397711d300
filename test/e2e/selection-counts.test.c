/* Runs whittle-compiled models whose output extent is chosen by the data
 * (NonZero, Compress, Unique, NonMaxSuppression), each compiled for a
 * declared extent: data that selects exactly that many gives status 0 and
 * the selection, more or fewer gives NAME_STATUS_SHAPE_MISMATCH with every
 * write kept inside the buffers (ASan+UBSan on the C path).
 * Prints each run's status and outputs for FileCheck. */
#include <stdint.h>
#include <stdio.h>

#include "compress.h"
#include "nms.h"
#include "nonzero.h"
#include "unique.h"

static unsigned char nz_storage[NONZERO_ARENA_SIZE + 64];
static unsigned char compress_storage[COMPRESS_ARENA_SIZE + 64];
static unsigned char unique_storage[UNIQUE_ARENA_SIZE + 64];
static unsigned char nms_storage[NMS_ARENA_SIZE + 64];

static void *aligned_arena(unsigned char *storage) {
  return (void *)(((uintptr_t)storage + 63) & ~(uintptr_t)63);
}

static void nonzero(const float x[6]) {
  int64_t y[1][3] = {{-1, -1, -1}};
  const void *in[1];
  void *out[1];
  int r;
  in[0] = x;
  out[0] = y;
  r = nonzero_run(in, out, aligned_arena(nz_storage));
  printf("nonzero: status %d y %lld %lld %lld\n", r, (long long)y[0][0],
         (long long)y[0][1], (long long)y[0][2]);
}

static void compress(const uint8_t c[5]) {
  float x[5][2], y[2][2] = {{-1, -1}, {-1, -1}};
  const void *in[2];
  void *out[1];
  int r, k;
  for (k = 0; k < 10; ++k)
    x[k / 2][k % 2] = (float)k;
  in[0] = x;
  in[1] = c;
  out[0] = y;
  r = compress_run(in, out, aligned_arena(compress_storage));
  printf("compress: status %d y %g %g %g %g\n", r, y[0][0], y[0][1], y[1][0],
         y[1][1]);
}

static void unique(const int32_t x[6]) {
  int32_t y[3];
  int64_t idx[3], inv[6], cnt[3];
  const void *in[1];
  void *out[4];
  int r;
  in[0] = x;
  out[0] = y;
  out[1] = idx;
  out[2] = inv;
  out[3] = cnt;
  r = unique_run(in, out, aligned_arena(unique_storage));
  printf("unique: status %d", r);
  if (r == 0)
    printf(" y %d %d %d idx %lld %lld %lld inv %lld %lld %lld %lld %lld %lld "
           "cnt %lld %lld %lld",
           (int)y[0], (int)y[1], (int)y[2], (long long)idx[0],
           (long long)idx[1], (long long)idx[2], (long long)inv[0],
           (long long)inv[1], (long long)inv[2], (long long)inv[3],
           (long long)inv[4], (long long)inv[5], (long long)cnt[0],
           (long long)cnt[1], (long long)cnt[2]);
  printf("\n");
}

/* Boxes 0 and 1 overlap (IoU 0.9), 2 and 3 are apart. */
static void nms(int64_t max_out, float iou, float thr) {
  static const float boxes[1][4][4] = {{{0, 0, 1, 1},
                                        {0, 0.1f, 1, 1},
                                        {0, 5, 1, 6},
                                        {0, 10, 1, 11}}};
  static const float scores[1][1][4] = {{{0.9f, 0.8f, 0.7f, 0.6f}}};
  int64_t sel[2][3] = {{-1, -1, -1}, {-1, -1, -1}};
  const void *in[5];
  void *out[1];
  int r;
  in[0] = boxes;
  in[1] = scores;
  in[2] = &max_out;
  in[3] = &iou;
  in[4] = &thr;
  out[0] = sel;
  r = nms_run(in, out, aligned_arena(nms_storage));
  printf("nms %lld %g %g: status %d boxes %lld %lld\n", (long long)max_out,
         iou, thr, r, (long long)sel[0][2], (long long)sel[1][2]);
}

int main(void) {
  static const float x3[6] = {0, 1.5f, 0, -2, 0, 7};
  static const float x4[6] = {1, 1.5f, 0, -2, 0, 7};
  static const float x2[6] = {0, 1.5f, 0, 0, 0, 7};
  static const uint8_t c2[5] = {0, 1, 0, 0, 1};
  static const uint8_t c3[5] = {1, 1, 0, 0, 1};
  static const uint8_t c1[5] = {0, 0, 0, 0, 1};
  static const int32_t u3[6] = {5, -1, 5, 3, -1, 5};
  static const int32_t u4[6] = {5, -1, 5, 3, 2, 5};
  static const int32_t u1[6] = {4, 4, 4, 4, 4, 4};
  printf("codes %d\n", NMS_STATUS_SHAPE_MISMATCH);
  nonzero(x3);
  nonzero(x4);
  nonzero(x2);
  compress(c2);
  compress(c3);
  compress(c1);
  unique(u3);
  unique(u4);
  unique(u1);
  nms(2, 0.5f, 0.0f);
  nms(3, 0.95f, 0.0f);
  nms(5, 0.5f, 0.65f);
  nms(0, 0.5f, 0.0f);
  return 0;
}
