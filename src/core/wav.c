/* wav.c: RIFF/WAVE parsing, format conversion to mono s16, and a writer. */
#include "core/wav.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/resample.h"

#define WAVE_FORMAT_PCM 0x0001
#define WAVE_FORMAT_IEEE_FLOAT 0x0003
#define WAVE_FORMAT_EXTENSIBLE 0xFFFE
/* A RIFF size field of 0xFFFFFFFF means "unknown, up to end of file": written
 * by streaming writers (sox to a pipe, our own writer before close). */
#define SIZE_UNKNOWN 0xFFFFFFFFu

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* The KSDATAFORMAT_SUBTYPE GUIDs differ from each other only in the first
 * two bytes (the format tag); the rest is this fixed tail. */
static const uint8_t guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                      0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

typedef struct {
    uint16_t tag;
    int channels;
    int rate;
    int block_align;
    int bits;
} fmt_fields;

static int parse_fmt(const uint8_t *p, uint32_t size, fmt_fields *f, char *err, size_t errlen)
{
    if (size < 16) {
        seterr(err, errlen, "fmt chunk is %u bytes, need at least 16", (unsigned)size);
        return WZ_PROTO;
    }
    f->tag = rd16(p);
    f->channels = rd16(p + 2);
    uint32_t rate = rd32(p + 4);
    f->block_align = rd16(p + 12);
    f->bits = rd16(p + 14);
    if (f->tag == WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || rd16(p + 16) < 22) {
            seterr(err, errlen, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short (%u bytes)", (unsigned)size);
            return WZ_PROTO;
        }
        int valid_bits = rd16(p + 18);
        const uint8_t *guid = p + 24;
        if (memcmp(guid + 2, guid_tail, sizeof(guid_tail)) != 0) {
            seterr(err, errlen, "WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
            return WZ_UNSUPP;
        }
        f->tag = rd16(guid);
        /* Valid bits below the container size (e.g. 20 in 24) are still
         * decodable: the low bits are zero. More is malformed. */
        if (valid_bits > f->bits) {
            seterr(err, errlen, "valid bits %d exceed the %d-bit container", valid_bits, f->bits);
            return WZ_PROTO;
        }
    }
    if (f->tag != WAVE_FORMAT_PCM && f->tag != WAVE_FORMAT_IEEE_FLOAT) {
        seterr(err, errlen, "unsupported WAV format tag 0x%04x (need PCM or IEEE float)", f->tag);
        return WZ_UNSUPP;
    }
    if (f->tag == WAVE_FORMAT_PCM && f->bits != 8 && f->bits != 16 && f->bits != 24 && f->bits != 32) {
        seterr(err, errlen, "unsupported PCM sample size %d bits (need 8, 16, 24 or 32)", f->bits);
        return WZ_UNSUPP;
    }
    if (f->tag == WAVE_FORMAT_IEEE_FLOAT && f->bits != 32) {
        seterr(err, errlen, "unsupported float sample size %d bits (need 32)", f->bits);
        return WZ_UNSUPP;
    }
    if (f->channels < 1 || f->channels > WAV_MAX_CHANNELS) {
        seterr(err, errlen, "unsupported channel count %d (1-%d)", f->channels, WAV_MAX_CHANNELS);
        return WZ_UNSUPP;
    }
    if (rate < RESAMPLER_MIN_RATE || rate > RESAMPLER_MAX_RATE) {
        seterr(err, errlen, "unsupported sample rate %u Hz (%d-%d)", (unsigned)rate, RESAMPLER_MIN_RATE,
               RESAMPLER_MAX_RATE);
        return WZ_UNSUPP;
    }
    f->rate = (int)rate;
    if (f->block_align != f->channels * f->bits / 8) {
        seterr(err, errlen, "block align %d does not match %d channels x %d bits", f->block_align,
               f->channels, f->bits);
        return WZ_PROTO;
    }
    return WZ_OK;
}

int wav_parse(const uint8_t *data, size_t len, wav_info *info, const uint8_t **samples, size_t *sample_bytes,
              char *err, size_t errlen)
{
    if (!data || !info || !samples || !sample_bytes)
        return WZ_INVAL;
    *samples = NULL;
    *sample_bytes = 0;
    memset(info, 0, sizeof(*info));
    if (len < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WAVE", 4) != 0) {
        seterr(err, errlen, "not a WAV file (no RIFF/WAVE header)");
        return WZ_PROTO;
    }
    /* The RIFF size field is ignored: writers often get it wrong (0,
     * 0xFFFFFFFF, stale), and each chunk carries its own size. */
    size_t end = len;
    fmt_fields f;
    bool have_fmt = false;
    size_t pos = 12;
    while (pos + 8 <= end) {
        const uint8_t *id = data + pos;
        uint32_t size = rd32(data + pos + 4);
        size_t body = pos + 8;
        size_t avail = end - body;
        if (memcmp(id, "fmt ", 4) == 0) {
            if (size > avail) {
                seterr(err, errlen, "fmt chunk runs past the end of the file");
                return WZ_PROTO;
            }
            int rc = parse_fmt(data + body, size, &f, err, errlen);
            if (rc)
                return rc;
            have_fmt = true;
        } else if (memcmp(id, "data", 4) == 0) {
            if (!have_fmt) {
                seterr(err, errlen, "data chunk before fmt chunk");
                return WZ_PROTO;
            }
            size_t n = size;
            if (size == SIZE_UNKNOWN) {
                n = avail;
            } else if (size > avail) {
                seterr(err, errlen, "truncated: data chunk says %u bytes, file has %zu", (unsigned)size,
                       avail);
                return WZ_PROTO;
            }
            size_t frames = n / (size_t)f.block_align;
            info->rate = f.rate;
            info->channels = f.channels;
            info->bits = f.bits;
            info->is_float = f.tag == WAVE_FORMAT_IEEE_FLOAT;
            info->frames = (int64_t)frames;
            *samples = data + body;
            *sample_bytes = frames * (size_t)f.block_align;
            return WZ_OK;
        }
        /* Chunks are padded to an even size. */
        size_t skip = (size_t)size + (size & 1u);
        if (skip > avail)
            break;
        pos = body + skip;
    }
    seterr(err, errlen, have_fmt ? "no data chunk" : "no fmt chunk");
    return WZ_PROTO;
}

static int32_t sample_s16(const wav_info *info, const uint8_t *p)
{
    if (info->is_float) {
        float x;
        memcpy(&x, p, sizeof(x)); /* little-endian host (x86/arm) */
        if (!(x == x))
            return 0; /* NaN */
        float v = x * 32768.0f;
        if (v > 32767.0f)
            return 32767;
        if (v < -32768.0f)
            return -32768;
        return (int32_t)v;
    }
    switch (info->bits) {
    case 8:
        return ((int32_t)p[0] - 128) * 256;
    case 16:
        return (int16_t)rd16(p);
    case 24:
        return (int16_t)(uint16_t)(p[1] | (p[2] << 8));
    default:
        return (int16_t)(uint16_t)(p[2] | (p[3] << 8));
    }
}

void wav_to_mono_s16(const wav_info *info, const uint8_t *samples, size_t nframes, int16_t *out)
{
    size_t bps = (size_t)info->bits / 8;
    size_t stride = bps * (size_t)info->channels;
    for (size_t i = 0; i < nframes; i++) {
        const uint8_t *fr = samples + i * stride;
        int32_t sum = 0; /* 32 channels x 32768 fits easily */
        for (int c = 0; c < info->channels; c++)
            sum += sample_s16(info, fr + (size_t)c * bps);
        out[i] = (int16_t)(sum / info->channels);
    }
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        return WZ_IO;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        fclose(fp);
        return WZ_IO;
    }
    if ((uint64_t)st.st_size > WAV_MAX_FILE_BYTES) {
        seterr(err, errlen, "%s: %lld bytes, larger than the %zu-byte limit", path, (long long)st.st_size,
               WAV_MAX_FILE_BYTES);
        fclose(fp);
        return WZ_TOOBIG;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        fclose(fp);
        seterr(err, errlen, "%s: out of memory", path);
        return WZ_NOMEM;
    }
    size_t got = fread(b, 1, n, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || got != n) {
        free(b);
        seterr(err, errlen, "%s: read error", path);
        return WZ_IO;
    }
    *buf = b;
    *len = n;
    return WZ_OK;
}

