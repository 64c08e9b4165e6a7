/* containode's launch plan: defaults, option checks, environment, exit codes, PATH walk. */
#include "containode/plan.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

START_TEST(default_top_is_root_dot_id)
{
	char *t;

	t = plan_default_top("/srv/rootfs", "abc");
	ck_assert_str_eq(t, "/srv/rootfs.abc");
	free(t);
	t = plan_default_top("/srv/rootfs///", "abc");
	ck_assert_str_eq(t, "/srv/rootfs.abc");
	free(t);
	t = plan_default_top("rootfs", "x");
	ck_assert_str_eq(t, "rootfs.x");
	free(t);
}
END_TEST

START_TEST(work_dir_is_a_hidden_sibling)
{
	char *w;

	w = plan_work_dir("/srv/rootfs.abc");
	ck_assert_str_eq(w, "/srv/.rootfs.abc.work");
	free(w);
	w = plan_work_dir("/top/");
	ck_assert_str_eq(w, "/.top.work");
	free(w);
	w = plan_work_dir("top");
	ck_assert_str_eq(w, ".top.work");
	free(w);
}
END_TEST

START_TEST(user_parsing)
{
	/* The form only: names are resolved in the node's /etc/passwd (image.c). */
	ck_assert(plan_user_valid("1000"));
	ck_assert(plan_user_valid("0:5"));
	ck_assert(plan_user_valid("nobody"));
	ck_assert(plan_user_valid("app:staff"));
	ck_assert(!plan_user_valid(""));
	ck_assert(!plan_user_valid("1:"));
	ck_assert(!plan_user_valid(":1"));
	ck_assert(!plan_user_valid("a:b:c"));
	ck_assert(!plan_user_valid("a b"));
}
END_TEST

START_TEST(hostname_check)
{
	struct plan p;

	ck_assert(plan_hostname_valid("r1"));
	ck_assert(plan_hostname_valid("r1.lab-a.example"));
	ck_assert(!plan_hostname_valid(""));
	ck_assert(!plan_hostname_valid("-r1"));
	ck_assert(!plan_hostname_valid("r1-"));
	ck_assert(!plan_hostname_valid("a..b"));
	ck_assert(plan_hostname_valid("leaf_1_0_1"));
	ck_assert(!plan_hostname_valid("_a"));
	ck_assert(!plan_hostname_valid("a_"));
	ck_assert(!plan_hostname_valid("a/b"));
	ck_assert(!plan_hostname_valid(
	        "0123456789012345678901234567890123456789012345678901234567890123"
	        "4"));
	plan_init(&p);
	strcpy(p.id, "node-1234");
	ck_assert_str_eq(plan_hostname(&p), "node-1234");
	p.hostname = "r1";
	ck_assert_str_eq(plan_hostname(&p), "r1");
	plan_free(&p);
}
END_TEST

START_TEST(option_combinations)
{
	struct plan p;

	plan_init(&p);
	ck_assert_ptr_null(plan_check(&p));
	p.host_net = true;
	p.n_net = 1;
	ck_assert_ptr_nonnull(plan_check(&p)); /* -N with an interface */
	p.n_net = 0;
	ck_assert_ptr_null(plan_check(&p));
	p.n_routes = 1;
	ck_assert_ptr_nonnull(plan_check(&p)); /* -N with a route */

	plan_init(&p);
	p.ephemeral = true;
	ck_assert_ptr_nonnull(plan_check(&p)); /* without -r */
	p.root = "/r";
	ck_assert_ptr_null(plan_check(&p));
	p.top = "/t";
	ck_assert_ptr_nonnull(plan_check(&p)); /* with -t */
	p.ephemeral = false;
	ck_assert_ptr_null(plan_check(&p));
	p.root = NULL;
	ck_assert_ptr_nonnull(plan_check(&p)); /* -t without -r */

	plan_init(&p);
	p.image = "alpine";
	p.top = "/t";
	ck_assert_ptr_null(plan_check(&p)); /* -t with --image */
	p.root = "/r";
	ck_assert_ptr_nonnull(plan_check(&p)); /* --image is the root */
	plan_init(&p);
	p.entrypoint = "/bin/id";
	ck_assert_ptr_nonnull(plan_check(&p)); /* --entrypoint without --image */
	p.entrypoint = NULL;
	p.pull_missing = true;
	ck_assert_ptr_nonnull(plan_check(&p)); /* --pull without --image */
	p.image = "alpine";
	ck_assert_ptr_null(plan_check(&p));
}
END_TEST

