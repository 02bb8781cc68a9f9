/*
 * openload: an open-model HTTP/1.1 load generator for latency at a fixed rate.
 *
 * Requests are sent on a schedule, evenly spread (request i at start + i / rate), whether or not
 * earlier ones have been answered: a slow answer does not slow the arrivals down (a closed-loop tool
 * such as wrk waits for each answer, so its workers tick together and its latencies hide the queue).
 * Each request's latency runs from the time it was due to be sent to the end of its answer, so time
 * spent waiting for a free connection counts (no coordinated omission). One thread, epoll, keep-alive
 * connections opened as needed up to a limit; a little C so the generator's own costs stay small and
 * steady on a 2-core machine.
 *
 *   openload -r RATE -d SECONDS [-w WARMUP_SECONDS] [-c MAX_CONNECTIONS] [-b BODIES_FILE] URL
 *
 * With -b, each request is a POST of the next line of the file (application/x-www-form-urlencoded);
 * without, a GET of URL. Only http://host:port/path URLs with a numeric IPv4 host; answers must carry
 * Content-Length. Prints one line: BENCH open rate=... sent=... done=... p50_ms=... p90_ms=... p99_ms=...
 * p999_ms=... max_ms=... non2xx=... errors=... late=... (late: sends that left over 1 ms after their time).
 *
 * Build: gcc -O2 -o openload bench/openload.c (bench/load.sh does it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

typedef struct {
    int fd;
    int busy;
    int connecting;
    int64_t due_ns;      /* when the request in flight was due */
    size_t sent, len;    /* of the request being sent */
    char *req;
    char in[BUF];
    size_t got;
} conn_t;

static struct sockaddr_in addr;
static char host_header[256], path[2048];
static char **bodies;
static size_t nbodies, next_body;
static conn_t *conns;
static int nconns, maxconns;
static int ep;
static int64_t *lat;
static size_t nlat, caplat;
static long non2xx, errors, late, done_count;
static int64_t measure_from;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static char *build_request(void) {
    char *r;
    if (!bodies) {
        if (asprintf(&r, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n", path, host_header) < 0) die("asprintf");
    } else {
        const char *b = bodies[next_body++ % nbodies];
        if (asprintf(&r,
                     "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     path, host_header, strlen(b), b) < 0)
            die("asprintf");
    }
    return r;
}

static int open_conn(void) {
    if (nconns >= maxconns) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = &conns[nconns];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
    c->connecting = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)nconns};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    return nconns++;
}

static void reopen(int i) {
    conn_t *c = &conns[i];
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
    c->fd = fd;
    c->connecting = 1;
    c->got = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void try_send(int i) {
    conn_t *c = &conns[i];
    if (c->connecting) return;
    while (c->sent < c->len) {
        ssize_t n = write(c->fd, c->req + c->sent, c->len - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) return;
            errors++;
            free(c->req);
            c->busy = 0;
            reopen(i);
            return;
        }
        c->sent += (size_t)n;
    }
}

static void start(int i, int64_t due) {
    conn_t *c = &conns[i];
    c->busy = 1;
    c->due_ns = due;
    c->req = build_request();
    c->len = strlen(c->req);
    c->sent = 0;
    c->got = 0;
    if (now_ns() - due > 1000000) late++;
    try_send(i);
}

static void record(int64_t due, int status) {
    done_count++;
    if (status < 200 || status > 299) non2xx++;
    if (due < measure_from) return;
    if (nlat == caplat) {
        caplat = caplat ? caplat * 2 : 1 << 16;
        lat = realloc(lat, caplat * sizeof *lat);
        if (!lat) die("realloc");
    }
    lat[nlat++] = now_ns() - due;
}

/* One complete answer at the start of c->in? Then record it and keep what follows. */
static int take_answer(conn_t *c) {
    char *end = memmem(c->in, c->got, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - c->in) + 4;
    int status = atoi(c->in + 9);
    size_t length = 0;
    for (char *p = c->in; p < end; p++) {
        if ((*p == '\n') && strncasecmp(p + 1, "content-length:", 15) == 0) {
            length = strtoul(p + 16, NULL, 10);
            break;
        }
    }
    if (c->got < head + length) return 0;
    record(c->due_ns, status);
    memmove(c->in, c->in + head + length, c->got - head - length);
    c->got -= head + length;
    return 1;
}

static void on_event(int i, uint32_t events) {
    conn_t *c = &conns[i];
    if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) die("connect (is the server up?)");
        c->connecting = 0;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        if (c->busy) try_send(i);
        return;
    }
    if (events & EPOLLOUT && c->busy) try_send(i);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            ssize_t n = read(c->fd, c->in + c->got, BUF - c->got);
            if (n > 0) {
                c->got += (size_t)n;
                if (c->busy && take_answer(c)) {
                    free(c->req);
                    c->busy = 0;
                }
                if (c->got == BUF) die("answer larger than the buffer");
                continue;
            }
            if (n == 0 || (errno != EAGAIN)) {
                if (c->busy) {
                    errors++;
                    free(c->req);
                    c->busy = 0;
                }
                reopen(i);
            }
            break;
        }
    }
}

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(double p) {
    if (!nlat) return 0;
    size_t k = (size_t)(p * (double)(nlat - 1) + 0.5);
    return (double)lat[k] / 1e6;
}

