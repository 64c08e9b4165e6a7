/*
 * The forwarding database: (segment, VLAN, MAC address) -> port, learned from source addresses, aged
 * against a monotonic clock, with a hard cap.  Pure data structure: no I/O, no clock
 * of its own (the caller passes "now"), so it can be tested without a network.
 *
 * No operation on the data path depends on the table's size: entries sit on a list
 * ordered by when they were last seen, so ageing takes stale entries from its old end,
 * a bounded number per call, and a full table refuses new stations (counting them)
 * unless its oldest entry is stale and can make room.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define FDB_NONE UINT32_MAX
/* An entry's remote when it has none: learned on a port that is not a tunnel. */
#define FDB_REMOTE_NONE UINT16_MAX
/* At most this many entries are aged out per fdb_expire() call. */
#define FDB_EXPIRE_BATCH 4096

struct fdb_entry {
	uint8_t mac[6];
	uint16_t seg;  /* the segment: a station may sit in two, behind different ports */
	uint16_t vlan; /* 0 for untagged, and while ports have no VLAN roles */
	uint32_t port;
	uint16_t remote; /* a tunnel port's remote it was learned from, or FDB_REMOTE_NONE */
	bool fixed;      /* added by hand: never ages, learning does not move it */
	uint64_t seen;   /* monotonic nanoseconds */
	uint32_t next;   /* hash chain, or free list */
	uint32_t older;  /* the age list: neighbours by last sight */
	uint32_t newer;
};

struct fdb {
	uint32_t max; /* hard cap on entries */
	uint32_t count;
	uint32_t mask;   /* buckets - 1 */
	uint64_t ageing; /* nanoseconds an entry lives without being seen again */
	uint64_t seed;   /* per-table hash key: chains cannot be steered from outside */
	uint32_t free_head;
	uint32_t oldest, newest; /* ends of the age list */
	uint32_t *buckets;
	struct fdb_entry *entries;
	uint64_t learn_refused; /* stations not learned because the table was full */
};

enum fdb_learn_result {
	FDB_KNOWN, /* same port as before: refreshed */
	FDB_NEW,
	FDB_MOVED, /* the station now sits behind another port */
	FDB_FULL,  /* not learned: table full of live entries */
};

int fdb_init(struct fdb *fdb, uint32_t max, uint64_t ageing_ns, uint64_t seed);
void fdb_free(struct fdb *fdb);

enum fdb_learn_result fdb_learn(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6],
                                uint32_t port, uint64_t now);
/* The port mac was last seen on in (seg, vlan), or FDB_NONE when unknown or aged out. */
uint32_t fdb_lookup(const struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6],
                    uint64_t now);
/* The live entry for (seg, vlan, mac), or NULL. */
const struct fdb_entry *fdb_get(const struct fdb *fdb, uint16_t seg, uint16_t vlan,
                                const uint8_t mac[6], uint64_t now);
/* Records the remote of the live entry for (seg, vlan, mac) on port; -ENOENT if none. */
int fdb_set_remote(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6],
                   uint32_t port, uint16_t remote, uint64_t now);
/*
 * Adds or replaces a fixed entry: it never ages, and learning leaves it where it is.
 * -ENOSPC when the table is full of live entries.
 */
int fdb_add_fixed(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint32_t port,
                  uint16_t remote, uint64_t now);
/* Removes the entry for (seg, vlan, mac), learned or fixed; -ENOENT if none. */
int fdb_del(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6]);
/* Drops up to FDB_EXPIRE_BATCH entries older than the ageing time; returns how many. */
uint32_t fdb_expire(struct fdb *fdb, uint64_t now);
/* Drops every entry of port (it went away); returns how many. */
uint32_t fdb_flush_port(struct fdb *fdb, uint32_t port);

/* Calls fn for every live entry; stops early when fn returns non-zero and returns that. */
int fdb_foreach(const struct fdb *fdb, uint64_t now,
                int (*fn)(const struct fdb_entry *e, void *userdata), void *userdata);
