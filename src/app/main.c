/* main.c: command line, configuration, then the supervisor. */
#include "app/config.h"
#include "app/opts.h"
#include "app/paths.h"
#include "brain/cmd_speech.h"
#include "brain/router.h"
#include "core/audio_io.h"
#include "app/supervisor.h"
#include "common/ev.h"
#include "common/log.h"
#include "common/wz.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: wyzer [OPTIONS]                  run the assistant\n"
        "       wyzer [OPTIONS] transcribe [--grammar commands|none] [--json] FILE.wav...\n"
        "       wyzer [OPTIONS] say \"TEXT\" [--output FILE.wav]\n"
        "       wyzer [OPTIONS] route \"TEXT\"... | - | --grammar   (what the router makes of TEXT; runs no tool)\n"
        "\n"
        "Wyzer is a local, private voice assistant: say \"hey wyzer\", then a request.\n"
        "\n"
        "Input and output:\n"
        "  --text \"REQUEST\"        send one typed request, print the reply, exit\n"
        "                          (--text - reads one request per line from stdin)\n"
        "  --input FILE.wav        use a WAV file as the microphone\n"
        "  --output FILE.wav       write what Wyzer says to a WAV file\n"
        "  --fast                  with --input: run on an audio clock, as fast as possible\n"
        "  --echo DELAY_MS:GAIN_DB with --input: mix the reply back into the microphone\n"
        "  --device NAME|INDEX     audio device (substring of its name, or its index)\n"
        "  --list-devices          list audio devices and exit\n"
        "  --no-hotword            any speech starts a request (no wake word)\n"
        "\n"
        "Output:\n"
        "  --events                JSON Lines events on stdout (see docs/events.md)\n"
        "  --log-level LEVEL       debug, info, warn or error (logs go to stderr)\n"
        "  -q, --quiet             only errors on stderr, no status line\n"
        "\n"
        "Configuration:\n"
        "  -c, --config FILE       configuration file (default: $XDG_CONFIG_HOME/wyzer/wyzer.conf)\n"
        "  --set SECTION.KEY=VALUE override any configuration key (repeatable)\n"
        "  --print-config          print the effective configuration and where each value came from\n"
        "\n"
        "Debugging:\n"
        "  --single-process        run core and brain as threads of one process (for gdb)\n"
        "  -h, --help              this help\n"
        "  -V, --version           version\n"
        "\n"
        "Exit codes: 0 ok, 1 a request failed, 2 bad usage/config/input/engine,\n"
        "3 a worker kept crashing, 130 second interrupt.\n");
}

enum {
    OPT_PRINT_CONFIG = 1000, OPT_SINGLE, OPT_LOG_LEVEL, OPT_EVENTS, OPT_TEXT, OPT_INPUT,
    OPT_OUTPUT, OPT_FAST, OPT_ECHO, OPT_LIST_DEVICES, OPT_DEVICE, OPT_NO_HOTWORD, OPT_SET,
};

static const struct option long_opts[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "config", required_argument, NULL, 'c' },
    { "quiet", no_argument, NULL, 'q' },
    { "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
    { "single-process", no_argument, NULL, OPT_SINGLE },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "events", no_argument, NULL, OPT_EVENTS },
    { "text", required_argument, NULL, OPT_TEXT },
    { "input", required_argument, NULL, OPT_INPUT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "fast", no_argument, NULL, OPT_FAST },
    { "echo", required_argument, NULL, OPT_ECHO },
    { "list-devices", no_argument, NULL, OPT_LIST_DEVICES },
    { "device", required_argument, NULL, OPT_DEVICE },
    { "no-hotword", no_argument, NULL, OPT_NO_HOTWORD },
    { "set", required_argument, NULL, OPT_SET },
    { NULL, 0, NULL, 0 },
};

#define MAX_SETS 64

typedef struct {
    wz_opts run;
    const char *config_file;
    bool print_config, list_devices;
    const char *log_level;
    const char *sets[MAX_SETS];
    int nsets;
} cli;

