/* link.c: names for the worker roles. */
#include "ipc/link.h"

const char *link_role_name(wz_role r) { return r == ROLE_CORE ? "core" : "brain"; }

volatile sig_atomic_t link_term_requested;
