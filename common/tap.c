#include "tap.h"

#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>

int
tap_open(const char *name, char ret_name[IFNAMSIZ])
{
	_cleanup_close_ int fd = -1;
	struct ifreq ifr = { .ifr_flags = TAP_FLAGS };
	int hdr = TAP_VNET_HDR_LEN;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	if (ret_name)
		memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
	return TAKE_FD(fd);
}

/*
 * TUNGETIFF answers with the device's flags, plus IFF_NOFILTER when no socket filter is
 * attached to this queue: and IFF_NOFILTER is 0x1000, IFF_NO_PI's bit.  So the bit says
 * nothing about packet information unless a filter is attached: the check attaches one
 * that accepts everything, reads the flags again and takes the filter off.
 */
static int
tap_get_flags(int fd, short *ret_flags)
{
	struct sock_filter accept_all = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	struct sock_fprog prog = { .len = 1, .filter = &accept_all };
	struct ifreq ifr = {};
	int r = 0;

	if (ioctl(fd, TUNATTACHFILTER, &prog) < 0)
		return -errno;
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		r = -errno;
	(void)ioctl(fd, TUNDETACHFILTER, &prog);
	if (r < 0)
		return r;
	*ret_flags = ifr.ifr_flags;
	return 0;
}

int
tap_check(int fd, char ret_name[IFNAMSIZ])
{
	const short mask = IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	struct ifreq ifr = {};
	int hdr = TAP_VNET_HDR_LEN;
	short flags = 0;
	int r;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD ? -EPROTOTYPE : -ENOTTY;
	/* Without the bit there is neither IFF_NO_PI nor IFF_NOFILTER: packet information. */
	if ((ifr.ifr_flags & mask) != TAP_FLAGS)
		return -EPROTOTYPE;
	r = tap_get_flags(fd, &flags);
	if (r < 0)
		return r == -EINVAL ? -EPROTOTYPE : r;
	if ((flags & mask) != TAP_FLAGS)
		return -EPROTOTYPE;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
	ret_name[IFNAMSIZ - 1] = '\0';
	return 0;
}

int
tap_set_offload(int fd, unsigned flags)
{
	if (ioctl(fd, TUNSETOFFLOAD, flags) < 0)
		return -errno;
	return 0;
}