/* Returns -1 to continue, else an exit code. */
static int parse_cli(int argc, char **argv, cli *c)
{
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+hVc:q", long_opts, NULL)) != -1) {
        switch (ch) {
        case 'h': usage(stdout); return WZ_EXIT_OK;
        case 'V': printf("wyzer %s\n", WZ_VERSION); return WZ_EXIT_OK;
        case 'c': c->config_file = optarg; break;
        case 'q': c->run.quiet = true; break;
        case OPT_PRINT_CONFIG: c->print_config = true; break;
        case OPT_SINGLE: c->run.single_process = true; break;
        case OPT_LOG_LEVEL: c->log_level = optarg; break;
        case OPT_EVENTS: c->run.events = true; break;
        case OPT_TEXT: c->run.text = optarg; break;
        case OPT_INPUT: c->run.input = optarg; break;
        case OPT_OUTPUT: c->run.output = optarg; break;
        case OPT_FAST: c->run.fast = true; break;
        case OPT_ECHO: c->run.echo = optarg; break;
        case OPT_LIST_DEVICES: c->list_devices = true; break;
        case OPT_DEVICE: c->run.device = optarg; break;
        case OPT_NO_HOTWORD: c->run.no_hotword = true; break;
        case OPT_SET:
            if (c->nsets == MAX_SETS) {
                fprintf(stderr, "wyzer: at most %d --set options\n", MAX_SETS);
                return WZ_EXIT_USAGE;
            }
            c->sets[c->nsets++] = optarg;
            break;
        default:
            if (optopt)
                fprintf(stderr, "wyzer: option -%c needs a value or is unknown (see --help)\n", optopt);
            else
                fprintf(stderr, "wyzer: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return WZ_EXIT_USAGE;
        }
    }
    if (c->run.text && c->run.input) {
        fprintf(stderr, "wyzer: --text and --input cannot be used together\n");
        return WZ_EXIT_USAGE;
    }
    if ((c->run.fast || c->run.echo) && !c->run.input) {
        fprintf(stderr, "wyzer: --fast and --echo need --input FILE.wav\n");
        return WZ_EXIT_USAGE;
    }
    return -1;
}

