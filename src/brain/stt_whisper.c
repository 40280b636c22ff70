/* stt_whisper.c: Whisper STT over HTTP (libcurl).
 *
 *   whisper-server: POST {stt.url}/inference, multipart file=<WAV>,
 *                   response_format=json            -> {"text": ...}
 *   openai:         POST {stt.url}/v1/audio/transcriptions, multipart
 *                   file=<WAV>, model={stt.model}, response_format=json,
 *                   optional "Authorization: Bearer {stt.api_key}"
 *
 * Audio is buffered during the utterance (Whisper is not streaming) and sent
 * at finish(). The WAV goes through a private temp file (wav_write_file, then
 * curl_mime_filedata) so the WAV code lives in one place (src/core/wav.c).
 * finish() blocks for at most stt.timeout_ms; stt_cancel() from any thread
 * aborts the transfer within ~50 ms (the multi-interface poll slice). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brain/stt.h"
#include "brain/stt_whisper.h"
#include "core/wav.h"

typedef struct wh_stt {
    stt base;
    bool openai;
    char url[CONFIG_STR_MAX + 64];
    char model[CONFIG_STR_MAX];
    char auth[CONFIG_STR_MAX + 32];
    long timeout_ms;
    int16_t *pcm;
    size_t n, cap;
    bool open;
} wh_stt;

typedef struct {
    char *buf;
    size_t len;
    bool too_big;
} body_buf;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static int create_common(stt **out, const wz_config *cfg, bool openai, char *err, size_t errlen)
{
    const char *u = cfg->stt_url;
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
        snprintf(err, errlen, "URL '%s' must start with http:// or https:// (config key stt.url)", u);
        return WZ_CONFIG;
    }
    if (openai && !cfg->stt_model[0]) {
        snprintf(err, errlen, "no model name (config key stt.model)");
        return WZ_CONFIG;
    }
    pthread_once(&curl_once, curl_init_once);
    wh_stt *w = calloc(1, sizeof *w);
    if (!w)
        return WZ_NOMEM;
    size_t ul = strlen(u);
    while (ul && u[ul - 1] == '/')
        ul--; /* "http://h:8080/" and "http://h:8080" mean the same */
    snprintf(w->url, sizeof w->url, "%.*s%s", (int)ul, u, openai ? "/v1/audio/transcriptions" : "/inference");
    w->openai = openai;
    wz_strlcpy(w->model, cfg->stt_model, sizeof w->model);
    if (cfg->stt_api_key[0])
        snprintf(w->auth, sizeof w->auth, "Authorization: Bearer %s", cfg->stt_api_key);
    w->timeout_ms = cfg->stt_timeout_ms;
    *out = &w->base;
    return WZ_OK;
}

static int wh_create_server(stt **out, const wz_config *cfg, char *err, size_t errlen)
{
    return create_common(out, cfg, false, err, errlen);
}

static int wh_create_openai(stt **out, const wz_config *cfg, char *err, size_t errlen)
{
    return create_common(out, cfg, true, err, errlen);
}

static void wh_destroy(stt *s)
{
    wh_stt *w = (wh_stt *)s;
    free(w->pcm);
    free(w);
}

static int wh_begin(stt *s)
{
    wh_stt *w = (wh_stt *)s;
    w->n = 0;
    w->open = true;
    return WZ_OK;
}

