/*
 * The built-in relay's RTP fast path (issue 18): one epoll set per relay worker thread, polled from that
 * worker's own libuv loop, so a packet is read, checked, counted and sent without entering JavaScript.
 *
 * Why native: Node's dgram costs a Buffer, an rinfo object, an event emit and a send request per packet
 * (8-11 µs per relayed packet on a 2-core machine, above rtpengine's 6-7 µs in userspace). Here a readable
 * socket is drained with recvmmsg and what it carried goes out of the peer socket with one sendmmsg.
 *
 * What stays in JavaScript (relay-session.ts): RTCP (its own sockets, a few packets a second), SDP-driven
 * configuration, DTMF detection and injection, capture copies, reports. This file keeps, per side (the
 * SBC's RTP socket facing one leg), exactly what the per-packet path needs: the latch, the far end, the
 * payload-type mapping and sequence shift toward that leg, and the RFC 3550 receive statistics.
 *
 * Load shedding: every socket has SO_TIMESTAMPNS, so the kernel stamps each datagram on arrival; one that
 * waited longer than the worker's shed limit in a socket buffer is dropped and counted instead of relayed
 * late. A relay past its capacity then adds a bounded delay instead of seconds.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 32
#define SLOT_BYTES 8192
#define MAX_EVENTS 256
#define RTP_SEQ_MOD 65536
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

/* what the JavaScript callback is told about: (kind, side, bytes, address, port) */
enum { EV_DTMF = 1, EV_COPY_IN = 2, EV_COPY_OUT = 3, EV_RTCP = 4 };

typedef struct {
  int used;
  int fd;
  int polled;
  int peer;
  int latch_sdp;
  int has_remote;
  struct sockaddr_storage remote;
  socklen_t remote_len;
  int has_latched;
  struct sockaddr_storage latched;
  socklen_t latched_len;
  int opaque;
  int copy;
  int dtmf_pt;
  int pt_from;
  int pt_to;
  uint16_t seq_shift;
  int out_sent;
  uint32_t out_ssrc;
  uint16_t out_seq;
  uint32_t out_ts;
  /* receive statistics, RFC 3550 A.1, A.3, A.8 (as rtp-stats.ts) */
  double clock_rate;
  double packets, bytes, last_arrival, duplicates, forwarded, dropped;
  double in_run, lost_before, cycles;
  uint32_t base_seq, max_seq;
  int has_ssrc;
  uint32_t ssrc;
  int32_t jitter16;
  int has_transit;
  double last_transit;
} side_t;

typedef struct {
  napi_env env;
  int epfd;
  uv_poll_t poll;
  int poll_started;
  napi_ref callback;
  napi_async_context context;
  napi_async_cleanup_hook_handle cleanup;
  side_t *sides;
  int nsides;
  int free_hint;
  double shed_after_ns;
  double shed;
  /* receive and send batches */
  struct mmsghdr in[BATCH];
  struct iovec in_iov[BATCH];
  struct sockaddr_storage in_from[BATCH];
  char in_ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
  unsigned char *in_buf;
  struct mmsghdr out[BATCH];
  struct iovec out_iov[BATCH];
  struct sockaddr_storage out_to[BATCH];
} engine_t;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static side_t *side_at(engine_t *e, int32_t i) {
  return i >= 0 && i < e->nsides && e->sides[i].used ? &e->sides[i] : NULL;
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b, int with_port) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
    return x->sin_addr.s_addr == y->sin_addr.s_addr && (!with_port || x->sin_port == y->sin_port);
  }
  const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
  return memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0 && (!with_port || x->sin6_port == y->sin6_port);
}

static int port_of(const struct sockaddr_storage *a) {
  return ntohs(a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port
                                       : ((const struct sockaddr_in6 *)a)->sin6_port);
}

