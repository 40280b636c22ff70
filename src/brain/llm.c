/* llm.c: backend registry, configuration and the streamed HTTP transfer
 * (libcurl multi interface, so llm_cancel() can wake it immediately). */
#include "brain/llm.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "common/log.h"

/* Adding a backend: one file defining an llm_backend, one line here. */
static const llm_backend *const k_backends[] = {
    &llm_backend_ollama,
    &llm_backend_openai,
};

/* The transfer loop waits at most this long between checks of deadlines
 * and the poll hook; cancellation itself wakes it at once. */
#define LLM_TICK_MS 20

const llm_backend *llm_backend_find(const char *name)
{
    for (size_t i = 0; i < WZ_ARRAY_LEN(k_backends); i++)
        if (strcmp(k_backends[i]->name, name) == 0)
            return k_backends[i];
    return NULL;
}

/* ---- errors ---- */

static const char *const k_failure_names[] = {
    [LLM_FAIL_NONE] = "none",
    [LLM_FAIL_CONNECT_TIMEOUT] = "connect_timeout",
    [LLM_FAIL_FIRST_TOKEN_TIMEOUT] = "first_token_timeout",
    [LLM_FAIL_TOTAL_TIMEOUT] = "total_timeout",
    [LLM_FAIL_UNREACHABLE] = "unreachable",
    [LLM_FAIL_HTTP] = "http_error",
    [LLM_FAIL_MODEL_NOT_FOUND] = "model_not_found",
    [LLM_FAIL_MALFORMED] = "malformed_response",
    [LLM_FAIL_TOOBIG] = "response_too_big",
    [LLM_FAIL_DROPPED] = "connection_dropped",
    [LLM_FAIL_SERVER_ERROR] = "server_error",
    [LLM_FAIL_UNKNOWN_TOOL] = "unknown_tool",
    [LLM_FAIL_BAD_ARGS] = "invalid_tool_arguments",
    [LLM_FAIL_TOOL_FAILED] = "tool_failed",
    [LLM_FAIL_TOO_MANY_STEPS] = "too_many_tool_steps",
    [LLM_FAIL_CANCELED] = "canceled",
    [LLM_FAIL_INTERNAL] = "internal",
};

const char *llm_failure_name(llm_failure kind)
{
    if ((size_t)kind < WZ_ARRAY_LEN(k_failure_names) && k_failure_names[kind])
        return k_failure_names[kind];
    return "unknown";
}

int llm_failure_code(llm_failure kind)
{
    switch (kind) {
    case LLM_FAIL_NONE: return WZ_OK;
    case LLM_FAIL_CONNECT_TIMEOUT:
    case LLM_FAIL_FIRST_TOKEN_TIMEOUT:
    case LLM_FAIL_TOTAL_TIMEOUT: return WZ_TIMEDOUT;
    case LLM_FAIL_UNREACHABLE: return WZ_IO;
    case LLM_FAIL_HTTP: return WZ_HTTP;
    case LLM_FAIL_MODEL_NOT_FOUND: return WZ_NOTFOUND;
    case LLM_FAIL_MALFORMED: return WZ_PROTO;
    case LLM_FAIL_TOOBIG: return WZ_TOOBIG;
    case LLM_FAIL_DROPPED: return WZ_CLOSED;
    case LLM_FAIL_SERVER_ERROR: return WZ_ENGINE;
    case LLM_FAIL_UNKNOWN_TOOL: return WZ_UNSUPP;
    case LLM_FAIL_BAD_ARGS: return WZ_INVAL;
    case LLM_FAIL_TOOL_FAILED: return WZ_ENGINE;
    case LLM_FAIL_TOO_MANY_STEPS: return WZ_AGAIN;
    case LLM_FAIL_CANCELED: return WZ_CANCELED;
    case LLM_FAIL_INTERNAL: return WZ_NOMEM;
    }
    return WZ_INVAL;
}

void llm_error_clear(llm_error *err)
{
    memset(err, 0, sizeof(*err));
}

int llm_error_set(llm_error *err, llm_failure kind, const char *fmt, ...)
{
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return llm_failure_code(kind);
}

/* ---- config ---- */

void llm_config_init(llm_config *c)
{
    memset(c, 0, sizeof(*c));
    wz_strlcpy(c->backend, "ollama", sizeof(c->backend));
    wz_strlcpy(c->url, "http://127.0.0.1:11434", sizeof(c->url));
    wz_strlcpy(c->model, "llama3.2", sizeof(c->model));
    c->temperature = 0.7;
    c->num_ctx = 4096;
    wz_strlcpy(c->keep_alive, "5m", sizeof(c->keep_alive));
    c->connect_timeout_ms = 3000;
    c->first_token_timeout_ms = 20000;
    c->total_timeout_ms = 120000;
    c->max_line_bytes = LLM_DEFAULT_MAX_LINE_BYTES;
    c->max_body_bytes = LLM_DEFAULT_MAX_BODY_BYTES;
}

