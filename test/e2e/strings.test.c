/* Runs a whittle-compiled StringNormalizer: strings are NUL-padded slots of
 * STRNORM_INPUT_0_STRING_BYTES bytes. Bytes after a string's NUL are not
 * part of it; a full slot is a string without NUL. Prints each run's status
 * and output strings for FileCheck. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "strnorm.h"

#define W STRNORM_INPUT_0_STRING_BYTES

static unsigned char storage[STRNORM_ARENA_SIZE + 64];

static void run(const char *words[5]) {
  char x[5][W], y[3][W];
  const void *in[1];
  void *out[1];
  int i, r;
  memset(x, 'z', sizeof x); /* garbage after each NUL */
  memset(y, '?', sizeof y);
  for (i = 0; i < 5; ++i) {
    size_t n = strlen(words[i]);
    memcpy(x[i], words[i], n < W ? n + 1 : W);
  }
  in[0] = x;
  out[0] = y;
  r = strnorm_run(in, out,
                  (void *)(((uintptr_t)storage + 63) & ~(uintptr_t)63));
  printf("status %d:", r);
  if (r == 0)
    for (i = 0; i < 3; ++i)
      printf(" [%.*s] tail %d", W, y[i],
             (int)(memchr(y[i], 0, W) ? W - strlen(y[i]) : 0));
  printf("\n");
}

int main(void) {
  const char *keep3[5] = {"The", "quick", "A", "fox", "jumps"};
  const char *keep4[5] = {"The", "quick", "brown", "fox", "jumps"};
  const char *full[5] = {"a", "0123456789abcdef-overflows", "THE", "x", ""};
  static const int in_sizes[] = STRNORM_INPUT_SIZES;
  static const int out_sizes[] = STRNORM_OUTPUT_SIZES;
  printf("slots %d in %d out %d\n", W, in_sizes[0], out_sizes[0]);
  run(keep3);
  run(keep4);
  run(full);
  return 0;
}
