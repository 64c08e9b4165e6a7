/*
 * A port's link: its carrier and its impairment, per direction.  Settings come from
 * link-set on the port or on its segment (the port's own win, field by field).  An
 * impaired port copies each frame into its own bounded queue (impair.h), so the shared
 * read pool is never pinned by a slow link; the loop sends what is due after every batch
 * and bounds its one wait on the ring by the earliest deadline (link_deadline).
 */
#include "switch.h"

#include "gso.h"
#include "log.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static void
queued_add(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];

	if (p->qpos != UINT32_MAX)
		return;
	p->qpos = sw->nqueued;
	sw->queued[sw->nqueued++] = idx;
}

static void
queued_remove(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	uint32_t last;

	if (p->qpos == UINT32_MAX)
		return;
	last = sw->queued[--sw->nqueued];
	sw->queued[p->qpos] = last;
	sw->ports[last].qpos = p->qpos;
	p->qpos = UINT32_MAX;
}

static void
link_reseed(struct port *p, enum impair_dir d, uint64_t seed)
{
	p->ist[d] = (struct impair_state){ .rng = impair_port_seed(seed + d, p->name) };
}

void
link_refresh(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];

	for (int d = 0; d < IMPAIR_DIRS; d++) {
		p->eff[d] = sw->segs[p->seg].link[d];
		impair_merge(&p->eff[d], &p->own[d]);
		p->impaired[d] = impair_active(&p->eff[d]);
	}
}

/* TUNSETCARRIER: the node sees its link come and go as with a cable. */
static int
link_carrier(struct port *p, bool up)
{
	int on = up;

	/* A tunnel has no carrier of its own: its link state is only the switch's. */
	if (p->kind == PORT_VXLAN)
		return 0;
	return ioctl(p->fd, TUNSETCARRIER, &on) < 0 ? -errno : 0;
}

void
link_port_open(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	int r;

	memset(p->own, 0, sizeof(p->own));
	memset(p->ic, 0, sizeof(p->ic));
	p->qpos = UINT32_MAX;
	p->qblocked = false;
	p->carrier_down = false;
	link_refresh(sw, idx);
	for (int d = 0; d < IMPAIR_DIRS; d++)
		link_reseed(p, d, p->eff[d].set & CTL_LINK_SEED ? p->eff[d].seed : sw->link_seed);
	/* Up at every start: a switch that died with the carrier down left it so. */
	r = link_carrier(p, true);
	if (r < 0)
		log_debug_errno(r, "port %s: set the carrier up, ignoring", p->name);
}

/* Drops the waiting frames of a queue; a queue still in use by writes goes later. */
static void
link_queue_drop(struct port *p, enum impair_dir d, bool orphan)
{
	struct impq *q = p->q[d];

	if (!q)
		return;
	p->ic[d].dropped_queue += impq_flush(q);
	if (!orphan)
		return;
	p->q[d] = NULL;
	if (impq_idle(q))
		impq_free(q);
	else
		q->orphan = true;
}

void
link_port_close(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];

	queued_remove(sw, idx);
	for (int d = 0; d < IMPAIR_DIRS; d++)
		link_queue_drop(p, d, true);
}

/* Hands a taken entry on: out of the port (egress) or into the switch (ingress). */
static void
link_send(struct sw *sw, uint32_t idx, enum impair_dir d, uint32_t e)
{
	struct port *p = &sw->ports[idx];
	struct impq *q = p->q[d];
	struct frame f = { .data = impq_data(q, e),
		           .len = impq_len(q, e),
		           .q = q,
		           .qe = e,
		           .vid = impq_vid(q, e) };

	if (d == IMPAIR_EGRESS) {
		if (port_transmit(sw, idx, &f) < 0)
			p->st.tx_drops++;
	} else {
		port_forward(sw, idx, &f);
	}
	impq_put(q, e);
}

/* Whether the settings act on each wire packet: a GSO frame is segmented for them. */
static bool
per_packet(const struct ctl_link *c)
{
	return (c->set & CTL_LINK_LOSS && c->loss > 0) || c->set & CTL_LINK_LOSS_GE ||
	       (c->set & CTL_LINK_DUPLICATE && c->duplicate > 0) ||
	       (c->set & CTL_LINK_CORRUPT && c->corrupt > 0);
}

static void link_impair_one(struct sw *sw, uint32_t idx, enum impair_dir d, const struct frame *f,
                            uint32_t pkts, uint64_t bytes);

/*
 * A GSO frame as its wire packets, each impaired on its own (loss, duplication and
 * corruption count wire packets).  -errno when it does not segment: then it is one unit.
 */
static int
link_segment(struct sw *sw, uint32_t idx, enum impair_dir d, const struct frame *f)
{
	struct virtio_net_hdr_v1 vh;
	struct gso g;
	int r, n;

	memcpy(&vh, f->data, sizeof(vh));
	r = gso_init(&g, &vh, f->data + sizeof(vh), f->len - sizeof(vh));
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < g.nsegs; i++) {
		struct frame seg = { .data = sw->scratch, .vid = f->vid };

		n = gso_segment(&g, i, sw->scratch + sizeof(vh), sw->pool.buf_size - sizeof(vh));
		if (n < 0)
			return i ? 0 : n;
		memset(sw->scratch, 0, sizeof(vh));
		seg.len = sizeof(vh) + n;
		link_impair_one(sw, idx, d, &seg, 1, n);
	}
	return 0;
}

