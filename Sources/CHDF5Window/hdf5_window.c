#include "hdf5_window.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The window, as stored in a file-access property list. */
typedef struct {
    uint64_t offset;
    uint64_t length;
} heft_window_info;

/* An open window: the driver's public fields first, as libhdf5 requires. */
typedef struct {
    H5FD_t public_part;
    int descriptor;
    heft_window_info window;
    haddr_t eoa;
    dev_t device;
    ino_t inode;
} heft_window_file;

static hid_t window_driver_id = -1;
static pthread_once_t window_registration = PTHREAD_ONCE_INIT;

static void *window_fapl_get(H5FD_t *file) {
    heft_window_file *window = (heft_window_file *)file;
    heft_window_info *copy = malloc(sizeof *copy);
    if (copy) *copy = window->window;
    return copy;
}

static void *window_fapl_copy(const void *info) {
    heft_window_info *copy = malloc(sizeof *copy);
    if (copy) memcpy(copy, info, sizeof *copy);
    return copy;
}

static herr_t window_fapl_free(void *info) {
    free(info);
    return 0;
}

static H5FD_t *window_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
    (void)maxaddr;
    if (flags & (H5F_ACC_RDWR | H5F_ACC_TRUNC | H5F_ACC_CREAT)) return NULL;   /* read-only */
    const heft_window_info *info = H5Pget_driver_info(fapl);
    if (!info) return NULL;
    int descriptor = open(name, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) return NULL;
    struct stat status;
    if (fstat(descriptor, &status) != 0 || info->offset > (uint64_t)status.st_size
        || info->length > (uint64_t)status.st_size - info->offset) {
        close(descriptor);
        return NULL;
    }
    heft_window_file *file = calloc(1, sizeof *file);
    if (!file) {
        close(descriptor);
        return NULL;
    }
    file->descriptor = descriptor;
    file->window = *info;
    file->device = status.st_dev;
    file->inode = status.st_ino;
    return &file->public_part;
}

static herr_t window_close(H5FD_t *file) {
    heft_window_file *window = (heft_window_file *)file;
    int failed = close(window->descriptor);
    free(window);
    return failed ? -1 : 0;
}

static int window_compare(const H5FD_t *a, const H5FD_t *b) {
    const heft_window_file *x = (const heft_window_file *)a, *y = (const heft_window_file *)b;
    if (x->device != y->device) return x->device < y->device ? -1 : 1;
    if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
    if (x->window.offset != y->window.offset) return x->window.offset < y->window.offset ? -1 : 1;
    return 0;
}

static herr_t window_query(const H5FD_t *file, unsigned long *flags) {
    (void)file;
    *flags = H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA;
    return 0;
}

static haddr_t window_get_eoa(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return ((const heft_window_file *)file)->eoa;
}

static herr_t window_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t address) {
    (void)type;
    ((heft_window_file *)file)->eoa = address;
    return 0;
}

static haddr_t window_get_eof(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return (haddr_t)((const heft_window_file *)file)->window.length;
}

static herr_t window_get_handle(H5FD_t *file, hid_t fapl, void **handle) {
    (void)fapl;
    *handle = &((heft_window_file *)file)->descriptor;
    return 0;
}

static herr_t window_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t address, size_t size, void *buffer) {
    (void)type;
    (void)dxpl;
    heft_window_file *window = (heft_window_file *)file;
    unsigned char *bytes = buffer;
    uint64_t length = window->window.length;
    while (size > 0) {
        if (address >= length) {   /* past the window: zeros, as past the end of a file */
            memset(bytes, 0, size);
            return 0;
        }
        size_t chunk = size;
        if ((uint64_t)chunk > length - address) chunk = (size_t)(length - address);
        ssize_t count = pread(window->descriptor, bytes, chunk, (off_t)(window->window.offset + address));
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) return -1;
        bytes += count;
        address += (haddr_t)count;
        size -= (size_t)count;
    }
    return 0;
}

static herr_t window_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t address, size_t size, const void *buffer) {
    (void)file; (void)type; (void)dxpl; (void)address; (void)size; (void)buffer;
    return -1;   /* read-only */
}

static herr_t window_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
    (void)file; (void)dxpl; (void)closing;
    return 0;
}

static const H5FD_class_t window_class = {
    .name = "heft_window",
    .maxaddr = (haddr_t)INT64_MAX,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(heft_window_info),
    .fapl_get = window_fapl_get,
    .fapl_copy = window_fapl_copy,
    .fapl_free = window_fapl_free,
    .open = window_open,
    .close = window_close,
    .cmp = window_compare,
    .query = window_query,
    .get_eoa = window_get_eoa,
    .set_eoa = window_set_eoa,
    .get_eof = window_get_eof,
    .get_handle = window_get_handle,
    .read = window_read,
    .write = window_write,
    .truncate = window_truncate,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

static void register_window_driver(void) {
    window_driver_id = H5FDregister(&window_class);
}

herr_t heft_set_fapl_window(hid_t fapl, uint64_t offset, uint64_t length) {
    pthread_once(&window_registration, register_window_driver);   /* once per process; libhdf5 is never closed */
    if (window_driver_id < 0) return -1;
    heft_window_info info = {offset, length};
    return H5Pset_driver(fapl, window_driver_id, &info);
}
