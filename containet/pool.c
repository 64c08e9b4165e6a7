/*
 * The frame pool and the whole life of a frame in it, in one place.
 *
 * The pool is a provided-buffer ring (group POOL_BGID) of nbufs buffers of buf_size
 * bytes, shared by every port.  A frame's life:
 *
 *   read      every live port has a read armed on the ring (multishot when the kernel
 *             has it) that picks a free buffer itself; its completion names the buffer.
 *             The read's completion gives the frame one reference, the reader's.
 *   references  each write of the frame to a port takes one (pool_write); anything that
 *             keeps the frame past the reader's turn (a capture) takes one with pool_hold.
 *             An impaired port never keeps a pool frame: it copies it into its own queue
 *             (impair.h), and the writes of such a copy hold the queue's entry instead.  The reader drops its own with pool_put once the frame has
 *             been forwarded.
 *   write     a plain write of the buffer, or, when bytes go in front of it for this one
 *             destination (a VLAN tag, a tunnel header), a writev of a small prefix and
 *             the shared buffer, so the frame is never copied.  A write's completion
 *             drops its reference (pool_write_done).
 *   return    the last pool_put hands the buffer back to the kernel's ring, but only
 *             locally: the ring's tail moves once per batch of completions (pool_advance),
 *             so a batch that freed 64 buffers costs one store-release, not 64.
 *   re-arm    a read that found the pool empty ends with ENOBUFS and its port is marked
 *             starved; after each batch, if the pool holds any buffer again, starved
 *             ports get their read back (pool_advance), and the tick does the same as a
 *             safety net (pool_rearm).
 *
 * Local buffers: POOL_LOCAL more buffers after the kernel's, never in its ring, for frames
 * the switch builds itself (the local endpoint's answers).  They live as read frames do,
 * by reference, so they take the same egress path; the last pool_put puts one back on
 * the local free list instead of the kernel's ring.  POOL_GRO merge buffers after them
 * live the same way: the frames of one GRO'd batch of VXLAN datagrams, split and merged,
 * share one, each at its own offset, and the buffer goes back when the last is written.
 *
 * Per port, at most inflight_cap writes are under way: a port that does not drain cannot
 * pin the whole pool.  A prefixed write needs a write slot (the iovec and the prefix
 * bytes stay put until it completes); there are as many as buffers.
 */
#include "switch.h"

#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define POOL_BGID 0
#define POOL_NONE UINT32_MAX

uint8_t *
pool_data(const struct sw *sw, uint16_t bid)
{
	if (bid >= POOL_TUN_BASE)
		return sw->pool.tun_bufs + (size_t)(bid - POOL_TUN_BASE) * sw->pool.buf_size;
	return sw->pool.bufs + (size_t)bid * sw->pool.buf_size;
}

static uint16_t *
pool_ref(struct sw *sw, uint16_t bid)
{
	return bid >= POOL_TUN_BASE ? &sw->pool.tun_refs[bid - POOL_TUN_BASE] : &sw->pool.refs[bid];
}

/* Hands bid back to the kernel's ring; visible to it at the next pool_advance. */
static void
pool_return(struct sw *sw, uint16_t bid)
{
	struct pool *pl = &sw->pool;

	if (bid >= POOL_TUN_BASE) {
		pl->tun_held--;
		/* The datagram lands POOL_TUN_OFFSET in, so its inner frame follows a vnet header. */
		io_uring_buf_ring_add(pl->tun_br, pool_data(sw, bid) + POOL_TUN_OFFSET,
		                      pl->buf_size - POOL_TUN_OFFSET, bid,
		                      io_uring_buf_ring_mask(POOL_TUN_BUFS), pl->tun_returned++);
		return;
	}
	if (bid >= pl->nbufs + POOL_LOCAL) {
		pl->gro[pl->ngro++] = bid;
		return;
	}
	if (bid >= pl->nbufs) {
		pl->local[pl->nlocal++] = bid;
		return;
	}
	pl->held--;
	io_uring_buf_ring_add(pl->br, pool_data(sw, bid), pl->buf_size, bid,
	                      io_uring_buf_ring_mask(pl->nbufs), pl->returned++);
}