void
link_impair(struct sw *sw, uint32_t idx, enum impair_dir d, const struct frame *f)
{
	uint64_t bytes;
	uint32_t pkts;

	impair_wire_size(f->data, f->len, &pkts, &bytes);
	if (pkts > 1 && per_packet(&sw->ports[idx].eff[d]) && link_segment(sw, idx, d, f) == 0)
		return;
	link_impair_one(sw, idx, d, f, pkts, bytes);
}

/* One unit of the queue: a frame, or one segment of a GSO frame. */
static void
link_impair_one(struct sw *sw, uint32_t idx, enum impair_dir d, const struct frame *f,
                uint32_t pkts, uint64_t bytes)
{
	struct port *p = &sw->ports[idx];
	const struct ctl_link *c = &p->eff[d];
	struct impair_state *st = &p->ist[d];
	struct ctl_link_counters *ic = &p->ic[d];
	struct impair_verdict v;
	uint64_t when, last;
	struct impq *q;
	uint32_t e;

	/* Once per port, at its first impaired frame. */
	if (!p->q[d] && !(p->q[d] = impq_new())) {
		ic->dropped_queue += pkts;
		return;
	}
	q = p->q[d];
	impair_decide(c, st, &v);
	if (!v.copies) {
		ic->dropped_loss += pkts;
		return;
	}
	if (v.copies > 1)
		ic->duplicated += pkts;
	for (unsigned i = 0; i < v.copies; i++) {
		bool now = i == 0 && v.reorder;

		if (q->waiting_pkts + pkts > impair_limit(c)) {
			ic->dropped_queue += pkts;
			continue;
		}
		last = st->last;
		when = now ? sw->now : impair_schedule(c, st, sw->now, bytes);
		if (impq_push(q, f->data, f->len, pkts, bytes, when, now, &e) < 0) {
			st->last = last;
			ic->dropped_queue += pkts;
			continue;
		}
		impq_set_vid(q, e, f->vid);
		if (i == 0 && v.corrupt) {
			ic->corrupted += pkts;
			/*
			 * A GSO frame that would not segment (a kind gso.c refuses): flipped as it
			 * is, the kernel would checksum the corruption and the receiver trust it;
			 * the corrupted copy is dropped instead, as its receiver would.
			 */
			if (impair_corrupt(impq_data(q, e), f->len, st) < 0) {
				if (!now)
					impq_take(q, e);
				impq_put(q, e);
				continue;
			}
		}
		if (now) {
			link_send(sw, idx, d, e);
			continue;
		}
		ic->delayed += when > sw->now;
		queued_add(sw, idx);
	}
}

/* Sends the due frames of one queue, in order; false when it has to wait for slots. */
static void
link_release_dir(struct sw *sw, uint32_t idx, enum impair_dir d)
{
	struct port *p = &sw->ports[idx];
	struct impq *q = p->q[d];
	uint64_t when;
	uint32_t e;

	if (!q)
		return;
	while ((e = impq_peek(q, &when)) != UINT32_MAX && when <= sw->now) {
		if (d == IMPAIR_EGRESS && !pool_can_write(sw, idx)) {
			p->qblocked = true;
			return;
		}
		impq_take(q, e);
		link_send(sw, idx, d, e);
	}
}

void
link_release(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->nqueued;) {
		uint32_t idx = sw->queued[i];
		struct port *p = &sw->ports[idx];
		bool waiting = false;

		p->qblocked = false;
		for (int d = 0; d < IMPAIR_DIRS; d++) {
			link_release_dir(sw, idx, d);
			waiting |= p->q[d] && p->q[d]->waiting;
		}
		if (waiting)
			i++;
		else
			queued_remove(sw, idx); /* moves the last one to i */
	}
}

uint64_t
link_deadline(struct sw *sw)
{
	uint64_t best = UINT64_MAX, when;

	for (uint32_t i = 0; i < sw->nqueued; i++) {
		struct port *p = &sw->ports[sw->queued[i]];

		/* A queue waiting for write slots goes on when a write completes. */
		if (p->qblocked)
			continue;
		for (int d = 0; d < IMPAIR_DIRS; d++)
			if (p->q[d] && impq_peek(p->q[d], &when) != UINT32_MAX && when < best)
				best = when;
	}
	return best;
}

void
link_free(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->cfg.max_ports && sw->ports; i++)
		for (int d = 0; d < IMPAIR_DIRS; d++)
			link_queue_drop(&sw->ports[i], d, true);
	sw->nqueued = 0;
}

/* The ports a link request is about: one, or a segment's members. */
struct link_target {
	uint32_t seg; /* UINT32_MAX: a port */
	uint32_t port;
	const uint32_t *members;
	uint32_t n;
};

