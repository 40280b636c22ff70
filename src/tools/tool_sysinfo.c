/* tool_sysinfo.c: system_info from /proc/loadavg, /proc/meminfo, statvfs,
 * /proc/uptime and /sys/class/power_supply. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "brain/numwords.h"
#include "brain/tools_internal.h"

static bool read_small(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return n > 0;
}

static long long meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long v = -1;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') v = atoll(line + kl + 1);
    if (f) fclose(f);
    return v;
}

/* First battery in /sys/class/power_supply: capacity and status, or false. */
static bool battery(int *capacity, char *status, size_t cap)
{
    DIR *d = opendir("/sys/class/power_supply");
    struct dirent *e;
    bool found = false;
    while (d && !found && (e = readdir(d))) {
        char path[512], buf[64];
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/sys/class/power_supply/%s/type", e->d_name);
        if (!read_small(path, buf, sizeof buf) || strcmp(buf, "Battery") != 0) continue;
        snprintf(path, sizeof path, "/sys/class/power_supply/%s/capacity", e->d_name);
        if (!read_small(path, buf, sizeof buf)) continue;
        *capacity = atoi(buf);
        snprintf(path, sizeof path, "/sys/class/power_supply/%s/status", e->d_name);
        if (!read_small(path, status, cap)) wz_strlcpy(status, "unknown", cap);
        for (char *p = status; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        found = true;
    }
    if (d) closedir(d);
    return found;
}

static int run(tools *t, const json_t *args, tool_result *out)
{
    (void)args;
    char buf[256], uptime_words[96], memgb[32], diskgb[32], status[32], batt[128] = "";
    double load = -1, up = 0;
    if (read_small("/proc/loadavg", buf, sizeof buf)) load = atof(buf);
    if (read_small("/proc/uptime", buf, sizeof buf)) up = atof(buf);
    long long avail_kb = meminfo_kb("MemAvailable"), total_kb = meminfo_kb("MemTotal");
    struct statvfs vfs;
    const char *home = getenv("HOME");
    double disk_free = -1;
    if (statvfs(home && *home ? home : "/", &vfs) == 0) disk_free = (double)vfs.f_bavail * (double)vfs.f_frsize;
    if (load < 0 || avail_kb < 0 || disk_free < 0)
        return tool_fail(t, out, "general.failed", NULL, "cannot read /proc or statvfs");
    /* minutes are enough precision for speech */
    numwords_format_duration(up >= 60 ? (long)(up / 60) * 60 : (long)up, false, uptime_words, sizeof uptime_words);
    snprintf(memgb, sizeof memgb, "%.1f", (double)avail_kb / (1024.0 * 1024.0));
    snprintf(diskgb, sizeof diskgb, "%.0f", disk_free / 1e9);
    int capacity = -1;
    out->result = json_pack("{s:f, s:I, s:I, s:f, s:I}", "load_1min", load, "mem_available_kb", (json_int_t)avail_kb,
                            "mem_total_kb", (json_int_t)total_kb, "disk_free_bytes", disk_free, "uptime_s", (json_int_t)up);
    if (battery(&capacity, status, sizeof status)) {
        json_object_set_new(out->result, "battery", json_pack("{s:i, s:s}", "capacity", capacity, "status", status));
        json_t *bv = json_pack("{s:s, s:i, s:s}", "sep", " ", "capacity", capacity, "status", status);
        replies_format(t->rep, "system.battery", bv, batt, sizeof batt);
        json_decref(bv);
    }
    char loads[32];
    snprintf(loads, sizeof loads, "%.2f", load);
    tool_say(t, out, "system.summary", json_pack("{s:s, s:s, s:s, s:s, s:s}", "load", loads, "mem", memgb,
                                                 "disk", diskgb, "uptime", uptime_words, "battery", batt));
    return WZ_OK;
}

const tool_def tool_system_info = {
    .name = "system_info",
    .description = "Report CPU load, available memory, free disk space, uptime and battery if present.",
    .schema = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
