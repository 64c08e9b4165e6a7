#include "impair.h"

#include "gso.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define VH sizeof(struct virtio_net_hdr_v1)
#define ETH_LEN 14
#define QMASK (IMPAIR_QUEUE_FRAMES - 1)

_Static_assert((IMPAIR_QUEUE_FRAMES & QMASK) == 0, "the entry ring is a power of two");

void
impair_merge(struct ctl_link *dst, const struct ctl_link *src)
{
	uint32_t s = src->set;

	if (s & CTL_LINK_DELAY)
		dst->delay_ns = src->delay_ns;
	if (s & CTL_LINK_JITTER)
		dst->jitter_ns = src->jitter_ns;
	if (s & CTL_LINK_DISTRIBUTION)
		dst->normal = src->normal;
	if (s & CTL_LINK_LOSS) {
		dst->loss = src->loss;
		dst->set &= ~CTL_LINK_LOSS_GE;
	}
	if (s & CTL_LINK_LOSS_GE) {
		memcpy(dst->ge, src->ge, sizeof(dst->ge));
		dst->set &= ~CTL_LINK_LOSS;
	}
	if (s & CTL_LINK_DUPLICATE)
		dst->duplicate = src->duplicate;
	if (s & CTL_LINK_CORRUPT)
		dst->corrupt = src->corrupt;
	if (s & CTL_LINK_REORDER)
		dst->reorder = src->reorder;
	if (s & CTL_LINK_RATE)
		dst->rate_bps = src->rate_bps;
	if (s & CTL_LINK_LIMIT)
		dst->limit = src->limit;
	if (s & CTL_LINK_SEED)
		dst->seed = src->seed;
	dst->set |= s;
}

bool
impair_active(const struct ctl_link *c)
{
	uint32_t s = c->set;

	return (s & CTL_LINK_DELAY && c->delay_ns) || (s & CTL_LINK_JITTER && c->jitter_ns) ||
	       (s & CTL_LINK_LOSS && c->loss > 0) || (s & CTL_LINK_LOSS_GE) ||
	       (s & CTL_LINK_DUPLICATE && c->duplicate > 0) ||
	       (s & CTL_LINK_CORRUPT && c->corrupt > 0) ||
	       (s & CTL_LINK_REORDER && c->reorder > 0) || (s & CTL_LINK_RATE && c->rate_bps);
}

uint32_t
impair_limit(const struct ctl_link *c)
{
	return c->set & CTL_LINK_LIMIT ? c->limit : IMPAIR_LIMIT_DEFAULT;
}

