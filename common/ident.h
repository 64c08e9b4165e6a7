/* Container identities and the MAC addresses derived from them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENT_RANDOM_LEN 11 /* base62 digits of a 64-bit number */
#define IDENT_MAX 63        /* longest identity accepted (a hostname label) */
#define MAC_STRLEN 18       /* "aa:bb:cc:dd:ee:ff" and its NUL */

/* 11 base62 characters encoding a random 64-bit number. */
int ident_random(char ret[IDENT_RANDOM_LEN + 1]);

/* Encodes v as exactly 11 base62 characters (most significant first). */
void ident_encode(uint64_t v, char ret[IDENT_RANDOM_LEN + 1]);

/* Letters, digits, '-', '_' and '.', 1 to IDENT_MAX long, not starting with '-' or '.'. */
bool ident_valid(const char *id);

/* Locally administered unicast MAC (02:...) from a hash of the identity: stable per id. */
void ident_mac(const char *id, uint8_t ret[6]);

void mac_format(const uint8_t mac[6], char ret[MAC_STRLEN]);
int mac_parse(const char *s, uint8_t ret[6]);
