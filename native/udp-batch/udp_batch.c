/*
 * udp_batch: a UDP socket for the authoritative server that moves datagrams in batches.
 *
 * Why this exists (written by hand because no maintained npm package does it): node:dgram calls
 * into JavaScript once per datagram, allocates a Buffer and an rinfo object for each, and sends
 * each answer with its own system call. At DNS query rates that per-datagram overhead is most of
 * the server's CPU time (bench/results: about 12 us per query, of which a bare dgram echo server
 * already spends most). Here one readiness event reads up to BATCH datagrams with recvmmsg(2),
 * hands them to JavaScript in ONE call through shared buffers (no allocation per datagram), and
 * writes all answers with one sendmmsg(2). Linux only; elsewhere zonexfer uses node:dgram.
 *
 * Shared memory with JavaScript (allocated there, kept alive by references here):
 *   in   : BATCH slots of IN_SLOT octets (any UDP datagram fits), datagram i at i * IN_SLOT
 *   out  : BATCH slots of OUT_SLOT octets, the answer to datagram i at i * OUT_SLOT
 *   meta : BATCH records of META_SIZE octets (native byte order):
 *          int32 length (-1: longer than IN_SLOT, truncated), int32 port, int32 family (4 or 6),
 *          int32 answer length (written by JavaScript; 0 = no answer), 16 octets of address
 *          (IPv4 in the first 4).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64
#define IN_SLOT 65536
#define OUT_SLOT 65536
#define META_SIZE 32
/* Batches handled per readiness event before the event loop gets its turn (timers, TCP). */
#define ROUNDS 1
/* Answers waiting for the socket to become writable, at most this many octets (beyond: dropped). */
#define QUEUE_LIMIT (1u << 20)

/* An answer the kernel could not take yet (EAGAIN: on loopback, answers still queued at a slow
 * receiver count against our send buffer). node:dgram queues such sends in libuv and writes them
 * when the socket is writable again; so does this, up to QUEUE_LIMIT. */
typedef struct queued {
  struct queued *next;
  size_t len;
  socklen_t namelen;
  struct sockaddr_storage addr;
  uint8_t data[];
} queued_t;

typedef struct {
  uv_poll_t poll;
  int fd;
  int family;
  int polling;
  int closed;
  napi_env env;
  napi_ref cb, in_ref, out_ref, meta_ref, close_cb;
  napi_async_context actx;
  uint8_t *in, *out, *meta;
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage addrs[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
  uint64_t send_errors;
  queued_t *qhead, *qtail;
  size_t qbytes;
} sock_t;

static void on_readable(uv_poll_t *h, int status, int events);

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, "EINVAL", "udp_batch: " #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static napi_value throw_errno(napi_env env, int e, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
  napi_value code, text, error;
  const char *name = e == EADDRINUSE ? "EADDRINUSE" : e == EACCES ? "EACCES" : e == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : e == EAFNOSUPPORT ? "EAFNOSUPPORT" : "ESOCKET";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
  return NULL;
}

static sock_t *get_sock(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "EINVAL", "udp_batch: not a socket handle");
    return NULL;
  }
  sock_t *s = p;
  if (s->closed) {
    napi_throw_error(env, "ERR_SOCKET_DGRAM_NOT_RUNNING", "udp_batch: socket is closed");
    return NULL;
  }
  return s;
}

/* sock_args reads a call's first `n` arguments into argv; the first is the socket handle. */
static sock_t *sock_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) {
    napi_throw_type_error(env, "EINVAL", "udp_batch: missing arguments");
    return NULL;
  }
  return get_sock(env, argv[0]);
}

static uint8_t *buffer_data(napi_env env, napi_value v, size_t need) {
  void *data = NULL;
  size_t len = 0;
  if (napi_get_buffer_info(env, v, &data, &len) != napi_ok || len < need) return NULL;
  return data;
}

