/* test_stt_commands_mixed.c: command sentence accuracy (>= 90%) with Flite kal16 and espeak-ng;
 * see command_accuracy.h. */
#define WZ_TEST_TIMEOUT_S 300 /* ctest caps it at 120; the alarm is for slow ASan runs by hand */
#include "wz_test.h"

#include "command_accuracy.h"

static void test_command_sentence_accuracy(void)
{
    static const char *const voices[] = {"kal16", "espeak"};
    command_accuracy(voices, WZ_ARRAY_LEN(voices));
}

int main(void)
{
    RUN(test_command_sentence_accuracy);
    return TEST_SUMMARY();
}
