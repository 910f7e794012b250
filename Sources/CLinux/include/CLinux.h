#ifndef C_LINUX_H
#define C_LINUX_H
// Linux interfaces the Glibc module does not bring to Swift: epoll and eventfd.
// epoll_event is packed on x86_64, so Swift never touches it: these wrappers take and fill plain arrays.
// GNU extensions (accept4, pthread_setname_np) live in shim.c: defining _GNU_SOURCE in this header
// would give system types a different shape from Swift's Glibc module.
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// epoll_ctl with data.fd = fd.
static inline int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &event);
}

/// epoll_wait into parallel arrays of descriptors and event masks; returns the count or -1.
static inline int clinux_epoll_wait(int epfd, int *fds, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event ready[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, ready, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return n;
}

/// Bytes written to a socket that its peer has not yet taken (SIOCOUTQ: unsent plus unacknowledged for
/// TCP, unread for a Unix socket), or -1.
int clinux_unaccepted_bytes(int fd);

/// Bytes received on a socket that have not been read yet (FIONREAD), or -1.
int clinux_unread_bytes(int fd);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int clinux_accept_nonblocking(int fd);

/// Names the calling thread (shown by top -H and in core dumps); at most 15 bytes are kept.
void clinux_set_thread_name(const char *name);

/// SOCK_NONBLOCK | SOCK_CLOEXEC, for socket(2).
extern const int CLINUX_SOCK_NONBLOCK_CLOEXEC;

static const uint32_t CLINUX_EPOLLIN = EPOLLIN;
static const uint32_t CLINUX_EPOLLOUT = EPOLLOUT;
static const uint32_t CLINUX_EPOLLERR = EPOLLERR;
static const uint32_t CLINUX_EPOLLHUP = EPOLLHUP;
static const uint32_t CLINUX_EPOLLRDHUP = EPOLLRDHUP;
static const int CLINUX_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
static const int CLINUX_EFD_NONBLOCK = EFD_NONBLOCK;
static const int CLINUX_EFD_CLOEXEC = EFD_CLOEXEC;

#endif