void llm_config_from_wz(llm_config *c, const wz_config *cfg)
{
    llm_config_init(c);
    wz_strlcpy(c->backend, cfg->llm_backend, sizeof(c->backend));
    wz_strlcpy(c->url, cfg->llm_url, sizeof(c->url));
    wz_strlcpy(c->model, cfg->llm_model, sizeof(c->model));
    wz_strlcpy(c->api_key, cfg->llm_api_key, sizeof(c->api_key));
    c->temperature = cfg->llm_temperature;
    c->num_ctx = cfg->llm_num_ctx;
    wz_strlcpy(c->keep_alive, cfg->llm_keep_alive, sizeof(c->keep_alive));
    c->connect_timeout_ms = cfg->llm_connect_timeout_ms;
    c->first_token_timeout_ms = cfg->llm_first_token_timeout_ms;
    c->total_timeout_ms = cfg->llm_total_timeout_ms;
}

/* ---- client ---- */

struct llm_client {
    llm_config cfg;
    const llm_backend *backend;
    char endpoint[640];
    CURL *easy;
    CURLM *multi;
    atomic_bool cancel;
    llm_poll_fn poll;
    void *poll_ctx;
};

/* State of one transfer, seen by the libcurl callbacks. */
typedef struct request {
    llm_client *cl;
    llm_stream stream;
    int64_t start_ms;
    long status;           /* HTTP status, read once headers are in */
    char errbody[LLM_MAX_ERROR_BODY_BYTES + 1];
    size_t errbody_len;
    llm_failure abort_why; /* set when we abort from a callback */
} request;

static void global_init_once(void)
{
    static atomic_bool done;
    if (!atomic_exchange(&done, true))
        curl_global_init(CURL_GLOBAL_DEFAULT);
}

int llm_client_new(const llm_config *c, llm_client **out)
{
    *out = NULL;
    const llm_backend *b = llm_backend_find(c->backend);
    if (!b) {
        log_error("llm: unknown backend '%s' (ollama|openai)", c->backend);
        return WZ_CONFIG;
    }
    global_init_once();
    llm_client *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return WZ_NOMEM;
    cl->cfg = *c;
    cl->backend = b;
    size_t n = strlen(c->url);
    while (n > 0 && c->url[n - 1] == '/')
        n--; /* "http://host:11434/" + "/api/chat" */
    snprintf(cl->endpoint, sizeof(cl->endpoint), "%.*s%s", (int)n, c->url, b->path);
    cl->easy = curl_easy_init();
    cl->multi = curl_multi_init();
    if (!cl->easy || !cl->multi) {
        llm_client_free(cl);
        return WZ_ENGINE;
    }
    atomic_init(&cl->cancel, false);
    *out = cl;
    return WZ_OK;
}

void llm_client_free(llm_client *cl)
{
    if (!cl)
        return;
    if (cl->easy)
        curl_easy_cleanup(cl->easy);
    if (cl->multi)
        curl_multi_cleanup(cl->multi);
    free(cl);
}

const llm_backend *llm_client_backend(const llm_client *cl) { return cl->backend; }
const llm_config *llm_client_config(const llm_client *cl) { return &cl->cfg; }

void llm_client_set_poll(llm_client *cl, llm_poll_fn fn, void *ctx)
{
    cl->poll = fn;
    cl->poll_ctx = ctx;
}

void llm_cancel(llm_client *cl)
{
    atomic_store(&cl->cancel, true);
    curl_multi_wakeup(cl->multi); /* thread-safe: breaks curl_multi_poll() */
}

void llm_cancel_reset(llm_client *cl) { atomic_store(&cl->cancel, false); }
bool llm_canceled(const llm_client *cl) { return atomic_load(&((llm_client *)cl)->cancel); }

/* Checks cancellation and deadlines; returns the reason to stop, or NONE. */
static llm_failure must_stop(request *rq)
{
    llm_client *cl = rq->cl;
    if (atomic_load(&cl->cancel))
        return LLM_FAIL_CANCELED;
    int64_t el = wz_now_ms() - rq->start_ms;
    /* Counted from the request start: a server that accepts the connection
     * but sends nothing (not even headers) also hits it. An error status
     * ends the transfer by itself. */
    if (!rq->stream.got_token && (rq->status == 0 || rq->status < 300) &&
        el > cl->cfg.first_token_timeout_ms)
        return LLM_FAIL_FIRST_TOKEN_TIMEOUT;
    if (el > cl->cfg.total_timeout_ms)
        return LLM_FAIL_TOTAL_TIMEOUT;
    return LLM_FAIL_NONE;
}

