/* cmd_speech.h: the `wyzer transcribe` and `wyzer say` tool subcommands.
 *
 * Both take argv as main() passes it after the global options, with argv[0]
 * the subcommand name. They print to stdout/stderr and return the process
 * exit code: 0 success, 1 a file or synthesis failed, 2 usage error or the
 * configured engine failed to start (message names engine, reason, key).
 * Not thread-safe (they own the process while they run). */
#ifndef WZ_CMD_SPEECH_H
#define WZ_CMD_SPEECH_H

#include <stddef.h>
#include <stdint.h>

#include "app/config.h"

/* wyzer transcribe [--grammar commands|none] [--grammar-file FILE.jsgf] [--json] FILE.wav...
 * One line per file: "FILE<TAB>TRANSCRIPT", or with --json
 * {"file":..,"text":..,"confidence":..,"rtf":..,"pass":..}. Default: --grammar none. */
int cmd_transcribe(const wz_config *cfg, int argc, char **argv);

/* wyzer say "TEXT" [--output FILE.wav]
 * Synthesises with the configured TTS engine; writes a mono s16 WAV at the
 * engine's rate, or plays it through the player hook below. */
int cmd_say(const wz_config *cfg, int argc, char **argv);

/* INTEGRATION HOOK (lead): where `--grammar commands` gets its JSGF. The
 * router's grammar generator should be registered here; it returns a malloc'd
 * JSGF document (caller frees) or NULL with err filled. Until then
 * `--grammar commands` fails with a message pointing at --grammar-file. */
typedef char *(*cmd_grammar_provider_fn)(const wz_config *cfg, char *err, size_t errlen);
void cmd_speech_set_grammar_provider(cmd_grammar_provider_fn fn);

/* INTEGRATION HOOK (lead): how `wyzer say` without --output plays audio.
 * Default: PortAudio's default output device, blocking. Replace it with the
 * core's audio backend for device selection (audio.output_device).
 * Returns 0 or a wz_err with err filled. */
typedef int (*cmd_player_fn)(const wz_config *cfg, const int16_t *pcm, size_t n, int rate, char *err,
                             size_t errlen);
void cmd_speech_set_player(cmd_player_fn fn);

#endif
