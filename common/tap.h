/* Tap devices as the project uses them: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR. */
#pragma once

#include <net/if.h>
#include <stdint.h>

#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
/* struct virtio_net_hdr_v1: every frame on a port fd starts with one. */
#define TAP_VNET_HDR_LEN 12

/*
 * Opens /dev/net/tun in the caller's network namespace and creates (or attaches to)
 * the tap called name ("" lets the kernel choose).  The fd is close-on-exec.  The
 * kernel's name goes to ret_name if that is not NULL.  Returns the fd or -errno.
 */
int tap_open(const char *name, char ret_name[IFNAMSIZ]);

/*
 * Checks that fd is a tap with exactly the project's flags (a tap that prepends packet
 * information, without IFF_NO_PI, included) and sets the virtio header size.  Returns 0
 * with the interface name in ret_name, -ENOTTY when fd is not a tun/tap device at all,
 * -EPROTOTYPE when its flags are wrong.  A socket filter the tap's owner attached to
 * this queue is removed.
 */
int tap_check(int fd, char ret_name[IFNAMSIZ]);

/* TUNSETOFFLOAD with the given TUN_F_* flags. */
int tap_set_offload(int fd, unsigned flags);
