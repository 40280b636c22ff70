/* fuzz_ndjson.c: Ollama's NDJSON stream decoder (line splitting, caps,
 * message/tool_calls/done handling) and the sentence splitter behind it. */
#include "fuzz_llm_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_llm_stream(&llm_backend_ollama, data, size);
}