int
pool_init(struct sw *sw, uint32_t nbufs, uint32_t buf_size)
{
	struct pool *pl = &sw->pool;
	struct io_uring_buf_reg reg = {};
	size_t ring_size = nbufs * sizeof(struct io_uring_buf);
	void *mem;
	int r;

	pl->nbufs = nbufs;
	pl->buf_size = buf_size;
	pl->nslots = nbufs < UINT16_MAX ? nbufs : UINT16_MAX;
	mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	pl->br = mem;
	mem = mmap(NULL, (size_t)(nbufs + POOL_EXTRA) * buf_size, PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	pl->bufs = mem;
	pl->refs = calloc(nbufs + POOL_EXTRA, sizeof(*pl->refs));
	pl->slots = calloc(pl->nslots, sizeof(*pl->slots));
	pl->local = calloc(POOL_LOCAL, sizeof(*pl->local));
	pl->gro = calloc(POOL_GRO, sizeof(*pl->gro));
	if (!pl->refs || !pl->slots || !pl->local || !pl->gro)
		return -ENOMEM;
	for (uint32_t i = 0; i < POOL_LOCAL; i++)
		pl->local[pl->nlocal++] = (uint16_t)(nbufs + POOL_LOCAL - 1 - i);
	for (uint32_t i = 0; i < POOL_GRO; i++)
		pl->gro[pl->ngro++] = (uint16_t)(nbufs + POOL_EXTRA - 1 - i);
	for (uint32_t i = 0; i < pl->nslots; i++)
		pl->slots[i].next = i + 1 < pl->nslots ? i + 1 : POOL_NONE;
	pl->free_slot = 0;

	io_uring_buf_ring_init(pl->br);
	reg.ring_addr = (unsigned long)pl->br;
	reg.ring_entries = nbufs;
	reg.bgid = POOL_BGID;
	r = io_uring_register_buf_ring(&sw->ring, &reg, 0);
	if (r < 0)
		return r;
	pl->held = nbufs; /* the returns below hand every buffer to the kernel */
	for (uint32_t i = 0; i < nbufs; i++)
		pool_return(sw, i);
	io_uring_buf_ring_advance(pl->br, pl->returned);
	pl->returned = 0;
	return 0;
}

int
pool_tun_init(struct sw *sw)
{
	struct pool *pl = &sw->pool;
	struct io_uring_buf_reg reg = {};
	size_t ring_size = POOL_TUN_BUFS * sizeof(struct io_uring_buf);
	size_t bufs_size = (size_t)POOL_TUN_BUFS * pl->buf_size;
	void *bufs, *br;
	uint16_t *refs;
	int r;

	if (pl->tun_br)
		return 0;
	bufs = mmap(NULL, bufs_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bufs == MAP_FAILED)
		return -errno;
	br = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	refs = calloc(POOL_TUN_BUFS, sizeof(*refs));
	if (br == MAP_FAILED || !refs) {
		r = br == MAP_FAILED ? -errno : -ENOMEM;
		goto fail;
	}
	io_uring_buf_ring_init(br);
	reg.ring_addr = (unsigned long)br;
	reg.ring_entries = POOL_TUN_BUFS;
	reg.bgid = POOL_TUN_BGID;
	r = io_uring_register_buf_ring(&sw->ring, &reg, 0);
	if (r < 0)
		goto fail;
	pl->tun_bufs = bufs;
	pl->tun_br = br;
	pl->tun_refs = refs;
	pl->tun_held = POOL_TUN_BUFS; /* the returns below hand every buffer to the kernel */
	for (uint32_t i = 0; i < POOL_TUN_BUFS; i++)
		pool_return(sw, (uint16_t)(POOL_TUN_BASE + i));
	io_uring_buf_ring_advance(pl->tun_br, pl->tun_returned);
	pl->tun_returned = 0;
	return 0;
fail:
	free(refs);
	if (br != MAP_FAILED)
		munmap(br, ring_size);
	munmap(bufs, bufs_size);
	return r;
}

void
pool_free(struct sw *sw)
{
	struct pool *pl = &sw->pool;

	/* Writes of queued copies that never completed: their queues, orphaned, go now. */
	for (uint32_t i = 0; i < pl->nslots && pl->slots; i++) {
		struct impq *q = pl->slots[i].q;

		if (!q)
			continue;
		impq_put(q, pl->slots[i].qe);
		if (q->orphan && impq_idle(q))
			impq_free(q);
	}
	if (pl->tun_bufs)
		munmap(pl->tun_bufs, (size_t)POOL_TUN_BUFS * pl->buf_size);
	if (pl->tun_br)
		munmap(pl->tun_br, POOL_TUN_BUFS * sizeof(struct io_uring_buf));
	free(pl->tun_refs);
	if (pl->bufs)
		munmap(pl->bufs, (size_t)(pl->nbufs + POOL_EXTRA) * pl->buf_size);
	if (pl->br)
		munmap(pl->br, pl->nbufs * sizeof(struct io_uring_buf));
	free(pl->refs);
	free(pl->slots);
	free(pl->local);
	free(pl->gro);
	memset(pl, 0, sizeof(*pl));
}

int
pool_local_get(struct sw *sw, uint16_t *ret_bid)
{
	struct pool *pl = &sw->pool;

	if (!pl->nlocal)
		return -ENOBUFS;
	*ret_bid = pl->local[--pl->nlocal];
	pl->refs[*ret_bid] = 1;
	return 0;
}

int
pool_gro_get(struct sw *sw, uint16_t *ret_bid)
{
	struct pool *pl = &sw->pool;

	if (!pl->ngro)
		return -ENOBUFS;
	*ret_bid = pl->gro[--pl->ngro];
	pl->refs[*ret_bid] = 1;
	return 0;
}

void
pool_hold(struct sw *sw, uint16_t bid)
{
	(*pool_ref(sw, bid))++;
}

void
pool_put(struct sw *sw, uint16_t bid)
{
	if (--*pool_ref(sw, bid) == 0)
		pool_return(sw, bid);
}

void
pool_tun_got(struct sw *sw, uint16_t bid)
{
	sw->pool.tun_held++;
	*pool_ref(sw, bid) = 1;
}

/* Arms the read of port idx: the kernel picks the buffer from the pool. */
void
pool_arm_read(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	struct io_uring_sqe *sqe = sw_sqe(sw);

	if (sw->multishot) {
		uring_prep_read_multishot(sqe, idx, POOL_BGID);
	} else {
		io_uring_prep_read(sqe, idx, NULL, sw->pool.buf_size, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = POOL_BGID;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_READ, idx, p->gen, 0));
	p->reading = true;
}

static void
pool_starve(struct sw *sw, struct port *p)
{
	if (!p->starved) {
		p->starved = true;
		sw->pool.nstarved++;
	}
}

/* A port leaves: it no longer waits for buffers. */
void
pool_forget(struct sw *sw, struct port *p)
{
	if (p->starved)
		sw->pool.nstarved--;
	p->starved = false;
}

static void
pool_read_failed(struct sw *sw, uint32_t idx, int err)
{
	struct port *p = &sw->ports[idx];

	switch (err) {
	case -ENOBUFS:
		/* Every buffer is taken: resume once some come back. */
		pool_starve(sw, p);
		break;
	case -EINVAL:
		if (sw->multishot) {
			log_info("multishot reads refused by the kernel, using single reads");
			sw->multishot = false;
			pool_arm_read(sw, idx);
			break;
		}
		/* fall through */
	default:
		log_warn_errno(err, "port %s: read failed, port stays idle", p->name);
		break;
	case -ECANCELED:
		break;
	case -EAGAIN:
	case -EINTR:
		pool_arm_read(sw, idx);
		break;
	}
}

enum pool_read
pool_read_done(struct sw *sw, const struct io_uring_cqe *cqe, struct frame *ret)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct port *p = &sw->ports[idx];
	bool current = p->fd >= 0 && p->gen == ud_gen(cqe->user_data);
	uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	bool more = cqe->flags & IORING_CQE_F_MORE;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		sw->pool.held++;
		sw->pool.refs[bid] = 1; /* the reader's reference */
		if (!current || p->closing || cqe->res <= 0) {
			pool_put(sw, bid);
		} else {
			*ret = (struct frame){ .bid = bid,
				               .len = cqe->res,
				               .data = pool_data(sw, bid) };
		}
	}
	if (!current)
		return POOL_READ_NONE;
	if (!more)
		p->reading = false;
	if (p->closing)
		return p->reading ? POOL_READ_NONE : POOL_READ_ENDED;
	if (cqe->res < 0) {
		pool_read_failed(sw, idx, cqe->res);
		return POOL_READ_NONE;
	}
	if (!p->reading)
		pool_arm_read(sw, idx);
	return cqe->flags & IORING_CQE_F_BUFFER && cqe->res > 0 ? POOL_READ_FRAME : POOL_READ_NONE;
}