/* Resamples mono s16 src (n samples at rate) to 16 kHz. Takes ownership of
 * src. */
static int to_16k(int16_t *src, size_t n, int rate, int16_t **pcm, size_t *out_n)
{
    if (rate == WZ_SAMPLE_RATE) {
        *pcm = src;
        *out_n = n;
        return WZ_OK;
    }
    resampler *r = NULL;
    int rc = resampler_create(&r, rate, WZ_SAMPLE_RATE, 5);
    if (rc) {
        free(src);
        return rc;
    }
    resampler_skip_zeros(r);
    size_t cap = resampler_out_max(r, n) + 256;
    int16_t *dst = malloc(cap * sizeof(*dst));
    if (!dst) {
        free(src);
        resampler_destroy(r);
        return WZ_NOMEM;
    }
    size_t in_done = 0, produced = 0;
    while (in_done < n && produced < cap) {
        size_t in_n = n - in_done, o = cap - produced;
        rc = resampler_process(r, src + in_done, &in_n, dst + produced, &o);
        if (rc || (in_n == 0 && o == 0))
            break;
        in_done += in_n;
        produced += o;
    }
    size_t o = cap - produced;
    if (!rc)
        rc = resampler_drain(r, dst + produced, &o);
    produced += rc ? 0 : o;
    resampler_destroy(r);
    free(src);
    if (rc) {
        free(dst);
        return rc;
    }
    /* The drained tail may run a few samples past the exact length. */
    size_t want = (size_t)(((uint64_t)n * WZ_SAMPLE_RATE + (uint64_t)rate / 2) / (uint64_t)rate);
    *pcm = dst;
    *out_n = WZ_MIN(produced, want);
    return WZ_OK;
}