static socklen_t length_of(const struct sockaddr_storage *a) {
  return a->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* Whether a packet from `from` belongs to this leg; the first acceptable source is latched (RFC 4961). */
static int accept_from(side_t *s, const struct sockaddr_storage *from) {
  if (s->has_latched) return same_address(&s->latched, from, 1);
  if (port_of(from) == 0) return 0; /* nothing can be sent back to port 0 */
  if (s->latch_sdp && s->has_remote && !same_address(&s->remote, from, 0)) return 0;
  s->latched = *from;
  s->latched_len = length_of(from);
  s->has_latched = 1;
  return 1;
}

static const struct sockaddr_storage *target_of(side_t *s) {
  return s->has_latched ? &s->latched : s->has_remote ? &s->remote : NULL;
}

static void stats_restart(side_t *s, uint32_t seq) {
  s->lost_before += s->in_run == 0 ? 0 : s->cycles + s->max_seq - s->base_seq + 1 - s->in_run;
  s->base_seq = s->max_seq = seq;
  s->cycles = 0;
  s->in_run = 1;
}

static void stats_record(side_t *s, uint32_t seq, uint32_t ts, uint32_t ssrc, size_t len, double arrival) {
  s->packets++;
  s->bytes += (double)len;
  s->last_arrival = arrival;
  if (!s->has_ssrc || ssrc != s->ssrc) {
    stats_restart(s, seq);
    s->has_ssrc = 1;
    s->ssrc = ssrc;
    s->has_transit = 0;
  } else {
    uint32_t delta = (seq - s->max_seq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (delta > 0 && delta < MAX_DROPOUT) {
      if (seq < s->max_seq) s->cycles += RTP_SEQ_MOD;
      s->max_seq = seq;
      s->in_run++;
    } else if (delta == 0) {
      s->duplicates++;
    } else if (delta >= MAX_DROPOUT && delta <= RTP_SEQ_MOD - MAX_MISORDER) {
      stats_restart(s, seq);
    } else {
      s->in_run++;
    }
  }
  double transit = arrival * (s->clock_rate / 1000) - (double)ts;
  if (s->has_transit) {
    double d = transit > s->last_transit ? transit - s->last_transit : s->last_transit - transit;
    if (d < s->clock_rate * 10) s->jitter16 += (int32_t)(d + 0.5) - ((s->jitter16 + 8) >> 4);
  }
  s->last_transit = transit;
  s->has_transit = 1;
}

static void address_value(napi_env env, const struct sockaddr_storage *a, napi_value *address, napi_value *port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (a->ss_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, text, sizeof text);
  else
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, text, sizeof text);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, address);
  napi_create_int32(env, port_of(a), port);
}

/* Tell JavaScript about one packet (a copy: the slot it came in is reused by the next batch). */
static void emit(engine_t *e, int kind, int32_t side, const unsigned char *bytes, size_t len,
                 const struct sockaddr_storage *where) {
  napi_env env = e->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value argv[5], cb, recv, result;
  void *data;
  napi_create_int32(env, kind, &argv[0]);
  napi_create_int32(env, side, &argv[1]);
  napi_create_buffer_copy(env, len, bytes, &data, &argv[2]);
  address_value(env, where, &argv[3], &argv[4]);
  napi_get_reference_value(env, e->callback, &cb);
  napi_get_global(env, &recv); /* napi_make_callback wants an object as `this` */
  if (napi_make_callback(env, e->context, recv, cb, 5, argv, &result) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  napi_close_handle_scope(env, scope);
}

/* When the kernel received the datagram (ns since the epoch), 0 when it did not say. */
static double arrival_ns(struct msghdr *h) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec t;
      memcpy(&t, CMSG_DATA(c), sizeof t);
      return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
    }
  return 0;
}