int
pool_write(struct sw *sw, uint32_t idx, const struct frame *f, const void *prefix,
           uint32_t prefix_len, uint32_t skip)
{
	struct pool *pl = &sw->pool;
	struct port *p = &sw->ports[idx];
	struct io_uring_sqe *sqe;
	struct pool_slot *s;
	uint32_t si;

	if (p->inflight >= sw->cfg.inflight_cap)
		return -ENOBUFS;
	if (!prefix_len && !skip && !f->q) {
		sqe = sw_sqe(sw);
		io_uring_prep_write(sqe, idx, f->data, f->len, 0);
		io_uring_sqe_set_data64(sqe, ud_pack(OP_WRITE, idx, p->gen, f->bid));
	} else {
		/* A prefix, or a copy in a port's queue: the slot says what the write holds. */
		if (pl->free_slot == POOL_NONE || prefix_len > POOL_PREFIX_MAX || skip > f->len)
			return -ENOBUFS;
		si = pl->free_slot;
		s = &pl->slots[si];
		pl->free_slot = s->next;
		if (prefix_len)
			memcpy(s->prefix, prefix, prefix_len);
		s->bid = f->bid;
		s->q = f->q;
		s->qe = f->qe;
		s->iov[0] = (struct iovec){ s->prefix, prefix_len };
		s->iov[1] = (struct iovec){ f->data + skip, f->len - skip };
		sqe = sw_sqe(sw);
		if (prefix_len)
			io_uring_prep_writev(sqe, idx, s->iov, 2, 0);
		else
			io_uring_prep_writev(sqe, idx, s->iov + 1, 1, 0);
		io_uring_sqe_set_data64(sqe, ud_pack(OP_WRITEV, idx, p->gen, si));
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	if (f->q)
		impq_hold(f->q, f->qe);
	else
		pool_hold(sw, f->bid);
	p->inflight++;
	return 0;
}

bool
pool_can_write(const struct sw *sw, uint32_t idx)
{
	return sw->ports[idx].inflight < sw->cfg.inflight_cap && sw->pool.free_slot != POOL_NONE;
}

void
pool_release_copy(struct impq *q, uint32_t qe)
{
	impq_put(q, qe);
	/* The queue of a port that is gone lives until its last write is done. */
	if (q->orphan && impq_idle(q))
		impq_free(q);
}

uint32_t
pool_write_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	struct pool *pl = &sw->pool;
	uint32_t idx = ud_idx(cqe->user_data);
	struct port *p = &sw->ports[idx];
	uint16_t bid = ud_bid(cqe->user_data);
	struct impq *q = NULL;
	uint32_t qe = 0;

	if (ud_op(cqe->user_data) == OP_WRITEV) {
		struct pool_slot *s = &pl->slots[bid];

		bid = s->bid;
		q = s->q;
		qe = s->qe;
		s->q = NULL;
		s->next = pl->free_slot;
		pl->free_slot = ud_bid(cqe->user_data);
	}
	if (q) {
		pool_release_copy(q, qe);
	} else {
		pool_put(sw, bid);
	}
	if (p->fd < 0 || p->gen != ud_gen(cqe->user_data))
		return POOL_NONE;
	p->inflight--;
	return p->closing ? POOL_NONE : idx;
}

/* Gives the starved ports their reads back. */
void
pool_rearm(struct sw *sw)
{
	if (!sw->pool.nstarved)
		return;
	for (uint32_t i = 0; i < sw->nactive; i++) {
		struct port *p = &sw->ports[sw->active[i]];

		if (p->starved) {
			p->starved = false;
			if (!p->reading)
				pool_arm_read(sw, sw->active[i]);
		}
	}
	sw->pool.nstarved = 0;
}

void
pool_advance(struct sw *sw)
{
	struct pool *pl = &sw->pool;

	if (pl->returned) {
		io_uring_buf_ring_advance(pl->br, pl->returned);
		pl->returned = 0;
	}
	if (pl->tun_returned) {
		io_uring_buf_ring_advance(pl->tun_br, pl->tun_returned);
		pl->tun_returned = 0;
	}
	/*
	 * A read's ENOBUFS often comes after the completions of the frames that emptied the
	 * pool, in a later batch, when those buffers are back already (dropped, or flooded
	 * to nobody): so starved ports are re-armed whenever the pool holds a buffer, not
	 * only after a batch that returned one.
	 */
	if (pl->nstarved && pl->held < pl->nbufs)
		pool_rearm(sw);
}