static int xferinfo_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    request *rq = p;
    llm_failure why = must_stop(rq);
    if (why != LLM_FAIL_NONE) {
        rq->abort_why = why;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *p)
{
    request *rq = p;
    size_t n = size * nmemb;
    if (atomic_load(&rq->cl->cancel)) {
        rq->abort_why = LLM_FAIL_CANCELED;
        return 0; /* no delta after the flag is seen */
    }
    if (rq->status == 0)
        curl_easy_getinfo(rq->cl->easy, CURLINFO_RESPONSE_CODE, &rq->status);
    if (rq->status < 200 || rq->status >= 300) {
        size_t room = LLM_MAX_ERROR_BODY_BYTES - rq->errbody_len;
        size_t take = WZ_MIN(room, n); /* the error body is only for the message */
        memcpy(rq->errbody + rq->errbody_len, data, take);
        rq->errbody_len += take;
        rq->errbody[rq->errbody_len] = '\0';
        return n;
    }
    if (llm_stream_feed(&rq->stream, data, n) != WZ_OK)
        return 0; /* CURLE_WRITE_ERROR; stream.err says why */
    return n;
}

static void setup_easy(request *rq, const char *body, struct curl_slist *hdrs)
{
    llm_client *cl = rq->cl;
    CURL *e = cl->easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, cl->endpoint);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, rq);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, rq);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cl->cfg.connect_timeout_ms);
    /* Backstop only: our own total deadline fires first with a clear kind. */
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cl->cfg.total_timeout_ms + 2000);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "wyzer/" WZ_VERSION);
}

/* Drives the transfer until it ends or must stop. Returns the curl result,
 * or CURLE_ABORTED_BY_CALLBACK with rq->abort_why set. */
static CURLcode run_transfer(request *rq)
{
    llm_client *cl = rq->cl;
    curl_multi_add_handle(cl->multi, cl->easy);
    CURLcode res = CURLE_OK;
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(cl->multi, &running);
        if (mc != CURLM_OK) {
            res = CURLE_RECV_ERROR;
            break;
        }
        CURLMsg *m;
        int left;
        bool finished = false;
        while ((m = curl_multi_info_read(cl->multi, &left))) {
            if (m->msg == CURLMSG_DONE) {
                res = m->data.result;
                finished = true;
            }
        }
        if (finished || !running)
            break;
        llm_failure why = must_stop(rq);
        if (why == LLM_FAIL_NONE && cl->poll && cl->poll(cl->poll_ctx)) {
            atomic_store(&cl->cancel, true);
            why = LLM_FAIL_CANCELED;
        }
        if (why != LLM_FAIL_NONE) {
            rq->abort_why = why;
            res = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        curl_multi_poll(cl->multi, NULL, 0, LLM_TICK_MS, NULL);
    }
    /* Removing an unfinished transfer closes its connection: that is the
     * abort the server sees. */
    curl_multi_remove_handle(cl->multi, cl->easy);
    return res;
}

/* Message for a non-2xx response: Ollama {"error":"..."}, OpenAI
 * {"error":{"message":"..."}}, or the raw body start. */
static int http_failure(request *rq, llm_error *err)
{
    const char *url = rq->cl->endpoint;
    char msg[300] = "";
    json_t *j = json_loadb(rq->errbody, rq->errbody_len, 0, NULL);
    json_t *e = json_object_get(j, "error");
    const char *s = json_is_string(e) ? json_string_value(e)
                                       : json_string_value(json_object_get(e, "message"));
    if (s)
        snprintf(msg, sizeof(msg), "%s", s);
    else
        snprintf(msg, sizeof(msg), "%.200s", rq->errbody);
    json_decref(j);
    err->http_status = (int)rq->status;
    if (rq->status == 404 && strstr(msg, "not found") && strstr(msg, "model"))
        return llm_error_set(err, LLM_FAIL_MODEL_NOT_FOUND, "LLM at %s: model '%s' not found (%s)",
                             url, rq->cl->cfg.model, msg);
    return llm_error_set(err, LLM_FAIL_HTTP, "LLM at %s: HTTP %ld: %s", url, rq->status, msg);
}