/* open(host, port, ipv6Only) -> handle. host is an IPv4 or IPv6 literal. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[64];
  size_t hl = 0;
  int32_t port = 0;
  bool v6only = false;
  CHECK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hl));
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_bool(env, argv[2], &v6only));

  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  int family;
  struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    family = AF_INET;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    sl = sizeof *a4;
  } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    family = AF_INET6;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    sl = sizeof *a6;
  } else {
    napi_throw_type_error(env, "EINVAL", "udp_batch: host is not an IP literal");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  if (family == AF_INET6) {
    int on = v6only ? 1 : 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind");
  }
  sock_t *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open");
  }
  s->fd = fd;
  s->family = family;
  s->env = env;
  napi_value handle;
  CHECK(napi_create_external(env, s, NULL, NULL, &handle));
  return handle;
}

static napi_value js_local_port(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sock_t *s = sock_args(env, info, 1, argv);
  if (s == NULL) return NULL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) return throw_errno(env, errno, "getsockname");
  int port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : ntohs(((struct sockaddr_in *)&ss)->sin_port);
  napi_value r;
  CHECK(napi_create_int32(env, port, &r));
  return r;
}

static void fill_meta(sock_t *s, int i, unsigned len, int truncated) {
  uint8_t *m = s->meta + (size_t)i * META_SIZE;
  int32_t hdr[4];
  struct sockaddr_storage *ss = &s->addrs[i];
  hdr[0] = truncated ? -1 : (int32_t)len;
  hdr[3] = 0;
  memset(m + 16, 0, 16);
  if (ss->ss_family == AF_INET6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    hdr[1] = ntohs(a6->sin6_port);
    hdr[2] = 6;
    memcpy(m + 16, &a6->sin6_addr, 16);
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    hdr[1] = ntohs(a4->sin_port);
    hdr[2] = 4;
    memcpy(m + 16, &a4->sin_addr, 4);
  }
  memcpy(m, hdr, sizeof hdr);
}

static void enqueue(sock_t *s, const void *data, size_t len, const struct sockaddr_storage *addr, socklen_t namelen) {
  if (s->qbytes + len > QUEUE_LIMIT) {
    s->send_errors++;
    return;
  }
  queued_t *q = malloc(sizeof *q + len);
  if (q == NULL) {
    s->send_errors++;
    return;
  }
  q->next = NULL;
  q->len = len;
  q->namelen = namelen;
  memcpy(&q->addr, addr, namelen);
  memcpy(q->data, data, len);
  if (s->qtail != NULL) s->qtail->next = q;
  else s->qhead = q;
  s->qtail = q;
  if (s->qbytes == 0 && s->polling && !s->closed) uv_poll_start(&s->poll, UV_READABLE | UV_WRITABLE, on_readable);
  s->qbytes += len;
}

/* flush_queue writes queued answers in order until the kernel pushes back again (EAGAIN; any
 * other error, ENOBUFS included, drops that one answer: retrying it could spin while writable). */
static void flush_queue(sock_t *s) {
  while (s->qhead != NULL) {
    queued_t *q = s->qhead;
    ssize_t r = sendto(s->fd, q->data, q->len, MSG_DONTWAIT, (struct sockaddr *)&q->addr, q->namelen);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) s->send_errors++;
    s->qhead = q->next;
    if (s->qhead == NULL) s->qtail = NULL;
    s->qbytes -= q->len;
    free(q);
  }
  if (s->polling && !s->closed) uv_poll_start(&s->poll, UV_READABLE, on_readable);
}

/* send_answers writes every answer JavaScript left in `out` with sendmmsg(2); what the kernel
 * does not take now is queued (behind answers queued earlier, so each client's order holds). */
