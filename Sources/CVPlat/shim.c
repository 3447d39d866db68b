// SPDX-License-Identifier: Apache-2.0
// Implementation of CVPlat.h. `_GNU_SOURCE` comes from Package.swift's
// cSettings and is required here only (see the header's rules).
#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CVPlat.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

long CVPlat_page_size(void) { return sysconf(_SC_PAGESIZE); }
int CVPlat_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

// MARK: eventfd
const int CVPlat_EFD_CLOEXEC = EFD_CLOEXEC;
const int CVPlat_EFD_NONBLOCK = EFD_NONBLOCK;
int CVPlat_eventfd(unsigned int initval, int flags) { return eventfd(initval, flags); }

// MARK: epoll
const uint32_t CVPlat_EPOLLIN = EPOLLIN;
const uint32_t CVPlat_EPOLLOUT = EPOLLOUT;
const uint32_t CVPlat_EPOLLERR = EPOLLERR;
const uint32_t CVPlat_EPOLLHUP = EPOLLHUP;
const int CVPlat_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int CVPlat_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

int CVPlat_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int CVPlat_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, op == EPOLL_CTL_DEL ? NULL : &ev);
}

int CVPlat_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

// MARK: memfd
const unsigned int CVPlat_MFD_CLOEXEC = MFD_CLOEXEC;
int CVPlat_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }

// MARK: prctl
int CVPlat_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0); }
int CVPlat_set_process_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

// MARK: signals
static void fill_set(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int CVPlat_sigmask(int how, const int *signals, int count) {
    sigset_t set;
    fill_set(&set, signals, count);
    int rc = pthread_sigmask(how == 0 ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
    if (rc != 0) { errno = rc; return -1; }
    return 0;
}

int CVPlat_signalfd(const int *signals, int count, int nonblocking) {
    sigset_t set;
    fill_set(&set, signals, count);
    return signalfd(-1, &set, SFD_CLOEXEC | (nonblocking ? SFD_NONBLOCK : 0));
}

int CVPlat_signalfd_read(int fd, int *signo, int *pid) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return (errno == EAGAIN) ? 0 : -1;
    if (n != (ssize_t)sizeof info) { errno = EIO; return -1; }
    *signo = (int)info.ssi_signo;
    *pid = (int)info.ssi_pid;
    return 1;
}

// MARK: pidfd
int CVPlat_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int CVPlat_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

// MARK: mount namespace
int CVPlat_unshare_mount_namespace(void) { return unshare(CLONE_NEWNS); }

// MARK: namespaces
const int CVPlat_CLONE_NEWNS = CLONE_NEWNS;
const int CVPlat_CLONE_NEWPID = CLONE_NEWPID;
const int CVPlat_CLONE_NEWNET = CLONE_NEWNET;
const int CVPlat_CLONE_NEWIPC = CLONE_NEWIPC;
const int CVPlat_CLONE_NEWUTS = CLONE_NEWUTS;
const int CVPlat_CLONE_NEWUSER = CLONE_NEWUSER;
int CVPlat_unshare(int flags) { return unshare(flags); }
int CVPlat_setns(int fd, int flags) { return setns(fd, flags); }
int CVPlat_sethostname(const char *name) { return sethostname(name, strlen(name)); }

int CVPlat_loopback_up(void) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(sock, SIOCGIFFLAGS, &request);
    if (rc == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(sock, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(sock);
    errno = saved;
    return rc;
}

int CVPlat_reap_any(int *status) { return (int)waitpid(-1, status, WNOHANG); }

// MARK: SCM_RIGHTS
const int CVPlat_MAX_FDS = 253;

ssize_t CVPlat_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int nfds, int nonblocking) {
    if (nfds < 0 || nfds > CVPlat_MAX_FDS) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    union { char buf[CMSG_SPACE(sizeof(int) * 253)]; struct cmsghdr align; } control;
    if (nfds > 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)nfds);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL | (nonblocking ? MSG_DONTWAIT : 0));
}

