/* intents.h: sentence templates from data/intents/NAME.intent, matched against
 * recognised text, and exported as the PocketSphinx JSGF command grammar so
 * the recogniser and the router read the very same sentences.
 *
 * Template syntax (docs/intents.md): literal words, [optional words],
 * (alt one|alt two), {slot} or {name:type} with type number, duration,
 * percent, day, app, text or expr. Directives start with '@':
 *   @intent NAME TOOL      start an intent (TOOL "control" = control phrase)
 *   @arg KEY VALUE         fixed argument added to every match of the intent
 *   @prefix a | b c        filler words dropped before a request ("please")
 *   @suffix a | b c        filler words dropped after a request ("thanks")
 *   @grammar NAME = BODY   JSGF rule body used for slot NAME (or type NAME)
 *   @pronounce WORD = PHONES  CMU phones for a template word missing from
 *                          the recogniser's dictionary (see intents_pron)
 *
 * Ownership: intents_load_* return an object freed with intents_free().
 * A loaded object is read-only: matching is thread-safe on a shared object.
 * Matching allocates only the returned args object. Not for the audio thread. */
#ifndef WZ_INTENTS_H
#define WZ_INTENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/wz.h"

/* Caps on outside input (text from STT or the CLI). */
#define INTENTS_TEXT_MAX 1024  /* bytes of one request; longer text never matches */
#define INTENTS_WORDS_MAX 64   /* words of one request */
/* Caps on template data (also what the fuzzer exercises). */
#define INTENTS_FILE_MAX (256 * 1024)
#define INTENTS_EXPANSIONS_MAX 512 /* sentences one template line may expand to */
#define INTENTS_TOKENS_MAX 32      /* words + slots in one expanded sentence */

typedef struct intents intents;

/* Text split into words: norm[] is lower-case ASCII for matching, raw[] keeps
 * the original case for free-text slots. Commas between words become the
 * token "," (a request boundary for the router). */
typedef struct intents_words {
    size_t n;
    const char *norm[INTENTS_WORDS_MAX];
    const char *raw[INTENTS_WORDS_MAX];
    char buf[2 * INTENTS_TEXT_MAX + 2 * INTENTS_WORDS_MAX + 16];
} intents_words;

typedef struct intents_match {
    int intent;        /* index, -1 when nothing matched */
    const char *name;  /* intent name (owned by the intents object) */
    const char *tool;  /* tool name or "control" (owned by the intents object) */
    json_t *args;      /* new reference, caller json_decref()s; never NULL on a match */
    double confidence; /* 0..1: share of the words matched by literals or typed slots */
} intents_match;

/* Loads every *.intent file of dir in name order. On error returns a wz_err,
 * *out stays NULL and err holds "FILE:LINE: reason". */
int intents_load_dir(const char *dir, intents **out, char *err, size_t errlen) WZ_MUST_CHECK;

/* Same from one string (tests, fuzzing). name labels error messages. */
int intents_load_string(const char *text, const char *name, intents **out, char *err,
                        size_t errlen) WZ_MUST_CHECK;

void intents_free(intents *it);

size_t intents_count(const intents *it);
const char *intents_name(const intents *it, size_t i);
const char *intents_tool(const intents *it, size_t i);

/* Splits text into words. Returns WZ_TOOBIG if text exceeds INTENTS_TEXT_MAX
 * bytes or INTENTS_WORDS_MAX words (w is then empty). */
int intents_tokenize(const char *text, intents_words *w) WZ_MUST_CHECK;

/* Matches words[lo..hi) as exactly one request (after dropping fillers).
 * Returns true and fills *m (caller frees m->args) or false (m->intent=-1). */
bool intents_match_span(const intents *it, const intents_words *w, size_t lo, size_t hi,
                        intents_match *m);

/* Whether more words could change the request words[lo..hi) make, which
 * matched as intent (intents_match.intent): some sentence starts with these
 * words and goes on with a slot or as another intent ("what's the weather"
 * ... "in paris"), or they end in a slot that can take more words (a
 * number, a duration, free text: "set the volume to fifty" ... "five"). A
 * sentence that only adds literal words of the same intent ("what's the
 * date" ... "today") does not count, nor does anything after a closing
 * filler ("... please"). The endpointer ends a request nothing can extend
 * after a shorter pause (docs/listening.md). */
bool intents_extendable(const intents *it, const intents_words *w, size_t lo, size_t hi, int intent);

/* Tokenize + match the whole text as one request. */
bool intents_match_text(const intents *it, const char *text, intents_match *m);

/* JSGF grammar ("#JSGF V1.0; grammar wyzer; public <command> = ...") of every
 * template whose slots have an @grammar rule; templates with a slot lacking
 * one are left out. Requests may be chained with and/then, except those
 * with a free-text slot (a {name:text} slot taking the <text> rule, a loop
 * of "_word" slot fillers; see stt_splice.h), which stand alone.
 * Returns a malloc'd string (caller frees) or NULL on allocation failure. */
char *intents_to_jsgf(const intents *it);

/* Pronunciations from @pronounce lines, for ps_add_word(ps, word, phones, 1)
 * before loading the grammar. i < intents_pron_count(); strings are owned by
 * the intents object. */
size_t intents_pron_count(const intents *it);
void intents_pron(const intents *it, size_t i, const char **word, const char **phones);

/* Number of expanded sentences (for tests and the benchmark). */
size_t intents_sentence_count(const intents *it);

#endif