static void send_answers(sock_t *s, int n) {
  int k = 0;
  int map[BATCH];
  for (int i = 0; i < n; i++) {
    int32_t len;
    memcpy(&len, s->meta + (size_t)i * META_SIZE + 12, 4);
    if (len <= 0 || len > OUT_SLOT) continue;
    s->siov[k].iov_base = s->out + (size_t)i * OUT_SLOT;
    s->siov[k].iov_len = (size_t)len;
    memset(&s->smsg[k].msg_hdr, 0, sizeof s->smsg[k].msg_hdr);
    s->smsg[k].msg_hdr.msg_name = &s->addrs[i];
    s->smsg[k].msg_hdr.msg_namelen = s->rmsg[i].msg_hdr.msg_namelen;
    s->smsg[k].msg_hdr.msg_iov = &s->siov[k];
    s->smsg[k].msg_hdr.msg_iovlen = 1;
    map[k] = i;
    k++;
  }
  int done = 0;
  while (done < k && s->qhead == NULL) {
    int r = sendmmsg(s->fd, s->smsg + done, (unsigned)(k - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    /* An error for this one destination (e.g. EPERM from a firewall): skip it, send the rest. */
    s->send_errors++;
    done++;
  }
  for (; done < k; done++) enqueue(s, s->siov[done].iov_base, s->siov[done].iov_len, &s->addrs[map[done]], s->smsg[done].msg_hdr.msg_namelen);
}

static void call_js(sock_t *s, int n) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[1], result;
  napi_get_reference_value(env, s->cb, &cb);
  napi_get_global(env, &recv); /* napi_make_callback wants an object receiver */
  napi_create_int32(env, n, &argv[0]);
  napi_status st = napi_make_callback(env, s->actx, recv, cb, 1, argv, &result);
  if (st == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  if (status < 0 || s->closed) return;
  if (events & UV_WRITABLE) flush_queue(s);
  if (!(events & UV_READABLE)) return;
  for (int round = 0; round < ROUNDS && !s->closed; round++) {
    for (int i = 0; i < BATCH; i++) {
      s->riov[i].iov_base = s->in + (size_t)i * IN_SLOT;
      s->riov[i].iov_len = IN_SLOT;
      memset(&s->rmsg[i].msg_hdr, 0, sizeof s->rmsg[i].msg_hdr);
      s->rmsg[i].msg_hdr.msg_name = &s->addrs[i];
      s->rmsg[i].msg_hdr.msg_namelen = sizeof s->addrs[i];
      s->rmsg[i].msg_hdr.msg_iov = &s->riov[i];
      s->rmsg[i].msg_hdr.msg_iovlen = 1;
      s->rmsg[i].msg_len = 0;
    }
    int n = recvmmsg(s->fd, s->rmsg, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return; /* EAGAIN: drained; other errors (e.g. ICMP-reported) are transient */
    for (int i = 0; i < n; i++) fill_meta(s, i, s->rmsg[i].msg_len, (s->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
    call_js(s, n);
    if (s->closed) return;
    send_answers(s, n);
    if (n < BATCH) return;
  }
}

/* start(handle, in, out, meta, onBatch(count)) */
static napi_value js_start(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  sock_t *s = sock_args(env, info, 5, argv);
  if (s == NULL) return NULL;
  if (s->polling) {
    napi_throw_error(env, "EINVAL", "udp_batch: already started");
    return NULL;
  }
  s->in = buffer_data(env, argv[1], (size_t)BATCH * IN_SLOT);
  s->out = buffer_data(env, argv[2], (size_t)BATCH * OUT_SLOT);
  s->meta = buffer_data(env, argv[3], (size_t)BATCH * META_SIZE);
  if (s->in == NULL || s->out == NULL || s->meta == NULL) {
    napi_throw_range_error(env, "EINVAL", "udp_batch: a shared buffer is too small");
    return NULL;
  }
  CHECK(napi_create_reference(env, argv[1], 1, &s->in_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &s->out_ref));
  CHECK(napi_create_reference(env, argv[3], 1, &s->meta_ref));
  CHECK(napi_create_reference(env, argv[4], 1, &s->cb));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "zonexfer:udp-batch", NAPI_AUTO_LENGTH, &name));
  napi_value resource;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_async_init(env, resource, name, &s->actx));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, s->fd) != 0) return throw_errno(env, EINVAL, "uv_poll_init");
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  s->polling = 1;
  return NULL;
}