ssize_t CVPlat_recv_with_fds(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds, int *truncated, int nonblocking) {
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    union { char buf[CMSG_SPACE(sizeof(int) * 253)]; struct cmsghdr align; } control;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    *nfds = 0;
    *truncated = 0;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0));
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int received[253];
        memcpy(received, CMSG_DATA(c), sizeof(int) * (size_t)count);
        for (int i = 0; i < count; i++) {
            if (*nfds < maxfds) fds[(*nfds)++] = received[i];
            else { close(received[i]); *truncated = 1; }
        }
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) *truncated = 1;
    return n;
}

int CVPlat_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

// MARK: posix_spawn
int CVPlat_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const int *fdmap, int nmap, int new_pgroup, int search_path) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }
    // Move every source above all targets and sources first, so that a
    // source numbered like an earlier target is not overwritten; dup2 onto a
    // different number also clears FD_CLOEXEC on the target.
    int high = nmap;
    for (int i = 0; i < nmap; i++) if (fdmap[i] >= high) high = fdmap[i] + 1;
    for (int i = 0; i < nmap && rc == 0; i++)
        if (fdmap[i] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, fdmap[i], high + i);
    for (int i = 0; i < nmap && rc == 0; i++)
        if (fdmap[i] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, high + i, i);
    for (int i = 0; i < nmap && rc == 0; i++)
        if (fdmap[i] < 0) rc = posix_spawn_file_actions_addclose(&actions, i);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, nmap);
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    int reset[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGHUP, SIGQUIT };
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) sigaddset(&defaults, reset[i]);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (new_pgroup ? POSIX_SPAWN_SETPGROUP : 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &defaults);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0) rc = posix_spawnattr_setflags(&attr, flags);
    if (rc == 0) rc = (search_path ? posix_spawnp : posix_spawn)(pid, path, &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

// MARK: scheduling
int CVPlat_current_cpu(void) { return sched_getcpu(); }

// MARK: FUSE device wait
struct device_wait { int epoll, device, stop; unsigned long long session; };
static pthread_key_t device_wait_key;
static pthread_once_t device_wait_once = PTHREAD_ONCE_INIT;

static void device_wait_free(void *pointer) {
    struct device_wait *wait = pointer;
    close(wait->epoll);
    free(wait);
}

static void device_wait_key_make(void) { pthread_key_create(&device_wait_key, device_wait_free); }

/// The calling thread's epoll instance for `session`, made on first use.
static struct device_wait *device_wait_get(int device, int stop, unsigned long long session) {
    pthread_once(&device_wait_once, device_wait_key_make);
    struct device_wait *wait = pthread_getspecific(device_wait_key);
    if (wait && wait->session == session && wait->device == device && wait->stop == stop) return wait;
    if (wait) {
        pthread_setspecific(device_wait_key, NULL);
        device_wait_free(wait);
    }
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) return NULL;
    struct epoll_event on_device = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = device};
    struct epoll_event on_stop = {.events = EPOLLIN, .data.fd = stop};
    wait = malloc(sizeof *wait);
    if (!wait || epoll_ctl(epoll, EPOLL_CTL_ADD, device, &on_device) < 0 ||
        epoll_ctl(epoll, EPOLL_CTL_ADD, stop, &on_stop) < 0) {
        int saved = wait ? errno : ENOMEM;
        free(wait);
        close(epoll);
        errno = saved;
        return NULL;
    }
    *wait = (struct device_wait){.epoll = epoll, .device = device, .stop = stop, .session = session};
    pthread_setspecific(device_wait_key, wait);
    return wait;
}

int CVPlat_wait_device(int device, int stop, unsigned long long session) {
    struct device_wait *wait = device_wait_get(device, stop, session);
    if (!wait) return -1;
    struct epoll_event events[2];
    int count = epoll_wait(wait->epoll, events, 2, -1);
    if (count < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < count; i++) {
        if (events[i].data.fd == stop) return 1;
    }
    return 0;
}
