/* fuzz_config.c: libFuzzer target for the INI configuration loader
 * (libinih plus Wyzer's key table and value validation). */
#include "app/config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("wz-fuzz-config", 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    static wz_config cfg;
    config_init(&cfg);
    char err[1024];
    (void)config_load_file(&cfg, path, err, sizeof err);
    return 0;
}
