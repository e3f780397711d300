/* Host test harness for any whittle-compiled model (hosted C99; the model
 * itself needs nothing). Build with the model's header selected by macros:
 *
 *   cc -std=c99 -I<dir> -DWHITTLE_HEADER='"NAME.h"' -DWHITTLE_NAME=NAME \
 *      whittle_harness.c NAME.o -o harness
 *   ./harness in0.bin ... -- out0.bin ...
 *
 * Reads each input as raw bytes (sizes checked against the header), runs the
 * model once on a 64-byte aligned arena poisoned with 0xA5, writes outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include WHITTLE_HEADER

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define M(suffix) CAT(WHITTLE_NAME, suffix)
#define UP(suffix) CAT(WHITTLE_UPPER, suffix)

#ifndef WHITTLE_UPPER
#error "define WHITTLE_UPPER as the upper-case model name"
#endif

static const size_t input_sizes[] = UP(_INPUT_SIZES);
static const size_t output_sizes[] = UP(_OUTPUT_SIZES);

static int read_file(const char *path, void *dst, size_t size) {
  FILE *f = fopen(path, "rb");
  long got;
  if (!f) {
    fprintf(stderr, "harness: cannot open %s\n", path);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  got = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (got < 0 || (size_t)got != size) {
    fprintf(stderr, "harness: %s has %ld bytes, the model expects %lu\n", path,
            got, (unsigned long)size);
    fclose(f);
    return 1;
  }
  if (size && fread(dst, 1, size, f) != size) {
    fprintf(stderr, "harness: cannot read %s\n", path);
    fclose(f);
    return 1;
  }
  fclose(f);
  return 0;
}

static int write_file(const char *path, const void *src, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(src, 1, size, f) != size)) {
    fprintf(stderr, "harness: cannot write %s\n", path);
    if (f)
      fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

/* Aligned storage without C11: over-allocate and round up. */
static void *aligned(size_t size, void **base) {
  *base = malloc(size + 64);
  if (!*base)
    return NULL;
  return (void *)(((size_t)*base + 63) & ~(size_t)63);
}

int main(int argc, char **argv) {
  enum { NI = UP(_NUM_INPUTS), NO = UP(_NUM_OUTPUTS) };
  const void *inputs[NI + 1] = {0};
  void *outputs[NO + 1] = {0};
  void *bases[NI + NO + 1] = {0};
  void *arena_base;
  unsigned char *arena;
  int i, sep = -1, rc;
  for (i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--") == 0)
      sep = i;
  if (sep < 0 || sep - 1 != NI || argc - sep - 1 != NO) {
    fprintf(stderr, "usage: %s <%d inputs> -- <%d outputs>\n", argv[0], NI, NO);
    return 2;
  }
  for (i = 0; i < NI; ++i) {
    void *p = aligned(input_sizes[i], &bases[i]);
    if (!p || read_file(argv[1 + i], p, input_sizes[i]))
      return 1;
    inputs[i] = p;
  }
  for (i = 0; i < NO; ++i) {
    void *p = aligned(output_sizes[i], &bases[NI + i]);
    if (!p)
      return 1;
    memset(p, 0xA5, output_sizes[i]);
    outputs[i] = p;
  }
  arena = aligned(UP(_ARENA_SIZE) + 1, &arena_base);
  if (!arena)
    return 1;
  memset(arena, 0xA5, UP(_ARENA_SIZE) + 1);
  rc = M(_run)(inputs, outputs, arena);
  if (rc != 0) {
    fprintf(stderr, "harness: model returned %d\n", rc);
    return 1;
  }
  for (i = 0; i < NO; ++i)
    if (write_file(argv[sep + 1 + i], outputs[i], output_sizes[i]))
      return 1;
  for (i = 0; i < NI + NO; ++i)
    free(bases[i]);
  free(arena_base);
  return 0;
}
