#include "pcapng.h"

#include <errno.h>
#include <string.h>

enum {
	BT_SHB = 0x0a0d0d0a,
	BT_IDB = 1,
	BT_ISB = 5,
	BT_EPB = 6,
	BYTE_ORDER_MAGIC = 0x1a2b3c4d,
	OPT_ENDOFOPT = 0,
	OPT_SHB_USERAPPL = 4,
	OPT_IF_NAME = 2,
	OPT_IF_TSRESOL = 9,
	OPT_EPB_DROPCOUNT = 4,
	OPT_ISB_STARTTIME = 2,
	OPT_ISB_ENDTIME = 3,
	OPT_ISB_IFRECV = 4,
	OPT_ISB_IFDROP = 5,
};

/* A block under construction; once full, it only counts. */
struct out {
	uint8_t *buf;
	size_t size, len;
};

static inline size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->len + n <= o->size && n)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void
put16(struct out *o, uint16_t v)
{
	put(o, &v, 2);
}

static void
put32(struct out *o, uint32_t v)
{
	put(o, &v, 4);
}

static void
put_zeros(struct out *o, size_t n)
{
	static const uint8_t zero[4];

	put(o, zero, n);
}

/* A timestamp as pcapng has it: two 32-bit halves, the high one first. */
static void
put_ts(struct out *o, uint64_t ts)
{
	put32(o, (uint32_t)(ts >> 32));
	put32(o, (uint32_t)ts);
}

static void
put_opt(struct out *o, uint16_t code, const void *value, size_t len)
{
	put16(o, code);
	put16(o, (uint16_t)len);
	put(o, value, len);
	put_zeros(o, pad4(len) - len);
}

static void
block_begin(struct out *o, uint8_t *buf, size_t size, uint32_t type)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	put32(o, type);
	put32(o, 0); /* the length, once known */
}

/* Closes the block with its length, at both ends. */
static int
block_end(struct out *o)
{
	uint32_t total = (uint32_t)(o->len + 4);

	put32(o, total);
	if (o->len > o->size)
		return -ENOSPC;
	memcpy(o->buf + 4, &total, 4);
	return (int)o->len;
}

int
pcapng_shb(uint8_t *buf, size_t size, const char *appl)
{
	struct out o;
	uint64_t unknown = UINT64_MAX; /* section length: not known while writing */

	block_begin(&o, buf, size, BT_SHB);
	put32(&o, BYTE_ORDER_MAGIC);
	put16(&o, 1);
	put16(&o, 0);
	put(&o, &unknown, 8);
	if (appl) {
		put_opt(&o, OPT_SHB_USERAPPL, appl, strnlen(appl, PCAPNG_NAME_MAX));
		put_opt(&o, OPT_ENDOFOPT, NULL, 0);
	}
	return block_end(&o);
}

int
pcapng_idb(uint8_t *buf, size_t size, const char *name, uint32_t snaplen)
{
	const uint8_t tsresol = PCAPNG_TSRESOL_NS;
	struct out o;

	block_begin(&o, buf, size, BT_IDB);
	put16(&o, PCAPNG_LINKTYPE_ETHERNET);
	put16(&o, 0);
	put32(&o, snaplen);
	if (name && name[0])
		put_opt(&o, OPT_IF_NAME, name, strnlen(name, PCAPNG_NAME_MAX));
	put_opt(&o, OPT_IF_TSRESOL, &tsresol, 1);
	put_opt(&o, OPT_ENDOFOPT, NULL, 0);
	return block_end(&o);
}

static size_t
captured(const struct pcapng_packet *pk)
{
	return pk->snaplen && pk->len > pk->snaplen ? pk->snaplen : pk->len;
}

static size_t
epb_tail_len(const struct pcapng_packet *pk)
{
	size_t cap = captured(pk);

	return pad4(cap) - cap + (pk->drops ? 12 + 4 : 0) + 4;
}

size_t
pcapng_epb_len(const struct pcapng_packet *pk)
{
	return PCAPNG_EPB_HEAD_LEN + captured(pk) + epb_tail_len(pk);
}