uint64_t
impair_rand(struct impair_state *st)
{
	uint64_t z = (st->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
impair_uniform(struct impair_state *st)
{
	return (impair_rand(st) >> 11) * 0x1.0p-53;
}

uint64_t
impair_port_seed(uint64_t seed, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return seed ^ h;
}

/* True with probability pct percent. */
static bool
chance(struct impair_state *st, double pct)
{
	return pct > 0 && impair_uniform(st) * 100 < pct;
}

/* netem's loss_gilb_ell: the state moves first, the loss follows the state it left. */
static bool
loss_ge(const struct ctl_link *c, struct impair_state *st)
{
	if (!st->ge_bad) {
		if (chance(st, c->ge[0]))
			st->ge_bad = true;
		return chance(st, c->ge[3]);
	}
	if (chance(st, c->ge[1]))
		st->ge_bad = false;
	return chance(st, c->ge[2]);
}

void
impair_decide(const struct ctl_link *c, struct impair_state *st, struct impair_verdict *ret)
{
	unsigned copies = 1;

	*ret = (struct impair_verdict){};
	if (c->set & CTL_LINK_DUPLICATE && chance(st, c->duplicate))
		copies++;
	if ((c->set & CTL_LINK_LOSS_GE && loss_ge(c, st)) ||
	    (c->set & CTL_LINK_LOSS && chance(st, c->loss)))
		copies--;
	ret->copies = copies;
	if (!copies)
		return;
	ret->corrupt = c->set & CTL_LINK_CORRUPT && chance(st, c->corrupt);
	ret->reorder = c->set & CTL_LINK_REORDER && chance(st, c->reorder);
}

/* A normal deviate (Box-Muller). */
static double
gauss(struct impair_state *st)
{
	double u = impair_uniform(st), v = impair_uniform(st);

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

uint64_t
impair_schedule(const struct ctl_link *c, struct impair_state *st, uint64_t now,
                uint64_t wire_bytes)
{
	double d = c->set & CTL_LINK_DELAY ? (double)c->delay_ns : 0;
	uint64_t when;

	if (c->set & CTL_LINK_JITTER && c->jitter_ns) {
		if (c->set & CTL_LINK_DISTRIBUTION && c->normal)
			d += gauss(st) * (double)c->jitter_ns;
		else
			d += (2 * impair_uniform(st) - 1) * (double)c->jitter_ns;
	}
	when = now + (d > 0 ? (uint64_t)d : 0);
	/* FIFO: a frame never leaves before the one ahead of it. */
	if (when < st->last)
		when = st->last;
	if (c->set & CTL_LINK_RATE && c->rate_bps)
		when += (uint64_t)((double)wire_bytes * 8 * 1e9 / (double)c->rate_bps);
	st->last = when;
	return when;
}

void
impair_wire_size(const uint8_t *buf, size_t len, uint32_t *ret_pkts, uint64_t *ret_bytes)
{
	struct virtio_net_hdr_v1 h;
	struct gso g;

	*ret_pkts = 1;
	*ret_bytes = len > VH ? len - VH : 0;
	if (len <= VH)
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE || gso_init(&g, &h, buf + VH, len - VH) < 0)
		return;
	*ret_pkts = g.nsegs;
	*ret_bytes = len - VH + (uint64_t)(g.nsegs - 1) * g.hdr;
}

int
impair_corrupt(uint8_t *buf, size_t len, struct impair_state *st)
{
	struct virtio_net_hdr_v1 h;
	uint8_t *f = buf + VH;
	size_t flen;
	int r;

	if (len <= VH)
		return -EINVAL;
	flen = len - VH;
	memcpy(&h, buf, sizeof(h));
	if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE)
		return -EOPNOTSUPP;
	r = gso_csum_complete(&h, f, flen);
	if (r < 0)
		return r;
	h.flags = 0;
	memcpy(buf, &h, sizeof(h));
	/*
	 * A bit past the ethernet header, where a checksum guards it: a flipped MAC address
	 * would only misdirect the frame, or reach the node unnoticed.
	 */
	if (flen > ETH_LEN)
		f[ETH_LEN + impair_rand(st) % (flen - ETH_LEN)] ^=
		        (uint8_t)(1 << (impair_rand(st) % 8));
	else
		f[impair_rand(st) % flen] ^= (uint8_t)(1 << (impair_rand(st) % 8));
	return 0;
}

/* ---- the queue ---- */

struct impq *
impq_new(void)
{
	struct impq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->e = calloc(IMPAIR_QUEUE_FRAMES, sizeof(*q->e));
	/* Pages are taken as frames reach them: an idle queue costs little. */
	q->data = mmap(NULL, IMPAIR_QUEUE_BYTES, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!q->e || q->data == MAP_FAILED) {
		if (q->data == MAP_FAILED)
			q->data = NULL;
		impq_free(q);
		return NULL;
	}
	return q;
}

void
impq_free(struct impq *q)
{
	if (!q)
		return;
	if (q->data)
		munmap(q->data, IMPAIR_QUEUE_BYTES);
	free(q->e);
	free(q);
}

bool
impq_idle(const struct impq *q)
{
	return q->head == q->tail;
}

static struct impq_entry *
entry(const struct impq *q, uint32_t e)
{
	return &q->e[e & QMASK];
}

int
impq_push(struct impq *q, const uint8_t *buf, uint32_t len, uint32_t pkts, uint64_t bytes,
          uint64_t when, bool now, uint32_t *ret_entry)
{
	uint64_t start = q->dtail, pos = start % IMPAIR_QUEUE_BYTES;
	struct impq_entry *e;

	if (len > IMPAIR_QUEUE_BYTES / 4)
		return -EMSGSIZE;
	if (q->tail - q->head == IMPAIR_QUEUE_FRAMES)
		return -ENOBUFS;
	/* Contiguous bytes: a frame that would wrap starts over at the beginning. */
	if (pos + len > IMPAIR_QUEUE_BYTES)
		start += IMPAIR_QUEUE_BYTES - pos;
	if (start + len - q->dhead > IMPAIR_QUEUE_BYTES)
		return -ENOBUFS;
	memcpy(q->data + start % IMPAIR_QUEUE_BYTES, buf, len);
	q->dtail = start + len;
	e = entry(q, q->tail);
	*e = (struct impq_entry){
		.when = when, .end = q->dtail, .len = len, .pkts = pkts, .bytes = bytes
	};
	if (now) {
		e->state = IMPQ_OUT;
		e->refs = 1;
		q->out++;
	} else {
		e->state = IMPQ_WAITING;
		q->waiting++;
		q->waiting_pkts += pkts;
	}
	*ret_entry = q->tail++;
	return 0;
}

uint32_t
impq_peek(struct impq *q, uint64_t *ret_when)
{
	uint32_t n = q->next;

	/* Entries taken out of turn (reordered) are passed over. */
	while (n != q->tail && entry(q, n)->state != IMPQ_WAITING)
		n++;
	q->next = n;
	if (n == q->tail)
		return UINT32_MAX;
	*ret_when = entry(q, n)->when;
	return n;
}

uint8_t *
impq_data(const struct impq *q, uint32_t e)
{
	const struct impq_entry *x = entry(q, e);

	return q->data + (x->end - x->len) % IMPAIR_QUEUE_BYTES;
}

uint32_t
impq_len(const struct impq *q, uint32_t e)
{
	return entry(q, e)->len;
}

uint16_t
impq_vid(const struct impq *q, uint32_t e)
{
	return entry(q, e)->vid;
}

void
impq_set_vid(struct impq *q, uint32_t e, uint16_t vid)
{
	entry(q, e)->vid = vid;
}

void
impq_take(struct impq *q, uint32_t e)
{
	struct impq_entry *x = entry(q, e);

	x->state = IMPQ_OUT;
	x->refs = 1;
	q->waiting--;
	q->waiting_pkts -= x->pkts;
	q->out++;
}

void
impq_hold(struct impq *q, uint32_t e)
{
	entry(q, e)->refs++;
}

/* Frees the done entries at the head, and their bytes. */
static void
impq_reap(struct impq *q)
{
	while (q->head != q->tail && entry(q, q->head)->state == IMPQ_FREE) {
		q->dhead = entry(q, q->head)->end;
		q->head++;
	}
	if (q->head == q->tail)
		q->dhead = q->dtail;
	if (q->next - q->head > q->tail - q->head)
		q->next = q->head;
}

void
impq_put(struct impq *q, uint32_t e)
{
	struct impq_entry *x = entry(q, e);

	if (--x->refs)
		return;
	x->state = IMPQ_FREE;
	q->out--;
	impq_reap(q);
}

void
impair_reschedule(const struct ctl_link *c, struct impair_state *st, struct impq *q, uint64_t now)
{
	st->last = 0;
	for (uint32_t n = q->head; n != q->tail; n++) {
		struct impq_entry *x = entry(q, n);

		if (x->state == IMPQ_WAITING)
			x->when = impair_schedule(c, st, now, x->bytes);
	}
}

uint64_t
impq_flush(struct impq *q)
{
	uint64_t pkts = q->waiting_pkts;

	for (uint32_t n = q->head; n != q->tail; n++) {
		struct impq_entry *x = entry(q, n);

		if (x->state == IMPQ_WAITING)
			x->state = IMPQ_FREE;
	}
	q->waiting = q->waiting_pkts = 0;
	impq_reap(q);
	return pkts;
}
