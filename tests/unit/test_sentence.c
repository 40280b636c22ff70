/* test_sentence.c: the incremental sentence splitter. */
#include "brain/sentence.h"
#include "common/wz.h"
#include "wz_test.h"

#define MAXS 32
typedef struct {
    char s[MAXS][SENTENCE_MAX_BYTES + 1];
    int n;
} got_t;

static void collect(void *ctx, const char *sentence)
{
    got_t *g = ctx;
    if (g->n < MAXS)
        snprintf(g->s[g->n], sizeof(g->s[0]), "%s", sentence);
    g->n++;
}

/* Feeds text in pieces of `step` bytes, then flushes. */
static void split(got_t *g, const char *text, size_t step)
{
    sentence_splitter sp;
    memset(g, 0, sizeof(*g));
    sentence_init(&sp, collect, g);
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i += step)
        sentence_feed(&sp, text + i, WZ_MIN(step, len - i));
    sentence_flush(&sp);
}

/* Every test runs with whole-text, 1-byte and 3-byte feeds: the result must
 * not depend on how tokens were cut. */
static void check(const char *text, int n, const char *const *want)
{
    static const size_t steps[] = { 100000, 1, 3, 7 };
    for (size_t k = 0; k < WZ_ARRAY_LEN(steps); k++) {
        got_t g;
        split(&g, text, steps[k]);
        if (g.n != n)
            TEST_FAIL_AT("step %zu: \"%s\": expected %d sentences, got %d (first \"%s\")", steps[k],
                         text, n, g.n, g.n ? g.s[0] : "");
        for (int i = 0; i < n; i++)
            ASSERT_STREQ(want[i], g.s[i]);
    }
}

#define CHECK(text, ...)                                          \
    do {                                                          \
        static const char *const w_[] = { __VA_ARGS__ };          \
        check(text, (int)WZ_ARRAY_LEN(w_), w_);                   \
    } while (0)

static void test_basic(void)
{
    CHECK("Hello there. How are you? I am fine!", "Hello there.", "How are you?", "I am fine!");
}

static void test_abbreviations(void)
{
    CHECK("Dr. Smith met Mr. Jones. They talked.", "Dr. Smith met Mr. Jones.", "They talked.");
    CHECK("Use a fruit, e.g. an apple, i.e. something sweet. Done.",
          "Use a fruit, e.g. an apple, i.e. something sweet.", "Done.");
    CHECK("Bring pens, paper, etc. and a bag. Thanks.",
          "Bring pens, paper, etc. and a bag.", "Thanks.");
    CHECK("Bring pens, paper, etc. Then leave.", "Bring pens, paper, etc.", "Then leave.");
    CHECK("J. R. R. Tolkien wrote it.", "J. R. R. Tolkien wrote it.");
    CHECK("The U.S. economy grew. It was big.", "The U.S. economy grew.", "It was big.");
}

static void test_times(void)
{
    CHECK("It opens at 9 a.m. and closes at 5 p.m. See you then.",
          "It opens at 9 a.m. and closes at 5 p.m.", "See you then.");
    CHECK("It's 5:07 PM. Anything else?", "It's 5:07 PM.", "Anything else?");
}

static void test_numbers(void)
{
    CHECK("Pi is about 3.14159. That is all.", "Pi is about 3.14159.", "That is all.");
    CHECK("Version 2.5.1 is out. Update now.", "Version 2.5.1 is out.", "Update now.");
    CHECK("1. Open the box. 2. Take it out.", "1. Open the box.", "2. Take it out.");
}

static void test_urls(void)
{
    CHECK("Visit example.com/path for details. Bye.", "Visit example.com/path for details.", "Bye.");
    CHECK("Go to https://www.example.org/a.b?x=1. Then wait.",
          "Go to https://www.example.org/a.b?x=1.", "Then wait.");
}

static void test_ellipsis(void)
{
    CHECK("Well... maybe. Or not.", "Well... maybe.", "Or not.");
    CHECK("Wait... What was that?", "Wait...", "What was that?");
    CHECK("Hmm\xE2\x80\xA6 Let me think.", "Hmm\xE2\x80\xA6", "Let me think.");
}

static void test_quotes_and_newlines(void)
{
    CHECK("He said \"hi.\" Then he left.", "He said \"hi.\"", "Then he left.");
    CHECK("First line\nSecond line", "First line", "Second line");
    CHECK("Really?! Yes.", "Really?!", "Yes.");
}

static void test_flush_emits_tail(void)
{
    CHECK("No punctuation at the end", "No punctuation at the end");
    check("   ", 0, NULL);
}

static void test_emits_before_flush(void)
{
    /* TTS needs the first sentence as soon as the next word begins. */
    sentence_splitter sp;
    got_t g;
    memset(&g, 0, sizeof(g));
    sentence_init(&sp, collect, &g);
    ASSERT_EQ(0, sentence_feed(&sp, "Sure.", 5));
    ASSERT_EQ(1, sentence_feed(&sp, " The", 4));
    ASSERT_STREQ("Sure.", g.s[0]);
    sentence_reset(&sp);
    ASSERT_EQ(0, sentence_flush(&sp));
    ASSERT_EQ(1, g.n);
}

static void test_long_run_is_split_not_dropped(void)
{
    char text[3000];
    size_t n = 0;
    while (n + 5 < sizeof(text)) {
        memcpy(text + n, "word ", 5);
        n += 5;
    }
    text[n] = '\0';
    got_t g;
    split(&g, text, 13);
    ASSERT_GE(g.n, 3);
    size_t total = 0;
    for (int i = 0; i < g.n && i < MAXS; i++) {
        ASSERT_LE(strlen(g.s[i]), SENTENCE_MAX_BYTES);
        total += strlen(g.s[i]) + 1;
    }
    ASSERT_EQ(n, total); /* every word arrives, spaces included */
}

static void test_strip_markdown(void)
{
    char a[] = "## **Paris** is the `capital`.";
    ASSERT_STREQ("Paris is the capital.", sentence_strip_markdown(a));
    char b[] = "- First item, see my_file.txt";
    ASSERT_STREQ("First item, see my_file.txt", sentence_strip_markdown(b));
    char c[] = "5 - 3 = 2";
    ASSERT_STREQ("5 - 3 = 2", sentence_strip_markdown(c));
}

int main(void)
{
    RUN(test_strip_markdown);
    RUN(test_basic);
    RUN(test_abbreviations);
    RUN(test_times);
    RUN(test_numbers);
    RUN(test_urls);
    RUN(test_ellipsis);
    RUN(test_quotes_and_newlines);
    RUN(test_flush_emits_tail);
    RUN(test_emits_before_flush);
    RUN(test_long_run_is_split_not_dropped);
    return TEST_SUMMARY();
}