static char *
link_target(struct sw *sw, const struct ctl_request *req, struct link_target *t)
{
	if (req->port[0]) {
		t->seg = UINT32_MAX;
		t->port = port_find(sw, req->port);
		if (t->port == UINT32_MAX)
			return ctl_reply_error("no port '%s' on this switch", req->port);
		t->members = &t->port;
		t->n = 1;
		return NULL;
	}
	t->seg = segment_find(sw, req->segment);
	if (t->seg == UINT32_MAX)
		return ctl_reply_error("no segment '%s' on this switch", req->segment);
	t->members = sw->segs[t->seg].members;
	t->n = sw->segs[t->seg].nmembers;
	return NULL;
}

char *
link_set(struct sw *sw, const struct ctl_request *req)
{
	struct link_target t;
	char *err = link_target(sw, req, &t);
	bool up =
	        req->carrier == CTL_CARRIER_UP || (req->clear && req->carrier == CTL_CARRIER_KEEP);
	int r;

	if (err)
		return err;
	/* The carrier first: the one step that can fail, before anything changed. */
	if (req->carrier != CTL_CARRIER_KEEP || req->clear) {
		for (uint32_t i = 0; i < t.n; i++) {
			struct port *p = &sw->ports[t.members[i]];

			r = link_carrier(p, up);
			if (r < 0)
				return ctl_reply_error("port '%s': set the carrier %s: %s", p->name,
				                       up ? "up" : "down", strerror(-r));
			if (!up)
				for (int d = 0; d < IMPAIR_DIRS; d++)
					link_queue_drop(p, d, false);
			p->carrier_down = !up;
		}
	}
	for (int d = 0; d < IMPAIR_DIRS; d++) {
		struct ctl_link *l =
		        t.seg == UINT32_MAX ? &sw->ports[t.port].own[d] : &sw->segs[t.seg].link[d];

		if (req->clear)
			memset(l, 0, sizeof(*l));
		if (req->dir & (1U << d))
			impair_merge(l, &req->link);
	}
	for (uint32_t i = 0; i < t.n; i++) {
		struct port *p = &sw->ports[t.members[i]];

		link_refresh(sw, t.members[i]);
		for (int d = 0; d < IMPAIR_DIRS; d++) {
			if (req->dir & (1U << d) && req->link.set & CTL_LINK_SEED)
				link_reseed(p, d, req->link.seed);
			/* Queued frames keep their place and take the new settings. */
			if (p->q[d] && p->q[d]->waiting)
				impair_reschedule(&p->eff[d], &p->ist[d], p->q[d], sw->now);
		}
	}
	log_info("link %s %s changed", t.seg == UINT32_MAX ? "port" : "segment",
	         t.seg == UINT32_MAX ? req->port : sw->segs[t.seg].name);
	return ctl_reply_link_set();
}

static void
link_describe_port(const struct sw *sw, uint32_t idx, struct ctl_link_entry *e)
{
	const struct port *p = &sw->ports[idx];

	memset(e, 0, sizeof(*e));
	strcpy(e->port, p->name);
	strcpy(e->segment, sw->segs[p->seg].name);
	e->carrier_down = p->carrier_down;
	for (int d = 0; d < IMPAIR_DIRS; d++) {
		e->dir[d] = p->eff[d];
		e->cnt[d] = p->ic[d];
		e->cnt[d].queued = p->q[d] ? p->q[d]->waiting_pkts : 0;
	}
}

static void
link_describe_segment(const struct sw *sw, uint32_t idx, struct ctl_link_entry *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->segment, sw->segs[idx].name);
	for (int d = 0; d < IMPAIR_DIRS; d++)
		e->dir[d] = sw->segs[idx].link[d];
}

char *
link_show(struct sw *sw, const struct ctl_request *req)
{
	_cleanup_free_ struct ctl_link_entry *ports = NULL, *segs = NULL;
	size_t np = 0, ns = 0;
	struct link_target t;
	char *err;

	ports = calloc(sw->nactive ? sw->nactive : 1, sizeof(*ports));
	segs = calloc(SEGMENT_MAX, sizeof(*segs));
	if (!ports || !segs)
		return NULL;
	if (req->port[0] || req->segment[0]) {
		err = link_target(sw, req, &t);
		if (err)
			return err;
		if (t.seg != UINT32_MAX)
			link_describe_segment(sw, t.seg, &segs[ns++]);
		for (uint32_t i = 0; i < t.n; i++)
			link_describe_port(sw, t.members[i], &ports[np++]);
	} else {
		for (uint32_t i = 0; i < SEGMENT_MAX; i++)
			if (sw->segs[i].name[0] &&
			    (sw->segs[i].link[0].set || sw->segs[i].link[1].set))
				link_describe_segment(sw, i, &segs[ns++]);
		for (uint32_t i = 0; i < sw->nactive; i++)
			link_describe_port(sw, sw->active[i], &ports[np++]);
	}
	return ctl_reply_link_show(ports, np, segs, ns);
}
