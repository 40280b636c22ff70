/* tts_piper.c: Piper TTS through one long-lived child process:
 *   {tts.piper_binary} --model {tts.piper_model} --output-raw --json-input
 *                      [--speaker {tts.piper_speaker}]
 * One JSON line {"text": ...} per sentence goes to its stdin; raw s16 mono
 * audio at the model's rate (audio.sample_rate in MODEL.onnx.json) comes
 * back on its stdout.
 *
 * End of a sentence: raw output has no delimiter, so a sentence counts as
 * finished when audio has arrived and then none arrives for PIPER_IDLE_END_MS.
 * Piper writes each sentence's audio in one burst after synthesising it
 * (RTF 0.03-0.08), so 300 ms of silence on the pipe is a safe sign at
 * desktop speeds. Limitation, stated plainly: on a machine so slow that Piper
 * pauses longer than that inside one line (a line Piper splits into several
 * sentences), the rest arrives at the start of the next pull cycle and is
 * drained (dropped) by the next begin(); and every sentence ends with 300 ms
 * of latency before done is reported (audio itself is not delayed).
 * Before writing a new line, begin() drains leftovers (e.g. after a cancel).
 *
 * Restart: if the child has exited (or a write/read fails), begin() starts a
 * new one; the sentence in flight when it died fails with WZ_ENGINE. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "brain/tts.h"
#include "common/log.h"

#define PIPER_IDLE_END_MS 300
/* Longest wait for the first audio of a sentence (model load on restart
 * takes ~1-2 s for real Piper). */
#define PIPER_FIRST_AUDIO_MS 20000
/* Largest .onnx.json read (real ones are ~5-20 KB). */
#define PIPER_JSON_MAX (1024 * 1024)

typedef struct pp_tts {
    tts base;
    char binary[CONFIG_STR_MAX];
    char model[CONFIG_STR_MAX];
    long speaker;
    int rate;
    pid_t pid;
    int in_fd, out_fd; /* our ends: child's stdin, child's stdout */
    bool active;       /* a sentence is in flight */
    bool got_audio;
    int64_t last_data_ms, begin_ms;
    int odd_byte;      /* a half sample carried over between reads, or -1 */
} pp_tts;

static bool find_in_path(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/')) {
        wz_strlcpy(out, name, cap);
        return access(name, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char buf[4096];
    wz_strlcpy(buf, path, sizeof buf);
    char *save = NULL;
    for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(out, cap, "%s/%s", dir, name);
        if (access(out, X_OK) == 0)
            return true;
    }
    return false;
}

static int read_rate(const char *model, int *rate, char *err, size_t errlen)
{
    char path[CONFIG_STR_MAX + 8];
    snprintf(path, sizeof path, "%s.json", model);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "model config %s not found (it must sit next to tts.piper_model)", path);
        return WZ_CONFIG;
    }
    if (st.st_size > PIPER_JSON_MAX) {
        snprintf(err, errlen, "model config %s is larger than %d bytes", path, PIPER_JSON_MAX);
        return WZ_TOOBIG;
    }
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *sr = root ? json_object_get(json_object_get(root, "audio"), "sample_rate") : NULL;
    int rc = WZ_OK;
    if (!json_is_integer(sr) || json_integer_value(sr) < 8000 || json_integer_value(sr) > 192000) {
        snprintf(err, errlen, "model config %s: %s", path,
                 root ? "no valid audio.sample_rate (8000-192000)" : je.text);
        rc = WZ_CONFIG;
    } else {
        *rate = (int)json_integer_value(sr);
    }
    json_decref(root);
    return rc;
}

static void stop_child(pp_tts *p)
{
    if (p->pid > 0) {
        close(p->in_fd); /* EOF on stdin ends Piper cleanly */
        close(p->out_fd);
        int st;
        for (int i = 0; i < 50 && waitpid(p->pid, &st, WNOHANG) == 0; i++)
            wz_sleep_ms(10);
        if (waitpid(p->pid, &st, WNOHANG) == 0) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &st, 0);
        }
    }
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
}

/* Socket pairs rather than pipes: send(MSG_NOSIGNAL) turns a dead child into
 * EPIPE instead of a SIGPIPE that would kill the brain. */
static int start_child(pp_tts *p)
{
    int in[2], out[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
        return WZ_IO;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0) {
        close(in[0]);
        close(in[1]);
        return WZ_IO;
    }
    char spk[32];
    snprintf(spk, sizeof spk, "%ld", p->speaker);
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        return WZ_IO;
    }
    if (pid == 0) {
        dup2(in[1], 0);
        dup2(out[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2); /* Piper logs every sentence on stderr */
        char *argv[] = {p->binary, "--model", p->model, "--output-raw", "--json-input",
                        p->speaker >= 0 ? "--speaker" : NULL, spk, NULL};
        execv(p->binary, argv);
        _exit(127);
    }
    close(in[1]);
    close(out[1]);
    p->pid = pid;
    p->in_fd = in[0];
    p->out_fd = out[0];
    fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
    log_info("tts: started piper (pid %d)", (int)pid);
    return WZ_OK;
}

static bool child_alive(pp_tts *p)
{
    int st;
    return p->pid > 0 && waitpid(p->pid, &st, WNOHANG) == 0;
}

