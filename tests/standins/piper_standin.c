/* piper_standin.c: a STAND-IN for Piper (piper-tts is not installable on
 * Debian 12), used only by the tests of src/brain/tts_piper.c.
 *
 * It speaks Piper's stdin/stdout contract for
 *   piper --model M --output-raw --json-input [--speaker N]
 * reads MODEL.json for audio.sample_rate, then for each stdin line
 * {"text": "..."} writes that text's audio as raw s16le mono at that rate to
 * stdout (synthesised with Flite's slt voice, resampled with Wyzer's speexdsp
 * resampler: Flite's own cst_wave_resample does an overlapping memcpy that
 * ASan reports), flushing after
 * each line. Exits on EOF. Lines longer than 64 KiB or without a "text"
 * string are skipped, as Piper logs and skips bad input. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flite/flite.h>

#include "core/resample.h"

cst_voice *register_cmu_us_slt(const char *voxdir);

int main(int argc, char **argv)
{
    const char *model = NULL;
    bool raw = false, json_in = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--output-raw") == 0)
            raw = true;
        else if (strcmp(argv[i], "--json-input") == 0)
            json_in = true;
        else if (strcmp(argv[i], "--speaker") == 0 && i + 1 < argc)
            i++;
    }
    if (!model || !raw || !json_in) {
        fprintf(stderr, "piper_standin: need --model M --output-raw --json-input\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s.json", model);
    json_error_t je;
    json_t *cfg = json_load_file(path, 0, &je);
    json_t *sr = cfg ? json_object_get(json_object_get(cfg, "audio"), "sample_rate") : NULL;
    if (!json_is_integer(sr)) {
        fprintf(stderr, "piper_standin: %s: no audio.sample_rate\n", path);
        return 2;
    }
    int rate = (int)json_integer_value(sr);
    json_decref(cfg);
    flite_init();
    cst_voice *v = register_cmu_us_slt(NULL);
    static char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        json_t *o = json_loads(line, 0, &je);
        json_t *t = json_object_get(o, "text");
        if (json_is_string(t)) {
            cst_wave *w = flite_text_to_wave(json_string_value(t), v);
            resampler *r = NULL;
            if (w && resampler_create(&r, w->sample_rate, rate, 5) == 0) {
                size_t in_n = (size_t)w->num_samples, cap = resampler_out_max(r, in_n) + 1024, out_n = cap;
                int16_t *out = malloc(cap * sizeof *out);
                if (out && resampler_process(r, w->samples, &in_n, out, &out_n) == 0) {
                    size_t tail = cap - out_n;
                    if (resampler_drain(r, out + out_n, &tail) == 0)
                        out_n += tail;
                    fwrite(out, 2, out_n, stdout);
                    fflush(stdout);
                }
                free(out);
                resampler_destroy(r);
            }
            if (w)
                delete_wave(w);
        } else {
            fprintf(stderr, "piper_standin: skipping a line without \"text\"\n");
        }
        json_decref(o);
    }
    return 0;
}
