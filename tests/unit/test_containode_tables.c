/* containode's static tables: the capabilities kept and the device nodes made. */
#include "containode/devices.h"
#include "containode/security.h"

#include "check_main.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(capabilities_are_dockers_default)
{
	uint64_t mask = 0;

	ck_assert_uint_eq(security_caps_keep_len, 14);
	for (size_t i = 0; i < security_caps_keep_len; i++)
		mask |= 1ull << security_caps_keep[i];
	/* What /proc/self/status shows as CapBnd in a Docker container. */
	ck_assert_uint_eq(mask, 0xa80425fbull);
	ck_assert(security_cap_kept(CAP_NET_BIND_SERVICE));
	ck_assert(security_cap_kept(CAP_SETPCAP));
	ck_assert(!security_cap_kept(CAP_SYS_ADMIN));
	ck_assert(!security_cap_kept(CAP_NET_ADMIN));
	ck_assert(!security_cap_kept(CAP_SYS_PTRACE));
	ck_assert(!security_cap_kept(CAP_SYS_MODULE));
	ck_assert(!security_cap_kept(CAP_DAC_READ_SEARCH));
}
END_TEST

static const struct device_node *
find(const char *name)
{
	for (size_t i = 0; i < devices_table_len; i++)
		if (strcmp(devices_table[i].name, name) == 0)
			return &devices_table[i];
	return NULL;
}

START_TEST(device_table)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} want[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	const struct device_node *d;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		d = find(want[i].name);
		ck_assert_ptr_nonnull(d);
		ck_assert(S_ISCHR(d->mode));
		ck_assert_uint_eq(d->mode & 07777, 0666);
		ck_assert_uint_eq(d->major, want[i].major);
		ck_assert_uint_eq(d->minor, want[i].minor);
		ck_assert_uint_eq(d->flags, 0);
	}
	/* The console is the container's pty, never the host's 5:1. */
	d = find("console");
	ck_assert_ptr_nonnull(d);
	ck_assert(d->flags & DEV_PTY_ONLY);
	ck_assert(!S_ISCHR(d->mode));
	for (size_t i = 0; i < devices_table_len; i++)
		ck_assert(!(S_ISCHR(devices_table[i].mode) && devices_table[i].major == 5 &&
		            devices_table[i].minor == 1));
	ck_assert_uint_eq(devices_table_len, sizeof(want) / sizeof(want[0]) + 1);
}
END_TEST

START_TEST(device_rules)
{
	const unsigned rw = DEVICE_READ | DEVICE_WRITE;

	ck_assert(devices_rules_allow(devices_allow, devices_allow_len, 'c', 1, 3, rw));
	ck_assert(devices_rules_allow(devices_allow, devices_allow_len, 'c', 136, 42, rw));
	ck_assert(devices_rules_allow(devices_allow, devices_allow_len, 'c', 5, 2, DEVICE_READ));
	/* Made anywhere, opened nowhere off the list */
	ck_assert(devices_rules_allow(devices_allow, devices_allow_len, 'b', 8, 0, DEVICE_MKNOD));
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'b', 8, 0, DEVICE_READ));
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'c', 1, 1, DEVICE_READ));
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'c', 4, 1, rw));
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'c', 10, 237, rw));
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'b', 1, 3, rw));
	/* Every access asked for must be granted by one rule */
	ck_assert(!devices_rules_allow(devices_allow, devices_allow_len, 'c', 99, 0,
	                               DEVICE_READ | DEVICE_MKNOD));
	ck_assert(!devices_rules_allow(NULL, 0, 'c', 1, 3, DEVICE_READ));
}
END_TEST

START_TEST(device_cgroup_needed)
{
	struct plan p;
	char root[] = "/rootfs";
	int null = open("/dev/null", O_RDWR);

	ck_assert_int_ge(null, 0);
	for (int fd = 0; fd < 3; fd++)
		ck_assert_int_eq(dup2(null, fd), fd);
	plan_init(&p);
	ck_assert(devices_cgroup_needed(&p)); /* the host's root */
	p.root = root;
	p.caps = security_caps_default();
	ck_assert(!devices_cgroup_needed(&p));
	p.caps |= UINT64_C(1) << CAP_SYS_ADMIN;
	ck_assert(devices_cgroup_needed(&p));
	p.caps = security_caps_default();
	p.privileged = true;
	ck_assert(devices_cgroup_needed(&p));
	p.privileged = false;
	/* A standard fd on a device off the list: /dev/mem (1:1), where the host has one */
	if (access("/dev/mem", F_OK) == 0) {
		int mem = open("/dev/mem", O_RDONLY);

		if (mem >= 0) {
			ck_assert_int_eq(dup2(mem, 1), 1);
			ck_assert(devices_cgroup_needed(&p));
			close(mem);
		}
	}
	p.root = NULL;
	plan_free(&p);
}
END_TEST

static Suite *
tables_suite(void)
{
	Suite *s = suite_create("containode_tables");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, capabilities_are_dockers_default);
	tcase_add_test(tc, device_table);
	tcase_add_test(tc, device_rules);
	tcase_add_test(tc, device_cgroup_needed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(tables_suite)
