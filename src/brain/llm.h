/* llm.h: streaming chat client for local LLM servers, with tool calling.
 *
 * Backends sit behind a vtable (llm_backend): "ollama" (POST /api/chat,
 * NDJSON) and "openai" (POST /v1/chat/completions, SSE). Adding one is one
 * file defining an llm_backend plus one line in k_backends in llm.c. The
 * HTTP transfer, timeouts, cancellation and size caps live in llm.c and are
 * shared; a backend only builds request bodies and messages and decodes
 * one stream line at a time (pure functions, fuzzed in fuzz/).
 *
 * Messages are jansson arrays in the shape both servers accept for plain
 * turns: {"role": "system"|"user"|"assistant", "content": "..."}. Turns that
 * carry tool calls or tool results differ per server, so they are built by
 * the backend (assistant_message, tool_message).
 *
 * Errors: every failure returns a negative wz_err and fills an llm_error
 * with a distinct llm_failure kind and a one-line message naming the URL and
 * the cause. Nothing here aborts the process on bad server input.
 *
 * Thread safety: one llm_client runs one request at a time, on the thread
 * that calls llm_chat(). llm_cancel() may be called from any thread at any
 * time. Nothing here is safe on the audio thread (it allocates and does
 * network I/O). */
#ifndef WZ_LLM_H
#define WZ_LLM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/wz.h"

struct wz_config;

/* One response may request at most this many tool calls; more is an error
 * (LLM_FAIL_TOOBIG), never silently dropped. */
#define LLM_MAX_TOOL_CALLS 8
#define LLM_TOOL_NAME_MAX 64
#define LLM_TOOL_ID_MAX 96
/* One NDJSON line or SSE event: Ollama's lines are ~200 bytes; a tool call
 * with large arguments stays far below 256 KiB. */
#define LLM_DEFAULT_MAX_LINE_BYTES (256 * 1024)
/* Whole response body: 8 MiB is ~2 million tokens of streamed JSON. */
#define LLM_DEFAULT_MAX_BODY_BYTES (8 * 1024 * 1024)
/* Assistant text kept per response (spoken replies are far shorter). */
#define LLM_MAX_TEXT_BYTES (256 * 1024)
/* Error bodies of non-2xx responses are read up to this size. */
#define LLM_MAX_ERROR_BODY_BYTES (16 * 1024)

typedef enum {
    LLM_FAIL_NONE = 0,
    LLM_FAIL_CONNECT_TIMEOUT,     /* WZ_TIMEDOUT: no TCP connection in connect_timeout_ms */
    LLM_FAIL_FIRST_TOKEN_TIMEOUT, /* WZ_TIMEDOUT: no text or tool call in first_token_timeout_ms */
    LLM_FAIL_TOTAL_TIMEOUT,       /* WZ_TIMEDOUT: reply not finished in total_timeout_ms */
    LLM_FAIL_UNREACHABLE,         /* WZ_IO: connection refused, DNS failure, network error */
    LLM_FAIL_HTTP,                /* WZ_HTTP: non-2xx status */
    LLM_FAIL_MODEL_NOT_FOUND,     /* WZ_NOTFOUND: 404 "model '...' not found" */
    LLM_FAIL_MALFORMED,           /* WZ_PROTO: a stream line is not the expected JSON */
    LLM_FAIL_TOOBIG,              /* WZ_TOOBIG: line, body, text or tool-call count over cap */
    LLM_FAIL_DROPPED,             /* WZ_CLOSED: stream ended before done / [DONE] */
    LLM_FAIL_SERVER_ERROR,        /* WZ_ENGINE: the server reported an error in the stream */
    LLM_FAIL_UNKNOWN_TOOL,        /* WZ_UNSUPP: tool call names a tool that was not offered */
    LLM_FAIL_BAD_ARGS,            /* WZ_INVAL: tool arguments are not a JSON object / fail schema */
    LLM_FAIL_TOOL_FAILED,         /* WZ_ENGINE: the tool callback failed for another reason */
    LLM_FAIL_TOO_MANY_STEPS,      /* WZ_AGAIN: still asking for tools after max_tool_steps */
    LLM_FAIL_CANCELED,            /* WZ_CANCELED: llm_cancel() or the poll hook */
    LLM_FAIL_INTERNAL,            /* WZ_NOMEM / WZ_CONFIG / WZ_INVAL: our side */
} llm_failure;

