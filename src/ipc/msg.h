/* msg.h: the wire format of messages between core, brain and main.
 *
 * Every message is a fixed 24-byte header followed by the payload:
 *   u8 version (1) | u8 type | u16 flags | u32 payload_len | u64 req_id | i64 t_ns
 * in host byte order (all parties run on one machine). t_ns is the sender's
 * CLOCK_MONOTONIC time. docs/protocol.md describes each type's payload.
 *
 * msg_decode() validates everything (version, known type, exact length,
 * payload shape) and never reads outside the buffer; it is fuzzed. Decoded
 * pointers point into the caller's buffer. */
#ifndef WZ_MSG_H
#define WZ_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipcq.h"

#define MSG_VERSION 1
#define MSG_HEADER_BYTES 24

/* X(name, value, payload kind). Kinds: NONE, TEXT (NUL-terminated UTF-8),
 * TEXT2 (two NUL-terminated strings), PCM (s16 samples), TTS_PCM (u32 rate +
 * s16 samples), STATS (msg_stats), NUM_TEXT (u32 + NUL-terminated text:
 * PEER_RESTARTED's pid and role, HEARD's sample count and words). */
#define MSG_TYPES(X)                         \
    X(AUDIO_START,    1,  PCM)               \
    X(AUDIO_CHUNK,    2,  PCM)               \
    X(AUDIO_END,      3,  TEXT)              \
    X(TEXT_REQUEST,   4,  TEXT)              \
    X(INTERRUPT,      5,  TEXT)              \
    X(SAY,            6,  TEXT)              \
    X(SHUTDOWN,       10, NONE)              \
    X(HEARTBEAT,      11, STATS)             \
    X(HEARTBEAT_ACK,  12, STATS)             \
    X(READY,          13, NONE)              \
    X(PEER_RESTARTED, 14, NUM_TEXT)          \
    X(TRANSCRIPT,     20, TEXT)              \
    X(RESPONSE_TEXT,  21, TEXT)              \
    X(TTS_AUDIO,      22, TTS_PCM)           \
    X(TTS_END,        23, NONE)              \
    X(ANNOUNCE,       24, TEXT)              \
    X(EVENT,          25, TEXT)              \
    X(ERROR,          26, TEXT2)             \
    X(HEARD,          27, NUM_TEXT)

typedef enum {
#define MSG_ENUM(name, val, kind) MSG_##name = (val),
    MSG_TYPES(MSG_ENUM)
#undef MSG_ENUM
} msg_type;

/* Flags. */
#define MSG_F_FINAL         0x0001 /* TRANSCRIPT: final, not partial */
#define MSG_F_EXPECTS_REPLY 0x0002 /* RESPONSE_TEXT/TTS_END: the reply asks a question */
#define MSG_F_ANNOUNCE      0x0004 /* TTS_AUDIO/TTS_END belong to an ANNOUNCE */
#define MSG_F_ERROR         0x0008 /* TTS_END/RESPONSE_TEXT: the request ended in an error */
#define MSG_F_PAUSE         0x0010 /* AUDIO_CHUNK: it ends in a pause (the VAD hears no speech) */
#define MSG_F_COMPLETE      0x0020 /* HEARD: the words so far are a whole command */
#define MSG_F_CLOSED        0x0040 /* HEARD, with COMPLETE: and no more words could change it */

/* Ids of brain-initiated speech (timer announcements) have the top bit
 * set, so they never collide with the core's request ids. Events show them
 * without it: announcements are numbered 1, 2, ... on their own. */
#define MSG_ANNOUNCE_ID_BIT (1ULL << 63)

/* Counters carried by heartbeats, so each side's drops are visible. */
typedef struct {
    uint64_t seq;
    uint64_t audio_dropped;    /* AUDIO_CHUNKs not delivered (queue full) */
    uint64_t requests_failed;  /* requests ended because audio could not be delivered */
    uint64_t control_dropped;  /* control messages not delivered */
    uint64_t overruns;         /* capture frames lost */
    uint64_t underruns;        /* playback starved */
    uint64_t bad_messages;     /* corrupt or unknown messages skipped */
    uint64_t reserved;
} msg_stats;

typedef struct {
    uint8_t type;
    uint16_t flags;
    uint64_t req_id;
    int64_t t_ns;
    const uint8_t *payload;
    size_t payload_len;
    /* Filled by msg_decode according to the type's payload kind. */
    const char *text;          /* TEXT, TEXT2 (first), NUM_TEXT */
    const char *text2;         /* TEXT2 (second) */
    const int16_t *pcm;        /* PCM, TTS_PCM (may be unaligned-safe copy target) */
    size_t pcm_samples;
    uint32_t rate;             /* TTS_PCM */
    uint32_t num;              /* NUM_TEXT: PEER_RESTARTED's pid, HEARD's samples */
    msg_stats stats;           /* STATS */
} msg;

const char *msg_type_name(int type); /* "AUDIO_CHUNK", or "UNKNOWN" */

/* Encodes into buf. Returns the total size, or 0 if it does not fit cap. */
size_t msg_encode(uint8_t *buf, size_t cap, int type, uint16_t flags, uint64_t req_id,
                  const void *payload, size_t payload_len);

/* Decodes and validates. Returns WZ_OK or WZ_PROTO (err names the problem). */
int msg_decode(const uint8_t *buf, size_t len, msg *out, char *err, size_t errlen) WZ_MUST_CHECK;

/* Encode + send helpers. timeout_ms as in ipcq_send. Returns ipcq codes, or
 * WZ_TOOBIG when the message exceeds the queue's bound. */
int msg_send(ipcq *q, int type, uint16_t flags, uint64_t req_id, const void *payload,
             size_t len, int timeout_ms) WZ_MUST_CHECK;
int msg_try_send(ipcq *q, int type, uint16_t flags, uint64_t req_id, const void *payload,
                 size_t len, size_t reserve) WZ_MUST_CHECK;
/* Text payload (the NUL is included on the wire). */
int msg_send_text(ipcq *q, int type, uint16_t flags, uint64_t req_id, const char *text,
                  int timeout_ms) WZ_MUST_CHECK;
/* Two strings, e.g. ERROR (component, message). */
int msg_send_text2(ipcq *q, int type, uint16_t flags, uint64_t req_id, const char *a,
                   const char *b, int timeout_ms) WZ_MUST_CHECK;
/* A u32 and a string (NUM_TEXT: PEER_RESTARTED, HEARD). */
int msg_send_num_text(ipcq *q, int type, uint16_t flags, uint64_t req_id, uint32_t num,
                      const char *text, int timeout_ms) WZ_MUST_CHECK;
/* One event line (len bytes, no NUL needed) as an EVENT message. */
int msg_send_event(ipcq *q, const char *line, size_t len, int timeout_ms) WZ_MUST_CHECK;
/* TTS audio chunk with its sample rate. */
int msg_send_tts(ipcq *q, uint16_t flags, uint64_t req_id, uint32_t rate, const int16_t *pcm,
                 size_t samples, int timeout_ms) WZ_MUST_CHECK;

#endif