/* Read up to one batch from side `si`'s socket and relay it; the number of datagrams read. */
static int drain_once(engine_t *e, int32_t si) {
  side_t *s = side_at(e, si);
  if (s == NULL) return 0;
  for (int i = 0; i < BATCH; i++) {
    e->in_iov[i].iov_base = e->in_buf + (size_t)i * SLOT_BYTES;
    e->in_iov[i].iov_len = SLOT_BYTES;
    memset(&e->in[i].msg_hdr, 0, sizeof e->in[i].msg_hdr);
    e->in[i].msg_hdr.msg_iov = &e->in_iov[i];
    e->in[i].msg_hdr.msg_iovlen = 1;
    e->in[i].msg_hdr.msg_name = &e->in_from[i];
    e->in[i].msg_hdr.msg_namelen = sizeof e->in_from[i];
    e->in[i].msg_hdr.msg_control = e->in_ctl[i];
    e->in[i].msg_hdr.msg_controllen = sizeof e->in_ctl[i];
  }
  int n = recvmmsg(s->fd, e->in, BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0) return 0;
  double now = now_ms();
  double now_ns = now * 1e6;
  int nout = 0;
  side_t *out = side_at(e, s->peer);
  for (int i = 0; i < n; i++) {
    /* the JavaScript callbacks below may close sides: look them up again */
    s = side_at(e, si);
    if (s == NULL) break;
    out = side_at(e, s->peer);
    unsigned char *msg = e->in_iov[i].iov_base;
    size_t len = e->in[i].msg_len;
    struct sockaddr_storage *from = &e->in_from[i];
    if (e->in[i].msg_hdr.msg_flags & MSG_TRUNC) {
      s->dropped++;
      continue;
    }
    double at = arrival_ns(&e->in[i].msg_hdr);
    if (e->shed_after_ns > 0 && at > 0 && now_ns - at > e->shed_after_ns) {
      e->shed++; /* waited too long in the socket buffer: relaying it now would only add delay */
      continue;
    }
    if (s->opaque) {
      /* not RTP (T.38's UDPTL): from the latched source, relayed unread and unchanged */
      if (!accept_from(s, from)) {
        s->dropped++;
        continue;
      }
      s->packets++;
      s->bytes += (double)len;
      s->last_arrival = now;
    } else {
      /* RTP version 2 with a full fixed header (RFC 3550 §5.1); anything else is not ours to relay */
      if (len < 12 || msg[0] >> 6 != 2 || !accept_from(s, from)) {
        s->dropped++;
        continue;
      }
      if (msg[1] >= 192 && msg[1] <= 223) {
        /* RTCP multiplexed on the RTP port (a=rtcp-mux, RFC 5761 §4): a few packets a second, handed to the
           JS side, which hides the SDES names in it and relays it (not counted as RTP) */
        s->last_arrival = now;
        emit(e, EV_RTCP, si, msg, len, from);
        continue;
      } else {
        uint16_t seq = (uint16_t)(msg[2] << 8 | msg[3]);
        uint32_t ts = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7];
        uint32_t ssrc = (uint32_t)msg[8] << 24 | (uint32_t)msg[9] << 16 | (uint32_t)msg[10] << 8 | msg[11];
        stats_record(s, seq, ts, ssrc, len, now);
        if (s->copy) emit(e, EV_COPY_IN, si, msg, len, from);
        s = side_at(e, si);
        if (s == NULL) break;
        if (s->dtmf_pt >= 0 && (msg[1] & 0x7f) == s->dtmf_pt) {
          emit(e, EV_DTMF, si, msg, len, from);
          continue;
        }
        out = side_at(e, s->peer);
        if (out == NULL) continue;
        if ((msg[1] & 0x7f) == out->pt_from) msg[1] = (unsigned char)((msg[1] & 0x80) | out->pt_to);
        uint16_t sent_seq = (uint16_t)(seq + out->seq_shift);
        msg[2] = (unsigned char)(sent_seq >> 8);
        msg[3] = (unsigned char)sent_seq;
        out->out_sent = 1;
        out->out_ssrc = ssrc;
        out->out_seq = sent_seq;
        out->out_ts = ts;
      }
    }
    if (out == NULL || out->fd < 0) continue;
    const struct sockaddr_storage *to = target_of(out);
    if (to == NULL) continue;
    s->forwarded++;
    e->out_to[nout] = *to;
    if (s->copy) {
      int32_t peer = s->peer;
      emit(e, EV_COPY_OUT, peer, msg, len, &e->out_to[nout]);
      if (side_at(e, si) == NULL || side_at(e, peer) == NULL) break;
    }
    to = &e->out_to[nout];
    e->out_iov[nout].iov_base = msg;
    e->out_iov[nout].iov_len = len;
    memset(&e->out[nout].msg_hdr, 0, sizeof e->out[nout].msg_hdr);
    e->out[nout].msg_hdr.msg_iov = &e->out_iov[nout];
    e->out[nout].msg_hdr.msg_iovlen = 1;
    e->out[nout].msg_hdr.msg_name = &e->out_to[nout];
    e->out[nout].msg_hdr.msg_namelen = length_of(to);
    nout++;
  }
  /* every packet of the batch leaves from the same socket (the peer's); a refusal drops what is left */
  s = side_at(e, si);
  out = s == NULL ? NULL : side_at(e, s->peer);
  for (int sent = 0; out != NULL && sent < nout;) {
    int r = sendmmsg(out->fd, e->out + sent, (unsigned)(nout - sent), MSG_DONTWAIT);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sent++; /* this destination refused (ICMP unreachable and the like): skip it, send the rest */
        continue;
      }
      e->shed += nout - sent;
      break;
    }
    sent += r;
  }
  return n;
}