START_TEST(environment)
{
	struct plan p;

	plan_init(&p);
	strcpy(p.id, "node1");
	ck_assert_int_eq(plan_env_base(&p, "xterm-256color"), 0);
	ck_assert_uint_eq(p.n_env, 4);
	ck_assert_str_eq(plan_env_get(&p, "PATH"), PLAN_DEFAULT_PATH);
	ck_assert_str_eq(plan_env_get(&p, "HOME"), "/root");
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "dumb"); /* no terminal */
	ck_assert_str_eq(plan_env_get(&p, "HOSTNAME"), "node1");
	ck_assert_int_eq(plan_env_set(&p, "TERM=vt100", NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "vt100");
	ck_assert_uint_eq(p.n_env, 4);
	ck_assert_int_eq(plan_env_set(&p, "A=b=c", NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "A"), "b=c");
	ck_assert_int_eq(plan_env_set(&p, "FROMHOST", "v"), 0);
	ck_assert_str_eq(plan_env_get(&p, "FROMHOST"), "v");
	ck_assert_int_eq(plan_env_set(&p, "UNSET", NULL), 0);
	ck_assert_ptr_null(plan_env_get(&p, "UNSET"));
	ck_assert_int_eq(plan_env_set(&p, "=x", NULL), -EINVAL);
	ck_assert_ptr_null(plan_env_get(&p, "PAT"));
	ck_assert_ptr_null(p.env[p.n_env]);
	plan_free(&p);

	plan_init(&p);
	p.tty = true;
	p.have_user = true;
	p.uid = 1000;
	ck_assert_int_eq(plan_env_base(&p, NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "xterm");
	ck_assert_str_eq(plan_env_get(&p, "HOME"), "/");
	plan_free(&p);
}
END_TEST

START_TEST(environment_is_bounded)
{
	struct plan p;
	char kv[32];

	plan_init(&p);
	for (int i = 0; i < PLAN_ENV_MAX; i++) {
		snprintf(kv, sizeof(kv), "K%d=v", i);
		ck_assert_int_eq(plan_env_set(&p, kv, NULL), 0);
	}
	ck_assert_int_eq(plan_env_set(&p, "ONEMORE=v", NULL), -E2BIG);
	ck_assert_int_eq(plan_env_set(&p, "K7=w", NULL), 0); /* replacing still works */
	plan_free(&p);
}
END_TEST

START_TEST(resolv_conf)
{
	const char *host = "# generated\nnameserver 127.0.0.53\nnameserver 192.168.1.1\n"
	                   "nameserver ::1\nsearch lan\noptions edns0";
	char *r;

	r = plan_resolv_conf(host, false);
	ck_assert_str_eq(r, "# generated\nnameserver 192.168.1.1\nsearch lan\noptions edns0\n");
	free(r);
	r = plan_resolv_conf(host, true);
	ck_assert_str_eq(r, "# generated\nnameserver 127.0.0.53\nnameserver 192.168.1.1\n"
	                    "nameserver ::1\nsearch lan\noptions edns0\n");
	free(r);
	r = plan_resolv_conf("", false);
	ck_assert_str_eq(r, "");
	free(r);
}
END_TEST

START_TEST(hosts_file)
{
	struct plan p;
	char *h;

	plan_init(&p);
	strcpy(p.id, "box");
	h = plan_hosts(&p);
	ck_assert_ptr_nonnull(strstr(h, "127.0.0.1\tlocalhost\n"));
	ck_assert_ptr_nonnull(strstr(h, "127.0.1.1\tbox\n"));
	free(h);
	p.n_net = 1;
	p.net[0].keys = PLAN_NET_IPV4;
	inet_pton(AF_INET, "10.0.0.7", &p.net[0].v4);
	h = plan_hosts(&p);
	ck_assert_ptr_nonnull(strstr(h, "10.0.0.7\tbox\n"));
	free(h);
}
END_TEST

START_TEST(clone_flags)
{
	struct plan p;
	unsigned long all = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
	                    CLONE_NEWNET | CLONE_NEWCGROUP;

	plan_init(&p);
	ck_assert_uint_eq(plan_clone_flags(&p), all);
	p.host_net = true;
	ck_assert_uint_eq(plan_clone_flags(&p), all & ~CLONE_NEWNET);
	p.host_ipc = true;
	ck_assert_uint_eq(plan_clone_flags(&p), all & ~(CLONE_NEWNET | CLONE_NEWIPC));
}
END_TEST

START_TEST(exit_codes)
{
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, 0)), 0);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(7, 0)), 7);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(255, 0)), 255);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, SIGKILL)), 137);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, SIGSEGV)), 139);
	ck_assert_int_eq(plan_exec_exit_code(-ENOENT), 127);
	ck_assert_int_eq(plan_exec_exit_code(ENOTDIR), 127);
	ck_assert_int_eq(plan_exec_exit_code(-EACCES), 126);
	ck_assert_int_eq(plan_exec_exit_code(-ENOEXEC), 126);
}
END_TEST