static int classify(request *rq, CURLcode res, llm_error *err)
{
    llm_client *cl = rq->cl;
    const char *url = cl->endpoint;
    if (rq->status == 0)
        curl_easy_getinfo(cl->easy, CURLINFO_RESPONSE_CODE, &rq->status);
    err->http_status = (int)rq->status;
    if (rq->stream.err.kind != LLM_FAIL_NONE) {
        *err = rq->stream.err;
        err->http_status = (int)rq->status;
        return llm_failure_code(err->kind);
    }
    switch (rq->abort_why) {
    case LLM_FAIL_CANCELED:
        return llm_error_set(err, LLM_FAIL_CANCELED, "LLM at %s: canceled", url);
    case LLM_FAIL_FIRST_TOKEN_TIMEOUT:
        return llm_error_set(err, LLM_FAIL_FIRST_TOKEN_TIMEOUT,
                             "LLM at %s: no token within %ld ms", url, cl->cfg.first_token_timeout_ms);
    case LLM_FAIL_TOTAL_TIMEOUT:
        return llm_error_set(err, LLM_FAIL_TOTAL_TIMEOUT, "LLM at %s: reply not finished within %ld ms",
                             url, cl->cfg.total_timeout_ms);
    default:
        break;
    }
    switch (res) {
    case CURLE_OK:
        break;
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connect_us = 0;
        curl_easy_getinfo(cl->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        if (connect_us == 0)
            return llm_error_set(err, LLM_FAIL_CONNECT_TIMEOUT, "LLM at %s: no connection within %ld ms",
                                 url, cl->cfg.connect_timeout_ms);
        return llm_error_set(err, LLM_FAIL_TOTAL_TIMEOUT, "LLM at %s: reply not finished within %ld ms",
                             url, cl->cfg.total_timeout_ms);
    }
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return llm_error_set(err, LLM_FAIL_UNREACHABLE, "LLM at %s: unreachable (%s)", url,
                             curl_easy_strerror(res));
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
        if (rq->status >= 200 && rq->status < 300)
            return llm_error_set(err, LLM_FAIL_DROPPED, "LLM at %s: connection dropped mid-stream (%s)",
                                 url, curl_easy_strerror(res));
        return llm_error_set(err, LLM_FAIL_UNREACHABLE, "LLM at %s: %s", url, curl_easy_strerror(res));
    default:
        return llm_error_set(err, LLM_FAIL_UNREACHABLE, "LLM at %s: %s", url, curl_easy_strerror(res));
    }
    if (rq->status < 200 || rq->status >= 300)
        return http_failure(rq, err);
    if (llm_stream_finish(&rq->stream) != WZ_OK) {
        *err = rq->stream.err;
        err->http_status = (int)rq->status;
        return llm_failure_code(err->kind);
    }
    return WZ_OK;
}

int llm_chat(llm_client *cl, json_t *messages, json_t *tools, llm_delta_fn on_delta, void *ctx,
             llm_reply *out, llm_error *err)
{
    memset(out, 0, sizeof(*out));
    llm_error_clear(err);
    if (atomic_load(&cl->cancel))
        return llm_error_set(err, LLM_FAIL_CANCELED, "LLM at %s: canceled", cl->endpoint);
    request *rq = calloc(1, sizeof(*rq));
    json_t *body = cl->backend->build_request(&cl->cfg, messages, tools);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct curl_slist *hdrs = NULL;
    char hdr[600];
    int rc;
    if (!rq || !text || llm_stream_init(&rq->stream, cl->backend, cl->cfg.max_line_bytes,
                                        cl->cfg.max_body_bytes, on_delta, ctx) != WZ_OK) {
        rc = llm_error_set(err, LLM_FAIL_INTERNAL, "LLM at %s: out of memory", cl->endpoint);
        goto out;
    }
    rq->cl = cl;
    rq->stream.url = cl->endpoint;
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    snprintf(hdr, sizeof(hdr), "Accept: %s", cl->backend->accept);
    hdrs = curl_slist_append(hdrs, hdr);
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    if (cl->cfg.api_key[0]) {
        snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", cl->cfg.api_key);
        hdrs = curl_slist_append(hdrs, hdr);
    }
    setup_easy(rq, text, hdrs);
    rq->start_ms = wz_now_ms();
    CURLcode res = run_transfer(rq);
    rc = classify(rq, res, err);
    if (rc == WZ_OK) {
        *out = rq->stream.reply;
        memset(&rq->stream.reply, 0, sizeof(rq->stream.reply));
    }
out:
    if (rq)
        llm_stream_uninit(&rq->stream);
    curl_slist_free_all(hdrs);
    free(text);
    free(rq);
    return rc;
}
