/* tiny_cnn on a bare-metal Cortex-M4F: the host example (../run_tiny_cnn.c)
 * on QEMU's mps2-an386 board. The model object is all the inference code;
 * runtime/baremetal/cortex-m/startup.c boots the board and sends stdio to
 * the host through semihosting. Prints the class probabilities (x 1e-6, as
 * integers: newlib-nano's printf has no %f) and the instructions the
 * inference took (exact under `qemu -icount shift=0`, as `make run` uses). */
#include <stdint.h>
#include <stdio.h>

#include "port.h"
#include "tiny_cnn.h"

/* The caller owns all memory: a static, aligned arena of the planned size. */
static unsigned char arena[TINY_CNN_ARENA_SIZE]
    __attribute__((aligned(TINY_CNN_ARENA_ALIGN)));

int main(void) {
  static float image[1][1][16][16];
  float probs[1][3];
  const void *inputs[TINY_CNN_NUM_INPUTS] = {image};
  void *outputs[TINY_CNN_NUM_OUTPUTS] = {probs};
  uint64_t insns;
  int x, y, i, rc;

  for (y = 0; y < 16; ++y)
    for (x = 0; x < 16; ++x)
      image[0][0][y][x] = (x == y || x == y + 1) ? 1.0f : -0.25f;

  bm_counter_start();
  rc = tiny_cnn_run(inputs, outputs, arena);
  insns = bm_counter_read();
  if (rc != 0) {
    printf("tiny_cnn_run failed: %d\n", rc);
    return 1;
  }
  printf("arena: %d bytes\n", TINY_CNN_ARENA_SIZE);
  for (i = 0; i < 3; ++i)
    printf("class %d: %ld ppm\n", i, (long)(probs[0][i] * 1e6f + 0.5f));
  printf("instructions: %lu\n", (unsigned long)insns);
  return 0;
}
