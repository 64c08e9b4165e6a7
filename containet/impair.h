/*
 * Link impairment, as netem has it, in the switch: pure, no I/O.  The caller passes the
 * time and owns the state; the random numbers come from the port's own PRNG, so a seeded
 * port behaves the same on every run.
 *
 *   settings      struct ctl_link, what link-set asked for, per port or segment and per
 *                 direction; fields not given leave the segment's (or the plain port's).
 *   impair_decide a frame's fate in netem's order: duplicate, loss (Bernoulli or
 *                 Gilbert-Elliott), corrupt, reorder.
 *   impair_schedule  when a frame leaves: delay with jitter (uniform or normal), FIFO
 *                 (jitter never reorders), then the rate's transmission time after the
 *                 frame before it.  A reordered frame leaves at once, ahead of the queue.
 *   impq          a port's own bounded queue of copied frames (the shared read pool is
 *                 never pinned by an impaired port): a ring of entries and a ring of
 *                 bytes, released in order, each entry alive while writes use it.
 *
 * Frames start with their struct virtio_net_hdr_v1 (12 bytes), host byte order.
 */
#pragma once

#include "ctl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMPAIR_LIMIT_DEFAULT 1000      /* netem's default queue limit, in wire packets */
#define IMPAIR_QUEUE_FRAMES 16384      /* frames one queue holds at most */
#define IMPAIR_QUEUE_BYTES (16U << 20) /* bytes one queue holds at most (the byte cap) */

enum impair_dir {
	IMPAIR_EGRESS,  /* frames the switch delivers to the port's node */
	IMPAIR_INGRESS, /* frames the port's node sends into the switch */
	IMPAIR_DIRS,
};

/* A port's random source and model state, one direction. */
struct impair_state {
	uint64_t rng;
	bool ge_bad;   /* Gilbert-Elliott: in the bad state */
	uint64_t last; /* when the last frame of the FIFO leaves */
};

struct impair_verdict {
	unsigned copies; /* 0: lost; 2: duplicated */
	bool corrupt;    /* the first copy gets one bit flipped */
	bool reorder;    /* sent at once, ahead of the queued frames */
};

/* Folds src's given fields into dst (loss and loss_ge replace each other). */
void impair_merge(struct ctl_link *dst, const struct ctl_link *src);
/* Whether cfg changes anything (limit and seed alone do not). */
bool impair_active(const struct ctl_link *cfg);
/* The queue limit in wire packets. */
uint32_t impair_limit(const struct ctl_link *cfg);

/* splitmix64: the next 64 random bits; a uniform double in [0, 1). */
uint64_t impair_rand(struct impair_state *st);
double impair_uniform(struct impair_state *st);
/* A seed for a port from a lab's seed and the port's name, so ports differ. */
uint64_t impair_port_seed(uint64_t seed, const char *name);

void impair_decide(const struct ctl_link *cfg, struct impair_state *st, struct impair_verdict *ret);
/* When a frame of wire_bytes leaves (not reordered); advances the FIFO's last time. */
uint64_t impair_schedule(const struct ctl_link *cfg, struct impair_state *st, uint64_t now,
                         uint64_t wire_bytes);

/*
 * What a frame costs on the wire: a GSO frame (gso_type set) counts every segment with
 * its own copy of the headers, as the receiver's link would carry them (gso.h).  buf starts with
 * the virtio header; len includes it.  Always sets *ret_pkts >= 1.
 */
void impair_wire_size(const uint8_t *buf, size_t len, uint32_t *ret_pkts, uint64_t *ret_bytes);

/*
 * Corrupts the frame as netem does: a checksum left to offload is completed first and the
 * offload flag cleared, so the receiver checks it; then one random bit of the ethernet
 * frame past its ethernet header flips.  -EOPNOTSUPP for a GSO frame (segment it first:
 * gso.h) and -EINVAL when the checksum offsets lie outside the frame; then nothing
 * changed.
 */
int impair_corrupt(uint8_t *buf, size_t len, struct impair_state *st);

/* The queue: entries are numbered by a running counter; e & (IMPAIR_QUEUE_FRAMES - 1). */
enum impq_state {
	IMPQ_FREE,
	IMPQ_WAITING, /* until its time */
	IMPQ_OUT,     /* taken: in use by writes until its last reference goes */
};

struct impq_entry {
	uint64_t when;
	uint64_t end; /* running byte offset of its end in the byte ring */
	uint32_t len;
	uint32_t pkts;  /* wire packets it counts for */
	uint64_t bytes; /* and their bytes on the wire */
	uint32_t refs;
	uint16_t vid; /* the frame's VLAN (port.c's classification), for the tag edit */
	uint8_t state;
};

struct impq {
	struct impq_entry *e;
	uint8_t *data;
	uint32_t head;  /* oldest entry holding bytes */
	uint32_t next;  /* oldest entry that may be waiting */
	uint32_t tail;  /* next entry to fill */
	uint64_t dhead; /* running byte offsets: oldest byte in use, next byte free */
	uint64_t dtail;
	uint32_t waiting;      /* entries waiting */
	uint32_t waiting_pkts; /* what the limit counts */
	uint32_t out;          /* entries taken and not yet done */
	bool orphan;           /* its port is gone: free it when the last entry is done */
};

/* A new empty queue, or NULL. */
struct impq *impq_new(void);
void impq_free(struct impq *q);
/* Whether nothing in it is in use (so it may be freed). */
bool impq_idle(const struct impq *q);

/*
 * Copies a frame in, waiting until when (or taken at once when now is true).  -ENOBUFS
 * when the entries or the bytes are full, -EMSGSIZE when it is larger than the byte cap;
 * the limit in wire packets is the caller's to check against q->waiting_pkts.
 */
int impq_push(struct impq *q, const uint8_t *buf, uint32_t len, uint32_t pkts, uint64_t bytes,
              uint64_t when, bool now, uint32_t *ret_entry);
/* The oldest waiting entry, or UINT32_MAX; its time in *ret_when. */
uint32_t impq_peek(struct impq *q, uint64_t *ret_when);
/* The bytes of an entry (virtio header first). */
uint8_t *impq_data(const struct impq *q, uint32_t entry);
uint32_t impq_len(const struct impq *q, uint32_t entry);
/* The VLAN of the frame in entry (port.c's classification, for the tag edit on its way out). */
uint16_t impq_vid(const struct impq *q, uint32_t entry);
void impq_set_vid(struct impq *q, uint32_t entry, uint16_t vid);
/* Waiting to out, with one reference: the caller's, dropped with impq_put. */
void impq_take(struct impq *q, uint32_t entry);
void impq_hold(struct impq *q, uint32_t entry);
void impq_put(struct impq *q, uint32_t entry);
/*
 * New settings for the frames already waiting: each gets its time again, in order, as if
 * it had arrived now, so a lower rate or a cleared link takes effect at once.
 */
void impair_reschedule(const struct ctl_link *cfg, struct impair_state *st, struct impq *q,
                       uint64_t now);
/* Drops every waiting entry; returns the wire packets dropped. */
uint64_t impq_flush(struct impq *q);
