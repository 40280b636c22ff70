/* fuzz_jschema.c: tool-argument validation of untrusted (LLM) JSON. The
 * first byte picks a schema: one of the shipped tool schemas (through
 * tools_llm_schema) or, for 255, the rest is "SCHEMA\0VALUE" both random. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "brain/jschema.h"
#include "brain/tools.h"

static json_t *schemas;

static void load_schemas(void)
{
    wz_config cfg;
    char err[256];
    tools *t = NULL;
    config_init(&cfg);
    (void)config_set(&cfg, "paths.state_dir", "/tmp/wz-fuzz-jschema", CFG_FROM_CLI, err, sizeof err);
    (void)config_set(&cfg, "paths.memory_dir", "/tmp/wz-fuzz-jschema", CFG_FROM_CLI, err, sizeof err);
    if (tools_create(&t, &cfg, WZ_SOURCE_DATA_DIR, err, sizeof err)) abort();
    schemas = tools_llm_schema(t);
    tools_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024) return 0;
    if (!schemas) load_schemas();
    char err[256];
    json_error_t je;
    if (data[0] == 255) {
        const uint8_t *nul = memchr(data + 1, 0, size - 1);
        if (!nul) return 0;
        json_t *s = json_loadb((const char *)data + 1, (size_t)(nul - data - 1), 0, &je);
        json_t *v = json_loadb((const char *)nul + 1, size - (size_t)(nul - data) - 1, JSON_DECODE_ANY, &je);
        if (s && v) (void)jschema_validate(s, v, err, sizeof err);
        json_decref(s);
        json_decref(v);
        return 0;
    }
    json_t *fn = json_object_get(json_array_get(schemas, data[0] % json_array_size(schemas)), "function");
    json_t *v = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, &je);
    if (v) (void)jschema_validate(json_object_get(fn, "parameters"), v, err, sizeof err);
    json_decref(v);
    return 0;
}
