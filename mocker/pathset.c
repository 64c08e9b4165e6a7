/* Open addressing with linear probing, FNV-1a, grown at 50% load: lookups are one hash
 * and, nearly always, one string compare. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathset.h"

struct pathset_slot {
	char *key;
	void *value;
	uint64_t hash;
};

struct pathset {
	struct pathset_slot *slots;
	size_t cap; /* a power of two */
	size_t n;
};

static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct pathset *
pathset_new(void)
{
	struct pathset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = 64;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	return s;
}

struct pathset *
pathset_free(struct pathset *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->cap; i++) {
		free(s->slots[i].key);
		free(s->slots[i].value);
	}
	free(s->slots);
	free(s);
	return NULL;
}

static struct pathset_slot *
find_slot(const struct pathset *s, const char *key, size_t len, uint64_t h)
{
	size_t mask = s->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct pathset_slot *slot = &s->slots[i];

		if (!slot->key)
			return slot;
		if (slot->hash == h && strncmp(slot->key, key, len) == 0 && slot->key[len] == '\0')
			return slot;
	}
}

static int
grow(struct pathset *s)
{
	struct pathset old = *s;

	s->cap *= 2;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		*s = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find_slot(s, old.slots[i].key, strlen(old.slots[i].key),
			           old.slots[i].hash) = old.slots[i];
	free(old.slots);
	return 0;
}

int
pathset_add_len(struct pathset *s, const char *key, size_t len, void ***ret_value)
{
	uint64_t h = hash_bytes(key, len);
	struct pathset_slot *slot = find_slot(s, key, len, h);

	if (!slot->key) {
		if ((s->n + 1) * 2 > s->cap) {
			int r = grow(s);

			if (r < 0)
				return r;
			slot = find_slot(s, key, len, h);
		}
		slot->key = strndup(key, len);
		if (!slot->key)
			return -ENOMEM;
		slot->hash = h;
		slot->value = NULL;
		s->n++;
		if (ret_value)
			*ret_value = &slot->value;
		return 1;
	}
	if (ret_value)
		*ret_value = &slot->value;
	return 0;
}

int
pathset_add(struct pathset *s, const char *key, void ***ret_value)
{
	return pathset_add_len(s, key, strlen(key), ret_value);
}

void **
pathset_get(const struct pathset *s, const char *key)
{
	size_t len = strlen(key);
	struct pathset_slot *slot = find_slot(s, key, len, hash_bytes(key, len));

	return slot->key ? &slot->value : NULL;
}

bool
pathset_contains(const struct pathset *s, const char *key)
{
	return pathset_get(s, key) != NULL;
}

size_t
pathset_size(const struct pathset *s)
{
	return s->n;
}

const char **
pathset_keys(const struct pathset *s, size_t *ret_n)
{
	const char **keys;
	size_t n = 0;

	*ret_n = 0;
	if (s->n == 0)
		return NULL;
	keys = malloc(s->n * sizeof(*keys));
	if (!keys)
		return NULL;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].key)
			keys[n++] = s->slots[i].key;
	*ret_n = n;
	return keys;
}
