/* tool_util.c: processes (argv only, never a shell) and atomic state files
 * shared by the tool handlers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "brain/tools_internal.h"
#include "common/log.h"

bool tool_in_path(const char *file)
{
    if (!file || !*file) return false;
    if (strchr(file, '/')) return access(file, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    char buf[4096];
    for (const char *p = path; *p;) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n && snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, file) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return true;
        p += n + (c ? 1 : 0);
    }
    return false;
}

/* In the child before exec: stdio on /dev/null (stdout on out_fd if given),
 * no inherited descriptors (the brain's IPC and sockets stay private), and
 * default signal handling with nothing blocked. */
static void child_stdio(int out_fd)
{
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(devnull, 2);
    }
    close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}

int tool_run(char *const argv[], char *out, size_t cap, int timeout_ms, int *status)
{
    if (!tool_in_path(argv[0])) return WZ_NOTFOUND;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) return WZ_IO;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return WZ_IO;
    }
    if (pid == 0) {
        child_stdio(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    int64_t deadline = wz_now_ms() + timeout_ms;
    int rc = WZ_OK;
    for (;;) {
        int64_t left = deadline - wz_now_ms();
        if (left <= 0) {
            rc = WZ_TIMEDOUT;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int k = poll(&p, 1, (int)left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) continue;
        char buf[512];
        ssize_t r = read(fds[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (out && len + 1 < cap) {
            size_t take = WZ_MIN((size_t)r, cap - 1 - len);
            memcpy(out + len, buf, take);
            len += take;
        }
    }
    if (out && cap) out[len] = 0;
    close(fds[0]);
    if (rc == WZ_TIMEDOUT) kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (rc) return rc;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return *status == 127 ? WZ_NOTFOUND : WZ_OK;
}

int tool_spawn(char *const argv[])
{
    if (!tool_in_path(argv[0])) return WZ_NOTFOUND;
    pid_t pid = fork();
    if (pid < 0) return WZ_IO;
    if (pid == 0) {
        /* The middle child exits at once so the app is reparented and never
         * becomes our zombie. */
        if (fork() == 0) {
            setsid();
            child_stdio(-1);
            execvp(argv[0], argv);
            _exit(127);
        }
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WZ_OK;
}

static int mkdir_p(const char *dir)
{
    char buf[4096];
    if (wz_strlcpy(buf, dir, sizeof buf)) return WZ_TOOBIG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0700) && errno != EEXIST) return WZ_IO;
        *p = '/';
    }
    if (mkdir(buf, 0700) && errno != EEXIST) return WZ_IO;
    return WZ_OK;
}

int tool_write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
    char path[4096], tmp[4200];
    if (mkdir_p(dir)) return WZ_IO;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return WZ_IO;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    /* fsync before rename: after a crash the file is either old or new, whole */
    if (off != len || fsync(fd) != 0) {
        close(fd);
        unlink(tmp);
        return WZ_IO;
    }
    close(fd);
    if (rename(tmp, path)) {
        unlink(tmp);
        return WZ_IO;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* make the rename itself durable */
        close(dfd);
    }
    return WZ_OK;
}

int tool_load_json(tools *t, const char *dir, const char *name, json_t **out)
{
    char path[4096];
    struct stat st;
    *out = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0) return WZ_OK; /* first run */
    json_error_t je;
    json_t *j = NULL;
    if (st.st_size <= STATE_FILE_MAX) j = json_load_file(path, 0, &je);
    else snprintf(je.text, sizeof je.text, "larger than %d bytes", STATE_FILE_MAX);
    if (j && json_is_object(j)) {
        *out = j;
        return WZ_OK;
    }
    if (j) snprintf(je.text, sizeof je.text, "not a JSON object");
    json_decref(j);
    tool_move_aside(t, dir, name, je.text);
    return WZ_OK;
}

void tool_move_aside(tools *t, const char *dir, const char *name, const char *why)
{
    char path[4096], aside[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(aside, sizeof aside, "%s.corrupt-%lld", path, (long long)tools_now_ms(t));
    if (rename(path, aside) == 0)
        log_warn("%s is corrupt (%s); moved aside to %s, starting empty", path, why, aside);
    else
        log_warn("%s is corrupt (%s) and could not be moved aside: %s", path, why, strerror(errno));
}
