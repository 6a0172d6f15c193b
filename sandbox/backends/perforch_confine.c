/*
 * perforch-confine: run a command confined by Landlock and a seccomp filter, for machines where
 * no namespace can be made (a container under Docker's default seccomp profile refuses them).
 * Both are unprivileged kernel features that only ever take rights away, and both are inherited
 * by everything the command starts.
 *
 *   perforch-confine [--reap] [--ro PATH]... [--rw PATH]... [--dev PATH]... -- COMMAND [ARG]...
 *
 * Files: read and execute beneath each --ro path, everything beneath each --rw path, read and
 * write (and truncate, as opening for writing does) beneath each --dev path; nothing else.
 * Network: TCP bind and connect are refused (Landlock ABI 4+), and sockets of any family but
 * AF_UNIX (seccomp), which also covers UDP and raw sockets. io_uring, which could do the same
 * behind seccomp's back, is refused. Signals and abstract unix sockets reach only processes
 * inside the same confinement (Landlock ABI 6+).
 * --reap: run the command as a child and, once it has exited, kill every process of this user
 * id, then exit as it did. Without a PID namespace nothing else ends what the command left
 * behind (a background child holding stdout would keep the job open until its timeout); the
 * caller gives each such run a user id of its own.
 * A path that does not exist is skipped. Fails closed: exit 126 with a message when the kernel
 * cannot confine, the command is never run unconfined. Built by PerfOrch with the system's C
 * compiler; the layouts and numbers are Linux's stable ABI, spelled out here so the build
 * needs no recent kernel headers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

#if defined(__x86_64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_AARCH64
#else
#error "perforch-confine knows the system call layout of x86_64 and aarch64 only"
#endif

struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define CREATE_RULESET_VERSION (1U << 0)
#define RULE_PATH_BENEATH 1

#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REFER (1ULL << 13)      /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#define FS_ABI1_ALL ((1ULL << 13) - 1)
#define FS_FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV)
#define NET_BIND_TCP (1ULL << 0)     /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)  /* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ULL << 0)  /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)         /* ABI 6 */

static int refuse(const char *what) {
    fprintf(stderr, "perforch-confine: %s: %s\n", what, strerror(errno));
    return 126;
}

static uint64_t fs_rights(int abi) {
    uint64_t all = FS_ABI1_ALL;
    if (abi >= 2) all |= FS_REFER;
    if (abi >= 3) all |= FS_TRUNCATE;
    if (abi >= 5) all |= FS_IOCTL_DEV;
    return all;
}

/* Returns 0, or -1 with errno set; a missing path is not an error. */
static int allow(int ruleset, const char *path, uint64_t rights, uint64_t handled) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    struct path_beneath_attr rule = {rights & handled, fd};
    if (!S_ISDIR(st.st_mode)) rule.allowed_access &= FS_FILE_RIGHTS; /* the kernel's rule */
    long done = syscall(__NR_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &rule, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return done == 0 ? 0 : -1;
}

static int filter_syscalls(void) {
    struct sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_HERE, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), /* another ABI: i386 on x86_64 */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1), /* the x32 ABI's numbers */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog fprog = {sizeof(program) / sizeof(program[0]), program};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
}

/* Wait for the command, kill whatever it left under this user id (never this process: kill(-1)
 * spares the caller), then end as the command did. */
static int wait_then_reap(pid_t command) {
    int status;
    while (waitpid(command, &status, 0) < 0) {
        if (errno != EINTR) return refuse("cannot wait for the command");
    }
    kill(-1, SIGKILL);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    int signal_number = WTERMSIG(status);
    signal(signal_number, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(signal_number);
    return 128 + signal_number; /* a signal that does not end a process by default */
}

int main(int argc, char **argv) {
    int abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_VERSION);
    if (abi < 1) return refuse("Landlock is not available in this kernel");
    struct ruleset_attr attr = {fs_rights(abi), 0, 0};
    if (abi >= 4) attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
    if (abi >= 6) attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (ruleset < 0) return refuse("cannot create a Landlock ruleset");

    int reap = 0;
    int i = 1;
    while (i < argc && strcmp(argv[i], "--") != 0) {
        if (strcmp(argv[i], "--reap") == 0) {
            reap = 1;
            i += 1;
            continue;
        }
        uint64_t rights;
        if (strcmp(argv[i], "--ro") == 0) {
            rights = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR;
        } else if (strcmp(argv[i], "--rw") == 0) {
            rights = attr.handled_access_fs;
        } else if (strcmp(argv[i], "--dev") == 0) {
            rights = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE; /* what open(O_TRUNC) needs */
        } else {
            fprintf(stderr, "perforch-confine: unknown option %s\n", argv[i]);
            return 2;
        }
        if (i + 1 >= argc) break;
        if (allow(ruleset, argv[i + 1], rights, attr.handled_access_fs) != 0) {
            fprintf(stderr, "perforch-confine: cannot allow %s: %s\n", argv[i + 1], strerror(errno));
            return 126;
        }
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
        fprintf(stderr,
                "usage: perforch-confine [--reap] [--ro|--rw|--dev PATH]... -- COMMAND [ARG]...\n");
        return 2;
    }
    if (reap) {
        pid_t command = fork();
        if (command < 0) return refuse("cannot fork");
        if (command > 0) {
            close(ruleset);
            return wait_then_reap(command);
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return refuse("cannot set no_new_privs");
    if (syscall(__NR_landlock_restrict_self, ruleset, 0) != 0) return refuse("Landlock refused");
    close(ruleset);
    if (filter_syscalls() != 0) return refuse("cannot install the seccomp filter");
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "perforch-confine: %s: %s\n", argv[i + 1], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
