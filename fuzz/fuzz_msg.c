/* fuzz_msg.c: libFuzzer target for the IPC message decoder. */
#include "ipc/msg.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msg m;
    char why[96];
    if (msg_decode(data, size, &m, why, sizeof why) == WZ_OK) {
        /* Touch everything the decoder vouched for. */
        volatile size_t sink = 0;
        if (m.text)
            sink += strlen(m.text);
        if (m.text2)
            sink += strlen(m.text2);
        for (size_t i = 0; i < m.pcm_samples; i++)
            sink += (size_t)(uint16_t)m.pcm[i];
        (void)sink;
    }
    return 0;
}
