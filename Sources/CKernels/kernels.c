#include "kernels.h"
#include <math.h>
#include <string.h>

/* The loops use clang's vector extensions: 8 float32 (or 4 float64) lanes per step, compiled to
   whatever SIMD the target has; the remainder runs lane by lane through the same code. Lanes are
   selected with masks, never branched on, and NaN/infinity tests are explicit. */

/* Every kernel is compiled twice, for the x86-64 baseline (SSE2) and for AVX2, and the dynamic
   loader picks the one the CPU runs (an ifunc): 2.6x faster statistics where AVX2 exists, and
   still one binary for every x86-64 machine. FMA stays off in both, so that both round alike and
   a result never depends on the machine. */
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define HEFT_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define HEFT_KERNEL
#endif

/* Element `i` of the array of T at `p`, which need not be aligned to T: blocks come straight from
   a file's memory map, where a `.keras` archive's entry starts wherever the zip put it. */
#define AT(T, p, i) ({ T at_; memcpy(&at_, (const char *)(p) + (i) * sizeof(T), sizeof at_); at_; })

/* One comparison step over the lanes of vector type V (mask type M), in the inputs' precision;
   the differences are summed in double lanes (D), whatever the inputs' precision. */
#define COMPARE_STEP(V, M, D)                                                                    \
    V diff = x - y;                                                                              \
    diff = diff < 0 ? -diff : diff;                                                              \
    M finite = diff < (V)INFINITY;                   /* -1 where finite; 0 for NaN, infinity */  \
    non_finite += finite + 1;                        /* +1 where not finite */                   \
    diff = finite ? diff : 0;                                                                    \
    V magnitude = y < 0 ? -y : y;                                                                \
    M positive = magnitude > 0;                                                                  \
    V ratio = positive ? diff / (positive ? magnitude : 1) : 0;                                  \
    partial += __builtin_convertvector(diff, D);                                                 \
    max_diff = diff > max_diff ? diff : max_diff;                                                \
    max_rel = ratio > max_rel ? ratio : max_rel;                                                 \
    mismatches -= diff > atol + rtol * magnitude;

/* The same step for one pair (the tail of a block). */
#define COMPARE_SCALAR(T)                                                                        \
    for (; i < n; i++) {                                                                         \
        T ai = AT(T, a, i), bi = AT(T, b, i);                                                    \
        T diff = ai - bi;                                                                        \
        diff = diff < 0 ? -diff : diff;                                                          \
        if (!(diff < (T)INFINITY)) { out->non_finite++; continue; }                              \
        T magnitude = bi < 0 ? -bi : bi;                                                   \
        out->sum += diff;                                                                        \
        if (diff > out->max_diff) out->max_diff = diff;                                          \
        if (magnitude > 0 && diff / magnitude > out->max_rel) out->max_rel = diff / magnitude;   \
        out->mismatches += diff > atol_s + rtol_s * magnitude;                                   \
    }

HEFT_KERNEL void heft_compare_f32(const void *a, const void *b, size_t n, float atol_s, float rtol_s, heft_difference *out) {
    typedef float V __attribute__((ext_vector_type(8)));
    typedef int M __attribute__((ext_vector_type(8)));
    typedef double D __attribute__((ext_vector_type(8)));
    const V atol = atol_s, rtol = rtol_s;
    V max_diff = 0, max_rel = 0;
    D partial = 0;
    M mismatches = 0, non_finite = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        V x, y;
        memcpy(&x, (const char *)a + i * sizeof x[0], sizeof x);
        memcpy(&y, (const char *)b + i * sizeof y[0], sizeof y);
        COMPARE_STEP(V, M, D)
    }
    out->sum = 0;
    out->mismatches = 0;
    out->non_finite = 0;
    out->max_diff = 0;
    out->max_rel = 0;
    for (int k = 0; k < 8; k++) {
        out->sum += partial[k];
        out->mismatches += mismatches[k];
        out->non_finite += non_finite[k];
        if (max_diff[k] > out->max_diff) out->max_diff = max_diff[k];
        if (max_rel[k] > out->max_rel) out->max_rel = max_rel[k];
    }
    COMPARE_SCALAR(float)
}