static int wh_feed(stt *s, const int16_t *pcm, size_t n)
{
    wh_stt *w = (wh_stt *)s;
    if (!w->open)
        return WZ_INVAL;
    if (n > STT_MAX_SAMPLES - w->n) {
        stt_set_error(s, "utterance longer than %d s", STT_MAX_SAMPLES / WZ_SAMPLE_RATE);
        return WZ_TOOBIG;
    }
    if (w->n + n > w->cap) {
        size_t nc = WZ_MAX(w->cap * 2, (size_t)WZ_SAMPLE_RATE * 4);
        while (nc < w->n + n)
            nc *= 2;
        nc = WZ_MIN(nc, (size_t)STT_MAX_SAMPLES);
        int16_t *p = realloc(w->pcm, nc * sizeof *p);
        if (!p)
            return WZ_NOMEM;
        w->pcm = p;
        w->cap = nc;
    }
    memcpy(w->pcm + w->n, pcm, n * sizeof *pcm);
    w->n += n;
    return WZ_OK;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    body_buf *b = ctx;
    size_t n = size * nmemb;
    if (n > STT_WHISPER_MAX_RESPONSE - b->len) {
        b->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    char *p = realloc(b->buf, b->len + n + 1);
    if (!p)
        return 0;
    memcpy(p + b->len, data, n);
    b->buf = p;
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    stt *s = ctx;
    return atomic_load(&s->canceled) ? 1 : 0; /* non-zero aborts */
}

/* curl_easy_perform() only checks the progress callback about once a second
 * while waiting on a silent server; the multi interface lets us look at the
 * cancel flag every 50 ms instead. */
static CURLcode perform(CURL *c, stt *s)
{
    CURLM *m = curl_multi_init();
    if (!m)
        return CURLE_OUT_OF_MEMORY;
    curl_multi_add_handle(m, c);
    CURLcode cc = CURLE_OK;
    int running = 1;
    while (running) {
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            cc = CURLE_FAILED_INIT;
            break;
        }
        if (!running)
            break;
        if (atomic_load(&s->canceled)) {
            cc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    CURLMsg *msg;
    int left;
    while (running == 0 && (msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE)
            cc = msg->data.result;
    curl_multi_remove_handle(m, c);
    curl_multi_cleanup(m);
    return cc;
}

static int post(wh_stt *w, const char *wav_path, body_buf *body, long *status)
{
    stt *s = &w->base;
    CURL *c = curl_easy_init();
    if (!c)
        return WZ_NOMEM;
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    curl_mime_filedata(part, wav_path);
    curl_mime_filename(part, "audio.wav");
    curl_mime_type(part, "audio/wav");
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "response_format");
    curl_mime_data(part, "json", CURL_ZERO_TERMINATED);
    if (w->openai) {
        part = curl_mime_addpart(mime);
        curl_mime_name(part, "model");
        curl_mime_data(part, w->model, CURL_ZERO_TERMINATED);
    }
    struct curl_slist *hdr = NULL;
    if (w->auth[0])
        hdr = curl_slist_append(hdr, w->auth);
    curl_easy_setopt(c, CURLOPT_URL, w->url);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, w->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, WZ_MIN(w->timeout_ms, 5000L));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode cc = perform(c, s);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    int rc = WZ_OK;
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        stt_set_error(s, "%s: canceled", w->url);
        rc = WZ_CANCELED;
    } else if (cc == CURLE_WRITE_ERROR && body->too_big) {
        stt_set_error(s, "%s: response larger than %d bytes", w->url, STT_WHISPER_MAX_RESPONSE);
        rc = WZ_TOOBIG;
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        stt_set_error(s, "%s: no complete answer within %ld ms (config key stt.timeout_ms)", w->url,
                      w->timeout_ms);
        rc = WZ_TIMEDOUT;
    } else if (cc != CURLE_OK) {
        stt_set_error(s, "%s: %s", w->url, cerr[0] ? cerr : curl_easy_strerror(cc));
        rc = WZ_IO;
    }
    curl_slist_free_all(hdr);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    return rc;
}

static int wh_finish(stt *s, stt_result *res)
{
    wh_stt *w = (wh_stt *)s;
    if (!w->open)
        return WZ_INVAL;
    w->open = false;
    res->audio_s = (double)w->n / WZ_SAMPLE_RATE;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/wyzer-stt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        stt_set_error(s, "cannot create a temporary WAV in %s", tmp && *tmp ? tmp : "/tmp");
        return WZ_IO;
    }
    close(fd);
    body_buf body = {0};
    long status = 0;
    int rc = wav_write_file(path, w->pcm, w->n, WZ_SAMPLE_RATE);
    if (rc != WZ_OK)
        stt_set_error(s, "cannot write temporary WAV %s", path);
    else
        rc = post(w, path, &body, &status);
    unlink(path);
    if (rc == WZ_OK && status != 200) {
        stt_set_error(s, "%s: HTTP %ld: %.200s", w->url, status, body.buf ? body.buf : "");
        rc = WZ_HTTP;
    }
    if (rc == WZ_OK) {
        char perr[256];
        rc = stt_whisper_parse_response(body.buf ? body.buf : "", body.len, res->text, sizeof res->text,
                                        perr, sizeof perr);
        if (rc != WZ_OK)
            stt_set_error(s, "%s: %s", w->url, perr);
    }
    free(body.buf);
    if (rc != WZ_OK)
        return rc;
    wz_strlcpy(res->pass, "whisper", sizeof res->pass);
    res->confidence = res->text[0] ? 1.0 : 0.0; /* servers report none in json mode */
    return WZ_OK;
}

const stt_vtable stt_whisper_server_vtable = {
    .name = "whisper-server",
    .create = wh_create_server,
    .destroy = wh_destroy,
    .begin = wh_begin,
    .feed = wh_feed,
    .finish = wh_finish,
};

const stt_vtable stt_openai_vtable = {
    .name = "openai",
    .create = wh_create_openai,
    .destroy = wh_destroy,
    .begin = wh_begin,
    .feed = wh_feed,
    .finish = wh_finish,
};
