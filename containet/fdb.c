#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
mac_key(const uint8_t mac[6])
{
	uint64_t k = 0;

	memcpy(&k, mac, 6);
	return k;
}

static uint32_t
fdb_bucket(const struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6])
{
	/* A keyed multiply-xorshift: cheap, and the key makes collisions unpredictable. */
	uint64_t h = (mac_key(mac) | (uint64_t)vlan << 48) ^ fdb->seed;

	h = (h ^ (uint64_t)seg * 0xd6e8feb86659fd93ULL) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h & fdb->mask;
}

int
fdb_init(struct fdb *fdb, uint32_t max, uint64_t ageing_ns, uint64_t seed)
{
	uint32_t nbuckets = 1;

	if (max == 0 || max > (1u << 24))
		return -EINVAL;
	while (nbuckets < 2 * max)
		nbuckets <<= 1;
	memset(fdb, 0, sizeof(*fdb));
	fdb->buckets = malloc(nbuckets * sizeof(*fdb->buckets));
	fdb->entries = calloc(max, sizeof(*fdb->entries));
	if (!fdb->buckets || !fdb->entries) {
		fdb_free(fdb);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nbuckets; i++)
		fdb->buckets[i] = FDB_NONE;
	for (uint32_t i = 0; i < max; i++)
		fdb->entries[i].next = i + 1 < max ? i + 1 : FDB_NONE;
	fdb->max = max;
	fdb->mask = nbuckets - 1;
	fdb->ageing = ageing_ns;
	fdb->seed = seed;
	fdb->free_head = 0;
	fdb->oldest = fdb->newest = FDB_NONE;
	return 0;
}

void
fdb_free(struct fdb *fdb)
{
	free(fdb->buckets);
	free(fdb->entries);
	fdb->buckets = NULL;
	fdb->entries = NULL;
}

static bool
fdb_alive(const struct fdb *fdb, const struct fdb_entry *e, uint64_t now)
{
	return e->fixed || now - e->seen <= fdb->ageing;
}

/* The link pointing at the entry for the key (a bucket head or a chain's next), or NULL. */
static uint32_t *
fdb_find_link(const struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6])
{
	uint32_t *link = &fdb->buckets[fdb_bucket(fdb, seg, vlan, mac)];

	while (*link != FDB_NONE) {
		const struct fdb_entry *e = &fdb->entries[*link];

		if (!memcmp(e->mac, mac, 6) && e->seg == seg && e->vlan == vlan)
			return link;
		link = &fdb->entries[*link].next;
	}
	return NULL;
}

static void
fdb_age_unlink(struct fdb *fdb, uint32_t i)
{
	struct fdb_entry *e = &fdb->entries[i];

	if (e->older != FDB_NONE)
		fdb->entries[e->older].newer = e->newer;
	else
		fdb->oldest = e->newer;
	if (e->newer != FDB_NONE)
		fdb->entries[e->newer].older = e->older;
	else
		fdb->newest = e->older;
}

static void
fdb_age_push(struct fdb *fdb, uint32_t i)
{
	struct fdb_entry *e = &fdb->entries[i];

	e->older = fdb->newest;
	e->newer = FDB_NONE;
	if (fdb->newest != FDB_NONE)
		fdb->entries[fdb->newest].newer = i;
	else
		fdb->oldest = i;
	fdb->newest = i;
}

/* Removes entry i, which link points at, from its chain and the age list. */
static void
fdb_remove(struct fdb *fdb, uint32_t *link)
{
	uint32_t i = *link;

	*link = fdb->entries[i].next;
	fdb_age_unlink(fdb, i);
	fdb->entries[i].next = fdb->free_head;
	fdb->free_head = i;
	fdb->count--;
}

/* Removes entry i: its chain is walked to find the link to it (a few entries long). */
static void
fdb_remove_entry(struct fdb *fdb, uint32_t i)
{
	const struct fdb_entry *e = &fdb->entries[i];
	uint32_t *link = &fdb->buckets[fdb_bucket(fdb, e->seg, e->vlan, e->mac)];

	while (*link != i)
		link = &fdb->entries[*link].next;
	fdb_remove(fdb, link);
}

/* Removes the oldest entry if it is stale; false when there is none such. */
static bool
fdb_expire_oldest(struct fdb *fdb, uint64_t now)
{
	uint32_t i = fdb->oldest;

	/* Fixed entries go to the young end, once each at most, so ageing passes them. */
	for (uint32_t n = 0; n < fdb->count && i != FDB_NONE && fdb->entries[i].fixed; n++) {
		fdb_age_unlink(fdb, i);
		fdb_age_push(fdb, i);
		i = fdb->oldest;
	}
	if (fdb->oldest == FDB_NONE || fdb_alive(fdb, &fdb->entries[fdb->oldest], now))
		return false;
	fdb_remove_entry(fdb, fdb->oldest);
	return true;
}

