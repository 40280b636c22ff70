/* test_normalize.c: the TTS text normaliser, table-driven. */
#include "wz_test.h"

#include "brain/normalize.h"

static const struct { const char *in, *out; } cases[] = {
    {"It is 5:07 PM.", "It is five oh seven P M."},
    {"at 17:45", "at seventeen forty five"},
    {"at 9:00 am", "at nine A M"},
    {"at 9:00", "at nine o'clock"},
    {"at 12:30:15", "at twelve thirty"},
    {"Due 2026-11-27", "Due November twenty seventh, twenty twenty six"},
    {"on 2001-03-01", "on March first, two thousand one"},
    {"in 1999", "in nineteen ninety nine"},
    {"2000 people", "two thousand people"},
    {"1,234 items", "one thousand two hundred thirty four items"},
    {"3.14", "three point one four"},
    {"-5 degrees", "minus five degrees"},
    {"It's 20°C", "It's twenty degrees Celsius"},
    {"45% done", "forty five percent done"},
    {"the 21st and 2nd", "the twenty first and second"},
    {"$3.50", "three dollars fifty cents"},
    {"$1", "one dollar"},
    {"12 km/h", "twelve kilometers per hour"},
    {"1 km", "one kilometer"},
    {"5 GB free", "five gigabytes free"},
    {"10s later", "ten seconds later"},
    {"10 s", "ten s"},
    {"5 minutes", "five minutes"},
    {"Dr. Smith vs. Mr. Jones", "Doctor Smith versus Mister Jones"},
    {"fruit, e.g. apples", "fruit, for example apples"},
    {"salt & pepper", "salt and pepper"},
    {"See https://www.example.com/path?q=1 now", "See example dot com now"},
    {"Visit www.debian.org.", "Visit debian dot org."},
    {"**Bold** and *it* and `code`", "Bold and it and code"},
    {"# Heading\n- item one\n- item two", "Heading, item one, item two"},
    {"[the docs](https://x.org/d) say", "the docs say"},
    {"Great job! \xF0\x9F\x8E\x89\xE2\x9C\xA8", "Great job!"},
    {"it\xE2\x80\x99s fine", "it's fine"},
    {"100000000000000000000", "one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero"},
    {"1000000", "one million"},
    {"", ""},
};

static void test_table(void)
{
    char out[1024];
    int bad = 0;
    for (size_t i = 0; i < WZ_ARRAY_LEN(cases); i++) {
        int rc = norm_text(cases[i].in, out, sizeof out);
        if (rc != 0 || strcmp(out, cases[i].out) != 0) {
            fprintf(stderr, "  case %zu: \"%s\"\n    expected \"%s\"\n    got      \"%s\" (rc %d)\n", i,
                    cases[i].in, cases[i].out, out, rc);
            bad++;
        }
    }
    ASSERT_EQ(0, bad);
}

static void test_output_too_small_is_toobig_and_empty(void)
{
    char out[8];
    ASSERT_EQ(WZ_TOOBIG, norm_text("one two three four", out, sizeof out));
    ASSERT_STREQ("", out);
}

static void test_input_over_cap_rejected(void)
{
    static char big[NORM_MAX_INPUT + 2];
    memset(big, 'a', sizeof big - 1);
    char out[64];
    ASSERT_EQ(WZ_TOOBIG, norm_text(big, out, sizeof out));
}

static void test_number_words(void)
{
    char out[256];
    ASSERT_EQ(0, norm_number(0, out, sizeof out));
    ASSERT_STREQ("zero", out);
    ASSERT_EQ(0, norm_number(1000001, out, sizeof out));
    ASSERT_STREQ("one million one", out);
    ASSERT_EQ(0, norm_number(919, out, sizeof out));
    ASSERT_STREQ("nine hundred nineteen", out);
}

int main(void)
{
    RUN(test_table);
    RUN(test_output_too_small_is_toobig_and_empty);
    RUN(test_input_over_cap_rejected);
    RUN(test_number_words);
    return TEST_SUMMARY();
}
