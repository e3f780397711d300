/* Host test harness for any whittle-compiled model (hosted C99; the model
 * itself needs nothing). Build with the model's header selected by macros:
 *
 *   cc -std=c99 -I<dir> -DWHITTLE_HEADER='"NAME.h"' -DWHITTLE_NAME=NAME \
 *      whittle_harness.c NAME.o -o harness
 *   ./harness in0.bin ... -- out0.bin ...
 *
 * Reads each input as raw bytes (sizes checked against the header), runs the
 * model on a 64-byte aligned arena poisoned with 0xA5, writes outputs. An
 * input file may hold a batch of k samples back to back (every input the
 * same k): the model then runs k times and each output file holds k results.
 *
 * -DWHITTLE_GUARD (POSIX) checks the arena discipline: every input, output
 * and the arena sits between PROT_NONE guard pages (inputs read-only), the
 * bytes between the guards and the buffer hold a canary, and each
 * sample runs twice, on an arena and outputs poisoned with 0xA5 and then
 * 0xFF (NaN): the two results must be byte-identical. Any access outside
 * the buffers faults; a read of memory the model did not write first shows
 * as differing results. */
#ifdef WHITTLE_GUARD
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS under -std=c99 */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef WHITTLE_GUARD
#include <sys/mman.h>
#include <unistd.h>
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif
#endif

#include WHITTLE_HEADER

#include "whittle_model_macros.h"

static const size_t input_sizes[] = UP(_INPUT_SIZES);
static const size_t output_sizes[] = UP(_OUTPUT_SIZES);

