/* msg.c: message encoding and validation. */
#include "ipc/msg.h"
#include "common/wz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_NONE, K_TEXT, K_TEXT2, K_PCM, K_TTS_PCM, K_STATS, K_NUM_TEXT };

/* Upper bound for one encoded message on the stack of a sender. Larger
 * queues bounds still work: msg_send() falls back to the heap. */
#define MSG_STACK_BYTES 8192

static int kind_of(int type)
{
    switch (type) {
#define MSG_KIND(name, val, kind) case (val): return K_##kind;
        MSG_TYPES(MSG_KIND)
#undef MSG_KIND
    }
    return -1;
}

const char *msg_type_name(int type)
{
    switch (type) {
#define MSG_NAME(name, val, kind) case (val): return #name;
        MSG_TYPES(MSG_NAME)
#undef MSG_NAME
    }
    return "UNKNOWN";
}

size_t msg_encode(uint8_t *buf, size_t cap, int type, uint16_t flags, uint64_t req_id,
                  const void *payload, size_t payload_len)
{
    if (payload_len > UINT32_MAX || cap < MSG_HEADER_BYTES ||
        payload_len > cap - MSG_HEADER_BYTES)
        return 0;
    uint32_t plen = (uint32_t)payload_len;
    int64_t t = wz_now_ns();
    buf[0] = MSG_VERSION;
    buf[1] = (uint8_t)type;
    memcpy(buf + 2, &flags, 2);
    memcpy(buf + 4, &plen, 4);
    memcpy(buf + 8, &req_id, 8);
    memcpy(buf + 16, &t, 8);
    if (payload_len)
        memcpy(buf + MSG_HEADER_BYTES, payload, payload_len);
    return MSG_HEADER_BYTES + payload_len;
}

static int fail(char *err, size_t errlen, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", what);
    return WZ_PROTO;
}

/* A NUL-terminated string starting at p within [p, end): returns its end
 * (one past the NUL) or NULL. */
static const uint8_t *cstr_end(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *z = memchr(p, 0, (size_t)(end - p));
    return z ? z + 1 : NULL;
}

int msg_decode(const uint8_t *buf, size_t len, msg *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (len < MSG_HEADER_BYTES)
        return fail(err, errlen, "shorter than the header");
    if (buf[0] != MSG_VERSION)
        return fail(err, errlen, "unknown protocol version");
    uint32_t plen;
    m->type = buf[1];
    memcpy(&m->flags, buf + 2, 2);
    memcpy(&plen, buf + 4, 4);
    memcpy(&m->req_id, buf + 8, 8);
    memcpy(&m->t_ns, buf + 16, 8);
    if (plen != len - MSG_HEADER_BYTES)
        return fail(err, errlen, "payload length does not match the message size");
    m->payload = buf + MSG_HEADER_BYTES;
    m->payload_len = plen;
    const uint8_t *p = m->payload, *end = p + plen;
    switch (kind_of(m->type)) {
    case K_NONE:
        if (plen)
            return fail(err, errlen, "unexpected payload");
        return WZ_OK;
    case K_TEXT:
        if (!plen || p[plen - 1] != 0 || memchr(p, 0, plen) != p + plen - 1)
            return fail(err, errlen, "text payload is not one NUL-terminated string");
        m->text = (const char *)p;
        return WZ_OK;
    case K_TEXT2: {
        const uint8_t *e1 = cstr_end(p, end);
        if (!e1 || e1 == end || cstr_end(e1, end) != end)
            return fail(err, errlen, "payload is not two NUL-terminated strings");
        m->text = (const char *)p;
        m->text2 = (const char *)e1;
        return WZ_OK;
    }
    case K_PCM:
        if (plen % 2)
            return fail(err, errlen, "odd PCM byte count");
        m->pcm = (const int16_t *)(const void *)p; /* payload offset 24 keeps 2-byte alignment */
        m->pcm_samples = plen / 2;
        return WZ_OK;
    case K_TTS_PCM:
        if (plen < 4 || (plen - 4) % 2)
            return fail(err, errlen, "bad TTS audio payload size");
        memcpy(&m->rate, p, 4);
        if (m->rate < 4000 || m->rate > 192000)
            return fail(err, errlen, "TTS sample rate out of range");
        m->pcm = (const int16_t *)(const void *)(p + 4);
        m->pcm_samples = (plen - 4) / 2;
        return WZ_OK;
    case K_STATS:
        if (plen != sizeof(msg_stats))
            return fail(err, errlen, "bad stats payload size");
        memcpy(&m->stats, p, sizeof m->stats);
        return WZ_OK;
    case K_NUM_TEXT:
        if (plen < 5 || cstr_end(p + 4, end) != end)
            return fail(err, errlen, "payload is not a u32 and a NUL-terminated string");
        memcpy(&m->num, p, 4);
        m->text = (const char *)(p + 4);
        return WZ_OK;
    }
    return fail(err, errlen, "unknown message type");
}