HEFT_KERNEL void heft_compare_f64(const void *a, const void *b, size_t n, double atol_s, double rtol_s, heft_difference *out) {
    typedef double V __attribute__((ext_vector_type(4)));
    typedef long M __attribute__((ext_vector_type(4)));
    const V atol = atol_s, rtol = rtol_s;
    V partial = 0, max_diff = 0, max_rel = 0;
    M mismatches = 0, non_finite = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        V x, y;
        memcpy(&x, (const char *)a + i * sizeof x[0], sizeof x);
        memcpy(&y, (const char *)b + i * sizeof y[0], sizeof y);
        COMPARE_STEP(V, M, V)
    }
    out->sum = 0;
    out->mismatches = 0;
    out->non_finite = 0;
    out->max_diff = 0;
    out->max_rel = 0;
    for (int k = 0; k < 4; k++) {
        out->sum += partial[k];
        out->mismatches += mismatches[k];
        out->non_finite += non_finite[k];
        if (max_diff[k] > out->max_diff) out->max_diff = max_diff[k];
        if (max_rel[k] > out->max_rel) out->max_rel = max_rel[k];
    }
    COMPARE_SCALAR(double)
}

/* |a - b| in the inputs' precision, as the comparison computes it. */
#define FIND(NAME, T)                                                                            \
HEFT_KERNEL size_t NAME(const void *a, const void *b, size_t n, double value) {                \
    for (size_t i = 0; i < n; i++) {                                                             \
        T diff = AT(T, a, i) - AT(T, b, i);                                                                    \
        diff = diff < 0 ? -diff : diff;                                                          \
        if (diff < (T)INFINITY && (double)diff == value) return i;                               \
    }                                                                                            \
    return n;                                                                                    \
}

FIND(heft_find_difference_f32, float)
FIND(heft_find_difference_f64, double)

/* One statistics step over the lanes of V (mask M), in the input's precision; the sum in double
   lanes (D). */
#define STATISTICS_STEP(V, M, D)                                                                 \
    V magnitude = v < 0 ? -v : v;                                                                \
    M is_finite = magnitude < (V)INFINITY;                                                       \
    finite -= is_finite;                                                                         \
    nan -= v != v;                                                                               \
    zeros -= v == 0;                                                                             \
    partial += __builtin_convertvector(is_finite ? v : 0, D);                                    \
    low = (is_finite & (v < low)) ? v : low;                                                     \
    high = (is_finite & (v > high)) ? v : high;

#define STATISTICS_SCALAR(T)                                                                     \
    for (; i < n; i++) {                                                                         \
        T v = AT(T, x, i);                                                                       \
        if (v != v) { out->nan++; continue; }                                                    \
        if (!((v < 0 ? -v : v) < (T)INFINITY)) continue;                                         \
        out->finite++;                                                                           \
        out->zeros += v == 0;                                                                    \
        out->sum += v;                                                                           \
        if (v < out->min) out->min = v;                                                          \
        if (v > out->max) out->max = v;                                                          \
    }                                                                                            \
    out->infinite = (long)n - out->finite - out->nan;

