/* llm_standin_run.h: starts tests/standins/llm_standin.py (the stand-in for
 * Ollama / OpenAI-compatible servers) on a free port for one test process,
 * and reads back the requests it recorded. The server dies with the test
 * process (PR_SET_PDEATHSIG), even when an assert exits early. */
#ifndef WZ_LLM_STANDIN_RUN_H
#define WZ_LLM_STANDIN_RUN_H

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/wz.h"

typedef struct standin {
    pid_t pid;
    int port;
    char dir[64];
    char record[128];
    char url[64];
} standin;

static void standin_script(char *buf, size_t cap)
{
    const char *src = getenv("WZ_SOURCE_DIR");
    snprintf(buf, cap, "%s/tests/standins/llm_standin.py", src ? src : WZ_SOURCE_DATA_DIR "/..");
}

/* scenario_json: the scenario file's content (see llm_standin.py). */
static inline void standin_start(standin *s, const char *scenario_json)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/wz_llm_XXXXXX");
    if (!mkdtemp(s->dir)) {
        perror("mkdtemp");
        exit(1);
    }
    char scen[128], portf[128], script[600];
    snprintf(scen, sizeof(scen), "%s/scenario.json", s->dir);
    snprintf(portf, sizeof(portf), "%s/port", s->dir);
    snprintf(s->record, sizeof(s->record), "%s/requests.jsonl", s->dir);
    standin_script(script, sizeof(script));
    FILE *f = fopen(scen, "w");
    fputs(scenario_json, f);
    fclose(f);
    pid_t parent = getpid();
    s->pid = fork();
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        execlp("python3", "python3", script, "--port-file", portf, "--scenario", scen, "--record",
               s->record, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) { /* up to 5 s for python to start */
        FILE *pf = fopen(portf, "r");
        if (pf) {
            if (fscanf(pf, "%d", &s->port) != 1)
                s->port = 0;
            fclose(pf);
            if (s->port > 0)
                break;
        }
        wz_sleep_ms(10);
    }
    if (s->port <= 0) {
        fprintf(stderr, "stand-in did not start\n");
        exit(1);
    }
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
}

static inline void standin_stop(standin *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", s->dir);
}

/* Every recorded line (requests and events) as a JSON array. */
static inline json_t *standin_records(const standin *s)
{
    json_t *arr = json_array();
    FILE *f = fopen(s->record, "r");
    if (!f)
        return arr;
    char line[1 << 16];
    while (fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (j)
            json_array_append_new(arr, j);
    }
    fclose(f);
    return arr;
}

/* The body of the i-th recorded request (borrowed from recs). */
static inline json_t *standin_request_body(json_t *recs, size_t i)
{
    size_t k = 0, idx;
    json_t *r;
    json_array_foreach(recs, idx, r) {
        if (json_object_get(r, "path") && k++ == i)
            return json_object_get(r, "body");
    }
    return NULL;
}

static inline size_t standin_request_count(json_t *recs)
{
    size_t k = 0, idx;
    json_t *r;
    json_array_foreach(recs, idx, r) {
        if (json_object_get(r, "path"))
            k++;
    }
    return k;
}

#endif
