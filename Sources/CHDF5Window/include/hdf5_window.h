#ifndef HEFT_HDF5_WINDOW_H
#define HEFT_HDF5_WINDOW_H

#include <hdf5.h>
#include <stdint.h>

/* A read-only HDF5 file driver that sees the bytes [offset, offset + length) of a file as a whole
   HDF5 file: what opens a `model.weights.h5` stored (uncompressed) inside a `.keras` zip archive
   in place, without copying it out. Reads past the window read zeros, as the POSIX driver does past
   the end of a file; the window's length is the file's end (so a window shorter than the HDF5 data
   it holds reads as a truncated file). Writes fail. */

/* Sets `fapl` to open files through the window driver with this window. Returns a negative value
   (with the HDF5 error stack set) on failure. */
herr_t heft_set_fapl_window(hid_t fapl, uint64_t offset, uint64_t length);

#endif