START_TEST(path_walk)
{
	const char *cursor = NULL;
	char buf[64];

	ck_assert(plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/usr/bin/sh");
	ck_assert(plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/bin/sh");
	ck_assert(!plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));

	/* An empty element is the current directory. */
	cursor = NULL;
	ck_assert(plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/a/x");
	ck_assert(plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "x");
	ck_assert(!plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));

	/* A name with a slash is used as it is, once. */
	cursor = NULL;
	ck_assert(plan_path_next("./run", "/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "./run");
	ck_assert(!plan_path_next("./run", "/bin", &cursor, buf, sizeof(buf)));

	/* No PATH at all: nothing to try. */
	cursor = NULL;
	ck_assert(!plan_path_next("sh", NULL, &cursor, buf, sizeof(buf)));

	/* Too long for the buffer: skipped, the next one still tried. */
	cursor = NULL;
	ck_assert(plan_path_next("sh",
	                         "/a-very-long-directory-name-that-does-not-fit-in-the-buffer:/b",
	                         &cursor, buf, 16));
	ck_assert_str_eq(buf, "/b/sh");
}
END_TEST

/* --- The network part --- */

START_TEST(net_values)
{
	char why[PLAN_WHY_MAX];
	struct plan_net n;
	char a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(plan_net_parse(&n,
	                                "switch=/run/s.sock,segment=lan-1,ifname=up0,"
	                                "ipv4=10.1.0.2/24,ipv6=fd00:1::2/64,mac=02:aa:bb:cc:dd:ee,"
	                                "mtu=9000",
	                                why),
	                 0);
	ck_assert_str_eq(n.sock, "/run/s.sock");
	ck_assert_str_eq(n.segment, "lan-1");
	ck_assert_str_eq(n.ifname, "up0");
	ck_assert_str_eq(inet_ntop(AF_INET, &n.v4, a, sizeof(a)), "10.1.0.2");
	ck_assert_uint_eq(n.v4_prefix, 24);
	ck_assert_str_eq(inet_ntop(AF_INET6, &n.v6, a, sizeof(a)), "fd00:1::2");
	ck_assert_uint_eq(n.v6_prefix, 64);
	ck_assert_mem_eq(n.mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	ck_assert_uint_eq(n.mtu, 9000);
	ck_assert_uint_eq(n.keys, PLAN_NET_SWITCH | PLAN_NET_SEGMENT | PLAN_NET_IFNAME |
	                                  PLAN_NET_IPV4 | PLAN_NET_IPV6 | PLAN_NET_MAC |
	                                  PLAN_NET_MTU);
	plan_net_free(&n);
	/* Without a length, the classful prefix, as -4 */
	ck_assert_int_eq(plan_net_parse(&n, "ipv4=10.1.0.2", why), 0);
	ck_assert_uint_eq(n.v4_prefix, 8);
	ck_assert_int_eq(plan_net_parse(&n, "mtu=68", why), 0);
	ck_assert_int_eq(plan_net_parse(&n, "mtu=65521", why), 0);
}
END_TEST

START_TEST(net_bad_values)
{
	static const char *const bad[] = {
		"",
		",",
		"ipv4=10.0.0.1/24,",
		"=x",
		"ipv4",
		"bogus=1",
		"Switch=/s",
		"ipv4=10.0.0.1/24,ipv4=10.0.0.2/24", /* a key twice */
		"switch=",
		"ifname=",
		"ifname=a/b",
		"ifname=a:b",
		"ifname=a b",
		"ifname=..",
		"ifname=lo",
		"ifname=0123456789abcdef",
		"segment=",
		"segment=-x",
		"segment=a b",
		"ipv4=10.0.0.1/33",
		"ipv4=10.0.0",
		"ipv4=0.0.0.0/8",
		"ipv4=224.0.0.1/4",
		"ipv4=10.0.0.1/",
		"ipv6=fd00::1",
		"ipv6=fd00::1/129",
		"ipv6=fd00::1/0",
		"ipv6=::/64",
		"ipv6=ff02::1/64",
		"ipv6=::1/128",
		"ipv6=10.0.0.1/24",
		"mac=01:00:5e:00:00:01",
		"mac=ff:ff:ff:ff:ff:ff",
		"mac=00:00:00:00:00:00",
		"mac=02:00:00:00:00",
		"mac=02:00:00:00:00:0g",
		"mac=02-00-00-00-00-01",
		"mtu=67",
		"mtu=65522",
		"mtu=-1",
		"mtu=1500x",
		"mtu=",
	};
	char why[PLAN_WHY_MAX];
	struct plan_net n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(plan_net_parse(&n, bad[i], why) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_msg(why[0], "no reason for '%s'", bad[i]);
		ck_assert_ptr_null(n.sock);
	}
	ck_assert_int_eq(plan_net_parse(&n, "ipv4=10.0.0.1/24,ipv4=10.0.0.2/24", why), -EINVAL);
	ck_assert_str_eq(why, "ipv4= given twice for one interface");
}
END_TEST

START_TEST(net_shorthand_first)
{
	char why[PLAN_WHY_MAX];
	struct plan_net n;
	struct plan p;

	/* --net given before -s: the shorthand's interface is still the first, eth0 */
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "switch=/b,ipv4=10.2.0.2/24", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "switch", "/a", why), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.2/24", why), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.3/24", why), -EINVAL);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	ck_assert_uint_eq(p.n_net, 2);
	ck_assert_str_eq(p.net[0].sock, "/a");
	ck_assert_str_eq(p.net[0].ifname, "eth0");
	ck_assert_str_eq(p.net[1].sock, "/b");
	ck_assert_str_eq(p.net[1].ifname, "eth1");
	ck_assert_uint_eq(p.first.keys, 0);
	plan_free(&p);

	/* The shorthand's interface is eth0: --net ifname=eth0 beside it is refused */
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "switch=/b,ifname=eth0", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.2/24", why), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "ifname=eth0"));
	plan_free(&p);
	/* Named with -n, it may sit beside it */
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "switch=/b,ifname=eth0", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.2/24", why), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ifname", "up", why), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	ck_assert_str_eq(p.net[0].ifname, "up");
	plan_free(&p);

	/* -n alone names nothing */
	plan_init(&p);
	ck_assert_int_eq(plan_net_set(&p.first, "ifname", "x", why), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	plan_free(&p);

	/* No more than PLAN_NET_MAX, the shorthand's included */
	plan_init(&p);
	for (int i = 0; i < PLAN_NET_MAX; i++) {
		ck_assert_int_eq(plan_net_parse(&n, "mtu=1500", why), 0);
		ck_assert_int_eq(plan_net_add(&p, &n), 0);
	}
	ck_assert_int_eq(plan_net_parse(&n, "mtu=1500", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), -E2BIG);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.3/24", why), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	plan_free(&p);
}
END_TEST

/* A finished plan of one --net value: 0 or the error. */
static int
one_net(const char *value, struct plan *p, char why[PLAN_WHY_MAX])
{
	struct plan_net n;
	int r;

	plan_init(p);
	r = plan_net_parse(&n, value, why);
	if (r < 0)
		return r;
	ck_assert_int_eq(plan_net_add(p, &n), 0);
	return plan_net_finish(p, why);
}

START_TEST(net_vlan_roles)
{
	char why[PLAN_WHY_MAX];
	struct plan p;

	ck_assert_int_eq(one_net("switch=/s,access=10", &p, why), 0);
	ck_assert_int_eq(p.net[0].vlan.mode, CTL_VLAN_ACCESS);
	ck_assert_uint_eq(p.net[0].vlan.access, 10);
	plan_free(&p);
	/* trunk=10,20: the bare numbers after it are more of its VLANs */
	ck_assert_int_eq(one_net("switch=/s,trunk=10,20,4094,native=1,mtu=1400", &p, why), 0);
	ck_assert_int_eq(p.net[0].vlan.mode, CTL_VLAN_TRUNK);
	ck_assert_uint_eq(p.net[0].vlan.trunk[0], 1ULL << 10 | 1ULL << 20);
	ck_assert_uint_eq(p.net[0].vlan.trunk[63], 1ULL << (4094 % 64));
	ck_assert_uint_eq(p.net[0].vlan.native, 1);
	ck_assert_uint_eq(p.net[0].mtu, 1400);
	plan_free(&p);
	ck_assert_int_eq(one_net("trunk=5,switch=/s", &p, why), 0);
	ck_assert_int_eq(p.net[0].vlan.mode, CTL_VLAN_TRUNK);
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s", &p, why), 0);
	ck_assert_int_eq(p.net[0].vlan.mode, CTL_VLAN_NONE);
	plan_free(&p);

	ck_assert_int_eq(one_net("switch=/s,access=0", &p, why), -EINVAL);
	ck_assert_str_eq(why, "invalid VLAN ID '0' for access= (1 to 4094)");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,access=4095", &p, why), -EINVAL);
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,trunk=10,10", &p, why), -EINVAL);
	ck_assert_str_eq(why, "VLAN 10 given twice in trunk=");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,trunk=10,x", &p, why), -EINVAL);
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,trunk=10,4095", &p, why), -EINVAL);
	ck_assert_str_eq(why, "invalid VLAN ID '4095' in trunk= (1 to 4094)");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,mtu=1400,20", &p, why), -EINVAL);
	ck_assert_str_eq(why, "'20' is not KEY=VALUE");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,trunk=", &p, why), -EINVAL);
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,access=10,trunk=20", &p, why), -EINVAL);
	ck_assert_str_eq(why, "eth0: access= or trunk=, not both");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,native=10", &p, why), -EINVAL);
	ck_assert_str_eq(why, "eth0: native= goes with trunk=");
	plan_free(&p);
	ck_assert_int_eq(one_net("access=10", &p, why), -EINVAL);
	ck_assert_str_eq(why, "eth0: a VLAN role needs switch=");
	plan_free(&p);
	ck_assert_int_eq(one_net("switch=/s,trunk=10,trunk=20", &p, why), -EINVAL);
	ck_assert_str_eq(why, "trunk= given twice for one interface");
	plan_free(&p);
}
END_TEST

START_TEST(net_names_and_macs)
{
	char why[PLAN_WHY_MAX];
	struct plan_net n;
	struct plan p;
	uint8_t m1[6], m2[6];

	/* Unnamed interfaces take the first free ethN around the named ones */
	plan_init(&p);
	strcpy(p.id, "node1");
	ck_assert_int_eq(plan_net_parse(&n, "mtu=1500", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_parse(&n, "ifname=eth0", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_parse(&n, "mtu=1500", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	ck_assert_str_eq(p.net[0].ifname, "eth1");
	ck_assert_str_eq(p.net[1].ifname, "eth0");
	ck_assert_str_eq(p.net[2].ifname, "eth2");
	/* MACs from the identity and the name: distinct, stable, local unicast */
	ck_assert_int_eq(plan_net_macs(&p, why), 0);
	plan_net_default_mac("node1", "eth1", m1);
	ck_assert_mem_eq(p.net[0].mac, m1, 6);
	ck_assert_int_ne(memcmp(p.net[0].mac, p.net[1].mac, 6), 0);
	ck_assert_int_eq(p.net[0].mac[0], 0x02);
	plan_net_default_mac("node2", "eth1", m2);
	ck_assert_int_ne(memcmp(m1, m2, 6), 0);
	plan_free(&p);

	/* Names twice, MACs twice: given, or given equal to one derived */
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "ifname=a", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_parse(&n, "ifname=a", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	plan_free(&p);
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "mac=02:00:00:00:00:01", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_parse(&n, "mac=02:00:00:00:00:01", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	plan_free(&p);
	plan_init(&p);
	strcpy(p.id, "node1");
	plan_net_default_mac("node1", "eth1", m1);
	ck_assert_int_eq(plan_net_parse(&n, "mtu=1500", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_parse(&n, "mac=00:00:00:00:00:01", why), 0);
	memcpy(n.mac, m1, 6); /* what eth1 would get */
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	ck_assert_int_eq(plan_net_macs(&p, why), 0); /* eth0's own and eth1's given one differ */
	memcpy(p.net[1].mac, p.net[0].mac, 6);
	ck_assert_int_eq(plan_net_macs(&p, why), -EINVAL);
	plan_free(&p);

	/* IPv6 needs 1280 */
	plan_init(&p);
	ck_assert_int_eq(plan_net_parse(&n, "ipv6=fd00::1/64,mtu=1279", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	plan_free(&p);
}
END_TEST

START_TEST(routes)
{
	static const char *const bad[] = {
		"",
		"10.2.0.0/24",
		"10.2.0.0/24 via",
		"10.2.0.0/24 by 10.1.0.1",
		"10.2.0.0/24 via 10.1.0.1 extra",
		"10.2.0.1/24 via 10.1.0.1", /* host bits */
		"10.2.0.0/33 via 10.1.0.1",
		"10.2.0.0/24 via fd00::1",
		"fd02::/64 via 10.1.0.1",
		"default via 0.0.0.0",
		"default via ff02::1",
		"nowhere via 10.1.0.1",
		"fd02::1/64 via fd00::1",
	};
	char why[PLAN_WHY_MAX], text[128];
	struct plan_net n;
	struct plan p;

	plan_init(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(plan_route_add(&p, bad[i], why) == -EINVAL, "accepted '%s'", bad[i]);
	ck_assert_uint_eq(p.n_routes, 0);
	ck_assert_int_eq(plan_route_add(&p, "10.2.0.0/24 via 10.1.0.1", why), 0);
	ck_assert_int_eq(plan_route_add(&p, "10.3.0.9 via 10.1.0.1", why), 0);
	ck_assert_int_eq(plan_route_add(&p, "default via fd00:1::1", why), 0);
	ck_assert_int_eq(plan_route_add(&p, "fd02::/64 via fd00:1::1", why), 0);
	ck_assert_int_eq(plan_gateway_add(&p, "10.1.0.1", why), 0);
	ck_assert_int_eq(plan_gateway_add(&p, "fd00:1::1", why), -EINVAL); /* -g is IPv4 */
	/* One destination once: -g and --route default too */
	ck_assert_int_eq(plan_route_add(&p, "default via 10.1.0.9", why), -EINVAL);
	ck_assert_int_eq(plan_route_add(&p, "10.2.0.0/24 via 10.1.0.9", why), -EINVAL);
	ck_assert_uint_eq(p.n_routes, 5);
	plan_route_format(&p.routes[0], text, sizeof(text));
	ck_assert_str_eq(text, "10.2.0.0/24 via 10.1.0.1");
	plan_route_format(&p.routes[1], text, sizeof(text));
	ck_assert_str_eq(text, "10.3.0.9/32 via 10.1.0.1");
	plan_route_format(&p.routes[2], text, sizeof(text));
	ck_assert_str_eq(text, "default via fd00:1::1");
	plan_route_format(&p.routes[4], text, sizeof(text));
	ck_assert_str_eq(text, "default via 10.1.0.1");

	/* Each gateway must be on an interface's subnet; that interface carries the route */
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.2/16", why), 0);
	ck_assert_int_eq(plan_net_parse(&n, "ipv6=fd00:1::2/64", why), 0);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	ck_assert_int_eq(plan_route_net(&p, &p.routes[0]), 0);
	ck_assert_int_eq(plan_route_net(&p, &p.routes[2]), 1);
	plan_free(&p);

	plan_init(&p);
	ck_assert_int_eq(plan_route_add(&p, "10.2.0.0/24 via 10.1.1.1", why), 0);
	ck_assert_int_eq(plan_net_set(&p.first, "ipv4", "10.1.0.2/24", why), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	ck_assert_str_eq(
	        why,
	        "route 10.2.0.0/24 via 10.1.1.1: the gateway is on none of the interfaces' subnets");
	plan_free(&p);
}
END_TEST

START_TEST(net_auto_addresses)
{
	char why[PLAN_WHY_MAX];
	struct plan_net n = {};
	struct plan p;
	char dns[2][CTL_ADDR_MAX] = { "10.0.0.253", "fd00::53" };
	char *text;

	ck_assert_int_eq(plan_net_parse(&n, "switch=/s,ipv4=auto,ipv6=auto", why), 0);
	ck_assert(n.v4_auto && n.v6_auto);
	ck_assert(n.keys & PLAN_NET_IPV4);
	plan_init(&p);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), 0);
	/* No subnet is known before the switch answers: a route via it is refused. */
	ck_assert_int_eq(plan_route_add(&p, "10.9.0.0/16 via 0.0.0.1", why), 0);
	ck_assert_int_lt(plan_route_net(&p, &p.routes[0]), 0);
	text = plan_hosts(&p);
	ck_assert_ptr_nonnull(strstr(text, "127.0.1.1"));
	free(text);
	plan_free(&p);
	/* auto without a switch */
	memset(&n, 0, sizeof(n));
	ck_assert_int_eq(plan_net_parse(&n, "ipv4=auto", why), 0);
	plan_init(&p);
	ck_assert_int_eq(plan_net_add(&p, &n), 0);
	ck_assert_int_eq(plan_net_finish(&p, why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "switch="));
	plan_free(&p);
	text = plan_resolv_switch(NULL, (const char(*)[CTL_ADDR_MAX])dns, 2);
	ck_assert_str_eq(text, "nameserver 10.0.0.253\nnameserver fd00::53\n");
	free(text);
	text = plan_resolv_switch("lab1.example", (const char(*)[CTL_ADDR_MAX])dns, 1);
	ck_assert_str_eq(text, "search lab1.example\nnameserver 10.0.0.253\n");
	free(text);
}
END_TEST

START_TEST(path_normal_form)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "/", "/" },
		{ "//", "/" },
		{ "/a", "/a" },
		{ "/a/", "/a" },
		{ "//a//b/", "/a/b" },
		{ "/./a/./b/.", "/a/b" },
		{ "/a/.b/..c", "/a/.b/..c" },
		{ "/.../x", "/.../x" },
	};
	static const char *const bad[] = { "", "a", "./a", "/..", "/a/../b", "/a/..", "a/b" };
	char buf[64], tiny[4];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		ck_assert_msg(plan_path_normalize(good[i].in, buf, sizeof(buf)) == 0,
		              "refused '%s'", good[i].in);
		ck_assert_str_eq(buf, good[i].out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(plan_path_normalize(bad[i], buf, sizeof(buf)) == -EINVAL,
		              "accepted '%s'", bad[i]);
	ck_assert_int_eq(plan_path_normalize("/abc", tiny, sizeof(tiny)), -ENAMETOOLONG);
	ck_assert_int_eq(plan_path_normalize("/ab", tiny, sizeof(tiny)), 0);
	ck_assert_str_eq(tiny, "/ab");
}
END_TEST

START_TEST(volumes)
{
	static const struct {
		const char *arg, *why;
	} bad[] = {
		{ "/src", "'/src' is not SRC:DST[:ro]" },
		{ ":/x", "':/x' is not SRC:DST[:ro]" },
		{ "/src:", "'/src:' has no DST" },
		{ "/src::ro", "'/src::ro' has no DST" },
		{ "/src:x", "DST 'x' is not an absolute path" },
		{ "/src:/a/../../etc", "DST '/a/../../etc' has a '..' component" },
		{ "/src:/..", "DST '/..' has a '..' component" },
		{ "/src://./", "DST '/' would replace the node's root" },
		{ "/src:/proc", "DST '/proc' is in the kernel's /proc or /sys" },
		{ "/src:/sys/fs//x", "DST '/sys/fs/x' is in the kernel's /proc or /sys" },
		{ "/src:/x:rx", "unknown mode 'rx' (ro or rw)" },
		{ "/src:/x:ro:y", "'/src:/x:ro:y' has more than SRC:DST:MODE (no ':' in paths)" },
		{ "/src:/data/", "DST '/data' given twice" },
	};
	char why[PLAN_WHY_MAX];
	struct plan p;

	plan_init(&p);
	ck_assert_int_eq(plan_volume_add(&p, "/srv/data:/data", why), 0);
	ck_assert_int_eq(plan_volume_add(&p, "shared:/shared//./x/:ro", why), 0);
	ck_assert_int_eq(plan_volume_add(&p, "/f:/procfs:rw", why), 0);
	ck_assert_int_eq(plan_volume_add(&p, "/f:/sysx/y", why), 0);
	ck_assert_uint_eq(p.n_volumes, 4);
	ck_assert_str_eq(p.volumes[0].src, "/srv/data");
	ck_assert_str_eq(p.volumes[0].dst, "/data");
	ck_assert(!p.volumes[0].readonly);
	ck_assert_str_eq(p.volumes[1].src, "shared");
	ck_assert_str_eq(p.volumes[1].dst, "/shared/x");
	ck_assert(p.volumes[1].readonly);
	ck_assert(!p.volumes[2].readonly);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(plan_volume_add(&p, bad[i].arg, why) == -EINVAL, "accepted '%s'",
		              bad[i].arg);
		ck_assert_str_eq(why, bad[i].why);
	}
	ck_assert_uint_eq(p.n_volumes, 4);
	for (size_t i = p.n_volumes; i < PLAN_VOLUME_MAX; i++) {
		char arg[32];

		snprintf(arg, sizeof(arg), "/s:/v%zu", i);
		ck_assert_int_eq(plan_volume_add(&p, arg, why), 0);
	}
	ck_assert_int_eq(plan_volume_add(&p, "/s:/one-more", why), -E2BIG);
	ck_assert_str_eq(why, "more than 32 volumes");
	plan_free(&p);
	ck_assert_uint_eq(p.n_volumes, 0);
}
END_TEST

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("containode_plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, default_top_is_root_dot_id);
	tcase_add_test(tc, work_dir_is_a_hidden_sibling);
	tcase_add_test(tc, user_parsing);
	tcase_add_test(tc, hostname_check);
	tcase_add_test(tc, option_combinations);
	tcase_add_test(tc, environment);
	tcase_add_test(tc, environment_is_bounded);
	tcase_add_test(tc, resolv_conf);
	tcase_add_test(tc, hosts_file);
	tcase_add_test(tc, clone_flags);
	tcase_add_test(tc, exit_codes);
	tcase_add_test(tc, path_walk);
	tcase_add_test(tc, net_values);
	tcase_add_test(tc, net_bad_values);
	tcase_add_test(tc, net_auto_addresses);
	tcase_add_test(tc, net_shorthand_first);
	tcase_add_test(tc, net_names_and_macs);
	tcase_add_test(tc, net_vlan_roles);
	tcase_add_test(tc, routes);
	tcase_add_test(tc, path_normal_form);
	tcase_add_test(tc, volumes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(plan_suite)