/* sendTo(handle, data, family, address16, port) -> 0 or errno: an answer produced later. */
static napi_value js_send_to(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  sock_t *s = sock_args(env, info, 5, argv);
  if (s == NULL) return NULL;
  void *data;
  size_t len;
  void *addr;
  size_t alen;
  int32_t family, port;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  CHECK(napi_get_value_int32(env, argv[2], &family));
  CHECK(napi_get_buffer_info(env, argv[3], &addr, &alen));
  CHECK(napi_get_value_int32(env, argv[4], &port));
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl;
  if (family == 6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (alen < 16) return throw_errno(env, EINVAL, "sendTo");
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    memcpy(&a6->sin6_addr, addr, 16);
    sl = sizeof *a6;
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    if (alen < 4) return throw_errno(env, EINVAL, "sendTo");
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    memcpy(&a4->sin_addr, addr, 4);
    sl = sizeof *a4;
  }
  ssize_t r = -1;
  int e = EAGAIN;
  if (s->qhead == NULL) {
    do r = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
    while (r < 0 && errno == EINTR);
    e = r < 0 ? errno : 0;
  }
  if (r < 0 && (e == EAGAIN || e == EWOULDBLOCK)) {
    enqueue(s, data, len, &ss, sl);
    e = 0;
  }
  napi_value out;
  CHECK(napi_create_int32(env, e, &out));
  return out;
}

static void on_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  napi_env env = s->env;
  close(s->fd);
  while (s->qhead != NULL) {
    queued_t *q = s->qhead;
    s->qhead = q->next;
    free(q);
  }
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_ref refs[4] = {s->cb, s->in_ref, s->out_ref, s->meta_ref};
  for (int i = 0; i < 4; i++)
    if (refs[i] != NULL) napi_delete_reference(env, refs[i]);
  if (s->actx != NULL) napi_async_destroy(env, s->actx);
  if (s->close_cb != NULL) {
    napi_value cb, recv, result;
    napi_get_reference_value(env, s->close_cb, &cb);
    napi_delete_reference(env, s->close_cb);
    napi_get_undefined(env, &recv);
    napi_call_function(env, recv, cb, 0, NULL, &result);
  }
  napi_close_handle_scope(env, scope);
  free(s);
}

/* close(handle, done): stops reading, closes the socket, then calls done(). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  sock_t *s = sock_args(env, info, 2, argv);
  if (s == NULL) return NULL;
  s->closed = 1;
  CHECK(napi_create_reference(env, argv[1], 1, &s->close_cb));
  if (s->polling) {
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_closed);
  } else {
    s->poll.data = s;
    on_closed((uv_handle_t *)&s->poll);
  }
  return NULL;
}

static napi_value js_send_errors(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sock_t *s = sock_args(env, info, 1, argv);
  if (s == NULL) return NULL;
  napi_value r;
  CHECK(napi_create_double(env, (double)s->send_errors, &r));
  return r;
}

static void set_int(napi_env env, napi_value obj, const char *name, int v) {
  napi_value x;
  napi_create_int32(env, v, &x);
  napi_set_named_property(env, obj, name, x);
}

static void set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &f);
  napi_set_named_property(env, obj, name, f);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value t;
  napi_get_boolean(env, 1, &t);
  napi_set_named_property(env, exports, "supported", t);
  set_int(env, exports, "BATCH", BATCH);
  set_int(env, exports, "IN_SLOT", IN_SLOT);
  set_int(env, exports, "OUT_SLOT", OUT_SLOT);
  set_int(env, exports, "META_SIZE", META_SIZE);
  set_fn(env, exports, "open", js_open);
  set_fn(env, exports, "localPort", js_local_port);
  set_fn(env, exports, "start", js_start);
  set_fn(env, exports, "sendTo", js_send_to);
  set_fn(env, exports, "close", js_close);
  set_fn(env, exports, "sendErrors", js_send_errors);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
