/* Names of a whittle-compiled model's API from the macros a test harness is
 * built with: WHITTLE_NAME (the --name prefix) and WHITTLE_UPPER (the same,
 * upper case). M(_run) is NAME_run, UP(_ARENA_SIZE) is NAME_ARENA_SIZE.
 * Shared by the host harness and the bare-metal one. */
#ifndef WHITTLE_MODEL_MACROS_H
#define WHITTLE_MODEL_MACROS_H

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define M(suffix) CAT(WHITTLE_NAME, suffix)
#define UP(suffix) CAT(WHITTLE_UPPER, suffix)

#ifndef WHITTLE_UPPER
#error "define WHITTLE_UPPER as the upper-case model name"
#endif

#endif
