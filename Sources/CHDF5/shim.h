#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

#include <hdf5.h>
#include <string.h>

/*
 * Accessors for HDF5 macros that Swift cannot import.
 *
 * The H5T_* and H5P_* class macros expand to `(H5OPEN H5T_..._g)`: run-time ids that are valid
 * only after H5open(), which the macro itself calls. The H5F_ACC_* flags expand to
 * `(H5CHECK H5OPEN value)`. Swift imports neither, and Swift 6 rejects the raw `*_g` globals as
 * shared mutable state, so each macro gets one `static inline` function here.
 */

/* Native (memory) datatypes. */
static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }

/* Little-endian file datatypes. */
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t chdf5_std_i16le(void) { return H5T_STD_I16LE; }
static inline hid_t chdf5_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t chdf5_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t chdf5_std_u32le(void) { return H5T_STD_U32LE; }
static inline hid_t chdf5_std_u64le(void) { return H5T_STD_U64LE; }

/* Strings. */
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }

/* File access flags. */
static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_excl(void) { return H5F_ACC_EXCL; }

/* Library version bound (an alias macro for the newest H5F_libver_t value). */
static inline H5F_libver_t chdf5_libver_latest(void) { return H5F_LIBVER_LATEST; }

/* Property list classes. */
static inline hid_t chdf5_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t chdf5_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_root_class(void) { return H5P_ROOT; }

/* Error classes (major and minor codes of an error-stack frame) that callers classify by. */
static inline hid_t chdf5_e_args(void) { return H5E_ARGS; }
static inline hid_t chdf5_e_file(void) { return H5E_FILE; }
static inline hid_t chdf5_e_io(void) { return H5E_IO; }
static inline hid_t chdf5_e_cache(void) { return H5E_CACHE; }
static inline hid_t chdf5_e_truncated(void) { return H5E_TRUNCATED; }
static inline hid_t chdf5_e_overflow(void) { return H5E_OVERFLOW; }
static inline hid_t chdf5_e_badvalue(void) { return H5E_BADVALUE; }
static inline hid_t chdf5_e_readerror(void) { return H5E_READERROR; }
static inline hid_t chdf5_e_writeerror(void) { return H5E_WRITEERROR; }
static inline hid_t chdf5_e_nospace(void) { return H5E_NOSPACE; }
static inline hid_t chdf5_e_cantopenfile(void) { return H5E_CANTOPENFILE; }

/* HDF5's automatic error printing is a per-thread setting in thread-safe builds: turn it off for
   the calling thread, once per thread (a thread-local flag makes later calls nearly free). */
static inline void chdf5_silence_errors_on_this_thread(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

/* External links that are listed but never followed. Unregistering HDF5's own external-link class
   removes its query callback (CVE-2018-16438: an out-of-bounds read on a crafted link value) and
   its traversal (which opens another file); this replacement class keeps listing working: its
   query copies the raw link value with bounds checks, and any traversal fails. */
static inline hid_t chdf5_refuse_external_traversal(const char *name, hid_t group, const void *value,
                                                    size_t size, hid_t lapl, hid_t dxpl) {
    (void)name; (void)group; (void)value; (void)size; (void)lapl; (void)dxpl;
    return H5I_INVALID_HID;
}

static inline ssize_t chdf5_copy_external_link_value(const char *name, const void *value, size_t size,
                                                     void *buffer, size_t bufferSize) {
    (void)name;
    if (buffer != NULL && value != NULL) memcpy(buffer, value, size < bufferSize ? size : bufferSize);
    return (ssize_t)size;
}

static inline herr_t chdf5_make_external_links_inert(void) {
    static const H5L_class_t inert = {
        H5L_LINK_CLASS_T_VERS, H5L_TYPE_EXTERNAL, "external link (never followed)",
        NULL, NULL, NULL, chdf5_refuse_external_traversal, NULL, chdf5_copy_external_link_value,
    };
    if (H5Lis_registered(H5L_TYPE_EXTERNAL) > 0 && H5Lunregister(H5L_TYPE_EXTERNAL) < 0) return -1;
    return H5Lregister(&inert);
}

/* A small metadata cache of fixed size. libhdf5 counts only an entry's image against the cache's
   size, not the structures it decodes it into (several times larger); its default cache (up to
   32 MiB, growing) held 136,000 entries and some 280 MiB after indexing 30,000 layers. Heft reads
   each object header about once, so a small cache costs it nothing. */
static inline herr_t chdf5_limit_metadata_cache(hid_t fapl, size_t bytes) {
    H5AC_cache_config_t config;
    config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &config) < 0) return -1;
    config.set_initial_size = 1;
    config.initial_size = bytes;
    config.min_size = bytes;
    config.max_size = bytes;
    config.incr_mode = H5C_incr__off;
    config.flash_incr_mode = H5C_flash_incr__off;
    config.decr_mode = H5C_decr__off;
    return H5Pset_mdc_config(fapl, &config);
}

#endif /* CHDF5_SHIM_H */
