/* fuzz_sse.c: the OpenAI SSE stream decoder (events, data-line joining,
 * [DONE], tool-call fragments by index) and the sentence splitter. */
#include "fuzz_llm_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_llm_stream(&llm_backend_openai, data, size);
}