/* Default, file, environment, then CLI: later steps override earlier ones. */
static int load_config(const cli *c, wz_config *cfg)
{
    char err[1024], path[CONFIG_STR_MAX];
    config_init(cfg);
    const char *file = c->config_file;
    if (!file && config_default_path(path, sizeof path) == WZ_OK && access(path, R_OK) == 0)
        file = path;
    if (file && config_load_file(cfg, file, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer: %s\n", err);
        return WZ_EXIT_USAGE;
    }
    if (config_apply_env(cfg, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer: %s\n", err);
        return WZ_EXIT_USAGE;
    }
    for (int i = 0; i < c->nsets; i++) {
        char key[128];
        const char *eq = strchr(c->sets[i], '=');
        if (!eq || (size_t)(eq - c->sets[i]) >= sizeof key) {
            fprintf(stderr, "wyzer: --set '%s': expected SECTION.KEY=VALUE\n", c->sets[i]);
            return WZ_EXIT_USAGE;
        }
        memcpy(key, c->sets[i], (size_t)(eq - c->sets[i]));
        key[eq - c->sets[i]] = '\0';
        if (config_set(cfg, key, eq + 1, CFG_FROM_CLI, err, sizeof err) != WZ_OK) {
            fprintf(stderr, "wyzer: --set: %s\n", err);
            return WZ_EXIT_USAGE;
        }
    }
    /* Dedicated flags for common keys. */
    struct { const char *value; const char *key; } flags[] = {
        { c->log_level, "log.level" },
        { c->run.device, "audio.input_device" },
        { c->run.device, "audio.output_device" },
        { c->run.no_hotword ? "false" : NULL, "wake.enabled" },
    };
    for (size_t i = 0; i < WZ_ARRAY_LEN(flags); i++) {
        if (flags[i].value && config_set(cfg, flags[i].key, flags[i].value, CFG_FROM_CLI, err, sizeof err) != WZ_OK) {
            fprintf(stderr, "wyzer: %s\n", err);
            return WZ_EXIT_USAGE;
        }
    }
    return -1;
}

/* The router over <data dir>/intents, for `transcribe` and `route`. */
static int open_router(const wz_config *cfg, router **r, char *err, size_t errlen)
{
    char dir[CONFIG_STR_MAX + 16];
    if (paths_data_dir(cfg, dir, sizeof dir - 9) != WZ_OK) {
        snprintf(err, errlen, "data folder path too long (paths.data_dir)");
        return WZ_CONFIG;
    }
    strcat(dir, "/intents");
    return router_create(r, dir, err, errlen);
}

/* `wyzer transcribe --grammar commands`: the same grammar the brain uses,
 * built from the router's templates. */
static char *command_grammar(const wz_config *cfg, char *err, size_t errlen)
{
    router *r = NULL;
    if (open_router(cfg, &r, err, errlen) != WZ_OK)
        return NULL;
    char *jsgf = intents_to_jsgf(router_intents(r));
    router_destroy(r);
    if (!jsgf)
        snprintf(err, errlen, "out of memory");
    return jsgf;
}

static int route_print(const router *r, const char *text)
{
    router_result res;
    int rc = router_route(r, text, &res);
    json_t *calls = json_array(), *o = json_pack("{s:s, s:s}", "text", text,
        "kind", res.kind == ROUTER_TOOLS ? "tools" : res.kind == ROUTER_CONTROL ? "control" : "none");
    for (size_t i = 0; i < res.ncalls; i++)
        json_array_append_new(calls, json_pack("{s:s, s:s, s:O, s:f}", "intent", res.calls[i].intent,
                                               "tool", res.calls[i].tool, "args", res.calls[i].args,
                                               "confidence", res.calls[i].confidence));
    if (res.kind == ROUTER_CONTROL)
        json_object_set_new(o, "control", json_string(res.control));
    json_object_set_new(o, "calls", calls);
    /* One command: would more words change it? Said alone, a closed one
     * ends after listen.closed_silence_ms. */
    if (res.kind == ROUTER_CONTROL || res.ncalls == 1)
        json_object_set_new(o, "closed", json_boolean(!router_extendable(r, text)));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (line)
        puts(line);
    free(line);
    json_decref(o);
    router_result_clear(&res);
    return rc == WZ_OK ? WZ_EXIT_OK : WZ_EXIT_FAILED;
}

/* `wyzer route TEXT...` or `wyzer route -` (one request per stdin line):
 * prints, as JSON Lines, what the fast path would call. Runs no tool. */
static int cmd_route(const wz_config *cfg, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: wyzer route \"TEXT\"... | wyzer route -   (one request per line)\n"
                        "       wyzer route --grammar              (print the recogniser's JSGF command grammar)\n");
        return WZ_EXIT_USAGE;
    }
    char err[512];
    if (argc == 2 && strcmp(argv[1], "--grammar") == 0) {
        char *jsgf = command_grammar(cfg, err, sizeof err);
        if (!jsgf) {
            fprintf(stderr, "wyzer route: %s\n", err);
            return WZ_EXIT_USAGE;
        }
        fputs(jsgf, stdout);
        free(jsgf);
        return WZ_EXIT_OK;
    }
    router *r = NULL;
    if (open_router(cfg, &r, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer route: %s\n", err);
        return WZ_EXIT_USAGE;
    }
    int rc = WZ_EXIT_OK;
    if (argc == 2 && strcmp(argv[1], "-") == 0) {
        char line[INTENTS_TEXT_MAX + 2];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (route_print(r, line) != WZ_EXIT_OK)
                rc = WZ_EXIT_FAILED;
        }
    } else {
        for (int i = 1; i < argc; i++)
            if (route_print(r, argv[i]) != WZ_EXIT_OK)
                rc = WZ_EXIT_FAILED;
    }
    router_destroy(r);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t start_ns = wz_now_ns();
    log_set_role("main");
    cli c;
    memset(&c, 0, sizeof c);
    int rc = parse_cli(argc, argv, &c);
    if (rc >= 0)
        return rc;
    wz_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return WZ_EXIT_CRASH;
    rc = load_config(&c, cfg);
    if (rc >= 0)
        goto out;
    log_level lvl = LOG_INFO;
    (void)log_parse_level(cfg->log_level, &lvl); /* validated by the config table */
    log_set_level(c.run.quiet ? LOG_ERROR : lvl);
    ev_init(start_ns, c.run.events);

    if (c.print_config) {
        config_print(cfg, stdout);
        rc = WZ_EXIT_OK;
        goto out;
    }
    if (c.list_devices) {
        rc = audio_io_list_devices(stdout) == WZ_OK ? WZ_EXIT_OK : WZ_EXIT_USAGE;
        goto out;
    }
    if (optind < argc) {
        const char *cmd = argv[optind];
        cmd_speech_set_grammar_provider(command_grammar);
        if (strcmp(cmd, "transcribe") == 0)
            rc = cmd_transcribe(cfg, argc - optind, argv + optind);
        else if (strcmp(cmd, "say") == 0)
            rc = cmd_say(cfg, argc - optind, argv + optind);
        else if (strcmp(cmd, "route") == 0)
            rc = cmd_route(cfg, argc - optind, argv + optind);
        else {
            fprintf(stderr, "wyzer: unknown command '%s' (see --help)\n", cmd);
            rc = WZ_EXIT_USAGE;
        }
        goto out;
    }
    rc = c.run.single_process ? supervisor_run_threads(cfg, &c.run) : supervisor_run(cfg, &c.run);
out:
    free(cfg);
    return rc;
}
