/* wz_test.h: a minimal test harness. Each test is one function; each runs in
 * its own forked process with a timeout, so a crash or hang fails only that
 * test. Asserts print both values.
 *
 *   static void test_bounds(void) { ASSERT_EQ(50, ipcq_capacity(q)); }
 *   int main(void) { RUN(test_bounds); return TEST_SUMMARY(); }
 */
#ifndef WZ_TEST_H
#define WZ_TEST_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

static int wz_test_passed, wz_test_failed;

#define TEST_FAIL_AT(...)                                                   \
    do {                                                                    \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                   \
        fprintf(stderr, __VA_ARGS__);                                       \
        fprintf(stderr, "\n");                                              \
        exit(1);                                                            \
    } while (0)

#define ASSERT_TRUE(c) \
    do { if (!(c)) TEST_FAIL_AT("expected true: %s", #c); } while (0)
#define ASSERT_EQ(exp, act)                                                          \
    do {                                                                             \
        long long e_ = (long long)(exp), a_ = (long long)(act);                      \
        if (e_ != a_) TEST_FAIL_AT("%s == %s: expected %lld, got %lld", #exp, #act, e_, a_); \
    } while (0)
#define ASSERT_NE(exp, act)                                                          \
    do {                                                                             \
        long long e_ = (long long)(exp), a_ = (long long)(act);                      \
        if (e_ == a_) TEST_FAIL_AT("%s != %s: both are %lld", #exp, #act, a_);        \
    } while (0)
#define ASSERT_GE(a, b)                                                              \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b);                                   \
        if (!(a_ >= b_)) TEST_FAIL_AT("%s >= %s: %g < %g", #a, #b, a_, b_);           \
    } while (0)
#define ASSERT_LE(a, b)                                                              \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b);                                   \
        if (!(a_ <= b_)) TEST_FAIL_AT("%s <= %s: %g > %g", #a, #b, a_, b_);           \
    } while (0)
#define ASSERT_STREQ(exp, act)                                                       \
    do {                                                                             \
        const char *e_ = (exp), *a_ = (act);                                         \
        if (!a_ || strcmp(e_, a_) != 0)                                              \
            TEST_FAIL_AT("%s: expected \"%s\", got \"%s\"", #act, e_, a_ ? a_ : "(null)"); \
    } while (0)
#define ASSERT_CONTAINS(hay, needle)                                                 \
    do {                                                                             \
        const char *h_ = (hay), *n_ = (needle);                                      \
        if (!h_ || !strstr(h_, n_))                                                  \
            TEST_FAIL_AT("%s: \"%s\" does not contain \"%s\"", #hay, h_ ? h_ : "(null)", n_); \
    } while (0)

#ifndef WZ_TEST_TIMEOUT_S
#define WZ_TEST_TIMEOUT_S 60
#endif

/* One scratch folder per test program, made by the parent before the first
 * test forks and removed with everything in it when the program exits, so
 * the tests leave nothing behind in /tmp. Tests take folders inside it with
 * wz_test_tmpdir(). */
static char wz_test_root[64];

static int wz_test_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void wz_test_rm_root(void)
{
    nftw(wz_test_root, wz_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void wz_test_make_root(void)
{
    if (wz_test_root[0])
        return;
    snprintf(wz_test_root, sizeof wz_test_root, "/tmp/wz-test-XXXXXX");
    if (!mkdtemp(wz_test_root)) {
        perror("wz_test: mkdtemp");
        exit(1);
    }
    atexit(wz_test_rm_root);
}

/* A new empty folder under the program's scratch folder: "<root>/<prefix>XXXXXX". */
static inline const char *wz_test_tmpdir(char *out, size_t len, const char *prefix)
{
    wz_test_make_root();
    snprintf(out, len, "%s/%sXXXXXX", wz_test_root, prefix);
    if (!mkdtemp(out))
        TEST_FAIL_AT("mkdtemp %s", out);
    return out;
}

static inline void wz_test_run(const char *name, void (*fn)(void))
{
    wz_test_make_root();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(WZ_TEST_TIMEOUT_S);
        fn();
        fflush(NULL);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        wz_test_passed++;
        fprintf(stderr, "ok   %s\n", name);
    } else {
        wz_test_failed++;
        if (WIFSIGNALED(st))
            fprintf(stderr, "FAIL %s (signal %d%s)\n", name, WTERMSIG(st),
                    WTERMSIG(st) == SIGALRM ? ", timeout" : "");
        else
            fprintf(stderr, "FAIL %s\n", name);
    }
}

#define RUN(fn) wz_test_run(#fn, fn)
#define TEST_SUMMARY() \
    (fprintf(stderr, "%d passed, %d failed\n", wz_test_passed, wz_test_failed), wz_test_failed ? 1 : 0)

#endif
