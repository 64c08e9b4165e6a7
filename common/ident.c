#include "ident.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define BASE62 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
static const char base62[] = BASE62;
static const char ident_chars[] = BASE62 "-_.";

void
ident_encode(uint64_t v, char ret[IDENT_RANDOM_LEN + 1])
{
	for (int i = IDENT_RANDOM_LEN - 1; i >= 0; i--) {
		ret[i] = base62[v % 62];
		v /= 62;
	}
	ret[IDENT_RANDOM_LEN] = '\0';
}

int
ident_random(char ret[IDENT_RANDOM_LEN + 1])
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		return -errno;
	ident_encode(v, ret);
	return 0;
}

bool
ident_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > IDENT_MAX || id[0] == '-' || id[0] == '.')
		return false;
	return strspn(id, ident_chars) == n;
}

/* FNV-1a, 64 bits: stable across builds and machines, which is all a MAC needs. */
static uint64_t
fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
ident_mac(const char *id, uint8_t ret[6])
{
	uint64_t h = fnv1a64(id);

	ret[0] = 0x02;
	for (int i = 1; i < 6; i++)
		ret[i] = h >> (8 * (i - 1));
}

void
mac_format(const uint8_t mac[6], char ret[MAC_STRLEN])
{
	snprintf(ret, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
	         mac[4], mac[5]);
}

int
mac_parse(const char *s, uint8_t ret[6])
{
	unsigned v[6];
	int n = -1;

	if (strlen(s) != MAC_STRLEN - 1)
		return -EINVAL;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &n) !=
	            6 ||
	    n != MAC_STRLEN - 1)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		ret[i] = v[i];
	return 0;
}
