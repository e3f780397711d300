/* Runs the compiled tiny_cnn model on a synthetic image (a bright diagonal
 * stroke) and prints the class probabilities. Links against tiny_cnn.o or
 * tiny_cnn.c produced by whittle; needs nothing else. */
#include <stdio.h>

#include "tiny_cnn.h"

/* The caller owns all memory: a static, aligned arena of the planned size. */
static _Alignas(TINY_CNN_ARENA_ALIGN) unsigned char arena[TINY_CNN_ARENA_SIZE + 1];

int main(void) {
  static float image[1][1][16][16];
  float probs[1][3];
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      image[0][0][y][x] = (x == y || x == y + 1) ? 1.0f : -0.25f;

  const void *inputs[TINY_CNN_NUM_INPUTS] = {image};
  void *outputs[TINY_CNN_NUM_OUTPUTS] = {probs};
  if (tiny_cnn_run(inputs, outputs, arena) != 0) {
    fprintf(stderr, "tiny_cnn_run failed\n");
    return 1;
  }
  printf("arena: %d bytes\n", TINY_CNN_ARENA_SIZE);
  for (int i = 0; i < 3; ++i)
    printf("class %d: %.6f\n", i, probs[0][i]);
  return 0;
}
