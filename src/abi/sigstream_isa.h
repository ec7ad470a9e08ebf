/*
 * Instruction-set levels of the plugins' vector kernels, and the SIGSTREAM_ISA setting that forces one.
 *
 * Levels (x86-64 micro-architecture levels, as compilers name them):
 *   generic  whatever the build targets: x86-64 baseline (SSE2) on x86-64, the architecture's baseline elsewhere
 *   v2       x86-64-v2: SSE4.2, POPCNT (still 2 doubles per vector)
 *   v3       x86-64-v3: AVX2, FMA, BMI2 (4 doubles per vector)
 *   v4       x86-64-v4: AVX-512 F/BW/CD/DQ/VL (8 doubles per vector)
 * A kernel runs at the highest level the CPU has, unless the environment variable SIGSTREAM_ISA names a level
 * (generic, v2, v3 or v4; for measurements and tests): a level the CPU lacks is refused, never run. Kernels give
 * the same results at every level (plugins/README.md says how), so the level changes speed only.
 *
 * Header-only plain C, shared by the host (which checks SIGSTREAM_ISA at start-up) and the plugins (which pick
 * their kernels by it). Detection needs GCC or Clang on x86-64; elsewhere only `generic` exists.
 */
#ifndef SIGSTREAM_ISA_H
#define SIGSTREAM_ISA_H

#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { SIGSTREAM_ISA_GENERIC = 1, SIGSTREAM_ISA_V2 = 2, SIGSTREAM_ISA_V3 = 3, SIGSTREAM_ISA_V4 = 4 };

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(SIGSTREAM_ISA_GENERIC_ONLY)
#define SIGSTREAM_ISA_X86 1
#endif

/* The highest level this CPU (and its operating system) runs. */
static inline int sigstream_isa_cpu(void) {
#ifdef SIGSTREAM_ISA_X86
    __builtin_cpu_init();
#if defined(__clang__)
    /* clang (14) knows the features, not the level names: the levels' defining features (with the OS's support
       for the wider registers, which the feature tests include) */
    const int v2 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
                   __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
    const int v3 = v2 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                   __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    const int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512vl");
    if (v4) return SIGSTREAM_ISA_V4;
    if (v3) return SIGSTREAM_ISA_V3;
    if (v2) return SIGSTREAM_ISA_V2;
#else
    if (__builtin_cpu_supports("x86-64-v4")) return SIGSTREAM_ISA_V4;
    if (__builtin_cpu_supports("x86-64-v3")) return SIGSTREAM_ISA_V3;
    if (__builtin_cpu_supports("x86-64-v2")) return SIGSTREAM_ISA_V2;
#endif
#endif
    return SIGSTREAM_ISA_GENERIC;
}

/* "generic", "v2", "v3", "v4"; "?" for anything else. */
static inline const char* sigstream_isa_name(int level) {
    switch (level) {
        case SIGSTREAM_ISA_GENERIC:
            return "generic";
        case SIGSTREAM_ISA_V2:
            return "v2";
        case SIGSTREAM_ISA_V3:
            return "v3";
        case SIGSTREAM_ISA_V4:
            return "v4";
        default:
            return "?";
    }
}

/* What a level needs, in words ("x86-64-v3: AVX2, FMA"). */
static inline const char* sigstream_isa_description(int level) {
    switch (level) {
        case SIGSTREAM_ISA_GENERIC:
            return "the build's baseline (SSE2 on x86-64)";
        case SIGSTREAM_ISA_V2:
            return "x86-64-v2: SSE4.2, POPCNT";
        case SIGSTREAM_ISA_V3:
            return "x86-64-v3: AVX2, FMA";
        case SIGSTREAM_ISA_V4:
            return "x86-64-v4: AVX-512";
        default:
            return "?";
    }
}

/* The level a name stands for, or 0. */
static inline int sigstream_isa_parse(const char* name) {
    if (name == NULL) return 0;
    if (strcmp(name, "generic") == 0) return SIGSTREAM_ISA_GENERIC;
    if (strcmp(name, "v2") == 0) return SIGSTREAM_ISA_V2;
    if (strcmp(name, "v3") == 0) return SIGSTREAM_ISA_V3;
    if (strcmp(name, "v4") == 0) return SIGSTREAM_ISA_V4;
    return 0;
}

/* The level to run: SIGSTREAM_ISA when it is set and not empty, else the CPU's. Returns 0 when SIGSTREAM_ISA
 * names no level or a level this CPU lacks (the caller refuses to run, naming both). */
static inline int sigstream_isa_chosen(void) {
    const char* forced = getenv("SIGSTREAM_ISA");
    const int cpu = sigstream_isa_cpu();
    if (forced == NULL || forced[0] == '\0') return cpu;
    const int level = sigstream_isa_parse(forced);
    return level != 0 && level <= cpu ? level : 0;
}

#ifdef __cplusplus
}
#endif

#endif
