/* fuzz_whisper_response.c: the Whisper response parser on arbitrary bodies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brain/stt_whisper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[64], err[128];
    int rc = stt_whisper_parse_response((const char *)data, size, text, sizeof text, err, sizeof err);
    if (rc == 0 && strlen(text) >= sizeof text)
        abort();
    if (rc != 0 && text[0] != '\0')
        abort();
    return 0;
}
