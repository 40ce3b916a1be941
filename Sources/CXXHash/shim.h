#ifndef HEFT_CXXHASH_SHIM_H
#define HEFT_CXXHASH_SHIM_H
// Debian's libxxhash (0.8): XXH3-128 one-shot and streaming. Functions and plain structs only.
#include <xxhash.h>
#endif
