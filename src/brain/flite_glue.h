/* flite_glue.h: process-wide Flite set-up shared by the Flite TTS engine and
 * the PocketSphinx pronunciation fallback.
 *
 * Flite keeps global state (voice list, lexicon caches, the per-voice
 * "streaming_info" feature), so every use of Flite in Wyzer goes through
 * flite_glue_lock()/unlock(). Functions here are thread-safe; none is safe on
 * the audio thread. */
#ifndef WZ_FLITE_GLUE_H
#define WZ_FLITE_GLUE_H

#include <stddef.h>

#include <flite/flite.h>

/* Initialises Flite once (idempotent, thread-safe). */
void flite_glue_init(void);
void flite_glue_lock(void);
void flite_glue_unlock(void);

/* Returns the registered voice "slt", "awb", "rms" or "kal16" (registered on
 * first use, never freed), or NULL for any other name. Call with the lock held. */
cst_voice *flite_glue_voice(const char *name);

/* Letter-to-sound for one lower-case word via Flite's CMU lexicon (which falls
 * back to its LTS rules), mapped to the CMU Sphinx phone set, e.g. "wyzer" ->
 * "W AY Z ER". Takes the lock itself. Returns 0, WZ_NOTFOUND if Flite gives no
 * phones, or WZ_TOOBIG if phones does not fit in cap. */
int flite_glue_pronounce(const char *word, char *phones, size_t cap);

#endif
