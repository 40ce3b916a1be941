#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H

#include <mpi.h>

/*
 * Accessors for Open MPI's predefined handles, which are macros over addresses of library globals
 * (`MPI_COMM_WORLD` is `&ompi_mpi_comm_world`) that Swift cannot import, plus the status and
 * thread-level constants the Cluster module uses. Only Sources/Cluster imports this module.
 */
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

#endif
