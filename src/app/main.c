/* main.c: entry point (placeholder until the supervisor lands). */
#include "common/log.h"
int main(void) { log_info("wyzer"); return 0; }