static int send_common(ipcq *q, int type, uint16_t flags, uint64_t req_id, const void *a,
                       size_t alen, const void *b, size_t blen, bool try_only,
                       size_t reserve, int timeout_ms)
{
    size_t total = MSG_HEADER_BYTES + alen + blen;
    if (total > ipcq_max_bytes(q))
        return WZ_TOOBIG;
    uint8_t stackbuf[MSG_STACK_BYTES];
    uint8_t *buf = total <= sizeof stackbuf ? stackbuf : malloc(total);
    if (!buf)
        return WZ_NOMEM;
    size_t n = msg_encode(buf, total, type, flags, req_id, NULL, 0);
    /* msg_encode wrote a zero length; patch in the real one and append. */
    uint32_t plen = (uint32_t)(alen + blen);
    memcpy(buf + 4, &plen, 4);
    if (alen)
        memcpy(buf + n, a, alen);
    if (blen)
        memcpy(buf + n + alen, b, blen);
    int rc = try_only ? ipcq_try_send(q, buf, total, reserve) : ipcq_send(q, buf, total, timeout_ms);
    if (buf != stackbuf)
        free(buf);
    return rc;
}

int msg_send(ipcq *q, int type, uint16_t flags, uint64_t req_id, const void *payload,
             size_t len, int timeout_ms)
{
    return send_common(q, type, flags, req_id, payload, len, NULL, 0, false, 0, timeout_ms);
}

int msg_try_send(ipcq *q, int type, uint16_t flags, uint64_t req_id, const void *payload,
                 size_t len, size_t reserve)
{
    return send_common(q, type, flags, req_id, payload, len, NULL, 0, true, reserve, 0);
}

int msg_send_text(ipcq *q, int type, uint16_t flags, uint64_t req_id, const char *text,
                  int timeout_ms)
{
    return send_common(q, type, flags, req_id, text, strlen(text) + 1, NULL, 0, false, 0,
                       timeout_ms);
}

int msg_send_text2(ipcq *q, int type, uint16_t flags, uint64_t req_id, const char *a,
                   const char *b, int timeout_ms)
{
    return send_common(q, type, flags, req_id, a, strlen(a) + 1, b, strlen(b) + 1, false, 0,
                       timeout_ms);
}

int msg_send_num_text(ipcq *q, int type, uint16_t flags, uint64_t req_id, uint32_t num,
                      const char *text, int timeout_ms)
{
    return send_common(q, type, flags, req_id, &num, sizeof num, text, strlen(text) + 1, false, 0,
                       timeout_ms);
}

int msg_send_event(ipcq *q, const char *line, size_t len, int timeout_ms)
{
    /* The NUL the TEXT payload needs travels as a second part: no copy. */
    return send_common(q, MSG_EVENT, 0, 0, line, len, "", 1, false, 0, timeout_ms);
}

int msg_send_tts(ipcq *q, uint16_t flags, uint64_t req_id, uint32_t rate, const int16_t *pcm,
                 size_t samples, int timeout_ms)
{
    return send_common(q, MSG_TTS_AUDIO, flags, req_id, &rate, sizeof rate, pcm,
                       samples * sizeof *pcm, false, 0, timeout_ms);
}
