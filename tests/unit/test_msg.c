/* test_msg.c: message encode/decode round trips and rejection of bad input. */
#include "ipc/msg.h"
#include "wz_test.h"

static uint8_t buf[4096];

static msg roundtrip(int type, uint16_t flags, uint64_t req, const void *p, size_t n)
{
    size_t len = msg_encode(buf, sizeof buf, type, flags, req, p, n);
    ASSERT_EQ(MSG_HEADER_BYTES + n, len);
    msg m;
    char why[96] = "";
    int rc = msg_decode(buf, len, &m, why, sizeof why);
    if (rc != WZ_OK)
        TEST_FAIL_AT("decode %s failed: %s", msg_type_name(type), why);
    ASSERT_EQ(type, m.type);
    ASSERT_EQ(flags, m.flags);
    ASSERT_EQ(req, m.req_id);
    return m;
}

static void test_text_roundtrip(void)
{
    msg m = roundtrip(MSG_TEXT_REQUEST, 0, 42, "what time is it", 16);
    ASSERT_STREQ("what time is it", m.text);
    m = roundtrip(MSG_TRANSCRIPT, MSG_F_FINAL, 7, "hello", 6);
    ASSERT_STREQ("hello", m.text);
    ASSERT_EQ(MSG_F_FINAL, m.flags);
}

static void test_pcm_roundtrip(void)
{
    int16_t pcm[320];
    for (int i = 0; i < 320; i++)
        pcm[i] = (int16_t)(i * 97 - 15000);
    msg m = roundtrip(MSG_AUDIO_CHUNK, 0, 9, pcm, sizeof pcm);
    ASSERT_EQ(320, m.pcm_samples);
    ASSERT_EQ(0, memcmp(pcm, m.pcm, sizeof pcm));
    m = roundtrip(MSG_AUDIO_START, 0, 9, pcm, sizeof pcm); /* with the wake phrase */
    ASSERT_EQ(320, m.pcm_samples);
    ASSERT_EQ(0, memcmp(pcm, m.pcm, sizeof pcm));
    m = roundtrip(MSG_AUDIO_START, 0, 9, NULL, 0); /* without */
    ASSERT_EQ(0, m.pcm_samples);
}

static void test_tts_roundtrip(void)
{
    uint8_t p[4 + 8];
    uint32_t rate = 22050;
    int16_t s[4] = { 1, -2, 3, -4 };
    memcpy(p, &rate, 4);
    memcpy(p + 4, s, 8);
    msg m = roundtrip(MSG_TTS_AUDIO, MSG_F_ANNOUNCE, 3, p, sizeof p);
    ASSERT_EQ(22050, m.rate);
    ASSERT_EQ(4, m.pcm_samples);
    ASSERT_EQ(-4, m.pcm[3]);
}

static void test_error_two_strings(void)
{
    const char p[] = "stt\0server unreachable";
    msg m = roundtrip(MSG_ERROR, 0, 1, p, sizeof p);
    ASSERT_STREQ("stt", m.text);
    ASSERT_STREQ("server unreachable", m.text2);
}

static void test_stats_and_peer(void)
{
    msg_stats st = { .seq = 5, .audio_dropped = 2, .bad_messages = 1 };
    msg m = roundtrip(MSG_HEARTBEAT, 0, 0, &st, sizeof st);
    ASSERT_EQ(5, m.stats.seq);
    ASSERT_EQ(2, m.stats.audio_dropped);
    uint8_t peer[4 + 6];
    uint32_t pid = 4242;
    memcpy(peer, &pid, 4);
    memcpy(peer + 4, "brain", 6);
    m = roundtrip(MSG_PEER_RESTARTED, 0, 0, peer, sizeof peer);
    ASSERT_EQ(4242, m.num);
    ASSERT_STREQ("brain", m.text);
    uint8_t heard[4 + 16];
    uint32_t samples = 16000;
    memcpy(heard, &samples, 4);
    memcpy(heard + 4, "what time is it", 16);
    m = roundtrip(MSG_HEARD, MSG_F_COMPLETE, 9, heard, sizeof heard);
    ASSERT_EQ(16000, m.num);
    ASSERT_STREQ("what time is it", m.text);
    ASSERT_EQ(MSG_F_COMPLETE, m.flags);
    char why[96];
    size_t len = msg_encode(buf, sizeof buf, MSG_HEARD, 0, 9, heard, sizeof heard - 1); /* no NUL */
    ASSERT_EQ(WZ_PROTO, msg_decode(buf, len, &m, why, sizeof why));
    len = msg_encode(buf, sizeof buf, MSG_HEARD, 0, 9, heard, 4); /* no text at all */
    ASSERT_EQ(WZ_PROTO, msg_decode(buf, len, &m, why, sizeof why));
}