static int pp_create(tts **out, const wz_config *cfg, char *err, size_t errlen)
{
    pp_tts *p = calloc(1, sizeof *p);
    if (!p)
        return WZ_NOMEM;
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    p->odd_byte = -1;
    p->speaker = cfg->tts_piper_speaker;
    int rc = WZ_CONFIG;
    if (!find_in_path(cfg->tts_piper_binary, p->binary, sizeof p->binary)) {
        snprintf(err, errlen, "executable '%s' not found or not executable (config key tts.piper_binary)",
                 cfg->tts_piper_binary);
        goto fail;
    }
    wz_strlcpy(p->model, cfg->tts_piper_model, sizeof p->model);
    if (access(p->model, R_OK) != 0) {
        snprintf(err, errlen, "model '%s' not found (config key tts.piper_model)", p->model);
        goto fail;
    }
    if ((rc = read_rate(p->model, &p->rate, err, errlen)) != WZ_OK)
        goto fail;
    if ((rc = start_child(p)) != WZ_OK) {
        snprintf(err, errlen, "cannot start %s: %s", p->binary, strerror(errno));
        goto fail;
    }
    *out = &p->base;
    return WZ_OK;
fail:
    free(p);
    return rc;
}

static void pp_destroy(tts *t)
{
    pp_tts *p = (pp_tts *)t;
    stop_child(p);
    free(p);
}

/* Reads and discards output until the pipe has been quiet for idle_ms. */
static void drain(pp_tts *p, int idle_ms)
{
    char junk[4096];
    struct pollfd pf = {p->out_fd, POLLIN, 0};
    while (poll(&pf, 1, idle_ms) > 0) {
        ssize_t r = read(p->out_fd, junk, sizeof junk);
        if (r <= 0)
            break;
    }
}

static int send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return WZ_IO;
        s += w;
        n -= (size_t)w;
    }
    return WZ_OK;
}

static int pp_begin(tts *t, const char *text)
{
    pp_tts *p = (pp_tts *)t;
    if (!child_alive(p)) {
        log_warn("tts: piper is not running; restarting it");
        stop_child(p);
        if (start_child(p) != WZ_OK) {
            tts_set_error(t, "cannot restart %s", p->binary);
            return WZ_ENGINE;
        }
    } else if (p->active) {
        drain(p, 50); /* leftovers of a canceled or cut-short sentence */
    }
    json_t *o = json_pack("{s:s}", "text", text);
    if (!o)
        return WZ_INVAL; /* not valid UTF-8 */
    char *line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!line)
        return WZ_NOMEM;
    size_t len = strlen(line);
    int rc = send_all(p->in_fd, line, len);
    if (rc == WZ_OK)
        rc = send_all(p->in_fd, "\n", 1);
    free(line);
    if (rc != WZ_OK) {
        tts_set_error(t, "piper (pid %d) closed its input", (int)p->pid);
        stop_child(p);
        return WZ_ENGINE;
    }
    p->active = true;
    p->got_audio = false;
    p->odd_byte = -1;
    p->begin_ms = p->last_data_ms = wz_now_ms();
    return WZ_OK;
}

static int pp_pull(tts *t, int16_t *buf, size_t cap, size_t *n, int *rate, bool *done, int timeout_ms)
{
    pp_tts *p = (pp_tts *)t;
    *rate = p->rate;
    if (!p->active) {
        *done = true;
        return WZ_OK;
    }
    int64_t start = wz_now_ms();
    for (;;) {
        if (atomic_load(&t->canceled))
            return WZ_CANCELED;
        int64_t now = wz_now_ms();
        int64_t limit = p->got_audio ? p->last_data_ms + PIPER_IDLE_END_MS : p->begin_ms + PIPER_FIRST_AUDIO_MS;
        if (now >= limit) {
            p->active = false;
            if (p->got_audio) {
                *done = true;
                return WZ_OK;
            }
            tts_set_error(t, "piper gave no audio within %d ms", PIPER_FIRST_AUDIO_MS);
            return WZ_TIMEDOUT;
        }
        int wait = (int)(limit - now);
        if (timeout_ms >= 0)
            wait = (int)WZ_MIN((int64_t)wait, WZ_MAX(0, start + timeout_ms - now));
        /* Poll in slices of <= 50 ms so a cancel from another thread is seen. */
        struct pollfd pf = {p->out_fd, POLLIN, 0};
        int pr = poll(&pf, 1, WZ_MIN(wait, 50));
        if (pr > 0) {
            uint8_t *dst = (uint8_t *)buf;
            size_t bytes = cap * 2, off = 0;
            if (p->odd_byte >= 0) {
                dst[0] = (uint8_t)p->odd_byte;
                off = 1;
                p->odd_byte = -1;
            }
            ssize_t r = read(p->out_fd, dst + off, bytes - off);
            if (r > 0) {
                size_t total = off + (size_t)r;
                if (total % 2)
                    p->odd_byte = dst[--total];
                *n = total / 2;
                p->got_audio = true;
                p->last_data_ms = wz_now_ms();
                if (*n)
                    return WZ_OK;
                continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                tts_set_error(t, "piper (pid %d) exited during synthesis; it restarts on the next sentence",
                              (int)p->pid);
                p->active = false;
                stop_child(p);
                return WZ_ENGINE;
            }
        }
        if (timeout_ms >= 0 && wz_now_ms() - start >= timeout_ms)
            return WZ_AGAIN;
    }
}

const tts_vtable tts_piper_vtable = {
    .name = "piper",
    .create = pp_create,
    .destroy = pp_destroy,
    .begin = pp_begin,
    .pull = pp_pull,
    .cancel = NULL, /* pull polls the base flag every <= 50 ms */
};

/* For tests: the child's pid (to kill it), or -1. */
int tts_piper_pid(const tts *t) { return t->vt == &tts_piper_vtable ? (int)((const pp_tts *)t)->pid : -1; }
