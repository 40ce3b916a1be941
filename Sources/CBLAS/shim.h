#ifndef HEFT_CBLAS_SHIM_H
#define HEFT_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface. Every symbol Heft uses is a plain function or enum, so no accessor is needed.
#include <cblas.h>
#endif
