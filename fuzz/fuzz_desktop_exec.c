/* fuzz_desktop_exec.c: desktop entry Exec splitting (escapes, quoting,
 * field codes) with small and large output buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brain/desktop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    char big[DESKTOP_EXEC_MAX * 2], small[16], *argv[DESKTOP_ARGS_MAX + 1];
    size_t argc;
    (void)desktop_exec_argv(text, big, sizeof big, argv, DESKTOP_ARGS_MAX + 1, &argc);
    (void)desktop_exec_argv(text, small, sizeof small, argv, 3, &argc);
    free(text);
    return 0;
}
