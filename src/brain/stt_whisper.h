/* stt_whisper.h: pieces of the Whisper HTTP engines exposed for tests and
 * fuzzing. The engines themselves are reached through stt.h
 * (stt.engine = whisper-server | openai). */
#ifndef WZ_STT_WHISPER_H
#define WZ_STT_WHISPER_H

#include <stddef.h>

#include "common/wz.h"

/* Largest response body accepted; a longer one is an error, not truncated.
 * 1 MiB is ~100x the JSON for a 60 s utterance. */
#define STT_WHISPER_MAX_RESPONSE (1024 * 1024)

/* Parses a transcription response body: a JSON object with a string "text"
 * (whisper.cpp /inference with response_format=json and OpenAI
 * /v1/audio/transcriptions both answer that way). The text is copied with
 * surrounding whitespace trimmed. Pure function, no allocation that outlives
 * the call, safe for any bytes (fuzzed by fuzz/fuzz_whisper_response.c).
 * Returns WZ_OK; WZ_PROTO (err says why: not JSON, no "text", or the server's
 * own {"error": ...} message); WZ_TOOBIG if the text does not fit in cap or
 * len > STT_WHISPER_MAX_RESPONSE. On error text is "". */
WZ_MUST_CHECK int stt_whisper_parse_response(const char *body, size_t len, char *text, size_t cap,
                                             char *err, size_t errlen);

#endif
