#ifndef HEFT_PROCESS_CONTROL_H
#define HEFT_PROCESS_CONTROL_H

/* Asks the kernel to SIGKILL the calling process when its parent exits, so an isolated worker
   never outlives `heft` (prctl is variadic: Swift cannot call it directly). Returns 0, or -1 with
   errno set, or 1 when the parent had already exited. */
int heft_die_with_parent(void);

#endif