int main(int argc, char **argv) {
    double rate = 0, seconds = 0, warmup = 0;
    const char *bodies_file = NULL;
    maxconns = 256;
    int opt;
    while ((opt = getopt(argc, argv, "r:d:w:c:b:")) != -1) {
        switch (opt) {
            case 'r': rate = atof(optarg); break;
            case 'd': seconds = atof(optarg); break;
            case 'w': warmup = atof(optarg); break;
            case 'c': maxconns = atoi(optarg); break;
            case 'b': bodies_file = optarg; break;
            default: goto usage;
        }
    }
    if (optind != argc - 1 || rate <= 0 || seconds <= 0) {
    usage:
        fprintf(stderr, "usage: openload -r RATE -d SECONDS [-w WARMUP] [-c MAX_CONNECTIONS] [-b BODIES] URL\n");
        return 2;
    }
    char ip[64];
    int port;
    if (sscanf(argv[optind], "http://%63[0-9.]:%d%2047s", ip, &port, path) < 2) goto usage;
    if (!path[0]) strcpy(path, "/");
    snprintf(host_header, sizeof host_header, "%s:%d", ip, port);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &addr.sin_addr);

    if (bodies_file) {
        FILE *f = fopen(bodies_file, "r");
        if (!f) die(bodies_file);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
            if (!n) continue;
            bodies = realloc(bodies, (nbodies + 1) * sizeof *bodies);
            bodies[nbodies++] = strdup(line);
        }
        fclose(f);
        if (!nbodies) die("no bodies");
    }

    conns = calloc((size_t)maxconns, sizeof *conns);
    ep = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);

    int64_t interval = (int64_t)(1e9 / rate);
    int64_t t0 = now_ns() + 200000000LL; /* connections open meanwhile */
    for (int k = 0; k < 8 && k < maxconns; k++) open_conn();
    measure_from = t0 + (int64_t)(warmup * 1e9);
    int64_t end = measure_from + (int64_t)(seconds * 1e9);
    long sent = 0;
    /* Sends due but without a free connection wait here, in order. */
    int64_t *backlog = malloc(sizeof(int64_t) * 1000000);
    size_t bl_head = 0, bl_tail = 0;

    struct epoll_event evs[256];
    for (;;) {
        int64_t now = now_ns();
        int64_t due = t0 + sent * interval;
        while (due <= now && due < end) {
            backlog[bl_tail++ % 1000000] = due;
            sent++;
            due = t0 + sent * interval;
        }
        while (bl_head < bl_tail) {
            int free_i = -1;
            for (int i = 0; i < nconns; i++)
                if (!conns[i].busy && !conns[i].connecting) { free_i = i; break; }
            if (free_i < 0) {
                int any_connecting = 0;
                for (int i = 0; i < nconns; i++) any_connecting |= conns[i].connecting && !conns[i].busy;
                if (any_connecting) break;
                free_i = open_conn();
                if (free_i < 0) break;
                conns[free_i].busy = 1; /* claimed; sent once connected */
                conns[free_i].due_ns = backlog[bl_head++ % 1000000];
                conns[free_i].req = build_request();
                conns[free_i].len = strlen(conns[free_i].req);
                conns[free_i].sent = 0;
                continue;
            }
            start(free_i, backlog[bl_head++ % 1000000]);
        }
        int in_flight = 0;
        for (int i = 0; i < nconns; i++) in_flight |= conns[i].busy;
        if (due >= end && bl_head == bl_tail && !in_flight) break;
        if (now > end + 30000000000LL) break; /* 30 s to drain */
        struct itimerspec its = {0};
        int64_t next = due < end ? due : now + 1000000;
        its.it_value.tv_sec = next / 1000000000LL;
        its.it_value.tv_nsec = next % 1000000000LL;
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        int n = epoll_wait(ep, evs, 256, 100);
        for (int k = 0; k < n; k++) {
            if (evs[k].data.u32 == UINT32_MAX) {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0) { /* spurious */ }
                continue;
            }
            on_event((int)evs[k].data.u32, evs[k].events);
        }
    }
    qsort(lat, nlat, sizeof *lat, cmp);
    double measured = seconds;
    printf("BENCH open rate=%.1f sent=%ld done=%ld measured=%zu achieved_rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f "
           "p999_ms=%.2f max_ms=%.2f non2xx=%ld errors=%ld late=%ld connections=%d\n",
           rate, sent, done_count, nlat, (double)nlat / measured, pct(0.50), pct(0.90), pct(0.99), pct(0.999),
           nlat ? (double)lat[nlat - 1] / 1e6 : 0.0, non2xx, errors, late, nconns);
    return 0;
}
