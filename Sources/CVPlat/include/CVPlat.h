// SPDX-License-Identifier: Apache-2.0
// CVPlat: the few glibc extensions Swift cannot import (eventfd, epoll, memfd,
// prctl, signalfd, pidfd, SCM_RIGHTS/CMSG helpers, posix_spawn with an fd map).
// Only PlatformSys imports this module.
//
// Rules: `_GNU_SOURCE` is defined only in shim.c (defining it here breaks the
// Swift module, see anchors §12.1); constants hidden behind `_GNU_SOURCE` are
// exported as `extern const` values named `CVPlat_<C name>`; no glibc struct
// crosses this header (epoll_event is packed, msghdr needs CMSG macros).
#ifndef CVPLAT_H
#define CVPLAT_H
#ifndef __linux__
#error "vlm runs on Linux only"
#endif

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The running kernel's page size, as the shim sees it.
long CVPlat_page_size(void);
/// pipe2(fds, O_CLOEXEC).
int CVPlat_pipe_cloexec(int fds[2]);

// MARK: eventfd(2)
extern const int CVPlat_EFD_CLOEXEC;
extern const int CVPlat_EFD_NONBLOCK;
/// eventfd(2).
int CVPlat_eventfd(unsigned int initval, int flags);

// MARK: epoll(7)
extern const uint32_t CVPlat_EPOLLIN;
extern const uint32_t CVPlat_EPOLLOUT;
extern const uint32_t CVPlat_EPOLLERR;
extern const uint32_t CVPlat_EPOLLHUP;
extern const int CVPlat_EPOLL_CTL_ADD;
extern const int CVPlat_EPOLL_CTL_DEL;
/// epoll_create1(EPOLL_CLOEXEC).
int CVPlat_epoll_create(void);
/// epoll_ctl(2) with `data.u64 = token`.
int CVPlat_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait(2) unpacking the events into two parallel arrays of `max` entries.
int CVPlat_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

// MARK: memfd_create(2)
extern const unsigned int CVPlat_MFD_CLOEXEC;
/// memfd_create(2).
int CVPlat_memfd_create(const char *name, unsigned int flags);

// MARK: prctl(2)
/// prctl(PR_SET_PDEATHSIG, sig).
int CVPlat_set_pdeathsig(int sig);
/// prctl(PR_SET_NAME, name): the 15-character `comm` shown by ps/top.
int CVPlat_set_process_name(const char *name);

// MARK: signals
/// sigprocmask/pthread_sigmask(how, {signals}) for the calling thread.
/// `how`: 0 block, 1 unblock.
int CVPlat_sigmask(int how, const int *signals, int count);
/// signalfd(-1, {signals}, SFD_CLOEXEC | (nonblocking ? SFD_NONBLOCK : 0)).
int CVPlat_signalfd(const int *signals, int count, int nonblocking);
/// Reads one signalfd_siginfo; stores the signal number and sender pid.
/// Returns 1 on success, 0 when nothing is pending (EAGAIN), -1 on error (errno set).
int CVPlat_signalfd_read(int fd, int *signo, int *pid);

// MARK: pidfd
/// pidfd_open(2) (PIDFD_NONBLOCK not used).
int CVPlat_pidfd_open(pid_t pid);
/// pidfd_send_signal(2).
int CVPlat_pidfd_send_signal(int pidfd, int sig);

// MARK: mount namespace
/// unshare(CLONE_NEWNS): a private mount namespace for the calling thread.
int CVPlat_unshare_mount_namespace(void);

// MARK: namespaces (the VM sandbox)
extern const int CVPlat_CLONE_NEWNS;
extern const int CVPlat_CLONE_NEWPID;
extern const int CVPlat_CLONE_NEWNET;
extern const int CVPlat_CLONE_NEWIPC;
extern const int CVPlat_CLONE_NEWUTS;
extern const int CVPlat_CLONE_NEWUSER;
/// unshare(flags).
int CVPlat_unshare(int flags);
/// setns(fd, flags): `fd` a pidfd (every namespace in `flags` at once) or an nsfs file.
int CVPlat_setns(int fd, int flags);
/// sethostname(name, strlen(name)) in the calling process's UTS namespace.
int CVPlat_sethostname(const char *name);
/// Sets IFF_UP on the loopback interface `lo` of the calling process's network namespace.
int CVPlat_loopback_up(void);
/// waitpid(-1, &status, WNOHANG): a child that ended (its pid, its status word
/// in `*status`), 0 when none has, -1 with errno (ECHILD: no children).
int CVPlat_reap_any(int *status);

// MARK: SCM_RIGHTS
/// sendmsg(2) of one message with `nfds` descriptors attached (SCM_RIGHTS),
/// MSG_NOSIGNAL. `nfds` may be 0. Returns bytes sent or -1.
ssize_t CVPlat_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int nfds, int nonblocking);
/// recvmsg(2) of one message, MSG_CMSG_CLOEXEC. Received descriptors go to
/// `fds` (up to `maxfds`), their number to `*nfds`. `*truncated` is set when
/// the message or its control data was cut (MSG_TRUNC/MSG_CTRUNC); any fds
/// beyond `maxfds` are closed. Returns bytes received, 0 at end of stream, -1.
ssize_t CVPlat_recv_with_fds(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds, int *truncated, int nonblocking);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC).
int CVPlat_accept_cloexec(int fd);
/// Largest number of descriptors one message carries (SCM_MAX_FD is 253).
extern const int CVPlat_MAX_FDS;

// MARK: posix_spawn with an explicit fd map
/// Spawns `path` with `argv`/`envp` (NULL-terminated). In the child, fd `i`
/// becomes a duplicate of `fdmap[i]` for i < nmap (-1 leaves fd i closed) and
/// every fd >= nmap is closed. Signal mask emptied and SIGINT/SIGTERM/SIGCHLD/
/// SIGPIPE/SIGHUP reset to default. `new_pgroup`: the child leads its own
/// process group. Returns 0 or an errno value (posix_spawn convention).
/// `search_path`: look `path` up on PATH like execvp (posix_spawnp).
int CVPlat_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const int *fdmap, int nmap, int new_pgroup, int search_path);

// MARK: scheduling
/// sched_getcpu(): the CPU the calling thread runs on, or -1.
int CVPlat_current_cpu(void);

// MARK: FUSE device wait
/// Waits until `device` is readable or `stop` is, through an epoll instance of
/// the calling thread's own (made at its first call for `session`, remade for
/// another session, closed when the thread ends) that holds `device` with
/// EPOLLEXCLUSIVE: one request wakes one idle thread, not all of them.
/// `session` tells sessions apart where descriptor numbers were reused.
/// Returns 1 when `stop` is readable, 0 when the device may be (or the wait
/// was interrupted), -1 with errno on failure.
int CVPlat_wait_device(int device, int stop, unsigned long long session);

#endif
