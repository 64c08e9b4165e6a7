/* containode's privilege options: capability lists, Docker's rules on them, sysctl keys. */
#include "containode/caps.h"
#include "containode/plan.h"
#include "containode/security.h"

#include "check_main.h"
#include "cleanup.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#define BIT(cap) (UINT64_C(1) << (cap))

START_TEST(cap_lists)
{
	uint64_t mask = 0;
	bool all = false;

	ck_assert_int_eq(plan_parse_caps("NET_ADMIN", &mask, &all), 0);
	ck_assert_int_eq(plan_parse_caps("cap_sys_time,Sys_Admin", &mask, &all), 0);
	ck_assert(mask == (BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_TIME) | BIT(CAP_SYS_ADMIN)));
	ck_assert(!all);
	ck_assert_int_eq(plan_parse_caps("all", &mask, &all), 0);
	ck_assert(all);
	ck_assert_int_eq(plan_parse_caps("NET_FOO", &mask, &all), -EINVAL);
	ck_assert_int_eq(plan_parse_caps("NET_ADMIN,", &mask, &all), -EINVAL);
	ck_assert_int_eq(plan_parse_caps("", &mask, &all), -EINVAL);
	ck_assert_int_eq(plan_parse_caps("CAP_", &mask, &all), -EINVAL);
}
END_TEST

/* The names as the kernel numbers them, every one of them, and only those. */
START_TEST(cap_names)
{
	int n = 0;

	for (int cap = 0; cap < 64; cap++) {
		const char *name = caps_name(cap);

		if (!name)
			continue;
		n++;
		ck_assert_int_eq(caps_from_name(name, strlen(name)), cap);
	}
	ck_assert_int_eq(n, CAP_LAST_CAP + 1);
	ck_assert_str_eq(caps_name(CAP_NET_ADMIN), "net_admin");
	ck_assert_str_eq(caps_name(CAP_CHECKPOINT_RESTORE), "checkpoint_restore");
	ck_assert_int_eq(caps_from_name("SYS_ADMIN", 9), CAP_SYS_ADMIN);
	ck_assert_int_eq(caps_from_name("sys_admin,net_raw", 9), CAP_SYS_ADMIN);
	ck_assert_int_eq(caps_from_name("sys_admi", 8), -EINVAL);
	ck_assert_int_eq(caps_from_name("", 0), -EINVAL);
	ck_assert_ptr_null(caps_name(-1));
	ck_assert_ptr_null(caps_name(CAP_LAST_CAP + 1));
}
END_TEST

/* The bounding set as the kernel reports it in /proc/self/status. */
START_TEST(cap_bounding)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "r");
	unsigned long long bnd = 0;
	char line[256];
	bool found = false;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %llx", &bnd) == 1)
			found = true;
	ck_assert(found);
	ck_assert(caps_bounding() == bnd);
}
END_TEST

START_TEST(docker_cap_rules)
{
	const uint64_t all = BIT(41) - 1, def = security_caps_default();
	struct plan p;

	plan_init(&p);
	ck_assert(plan_caps(&p, def, all) == def);
	ck_assert(def == 0xa80425fb);
	p.cap_drop = BIT(CAP_NET_RAW);
	p.cap_add = BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW);
	/* A drop comes first: the add of the same one wins. */
	ck_assert(plan_caps(&p, def, all) == (def | BIT(CAP_NET_ADMIN)));
	p.cap_add = BIT(CAP_NET_ADMIN);
	ck_assert(plan_caps(&p, def, all) == ((def & ~BIT(CAP_NET_RAW)) | BIT(CAP_NET_ADMIN)));
	p.cap_drop_all = true;
	ck_assert(plan_caps(&p, def, all) == BIT(CAP_NET_ADMIN));
	/* An added ALL wins over a dropped one; named drops still go. */
	p.cap_add_all = true;
	ck_assert(plan_caps(&p, def, all) == (all & ~BIT(CAP_NET_RAW)));
	p.privileged = true;
	ck_assert(plan_caps(&p, def, all) == all);
	/* Nothing beyond what containode has. */
	p = (struct plan){ .cap_add = BIT(CAP_SYS_RESOURCE) };
	ck_assert(plan_caps(&p, def, all & ~BIT(CAP_SYS_RESOURCE)) == def);
}
END_TEST

