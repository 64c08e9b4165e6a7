/* A hash map from path strings to an optional malloc'd value: the set of paths one layer
 * created, and the directories whose metadata is applied once the layer is written. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct pathset;

struct pathset *pathset_new(void);
/* Frees the keys and, with free(), the values. Accepts NULL, returns NULL. */
struct pathset *pathset_free(struct pathset *s);

/* Adds key (copied) if missing; *ret_value (if not NULL) is the slot of its value, NULL
 * for a new key.  Returns 1 if added, 0 if present, -ENOMEM. */
int pathset_add(struct pathset *s, const char *key, void ***ret_value);
/* Same with a key of len bytes (no NUL needed). */
int pathset_add_len(struct pathset *s, const char *key, size_t len, void ***ret_value);

bool pathset_contains(const struct pathset *s, const char *key);
/* The slot of key's value, or NULL if key is absent. */
void **pathset_get(const struct pathset *s, const char *key);

size_t pathset_size(const struct pathset *s);

/* The keys, in no particular order, as a malloc'd array of borrowed pointers (valid until
 * the set changes); NULL when empty or out of memory (then *ret_n is 0). */
const char **pathset_keys(const struct pathset *s, size_t *ret_n);