uint32_t
fdb_lookup(const struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint64_t now)
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);

	if (!link || !fdb_alive(fdb, &fdb->entries[*link], now))
		return FDB_NONE;
	return fdb->entries[*link].port;
}

enum fdb_learn_result
fdb_learn(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint32_t port,
          uint64_t now)
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);
	uint32_t *head, i;
	struct fdb_entry *e;

	if (link) {
		i = *link;
		e = &fdb->entries[i];
		bool moved = e->port != port;
		bool was_alive = fdb_alive(fdb, e, now);

		if (e->fixed)
			return FDB_KNOWN;
		if (moved)
			e->remote = FDB_REMOTE_NONE;
		e->port = port;
		e->seen = now;
		if (fdb->newest != i) {
			fdb_age_unlink(fdb, i);
			fdb_age_push(fdb, i);
		}
		return moved ? (was_alive ? FDB_MOVED : FDB_NEW) : FDB_KNOWN;
	}
	/* Full: only a stale entry may make room, and only the oldest is looked at. */
	if (fdb->free_head == FDB_NONE && !fdb_expire_oldest(fdb, now)) {
		fdb->learn_refused++;
		return FDB_FULL;
	}
	i = fdb->free_head;
	e = &fdb->entries[i];
	fdb->free_head = e->next;
	memcpy(e->mac, mac, 6);
	e->seg = seg;
	e->vlan = vlan;
	e->port = port;
	e->remote = FDB_REMOTE_NONE;
	e->fixed = false;
	e->seen = now;
	head = &fdb->buckets[fdb_bucket(fdb, seg, vlan, mac)];
	e->next = *head;
	*head = i;
	fdb_age_push(fdb, i);
	fdb->count++;
	return FDB_NEW;
}

const struct fdb_entry *
fdb_get(const struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint64_t now)
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);

	if (!link || !fdb_alive(fdb, &fdb->entries[*link], now))
		return NULL;
	return &fdb->entries[*link];
}

int
fdb_set_remote(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint32_t port,
               uint16_t remote, uint64_t now)
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);
	struct fdb_entry *e;

	if (!link)
		return -ENOENT;
	e = &fdb->entries[*link];
	if (!fdb_alive(fdb, e, now) || e->port != port)
		return -ENOENT;
	if (!e->fixed)
		e->remote = remote;
	return 0;
}

int
fdb_add_fixed(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6], uint32_t port,
              uint16_t remote, uint64_t now)
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);
	struct fdb_entry *e;

	if (link) {
		fdb->entries[*link].fixed = false;
	} else if (fdb_learn(fdb, seg, vlan, mac, port, now) == FDB_FULL) {
		return -ENOSPC;
	}
	link = fdb_find_link(fdb, seg, vlan, mac);
	e = &fdb->entries[*link];
	e->port = port;
	e->remote = remote;
	e->seen = now;
	e->fixed = true;
	return 0;
}

int
fdb_del(struct fdb *fdb, uint16_t seg, uint16_t vlan, const uint8_t mac[6])
{
	uint32_t *link = fdb_find_link(fdb, seg, vlan, mac);

	if (!link)
		return -ENOENT;
	fdb_remove(fdb, link);
	return 0;
}

uint32_t
fdb_expire(struct fdb *fdb, uint64_t now)
{
	uint32_t n = 0;

	while (n < FDB_EXPIRE_BATCH && fdb_expire_oldest(fdb, now))
		n++;
	return n;
}

/* Leaves with a port, so it walks every entry: the control path only, never per frame. */
uint32_t
fdb_flush_port(struct fdb *fdb, uint32_t port)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b <= fdb->mask && fdb->count; b++) {
		uint32_t *link = &fdb->buckets[b];

		while (*link != FDB_NONE) {
			if (fdb->entries[*link].port == port) {
				fdb_remove(fdb, link);
				n++;
			} else {
				link = &fdb->entries[*link].next;
			}
		}
	}
	return n;
}

int
fdb_foreach(const struct fdb *fdb, uint64_t now,
            int (*fn)(const struct fdb_entry *e, void *userdata), void *userdata)
{
	for (uint32_t b = 0; b <= fdb->mask; b++)
		for (uint32_t i = fdb->buckets[b]; i != FDB_NONE; i = fdb->entries[i].next) {
			int r;

			if (!fdb_alive(fdb, &fdb->entries[i], now))
				continue;
			r = fn(&fdb->entries[i], userdata);
			if (r)
				return r;
		}
	return 0;
}