int wav_read_16k_mono(const char *path, int16_t **pcm, size_t *n, wav_info *info, char *err, size_t errlen)
{
    if (!path || !pcm || !n || !info)
        return WZ_INVAL;
    *pcm = NULL;
    *n = 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc)
        return rc;
    const uint8_t *samples = NULL;
    size_t bytes = 0;
    char why[200] = "";
    rc = wav_parse(buf, len, info, &samples, &bytes, why, sizeof(why));
    if (rc) {
        seterr(err, errlen, "%s: %s", path, why);
        free(buf);
        return rc;
    }
    size_t frames = (size_t)info->frames;
    int16_t *mono = malloc((frames ? frames : 1) * sizeof(*mono));
    if (!mono) {
        free(buf);
        seterr(err, errlen, "%s: out of memory", path);
        return WZ_NOMEM;
    }
    wav_to_mono_s16(info, samples, frames, mono);
    free(buf);
    rc = to_16k(mono, frames, info->rate, pcm, n);
    if (rc)
        seterr(err, errlen, "%s: resampling failed: %s", path, wz_strerror(rc));
    return rc;
}

struct wav_writer {
    FILE *fp;
    uint64_t samples;
    int rate;
    bool failed;
};

static void header(uint8_t h[44], int rate, uint32_t data_bytes, bool unknown)
{
    memcpy(h, "RIFF", 4);
    wr32(h + 4, unknown ? SIZE_UNKNOWN : 36 + data_bytes);
    memcpy(h + 8, "WAVEfmt ", 8);
    wr32(h + 16, 16);
    wr16(h + 20, WAVE_FORMAT_PCM);
    wr16(h + 22, 1);
    wr32(h + 24, (uint32_t)rate);
    wr32(h + 28, (uint32_t)rate * 2);
    wr16(h + 32, 2);
    wr16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    wr32(h + 40, unknown ? SIZE_UNKNOWN : data_bytes);
}

int wav_writer_open(wav_writer **out, const char *path, int rate)
{
    if (!out || !path || rate < RESAMPLER_MIN_RATE || rate > RESAMPLER_MAX_RATE)
        return WZ_INVAL;
    *out = NULL;
    wav_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return WZ_NOMEM;
    w->fp = fopen(path, "wb");
    if (!w->fp) {
        free(w);
        return WZ_IO;
    }
    w->rate = rate;
    uint8_t h[44];
    header(h, rate, 0, true);
    if (fwrite(h, 1, sizeof(h), w->fp) != sizeof(h)) {
        fclose(w->fp);
        free(w);
        return WZ_IO;
    }
    *out = w;
    return WZ_OK;
}

/* Largest data chunk whose RIFF size (36 + data) still fits in 32 bits,
 * minus one so it never equals SIZE_UNKNOWN. */
#define WAV_MAX_DATA_BYTES ((uint64_t)SIZE_UNKNOWN - 37)

int wav_writer_write(wav_writer *w, const int16_t *pcm, size_t n)
{
    if (!w || (n && !pcm))
        return WZ_INVAL;
    if ((w->samples + n) * 2 > WAV_MAX_DATA_BYTES)
        return WZ_TOOBIG;
    uint8_t tmp[1024];
    size_t done = 0;
    while (done < n) {
        size_t k = WZ_MIN(n - done, sizeof(tmp) / 2);
        for (size_t i = 0; i < k; i++)
            wr16(tmp + 2 * i, (uint16_t)pcm[done + i]);
        if (fwrite(tmp, 2, k, w->fp) != k) {
            w->failed = true;
            return WZ_IO;
        }
        done += k;
        w->samples += k;
    }
    return WZ_OK;
}

uint64_t wav_writer_samples(const wav_writer *w) { return w->samples; }

int wav_writer_close(wav_writer *w)
{
    if (!w)
        return WZ_OK;
    int rc = w->failed ? WZ_IO : WZ_OK;
    uint8_t h[44];
    header(h, w->rate, (uint32_t)(w->samples * 2), false);
    if (fflush(w->fp) != 0 || fseek(w->fp, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof(h), w->fp) != sizeof(h))
        rc = WZ_IO;
    if (fclose(w->fp) != 0)
        rc = WZ_IO;
    free(w);
    return rc;
}

int wav_write_file(const char *path, const int16_t *pcm, size_t n, int rate)
{
    wav_writer *w = NULL;
    int rc = wav_writer_open(&w, path, rate);
    if (rc)
        return rc;
    rc = wav_writer_write(w, pcm, n);
    int rc2 = wav_writer_close(w);
    return rc ? rc : rc2;
}