static void on_ready(uv_poll_t *handle, int status, int events) {
  (void)events;
  engine_t *e = handle->data;
  if (status < 0) return;
  struct epoll_event ready[MAX_EVENTS];
  int n = epoll_wait(e->epfd, ready, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++) {
    int32_t si = (int32_t)ready[i].data.u32;
    /* a few batches per socket per wake-up: a busy stream must not starve the others */
    for (int round = 0; round < 4 && drain_once(e, si) == BATCH; round++)
      ;
  }
}

/* ---- the JavaScript interface ---- */

#define ARGS(n)                                                                                                   \
  size_t argc = n;                                                                                                \
  napi_value argv[n];                                                                                             \
  engine_t *e;                                                                                                    \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);                                                           \
  napi_get_instance_data(env, (void **)&e);

static int32_t int_arg(napi_env env, napi_value v) {
  int32_t x = -1;
  napi_get_value_int32(env, v, &x);
  return x;
}

static napi_value int_value(napi_env env, int64_t x) {
  napi_value v;
  napi_create_int64(env, x, &v);
  return v;
}

static napi_value undefined_value(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* Parse "address" + port into `out`; 0 when the address is not an IP literal. */
static int parse_endpoint(napi_env env, napi_value address, int32_t port, struct sockaddr_storage *out) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, address, text, sizeof text, &len) != napi_ok) return 0;
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (void *)out;
  struct sockaddr_in6 *v6 = (void *)out;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return 1;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    return 1;
  }
  return 0;
}

/* The thread is ending: close every socket, and the poll handle before the loop goes (async cleanup). */
static void poll_closed(uv_handle_t *handle) {
  engine_t *e = handle->data;
  napi_remove_async_cleanup_hook(e->cleanup);
}

static void cleanup(napi_async_cleanup_hook_handle hook, void *data) {
  engine_t *e = data;
  e->cleanup = hook;
  for (int i = 0; i < e->nsides; i++)
    if (e->sides[i].used && e->sides[i].fd >= 0) close(e->sides[i].fd);
  e->nsides = 0;
  if (e->epfd >= 0) close(e->epfd);
  e->epfd = -1;
  if (e->poll_started) {
    uv_poll_stop(&e->poll);
    uv_close((uv_handle_t *)&e->poll, poll_closed);
  } else {
    napi_remove_async_cleanup_hook(hook);
  }
  /* the engine's memory stays: it is small, and freeing it would race the close callback */
}

/* start(callback, shedAfterMs): begin polling on this thread's loop; callback(kind, side, bytes, address, port). */
static napi_value js_start(napi_env env, napi_callback_info info) {
  ARGS(2)
  if (e->poll_started) return undefined_value(env);
  napi_create_reference(env, argv[0], 1, &e->callback);
  napi_value name;
  napi_create_string_utf8(env, "fosip-rtp-forwarder", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &e->context);
  double shed = 0;
  napi_get_value_double(env, argv[1], &shed);
  e->shed_after_ns = shed * 1e6;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &e->poll, e->epfd);
  e->poll.data = e;
  uv_poll_start(&e->poll, UV_READABLE, on_ready);
  uv_unref((uv_handle_t *)&e->poll); /* the sockets' owner decides how long the thread lives, not the poll */
  e->poll_started = 1;
  return undefined_value(env);
}