#define STATISTICS(NAME, T, LANES)                                                               \
HEFT_KERNEL void NAME(const void *x, size_t n, heft_statistics *out) {                       \
    typedef T V __attribute__((ext_vector_type(LANES)));                                         \
    typedef double D __attribute__((ext_vector_type(LANES)));                                    \
    typedef __typeof__((V){} < (V){}) M;                                                         \
    M finite = 0, nan = 0, zeros = 0;                                                            \
    V low = INFINITY, high = -INFINITY;                                                          \
    D partial = 0;                                                                               \
    size_t i = 0;                                                                                \
    for (; i + LANES <= n; i += LANES) {                                                         \
        V v;                                                                                     \
        memcpy(&v, (const char *)x + i * sizeof(T), sizeof v);                                                             \
        STATISTICS_STEP(V, M, D)                                                                 \
    }                                                                                            \
    out->finite = 0; out->nan = 0; out->zeros = 0;                                               \
    out->min = INFINITY; out->max = -INFINITY; out->sum = 0;                                     \
    for (int k = 0; k < LANES; k++) {                                                            \
        out->finite += finite[k]; out->nan += nan[k]; out->zeros += zeros[k];                    \
        out->sum += partial[k];                                                                  \
        if (low[k] < out->min) out->min = low[k];                                                \
        if (high[k] > out->max) out->max = high[k];                                              \
    }                                                                                            \
    STATISTICS_SCALAR(T)                                                                         \
}

STATISTICS(heft_statistics_f32, float, 8)
STATISTICS(heft_statistics_f64, double, 4)

/* In double lanes whatever the input's precision: (x - mean)^2 of a float32 of 1e20 is 1e40,
   beyond float32's range. */
#define SQUARED(NAME, T, LANES)                                                                  \
HEFT_KERNEL double NAME(const void *x, size_t n, double mean) {                              \
    typedef T V __attribute__((ext_vector_type(LANES)));                                         \
    typedef double D __attribute__((ext_vector_type(LANES)));                                    \
    typedef __typeof__((D){} < (D){}) M;                                                         \
    const D center = mean;                                                                       \
    D partial = 0;                                                                               \
    double total = 0;                                                                            \
    size_t i = 0;                                                                                \
    for (; i + LANES <= n; i += LANES) {                                                         \
        V raw;                                                                                   \
        memcpy(&raw, (const char *)x + i * sizeof(T), sizeof raw);                                                         \
        D v = __builtin_convertvector(raw, D);                                                   \
        D magnitude = v < 0 ? -v : v;                                                            \
        D d = v - center;                                                                        \
        M finite = magnitude < (D)INFINITY;                                                      \
        partial += finite ? d * d : 0;                                                           \
    }                                                                                            \
    for (int k = 0; k < LANES; k++) total += partial[k];                                         \
    for (; i < n; i++) {                                                                         \
        double v = AT(T, x, i);                                                                  \
        if ((v < 0 ? -v : v) < INFINITY) total += (v - mean) * (v - mean);                       \
    }                                                                                            \
    return total;                                                                                \
}

SQUARED(heft_squared_deviations_f32, float, 8)
SQUARED(heft_squared_deviations_f64, double, 4)

#define NON_FINITE(NAME, T, LANES)                                                               \
HEFT_KERNEL void NAME(const void *x, size_t n, heft_non_finite *out) {                       \
    typedef T V __attribute__((ext_vector_type(LANES)));                                         \
    typedef __typeof__((V){} < (V){}) M;                                                         \
    M nan = 0, infinite = 0;                                                                     \
    size_t i = 0;                                                                                \
    for (; i + LANES <= n; i += LANES) {                                                         \
        V v;                                                                                     \
        memcpy(&v, (const char *)x + i * sizeof(T), sizeof v);                                                             \
        nan -= v != v;                                                                           \
        infinite -= (v < 0 ? -v : v) == (V)INFINITY;                                             \
    }                                                                                            \
    out->nan = 0; out->infinite = 0;                                                             \
    for (int k = 0; k < LANES; k++) { out->nan += nan[k]; out->infinite += infinite[k]; }        \
    for (; i < n; i++) {                                                                         \
        T v = AT(T, x, i);                                                                       \
        out->nan += v != v;                                                                      \
        out->infinite += (v < 0 ? -v : v) == (T)INFINITY;                                        \
    }                                                                                            \
}

NON_FINITE(heft_count_non_finite_f32, float, 8)
NON_FINITE(heft_count_non_finite_f64, double, 4)
