#include "tap.h"

#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
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

int
tap_check(int fd, char ret_name[IFNAMSIZ])
{
	struct ifreq ifr = {};
	int hdr = TAP_VNET_HDR_LEN;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD ? -EPROTOTYPE : -ENOTTY;
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) != TAP_FLAGS)
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