/* open(address, port): a bound UDP socket for one side, not yet relaying; its index, or -errno. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  ARGS(2)
  struct sockaddr_storage at;
  if (!parse_endpoint(env, argv[0], int_arg(env, argv[1]), &at)) return int_value(env, -EINVAL);
  int fd = socket(at.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&at, length_of(&at)) != 0) {
    int err = errno;
    close(fd);
    return int_value(env, -err);
  }
  int i = e->free_hint;
  while (i < e->nsides && e->sides[i].used) i++;
  if (i == e->nsides) {
    int grown = e->nsides == 0 ? 256 : e->nsides * 2;
    side_t *more = realloc(e->sides, sizeof(side_t) * (size_t)grown);
    if (more == NULL) {
      close(fd);
      return int_value(env, -ENOMEM);
    }
    memset(more + e->nsides, 0, sizeof(side_t) * (size_t)(grown - e->nsides));
    e->sides = more;
    e->nsides = grown;
  }
  side_t *s = &e->sides[i];
  memset(s, 0, sizeof *s);
  s->used = 1;
  s->fd = fd;
  s->peer = -1;
  s->dtmf_pt = -1;
  s->pt_from = -1;
  s->clock_rate = 8000;
  e->free_hint = i + 1;
  return int_value(env, i);
}

/* relay(side, peer, clockRate, latchSdp): what arrives on `side` goes out of `peer`; drops what waited unrelayed. */
static napi_value js_relay(napi_env env, napi_callback_info info) {
  ARGS(4)
  int32_t si = int_arg(env, argv[0]);
  side_t *s = side_at(e, si);
  if (s == NULL) return undefined_value(env);
  s->peer = int_arg(env, argv[1]);
  s->clock_rate = int_arg(env, argv[2]);
  bool latch_sdp = false;
  napi_get_value_bool(env, argv[3], &latch_sdp);
  s->latch_sdp = latch_sdp;
  if (!s->polled) {
    unsigned char scrap[64];
    while (recv(s->fd, scrap, sizeof scrap, MSG_DONTWAIT) >= 0)
      ; /* what reached a warm port before its call is nobody's */
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)si};
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0) s->polled = 1;
  }
  return undefined_value(env);
}

/* setRemote(side, address|null, port): where the leg's SDP says to send (until a packet is latched). */
static napi_value js_set_remote(napi_env env, napi_callback_info info) {
  ARGS(3)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  if (s == NULL) return undefined_value(env);
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  s->has_remote = t == napi_string && parse_endpoint(env, argv[1], int_arg(env, argv[2]), &s->remote);
  if (s->has_remote) s->remote_len = length_of(&s->remote);
  return undefined_value(env);
}

/* unlatch(side): learn the far end again (a re-INVITE moved it). */
static napi_value js_unlatch(napi_env env, napi_callback_info info) {
  ARGS(1)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  if (s != NULL) s->has_latched = 0;
  return undefined_value(env);
}

/* mode(side, opaque, copy, dtmfPt, ptFrom, ptTo): -1 for no DTMF payload type / no mapping. */
static napi_value js_mode(napi_env env, napi_callback_info info) {
  ARGS(6)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  if (s == NULL) return undefined_value(env);
  bool opaque = false, copy = false;
  napi_get_value_bool(env, argv[1], &opaque);
  napi_get_value_bool(env, argv[2], &copy);
  s->opaque = opaque;
  s->copy = copy;
  s->dtmf_pt = int_arg(env, argv[3]);
  s->pt_from = int_arg(env, argv[4]);
  s->pt_to = int_arg(env, argv[5]) & 0x7f;
  return undefined_value(env);
}

/* send(side, bytes): out of this side's socket to its far end (latched, else SDP); false when nowhere. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  ARGS(2)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  napi_value result;
  const struct sockaddr_storage *to = s == NULL ? NULL : target_of(s);
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  int ok = to != NULL && data != NULL && sendto(s->fd, data, len, MSG_DONTWAIT, (const void *)to, length_of(to)) >= 0;
  napi_get_boolean(env, ok, &result);
  return result;
}

/*
 * state(side, Float64Array(16)): packets, bytes, lost, jitter16, lastArrival (0: none), forwarded, dropped,
 * duplicates, latched, outSent, outSsrc, outSeq, outTs, seqShift, clockRate, shed (the worker's).
 */
