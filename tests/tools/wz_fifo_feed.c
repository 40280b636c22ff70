/* wz_fifo_feed.c: test tool. Feeds audio into a PulseAudio pipe source's
 * FIFO at real-time pace, like a microphone would deliver it.
 *
 *   wz_fifo_feed FIFO FILE [LEAD_MS [TAIL_MS]]
 *
 * FILE is a WAV (any format the WAV reader takes; converted to 16 kHz mono)
 * or raw s16le 16 kHz mono (by extension .raw). LEAD_MS/TAIL_MS of silence go
 * before/after it: module-pipe-source produces no samples at all while
 * nothing is written, so a capture stream would stall without them. Writes in
 * 10 ms chunks on an absolute clock, so timing does not drift. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/wav.h"

#define CHUNK 160 /* 10 ms */

static int load(const char *path, int16_t **pcm, size_t *n)
{
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".raw") == 0) {
        FILE *fp = fopen(path, "rb");
        if (!fp)
            return -1;
        fseek(fp, 0, SEEK_END);
        long sz = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        *pcm = malloc((size_t)sz + 2);
        *n = fread(*pcm, 2, (size_t)sz / 2, fp);
        fclose(fp);
        return 0;
    }
    wav_info info;
    char err[256];
    if (wav_read_16k_mono(path, pcm, n, &info, err, sizeof(err)) != WZ_OK) {
        fprintf(stderr, "wz_fifo_feed: %s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: wz_fifo_feed FIFO FILE [LEAD_MS [TAIL_MS]]\n");
        return 2;
    }
    int16_t *pcm = NULL;
    size_t n = 0;
    if (load(argv[2], &pcm, &n) != 0) {
        fprintf(stderr, "wz_fifo_feed: cannot read %s\n", argv[2]);
        return 2;
    }
    size_t lead = argc > 3 ? (size_t)atoi(argv[3]) * 16 : 0, tail = argc > 4 ? (size_t)atoi(argv[4]) * 16 : 0;
    size_t total = lead + n + tail;
    int16_t *all = calloc(total, sizeof(int16_t));
    memcpy(all + lead, pcm, n * sizeof(int16_t));
    free(pcm);
    signal(SIGPIPE, SIG_IGN);
    int fd = open(argv[1], O_WRONLY);
    if (fd < 0) {
        fprintf(stderr, "wz_fifo_feed: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    for (size_t pos = 0; pos < total; pos += CHUNK) {
        size_t k = total - pos < CHUNK ? total - pos : CHUNK;
        const char *p = (const char *)(all + pos);
        size_t left = k * 2;
        while (left > 0) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "wz_fifo_feed: write: %s\n", strerror(errno));
                return 1;
            }
            p += w;
            left -= (size_t)w;
        }
        t.tv_nsec += 10000000;
        if (t.tv_nsec >= 1000000000) {
            t.tv_nsec -= 1000000000;
            t.tv_sec++;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
        }
    }
    close(fd);
    free(all);
    return 0;
}
