/*
 * DHCPv4 messages (RFC 2131, options of RFC 2132): a client's request parsed from a UDP
 * payload, the server's reply built into a buffer.  Pure: no I/O, no allocation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236 /* op .. file, before the magic cookie */
#define DHCP_MIN_LEN 240   /* the fixed part and the cookie */
#define DHCP_REPLY_MAX 576 /* what a client must accept (RFC 2131 2) */
#define DHCP_HOSTNAME_MAX 64
#define DHCP_DNS_MAX 3

enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER,
	DHCP_REQUEST,
	DHCP_DECLINE,
	DHCP_ACK,
	DHCP_NAK,
	DHCP_RELEASE,
	DHCP_INFORM,
};

/* A client's message.  Addresses in network order; 0 when absent. */
struct dhcp_msg {
	uint8_t type;   /* enum dhcp_type */
	uint32_t xid;   /* as sent, network order */
	uint16_t flags; /* network order: the broadcast bit is 0x8000 in host order */
	uint32_t ciaddr, giaddr;
	uint8_t chaddr[6];
	uint32_t requested;               /* option 50 */
	uint32_t server_id;               /* option 54 */
	char hostname[DHCP_HOSTNAME_MAX]; /* option 12, printable only, "" when absent */
	uint8_t client_id[64];            /* option 61, as sent */
	uint8_t client_id_len;
};

enum dhcp_err {
	DHCP_OK = 0,
	DHCP_SHORT,       /* shorter than the fixed part and cookie */
	DHCP_NOT_REQUEST, /* op is not BOOTREQUEST */
	DHCP_BAD_HW,      /* not ethernet with 6-byte addresses */
	DHCP_BAD_COOKIE,
	DHCP_BAD_OPTION, /* an option runs past the end, or its length is wrong */
	DHCP_NO_TYPE,    /* no message type, or one a client never sends */
};

/* Parses a UDP payload from a client.  DHCP_OK, or why it is dropped. */
enum dhcp_err dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *ret);
const char *dhcp_err_name(enum dhcp_err e);

/* What the server puts in its replies.  Addresses in network order, 0 when none. */
struct dhcp_offer {
	uint8_t type;               /* DHCP_OFFER, DHCP_ACK or DHCP_NAK */
	uint32_t yiaddr;            /* the client's address (0 for a NAK or an ACK to INFORM) */
	uint32_t server;            /* option 54, and siaddr */
	uint32_t netmask;           /* option 1 */
	uint32_t router;            /* option 3 */
	uint32_t broadcast;         /* option 28 */
	uint32_t dns[DHCP_DNS_MAX]; /* option 6 */
	unsigned ndns;
	uint16_t mtu;         /* option 26, 0: none */
	uint32_t lease_s;     /* options 51, 58 (half), 59 (7/8); 0: none (NAK, INFORM) */
	const char *hostname; /* option 12, NULL: none */
	const char *domain;   /* option 15, NULL: none */
	const char *message;  /* option 56, NULL: none */
};

/* Builds the reply to req into buf (at least DHCP_REPLY_MAX bytes); returns its length. */
size_t dhcp_build(uint8_t *buf, const struct dhcp_msg *req, const struct dhcp_offer *o);