int
pcapng_epb_parts(uint8_t head[PCAPNG_EPB_HEAD_LEN], uint8_t tail[PCAPNG_EPB_TAIL_MAX],
                 size_t *ret_tail_len, const struct pcapng_packet *pk)
{
	size_t cap = captured(pk), total = pcapng_epb_len(pk);
	struct out o;

	/* Both lengths are 32-bit, and the block's length is returned as an int. */
	if (total > INT32_MAX)
		return -EINVAL;
	block_begin(&o, head, PCAPNG_EPB_HEAD_LEN, BT_EPB);
	put32(&o, pk->ifid);
	put_ts(&o, pk->ts);
	put32(&o, (uint32_t)cap);
	put32(&o, (uint32_t)pk->len);
	memcpy(head + 4, &(uint32_t){ (uint32_t)total }, 4);

	o = (struct out){ .buf = tail, .size = PCAPNG_EPB_TAIL_MAX };
	put_zeros(&o, pad4(cap) - cap);
	if (pk->drops) {
		put_opt(&o, OPT_EPB_DROPCOUNT, &pk->drops, 8);
		put_opt(&o, OPT_ENDOFOPT, NULL, 0);
	}
	put32(&o, (uint32_t)total);
	*ret_tail_len = o.len;
	return (int)cap;
}

int
pcapng_epb(uint8_t *buf, size_t size, const struct pcapng_packet *pk, const uint8_t *frame)
{
	uint8_t tail[PCAPNG_EPB_TAIL_MAX];
	size_t tail_len;
	int cap;

	if (pcapng_epb_len(pk) > INT32_MAX)
		return -EINVAL;
	if (size < pcapng_epb_len(pk))
		return -ENOSPC;
	cap = pcapng_epb_parts(buf, tail, &tail_len, pk);
	if (cap < 0)
		return cap;
	memcpy(buf + PCAPNG_EPB_HEAD_LEN, frame, (size_t)cap);
	memcpy(buf + PCAPNG_EPB_HEAD_LEN + cap, tail, tail_len);
	return (int)(PCAPNG_EPB_HEAD_LEN + (size_t)cap + tail_len);
}

int
pcapng_isb(uint8_t *buf, size_t size, uint32_t ifid, const struct pcapng_stats *st)
{
	struct out o;
	uint32_t ts[2];

	block_begin(&o, buf, size, BT_ISB);
	put32(&o, ifid);
	put_ts(&o, st->end);
	ts[0] = (uint32_t)(st->start >> 32);
	ts[1] = (uint32_t)st->start;
	put_opt(&o, OPT_ISB_STARTTIME, ts, 8);
	ts[0] = (uint32_t)(st->end >> 32);
	ts[1] = (uint32_t)st->end;
	put_opt(&o, OPT_ISB_ENDTIME, ts, 8);
	put_opt(&o, OPT_ISB_IFRECV, &st->recv, 8);
	put_opt(&o, OPT_ISB_IFDROP, &st->drop, 8);
	put_opt(&o, OPT_ENDOFOPT, NULL, 0);
	return block_end(&o);
}

void
pcapng_queue_init(struct pcapng_queue *q, uint8_t *buf, size_t cap, size_t reserve)
{
	*q = (struct pcapng_queue){
		.buf = buf,
		.cap = cap,
		.reserve = reserve < cap ? reserve : cap,
	};
}

int
pcapng_queue_push(struct pcapng_queue *q, const struct iovec *iov, size_t n, bool final)
{
	size_t total = 0, limit = final ? q->cap : q->cap - q->reserve;
	size_t at;

	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > limit - total)
			goto drop;
		total += iov[i].iov_len;
	}
	/* Final blocks may have filled the reserve: q->len can exceed an ordinary limit. */
	if (q->len > limit || total > limit - q->len)
		goto drop;
	at = (q->head + q->len) % (q->cap ? q->cap : 1);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		while (left) {
			size_t chunk = q->cap - at < left ? q->cap - at : left;

			memcpy(q->buf + at, p, chunk);
			p += chunk;
			left -= chunk;
			at = (at + chunk) % q->cap;
		}
	}
	q->len += total;
	q->blocks++;
	q->bytes += total;
	return 0;
drop:
	q->dropped++;
	for (size_t i = 0; i < n; i++)
		q->dropped_bytes += iov[i].iov_len;
	return -ENOBUFS;
}

size_t
pcapng_queue_peek(const struct pcapng_queue *q, struct iovec iov[2])
{
	size_t first;

	if (!q->len)
		return 0;
	first = q->cap - q->head < q->len ? q->cap - q->head : q->len;
	iov[0] = (struct iovec){ q->buf + q->head, first };
	if (first == q->len)
		return 1;
	iov[1] = (struct iovec){ q->buf, q->len - first };
	return 2;
}

int
pcapng_queue_pop(struct pcapng_queue *q, size_t n)
{
	if (n > q->len)
		return -EINVAL;
	q->len -= n;
	q->head = q->len ? (q->head + n) % q->cap : 0;
	return 0;
}
