/* sentence.h: incremental sentence splitter for streamed LLM text.
 *
 * Text arrives in arbitrary fragments (tokens); each complete sentence is
 * handed to a callback as soon as it is certain, so TTS can start speaking
 * the first sentence while the model is still writing the rest.
 *
 * A sentence ends at . ! ? or an ellipsis followed by whitespace, or at a
 * newline. It does not end at:
 *   - abbreviations: Dr. Mr. Mrs. Ms. Prof. St. vs. e.g. i.e. cf. and single
 *     capital initials ("J. R. R. Tolkien");
 *   - etc. a.m. p.m. Inc. Ltd. Jr. Sr. and "..." unless the next word starts
 *     with a capital letter or digit;
 *   - dots inside tokens: decimals (3.14), versions, URLs (example.com/path),
 *     because those dots are not followed by whitespace;
 *   - a list number alone ("1. ").
 * Closing quotes and brackets after the terminator stay with the sentence.
 *
 * Memory: a fixed buffer inside the struct, no allocation. A run of text
 * with no boundary longer than SENTENCE_MAX_BYTES is split at its last space
 * (or, with none, at a UTF-8 character boundary): text is never dropped.
 *
 * Thread safety: one splitter per thread; no globals. Not for the audio
 * thread (the callback usually does I/O). */
#ifndef WZ_SENTENCE_H
#define WZ_SENTENCE_H

#include <stddef.h>

/* 1 KiB is ~20 seconds of speech; longer runs without punctuation are
 * broken up so TTS never waits on one giant sentence. */
#define SENTENCE_MAX_BYTES 1024

/* Receives one trimmed, non-empty, NUL-terminated sentence. The string is
 * only valid during the call. */
typedef void (*sentence_fn)(void *ctx, const char *sentence);

typedef struct sentence_splitter {
    char buf[SENTENCE_MAX_BYTES + 1];
    size_t len;
    sentence_fn fn;
    void *ctx;
} sentence_splitter;

/* Never fails. */
void sentence_init(sentence_splitter *s, sentence_fn fn, void *ctx);

/* Appends text (need not be NUL-terminated) and emits every sentence that is
 * now complete. Returns the number of sentences emitted. */
size_t sentence_feed(sentence_splitter *s, const char *text, size_t len);

/* End of stream: emits whatever is pending as the last sentence. Returns the
 * number emitted (0 or more). The splitter is empty afterwards. */
size_t sentence_flush(sentence_splitter *s);

/* Drops pending text without emitting it (used on interrupt). */
void sentence_reset(sentence_splitter *s);

/* Removes Markdown that a speech synthesizer would read out, in place:
 * '*' and '`' anywhere, leading '#' heading marks and a leading "- " or
 * "* " bullet. Underscores are kept (names, URLs). Returns s. */
char *sentence_strip_markdown(char *s);

#endif