static napi_value js_state(napi_env env, napi_callback_info info) {
  ARGS(2)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL);
  if (s == NULL || type != napi_float64_array || length < 16) return undefined_value(env);
  double *o = data;
  double lost_in_run = s->in_run == 0 ? 0 : s->cycles + s->max_seq - s->base_seq + 1 - s->in_run;
  o[0] = s->packets;
  o[1] = s->bytes;
  o[2] = s->lost_before + lost_in_run;
  o[3] = s->jitter16;
  o[4] = s->last_arrival;
  o[5] = s->forwarded;
  o[6] = s->dropped;
  o[7] = s->duplicates;
  o[8] = s->has_latched;
  o[9] = s->out_sent;
  o[10] = s->out_ssrc;
  o[11] = s->out_seq;
  o[12] = s->out_ts;
  o[13] = s->seq_shift;
  o[14] = s->clock_rate;
  o[15] = e->shed;
  return undefined_value(env);
}

/* setOut(side, ssrc, seq, ts, seqShift): the stream toward this leg after packets were injected into it. */
static napi_value js_set_out(napi_env env, napi_callback_info info) {
  ARGS(5)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  if (s == NULL) return undefined_value(env);
  double ssrc = 0, seq = 0, ts = 0, shift = 0;
  napi_get_value_double(env, argv[1], &ssrc);
  napi_get_value_double(env, argv[2], &seq);
  napi_get_value_double(env, argv[3], &ts);
  napi_get_value_double(env, argv[4], &shift);
  s->out_sent = 1;
  s->out_ssrc = (uint32_t)ssrc;
  s->out_seq = (uint16_t)seq;
  s->out_ts = (uint32_t)ts;
  s->seq_shift = (uint16_t)shift;
  return undefined_value(env);
}

/* latched(side): [address, port] the side latched to, or null. */
static napi_value js_latched(napi_env env, napi_callback_info info) {
  ARGS(1)
  side_t *s = side_at(e, int_arg(env, argv[0]));
  napi_value result;
  if (s == NULL || !s->has_latched) {
    napi_get_null(env, &result);
    return result;
  }
  napi_value address, port;
  address_value(env, &s->latched, &address, &port);
  napi_create_array_with_length(env, 2, &result);
  napi_set_element(env, result, 0, address);
  napi_set_element(env, result, 1, port);
  return result;
}

/* close(side): stop relaying and close the socket; the index may be given out again. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1)
  int32_t si = int_arg(env, argv[0]);
  side_t *s = side_at(e, si);
  if (s == NULL) return undefined_value(env);
  if (s->polled) epoll_ctl(e->epfd, EPOLL_CTL_DEL, s->fd, NULL);
  close(s->fd);
  memset(s, 0, sizeof *s);
  if (si < e->free_hint) e->free_hint = si;
  return undefined_value(env);
}

/* shed(): datagrams dropped so far because they waited too long or could not be sent (the relay was behind). */
static napi_value js_shed(napi_env env, napi_callback_info info) {
  ARGS(1)
  (void)argv;
  napi_value v;
  napi_create_double(env, e->shed, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  engine_t *e = calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->env = env;
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  e->in_buf = malloc((size_t)BATCH * SLOT_BYTES);
  if (e->epfd < 0 || e->in_buf == NULL) {
    napi_throw_error(env, NULL, "fosip rtp forwarder: no epoll or memory");
    return NULL;
  }
  napi_set_instance_data(env, e, NULL, NULL);
  napi_add_async_cleanup_hook(env, cleanup, e, NULL);
  napi_property_descriptor fns[] = {
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"relay", NULL, js_relay, NULL, NULL, NULL, napi_default, NULL},
      {"setRemote", NULL, js_set_remote, NULL, NULL, NULL, napi_default, NULL},
      {"unlatch", NULL, js_unlatch, NULL, NULL, NULL, napi_default, NULL},
      {"mode", NULL, js_mode, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"state", NULL, js_state, NULL, NULL, NULL, napi_default, NULL},
      {"setOut", NULL, js_set_out, NULL, NULL, NULL, napi_default, NULL},
      {"latched", NULL, js_latched, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"shed", NULL, js_shed, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