/* Stable lowercase name for events, e.g. "first_token_timeout". */
const char *llm_failure_name(llm_failure kind);

typedef struct llm_error {
    llm_failure kind;
    int http_status;   /* 0 when no response arrived */
    char message[512]; /* "LLM at URL: cause", for logs and the error event */
} llm_error;

/* Clears err to LLM_FAIL_NONE. */
void llm_error_clear(llm_error *err);
/* Fills err (kind, formatted message) and returns the wz_err for kind. */
int llm_error_set(llm_error *err, llm_failure kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The wz_err that goes with a failure kind. */
int llm_failure_code(llm_failure kind);

typedef struct llm_config {
    char backend[32];  /* "ollama" | "openai" ("none" is refused by llm_client_new) */
    char url[512];     /* base URL without the path */
    char model[256];
    char api_key[512]; /* openai: sent as "Authorization: Bearer KEY" when not empty */
    double temperature;
    long num_ctx;          /* ollama options.num_ctx */
    char keep_alive[32];   /* ollama keep_alive ("5m", or a number of seconds) */
    long connect_timeout_ms;
    long first_token_timeout_ms;
    long total_timeout_ms;
    size_t max_line_bytes;
    size_t max_body_bytes;
} llm_config;

/* Defaults (the same as config_keys.h). Never fails. */
void llm_config_init(llm_config *c);
/* Copies the llm.* keys of the application config. Never fails. */
void llm_config_from_wz(llm_config *c, const struct wz_config *cfg);

typedef struct llm_tool_call {
    char id[LLM_TOOL_ID_MAX];     /* openai call id; ollama: synthesised "call_N" */
    char name[LLM_TOOL_NAME_MAX];
    json_t *args;                 /* always a JSON object; owned by the llm_reply */
} llm_tool_call;

/* One complete assistant response. */
typedef struct llm_reply {
    char *text;        /* all content deltas joined; owned, never NULL after success */
    size_t text_len;
    llm_tool_call calls[LLM_MAX_TOOL_CALLS];
    size_t ncalls;
    char finish_reason[32]; /* "stop", "tool_calls", "length", ... or "" */
} llm_reply;

/* Frees what a reply owns and zeroes it. Safe on a zeroed reply. */
void llm_reply_clear(llm_reply *r);

/* Receives each content delta as it arrives (not NUL-terminated). Called on
 * the llm_chat() thread, from inside the transfer. */
typedef void (*llm_delta_fn)(void *ctx, const char *text, size_t len);

/* ---- Stream decoding (pure: no I/O, fuzzable) ---- */

typedef struct llm_backend llm_backend;

typedef struct llm_stream {
    const llm_backend *backend;
    llm_delta_fn on_delta;
    void *ctx;
    llm_reply reply;
    bool done;      /* the server said the reply is complete */
    bool got_token; /* any content, tool call or done seen (first-token timer) */
    llm_error err;  /* set when a decode step fails */
    const char *url; /* for messages; may be "" */
    /* line splitter */
    char *line;
    size_t line_len, line_cap, max_line_bytes;
    size_t body_bytes, max_body_bytes;
    /* SSE: data lines of the pending event, joined by '\n' */
    char *event;
    size_t event_len;
    bool event_pending;
    /* openai: argument fragments per tool-call index */
    char *frag[LLM_MAX_TOOL_CALLS];
    size_t frag_len[LLM_MAX_TOOL_CALLS];
    bool frag_used[LLM_MAX_TOOL_CALLS];
} llm_stream;

/* Prepares a decoder. Returns WZ_OK or WZ_NOMEM. Pair with llm_stream_uninit. */
int llm_stream_init(llm_stream *s, const llm_backend *b, size_t max_line_bytes,
                    size_t max_body_bytes, llm_delta_fn on_delta, void *ctx) WZ_MUST_CHECK;
/* Feeds raw body bytes: splits lines (\n, optional \r) and decodes each.
 * On failure returns a negative wz_err with s->err filled; the stream must
 * then not be fed again. */
int llm_stream_feed(llm_stream *s, const char *data, size_t len) WZ_MUST_CHECK;
/* End of body: decodes a last unterminated line, checks that the server
 * finished, and completes tool calls. WZ_OK means s->reply is complete. */
int llm_stream_finish(llm_stream *s) WZ_MUST_CHECK;
void llm_stream_uninit(llm_stream *s);

/* Helpers for backends. */
int llm_stream_add_text(llm_stream *s, const char *text, size_t len) WZ_MUST_CHECK;
/* Appends a complete tool call; takes ownership of args (object). */
int llm_stream_add_call(llm_stream *s, const char *id, const char *name, json_t *args) WZ_MUST_CHECK;

/* ---- Backends ---- */

struct llm_backend {
    const char *name;
    const char *path; /* appended to llm_config.url */
    const char *accept; /* Accept header value */
    /* Request body (new reference) or NULL on NOMEM. tools may be NULL or an
     * empty array, in which case no tools are offered. */
    json_t *(*build_request)(const llm_config *c, json_t *messages, json_t *tools);
    /* Decodes one line without its terminator. Returns WZ_OK or a negative
     * wz_err with s->err set. */
    int (*decode_line)(llm_stream *s, const char *line, size_t len);
    /* End of body (after the last line). Checks completion and finishes tool
     * calls. */
    int (*finish)(llm_stream *s);
    /* The assistant turn for a reply that requested tool calls (new ref). */
    json_t *(*assistant_message)(const llm_reply *r);
    /* The message carrying one tool's result back (new ref). */
    json_t *(*tool_message)(const llm_tool_call *call, const char *content);
};

extern const llm_backend llm_backend_ollama;
extern const llm_backend llm_backend_openai;

/* Looks a backend up by name; NULL if unknown. */
const llm_backend *llm_backend_find(const char *name);

/* ---- Client ---- */

typedef struct llm_client llm_client;

/* Creates a client for c->backend. WZ_CONFIG (with a log line) for an
 * unknown backend or "none", WZ_NOMEM, WZ_ENGINE if libcurl fails. The
 * config is copied. Free with llm_client_free. */
int llm_client_new(const llm_config *c, llm_client **out) WZ_MUST_CHECK;
void llm_client_free(llm_client *cl);
const llm_backend *llm_client_backend(const llm_client *cl);
const llm_config *llm_client_config(const llm_client *cl);

/* Optional hook polled on the llm_chat() thread at least every 20 ms while
 * a transfer runs; returning nonzero cancels it like llm_cancel(). */
typedef int (*llm_poll_fn)(void *ctx);
void llm_client_set_poll(llm_client *cl, llm_poll_fn fn, void *ctx);

/* Runs one streamed request. messages and tools are borrowed (tools may be
 * NULL). Deltas go to on_delta (may be NULL) as they arrive. On WZ_OK, out
 * holds the complete reply (caller clears it with llm_reply_clear). On
 * failure out is cleared, err says why, and the connection is closed.
 * Fails at once with WZ_CANCELED if the cancel flag is already set. */
int llm_chat(llm_client *cl, json_t *messages, json_t *tools, llm_delta_fn on_delta, void *ctx,
             llm_reply *out, llm_error *err) WZ_MUST_CHECK;

/* Sets the cancel flag and wakes the transfer; the running llm_chat()
 * returns WZ_CANCELED within milliseconds, and no delta is delivered after
 * it sees the flag. Any thread, async-signal-unsafe. The flag stays set
 * until llm_cancel_reset(). */
void llm_cancel(llm_client *cl);
void llm_cancel_reset(llm_client *cl);
bool llm_canceled(const llm_client *cl);

#endif
