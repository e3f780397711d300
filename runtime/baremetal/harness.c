/* Bare-metal test harness for any whittle-compiled model: the counterpart
 * of runtime/harness/whittle_harness.c for boards without a file system,
 * run under QEMU with semihosting. Build it with the model's header selected
 * by macros, a board port (port.h) and a data file that links the inputs in:
 *
 *   CC ... -I<dir> -DWHITTLE_HEADER='"NAME.h"' -DWHITTLE_NAME=NAME \
 *      -DWHITTLE_UPPER=NAME_UPPER harness.c <port files> data.S NAME.o
 *
 * data.S (written by test/e2e/run_on_target.py) defines
 *   whittle_inputs[]        address of each input, model order
 *   whittle_input_bytes[]   its size in bytes (checked against the header)
 *   whittle_output_prefix   host path prefix: output i goes to PREFIX<i>.bin
 *
 * The harness poisons the arena and the outputs with 0xA5, runs the model
 * once between bm_counter_start()/bm_counter_read(), checks that the 64 bytes
 * after the arena and after every output are untouched, writes each output to
 * the host through semihosting and exits with 0, or non-zero on any failure
 * (the model's return code if that is what failed). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include WHITTLE_HEADER
#include "port.h"

#include "../harness/whittle_model_macros.h"

enum { NI = UP(_NUM_INPUTS), NO = UP(_NUM_OUTPUTS), GUARD = 64 };

extern const void *const whittle_inputs[];
extern const size_t whittle_input_bytes[];
extern const char whittle_output_prefix[];

static const size_t input_sizes[] = UP(_INPUT_SIZES);
static const size_t output_sizes[] = UP(_OUTPUT_SIZES);

/* The arena is static so the linker map shows the model's whole RAM need. */
static unsigned char arena[UP(_ARENA_SIZE) + GUARD]
    __attribute__((aligned(64), section(".bss.whittle_arena")));

/* Decimal text of a 64-bit value: printf's %llu is optional in small libcs. */
static const char *u64(uint64_t v, char buf[24]) {
  char *p = buf + 23;
  *p = '\0';
  do
    *--p = (char)('0' + v % 10);
  while (v /= 10);
  return p;
}

static int intact(const unsigned char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (p[i] != 0xA5)
      return 0;
  return 1;
}

static int write_output(int index, const void *src, size_t size) {
  char path[512];
  FILE *f;
  size_t n = strlen(whittle_output_prefix);
  if (n + 16 > sizeof path)
    return 1;
  memcpy(path, whittle_output_prefix, n);
  sprintf(path + n, "%d.bin", index);
  f = fopen(path, "wb");
  if (!f || (size && fwrite(src, 1, size, f) != size)) {
    printf("harness: cannot write %s\n", path);
    if (f)
      fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

int main(void) {
  const void *inputs[NI + 1] = {0};
  void *outputs[NO + 1] = {0};
  unsigned char *out[NO + 1] = {0};
  char buf[24];
  uint64_t insns;
  int i, rc;

  for (i = 0; i < NI; ++i) {
    if (whittle_input_bytes[i] != input_sizes[i]) {
      printf("harness: input %d has %lu bytes, the model expects %lu\n", i,
             (unsigned long)whittle_input_bytes[i],
             (unsigned long)input_sizes[i]);
      return 2;
    }
    inputs[i] = whittle_inputs[i];
  }
  for (i = 0; i < NO; ++i) {
    void *base = malloc(output_sizes[i] + GUARD + 64);
    if (!base) {
      printf("harness: no heap for output %d (%lu bytes)\n", i,
             (unsigned long)output_sizes[i]);
      return 2;
    }
    out[i] = (unsigned char *)(((uintptr_t)base + 63) & ~(uintptr_t)63);
    memset(out[i], 0xA5, output_sizes[i] + GUARD);
    outputs[i] = out[i];
  }
  memset(arena, 0xA5, sizeof arena);

  bm_counter_start();
  rc = M(_run)(inputs, outputs, arena);
  insns = bm_counter_read();

  printf("harness: model returned %d\n", rc);
  printf("harness: instructions per inference: %s (resolution %lu)\n",
         u64(insns, buf), (unsigned long)bm_counter_resolution());
  if (rc != 0)
    return rc;
  if (!intact(arena + UP(_ARENA_SIZE), GUARD)) {
    printf("harness: the model wrote past its arena\n");
    return 3;
  }
  for (i = 0; i < NO; ++i)
    if (!intact(out[i] + output_sizes[i], GUARD)) {
      printf("harness: the model wrote past output %d\n", i);
      return 3;
    }
  printf("harness: guards intact\n");
  for (i = 0; i < NO; ++i)
    if (write_output(i, out[i], output_sizes[i]))
      return 4;
  printf("harness: wrote %d outputs\n", NO);
  return 0;
}