/* Reads a whole file into fresh memory; `*size` gets its length. */
static void *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  long got;
  void *p;
  if (!f) {
    fprintf(stderr, "harness: cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  got = ftell(f);
  fseek(f, 0, SEEK_SET);
  p = got >= 0 ? malloc((size_t)got + 1) : NULL;
  if (!p || (got && fread(p, 1, (size_t)got, f) != (size_t)got)) {
    fprintf(stderr, "harness: cannot read %s\n", path);
    free(p);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *size = (size_t)got;
  return p;
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

#ifdef WHITTLE_GUARD
enum { CANARY = 0x3C };
/* `size` bytes, 64-byte aligned, ending as close to a PROT_NONE page as the
 * alignment allows, with another guard page in front. */
static void *aligned(size_t size, void **base) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t body = ((size + 63) / 64 * 64 + page - 1) / page * page;
  unsigned char *p, *start;
  if (body == 0)
    body = page;
  p = mmap(NULL, body + 2 * page, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  if (mprotect(p, page, PROT_NONE) ||
      mprotect(p + page + body, page, PROT_NONE)) {
    munmap(p, body + 2 * page);
    return NULL;
  }
  start = p + page + body - (size + 63) / 64 * 64;
  memset(p + page, CANARY, body);
  *base = p;
  return start;
}
/* The canary bytes around the buffer: from the leading guard page to its
 * start, and from its end to the trailing guard page. */
static int canary_intact(const unsigned char *buf, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const unsigned char *first = (const unsigned char *)((size_t)buf / page * page);
  size_t i, slack = (size + 63) / 64 * 64 - size;
  for (; first < buf; ++first)
    if (*first != CANARY)
      return 0;
  for (i = 0; i < slack; ++i)
    if (buf[size + i] != CANARY)
      return 0;
  return 1;
}
static void release(void *base, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t body = ((size + 63) / 64 * 64 + page - 1) / page * page;
  munmap(base, (body ? body : page) + 2 * page);
}
static void read_only(void *buf, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t start = (size_t)buf / page * page;
  mprotect((void *)start, (size_t)buf + size - start, PROT_READ);
}
static void writable(void *buf, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t start = (size_t)buf / page * page;
  mprotect((void *)start, (size_t)buf + size - start, PROT_READ | PROT_WRITE);
}
#define RUNS 2
#else
/* Aligned storage without C11: over-allocate and round up. */
static void *aligned(size_t size, void **base) {
  *base = malloc(size + 64);
  if (!*base)
    return NULL;
  return (void *)(((size_t)*base + 63) & ~(size_t)63);
}
static int canary_intact(const unsigned char *buf, size_t size) {
  (void)buf;
  (void)size;
  return 1;
}
static void release(void *base, size_t size) {
  (void)size;
  free(base);
}
static void read_only(void *buf, size_t size) {
  (void)buf;
  (void)size;
}
static void writable(void *buf, size_t size) {
  (void)buf;
  (void)size;
}
#define RUNS 1
#endif

int main(int argc, char **argv) {
  enum { NI = UP(_NUM_INPUTS), NO = UP(_NUM_OUTPUTS) };
  const void *inputs[NI + 1] = {0};
  void *outputs[NO + 1] = {0};
  unsigned char *in_data[NI + 1] = {0};
  void *in_buf[NI + 1] = {0};
  unsigned char *out_data[NO + 1] = {0};
  void *bases[NI + NO + 1] = {0};
  void *arena_base;
  unsigned char *arena;
  size_t arena_size;
  size_t batch = 1, k;
  int i, sep = -1, rc;
  for (i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--") == 0)
      sep = i;
  if (sep < 0 || sep - 1 != NI || argc - sep - 1 != NO) {
    fprintf(stderr, "usage: %s <%d inputs> -- <%d outputs>\n", argv[0], NI, NO);
    return 2;
  }
  for (i = 0; i < NI; ++i) {
    size_t size = 0, n;
    in_data[i] = slurp(argv[1 + i], &size);
    if (!in_data[i])
      return 1;
    n = input_sizes[i] ? size / input_sizes[i] : 1;
    if ((input_sizes[i] && (size % input_sizes[i] || n == 0)) ||
        (i > 0 && n != batch)) {
      fprintf(stderr,
              "harness: %s has %lu bytes, the model expects %lu per sample%s\n",
              argv[1 + i], (unsigned long)size, (unsigned long)input_sizes[i],
              i > 0 ? " and the same batch for every input" : "");
      return 1;
    }
    batch = n;
    /* Each sample is copied to 64-byte aligned storage before the run. */
    in_buf[i] = aligned(input_sizes[i], &bases[i]);
    if (!in_buf[i])
      return 1;
    inputs[i] = in_buf[i];
  }
  for (i = 0; i < NO; ++i) {
    outputs[i] = aligned(output_sizes[i], &bases[NI + i]);
    out_data[i] = malloc(output_sizes[i] * batch + 1);
    if (!outputs[i] || !out_data[i])
      return 1;
  }
  arena_size = UP(_ARENA_SIZE); /* a variable: gcc flags memset(p, c, 0) */
  arena = aligned(arena_size, &arena_base);
  if (!arena)
    return 1;
  for (k = 0; k < batch; ++k) {
    static const unsigned char poison[2] = {0xA5, 0xFF};
    int r;
    for (i = 0; i < NI; ++i) {
      writable(in_buf[i], input_sizes[i]);
      memcpy(in_buf[i], in_data[i] + k * input_sizes[i],
             input_sizes[i]);
      read_only(in_buf[i], input_sizes[i]);
    }
    for (r = 0; r < RUNS; ++r) {
      for (i = 0; i < NO; ++i)
        memset(outputs[i], poison[r], output_sizes[i]);
      memset(arena, poison[r], arena_size);
      rc = M(_run)(inputs, outputs, arena);
      if (rc != 0) {
        fprintf(stderr, "harness: model returned %d\n", rc);
        return 1;
      }
      if (!canary_intact(arena, arena_size)) {
        fprintf(stderr, "harness: the model wrote past the end of its arena\n");
        return 1;
      }
      for (i = 0; i < NO; ++i) {
        unsigned char *dst = out_data[i] + k * output_sizes[i];
        if (!canary_intact(outputs[i], output_sizes[i])) {
          fprintf(stderr, "harness: the model wrote past output %d\n", i);
          return 1;
        }
        if (r > 0 && memcmp(dst, outputs[i], output_sizes[i]) != 0) {
          fprintf(stderr, "harness: output %d depends on the arena's or the "
                          "output's prior contents\n", i);
          return 1;
        }
        memcpy(dst, outputs[i], output_sizes[i]);
      }
    }
  }
  for (i = 0; i < NO; ++i)
    if (write_file(argv[sep + 1 + i], out_data[i], output_sizes[i] * batch))
      return 1;
  for (i = 0; i < NI; ++i)
    release(bases[i], input_sizes[i]);
  for (i = 0; i < NO; ++i)
    release(bases[NI + i], output_sizes[i]);
  for (i = 0; i < NI; ++i)
    free(in_data[i]);
  for (i = 0; i < NO; ++i)
    free(out_data[i]);
  release(arena_base, arena_size);
  return 0;
}
