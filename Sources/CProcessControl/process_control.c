#include "process_control.h"
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int heft_die_with_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() != parent ? 1 : 0;
}