static void test_empty_types(void)
{
    roundtrip(MSG_SHUTDOWN, 0, 0, NULL, 0);
    roundtrip(MSG_TTS_END, MSG_F_EXPECTS_REPLY, 77, NULL, 0);
}

static int decode_raw(const uint8_t *b, size_t n)
{
    msg m;
    char why[96];
    return msg_decode(b, n, &m, why, sizeof why);
}

static void test_rejects_bad_input(void)
{
    size_t len = msg_encode(buf, sizeof buf, MSG_TEXT_REQUEST, 0, 1, "hi", 3);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, 10));          /* short header */
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len - 1));     /* length mismatch */
    buf[0] = 9;
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* version */
    len = msg_encode(buf, sizeof buf, 200, 0, 1, NULL, 0);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* unknown type */
    len = msg_encode(buf, sizeof buf, MSG_TEXT_REQUEST, 0, 1, "hi", 2);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* no NUL */
    len = msg_encode(buf, sizeof buf, MSG_TEXT_REQUEST, 0, 1, "h\0i", 4);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* embedded NUL */
    len = msg_encode(buf, sizeof buf, MSG_AUDIO_CHUNK, 0, 1, "abc", 3);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* odd PCM bytes */
    len = msg_encode(buf, sizeof buf, MSG_SHUTDOWN, 0, 1, "x", 1);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* payload where none belongs */
    uint32_t bad_rate = 1;
    len = msg_encode(buf, sizeof buf, MSG_TTS_AUDIO, 0, 1, &bad_rate, 4);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* silly rate */
    len = msg_encode(buf, sizeof buf, MSG_ERROR, 0, 1, "only-one", 9);
    ASSERT_EQ(WZ_PROTO, decode_raw(buf, len));         /* one string where two belong */
}

static void test_encode_refuses_small_buffer(void)
{
    uint8_t small[30];
    ASSERT_EQ(0, msg_encode(small, sizeof small, MSG_TEXT_REQUEST, 0, 1, "this does not fit", 18));
}

static void test_send_over_queue_bound_is_rejected(void)
{
    ipcq *q;
    ASSERT_EQ(WZ_OK, ipcq_create_local(&q, 4, 64));
    char text[100];
    memset(text, 'a', sizeof text - 1);
    text[99] = '\0';
    ASSERT_EQ(WZ_TOOBIG, msg_send_text(q, MSG_TEXT_REQUEST, 0, 1, text, 0));
    ASSERT_EQ(0, ipcq_depth(q));
    ASSERT_EQ(WZ_OK, msg_send_text(q, MSG_TEXT_REQUEST, 0, 1, "short", 0));
    ipcq_destroy(q);
}

int main(void)
{
    RUN(test_text_roundtrip);
    RUN(test_pcm_roundtrip);
    RUN(test_tts_roundtrip);
    RUN(test_error_two_strings);
    RUN(test_stats_and_peer);
    RUN(test_empty_types);
    RUN(test_rejects_bad_input);
    RUN(test_encode_refuses_small_buffer);
    RUN(test_send_over_queue_bound_is_rejected);
    return TEST_SUMMARY();
}
