/* flite_glue.c: one Flite initialisation and lock for the whole process. */
#include "brain/flite_glue.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "common/wz.h"

/* Flite voices ship without headers; these are the registration functions
 * exported by libflite_cmu_us_*. */
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_lexicon *cmu_lex_init(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    const char *name;
    cst_voice *(*reg)(const char *);
    cst_voice *voice;
} voices[] = {
    {"slt", register_cmu_us_slt, NULL},
    {"awb", register_cmu_us_awb, NULL},
    {"rms", register_cmu_us_rms, NULL},
    {"kal16", register_cmu_us_kal16, NULL},
};

static void do_init(void) { flite_init(); }

void flite_glue_init(void) { pthread_once(&once, do_init); }
void flite_glue_lock(void) { pthread_mutex_lock(&lock); }
void flite_glue_unlock(void) { pthread_mutex_unlock(&lock); }

cst_voice *flite_glue_voice(const char *name)
{
    flite_glue_init();
    for (size_t i = 0; i < WZ_ARRAY_LEN(voices); i++) {
        if (strcmp(voices[i].name, name) != 0)
            continue;
        if (!voices[i].voice)
            voices[i].voice = voices[i].reg(NULL);
        return voices[i].voice;
    }
    return NULL;
}

/* Flite's CMU phone set is CMUdict's plus schwa (ax); Sphinx has no ax, so
 * it becomes AH (CMUdict writes unstressed schwa as AH0). Stress digits go. */
static int append_phone(char *out, size_t cap, size_t *len, const char *ph)
{
    char up[8];
    size_t k = 0;
    for (; ph[k] && k < sizeof up - 1 && !isdigit((unsigned char)ph[k]); k++)
        up[k] = (char)toupper((unsigned char)ph[k]);
    up[k] = '\0';
    if (k == 0 || strcmp(up, "PAU") == 0)
        return WZ_OK;
    if (strcmp(up, "AX") == 0)
        strcpy(up, "AH");
    size_t need = (*len ? 1 : 0) + strlen(up);
    if (*len + need + 1 > cap)
        return WZ_TOOBIG;
    if (*len)
        out[(*len)++] = ' ';
    memcpy(out + *len, up, strlen(up) + 1);
    *len += strlen(up);
    return WZ_OK;
}

int flite_glue_pronounce(const char *word, char *phones, size_t cap)
{
    static cst_lexicon *lex;
    int rc = WZ_OK;
    size_t len = 0;
    if (cap)
        phones[0] = '\0';
    flite_glue_init();
    flite_glue_lock();
    if (!lex)
        lex = cmu_lex_init();
    cst_val *p = lex_lookup(lex, word, NULL, NULL);
    for (const cst_val *v = p; v && rc == WZ_OK; v = val_cdr(v))
        rc = append_phone(phones, cap, &len, val_string(val_car(v)));
    delete_val(p);
    flite_glue_unlock();
    if (rc == WZ_OK && len == 0)
        rc = WZ_NOTFOUND;
    return rc;
}
