#ifndef HEFT_KERNELS_H
#define HEFT_KERNELS_H

/* Hot loops over tensor blocks, written in C so that clang vectorizes them (Swift's SIMD types
   compile these masked reductions to scalar code on Linux). Each kernel makes one pass over its
   block; NaN and infinities are counted and excluded, never assumed away. Arrays are passed as
   `const void *` and need not be aligned to their element type (each element is loaded with
   memcpy): blocks are used in place in a file's memory map, where an entry of a zip archive starts
   at any byte. */

#include <stddef.h>

/* |a - b| statistics of one block: pairs whose difference is finite. */
typedef struct {
    double sum;             /* sum of |a - b| over finite differences */
    double max_diff;        /* largest finite |a - b| (0 if none) */
    double max_rel;         /* largest |a - b| / |b| over finite differences with b != 0 */
    long mismatches;        /* finite differences with |a - b| > atol + rtol * |b| */
    long non_finite;        /* pairs whose difference is NaN or infinite (compare them one by one) */
} heft_difference;

void heft_compare_f32(const void *a, const void *b, size_t n, float atol, float rtol, heft_difference *out);
void heft_compare_f64(const void *a, const void *b, size_t n, double atol, double rtol, heft_difference *out);

/* The first index whose finite |a - b| equals `value`, or n. */
size_t heft_find_difference_f32(const void *a, const void *b, size_t n, double value);
size_t heft_find_difference_f64(const void *a, const void *b, size_t n, double value);

/* Value statistics of one block. */
typedef struct {
    long finite, nan, infinite, zeros;
    double min, max, sum;   /* over finite values; min = +inf and max = -inf if none */
} heft_statistics;

void heft_statistics_f32(const void *x, size_t n, heft_statistics *out);
void heft_statistics_f64(const void *x, size_t n, heft_statistics *out);

/* Sum of (x - mean)^2 over the finite values. */
double heft_squared_deviations_f32(const void *x, size_t n, double mean);
double heft_squared_deviations_f64(const void *x, size_t n, double mean);

/* NaN and infinite elements of one block: what `heft verify` checks in every tensor, in one pass
   that costs a fraction of the statistics. */
typedef struct {
    long nan, infinite;
} heft_non_finite;

void heft_count_non_finite_f32(const void *x, size_t n, heft_non_finite *out);
void heft_count_non_finite_f64(const void *x, size_t n, heft_non_finite *out);

#endif
