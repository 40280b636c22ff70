/* fuzz_wav.c: libFuzzer target for wav_parse() and the sample conversion.
 * The parser must never read past len, and the samples it returns must be
 * convertible (whole frames inside the buffer). */
#include <stdint.h>
#include <stdlib.h>

#include "core/wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    wav_info info;
    const uint8_t *samples = NULL;
    size_t bytes = 0;
    char err[160];
    if (wav_parse(data, len, &info, &samples, &bytes, err, sizeof(err)) != WZ_OK)
        return 0;
    if (samples < data || samples + bytes > data + len)
        abort();
    size_t frames = (size_t)info.frames;
    if (frames * (size_t)info.channels * (size_t)(info.bits / 8) != bytes)
        abort();
    int16_t out[256];
    wav_to_mono_s16(&info, samples, WZ_MIN(frames, WZ_ARRAY_LEN(out)), out);
    return 0;
}