START_TEST(net_admin_makes_proc_sys_net_writable)
{
	struct plan p;

	plan_init(&p);
	p.caps = security_caps_default();
	ck_assert(!plan_proc_sys_net_writable(&p));
	p.caps |= BIT(CAP_NET_ADMIN);
	ck_assert(plan_proc_sys_net_writable(&p));
	p.host_net = true; /* the host's own: never */
	ck_assert(!plan_proc_sys_net_writable(&p));
}
END_TEST

static const struct {
	const char *kv;
	const char *path; /* NULL: refused */
} sysctls[] = {
	{ "net.ipv4.ip_forward=1", "net/ipv4/ip_forward" },
	{ "net.ipv4.conf.eth0/1.forwarding=1", "net/ipv4/conf/eth0.1/forwarding" },
	{ "net.ipv6.conf.all.disable_ipv6=", "net/ipv6/conf/all/disable_ipv6" },
	{ "net.core.somaxconn=a=b", "net/core/somaxconn" },
	{ "kernel.x=1", NULL },
	{ "kernel.shmmax=1", NULL },
	{ "net=1", NULL },
	{ "net.=1", NULL },
	{ "net.ipv4..x=1", NULL },
	{ "net.ipv4.x.=1", NULL },
	{ "net.ipv4./x=1", NULL },
	{ "net.ipv4.x/.y=1", NULL },
	{ "net.ipv4.x//y=1", NULL },
	{ "net.ipv4.x/=1", NULL },
	{ "net.ipv4 .x=1", NULL },
	{ "net.ipv4.ip_forward", NULL },
	{ "=1", NULL },
	{ "net.ipv4.ip_forward=1\n2", NULL },
};

START_TEST(sysctl_keys)
{
	const char *why = plan_sysctl_check(sysctls[_i].kv);
	char path[64];

	if (!sysctls[_i].path) {
		ck_assert_msg(why, "'%s' accepted", sysctls[_i].kv);
		return;
	}
	ck_assert_msg(!why, "'%s': %s", sysctls[_i].kv, why);
	ck_assert_int_eq(plan_sysctl_path(sysctls[_i].kv, path, sizeof(path)), 0);
	ck_assert_str_eq(path, sysctls[_i].path);
	ck_assert_int_eq(plan_sysctl_path(sysctls[_i].kv, path, 5), -ENAMETOOLONG);
}
END_TEST

START_TEST(plan_check_privileges)
{
	struct plan p;

	plan_init(&p);
	p.sysctl[p.n_sysctl++] = "net.ipv4.ip_forward=1";
	ck_assert_ptr_null(plan_check(&p));
	p.host_net = true;
	ck_assert_ptr_nonnull(plan_check(&p));
	plan_init(&p);
	p.privileged = true;
	p.seccomp = "unconfined";
	ck_assert_ptr_null(plan_check(&p));
	p.seccomp = "/etc/profile.json";
	ck_assert_ptr_nonnull(plan_check(&p));
}
END_TEST

static Suite *
privileges_suite(void)
{
	Suite *s = suite_create("containode_privileges");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cap_lists);
	tcase_add_test(tc, cap_names);
	tcase_add_test(tc, cap_bounding);
	tcase_add_test(tc, docker_cap_rules);
	tcase_add_test(tc, net_admin_makes_proc_sys_net_writable);
	tcase_add_loop_test(tc, sysctl_keys, 0, (int)ARRAY_SIZE(sysctls));
	tcase_add_test(tc, plan_check_privileges);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(privileges_suite)
