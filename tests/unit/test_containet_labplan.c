/*
 * The lab runner's pure parts: Mininet's topologies as lab text, the lab's name, the
 * image a node runs, and the command lines of containode that start a node as Kathara
 * starts its devices.
 */
#include "containet/lab/labconf.h"
#include "containet/lab/labdep.h"
#include "containet/lab/labext.h"
#include "containet/lab/labplan.h"
#include "containet/lab/labtopo.h"
#include "strv.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct lab *
parse(const char *conf, const char *ext, const char *dep)
{
	struct lab *lab = labconf_new();
	char *err = NULL;
	int r;

	ck_assert_ptr_nonnull(lab);
	r = labconf_parse_conf(lab, conf, strlen(conf), "lab.conf", &err);
	if (r == 0 && ext)
		r = labext_parse(lab, ext, strlen(ext), "lab.ext", &err);
	if (r == 0 && dep)
		r = labdep_parse(lab, dep, strlen(dep), "lab.dep", &err);
	ck_assert_msg(r == 0, "parse: %s", err ? err : "?");
	free(err);
	return lab;
}

/* The index of s in v, or -1. */
static int
find(char **v, const char *s)
{
	for (int i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return i;
	return -1;
}

static int
count_prefix(char **v, const char *prefix)
{
	int n = 0;

	for (int i = 0; v && v[i]; i++)
		n += strncmp(v[i], prefix, strlen(prefix)) == 0;
	return n;
}

#define HAS(v, s) ck_assert_msg(find(v, s) >= 0, "missing '%s'", s)
#define HASNT(v, s) ck_assert_msg(find(v, s) < 0, "unexpected '%s'", s)

START_TEST(topo_specs)
{
	struct labtopo t;
	char *err = NULL;

	ck_assert_int_eq(labtopo_parse("single,3", &t, &err), 0);
	ck_assert_int_eq(t.kind, LABTOPO_SINGLE);
	ck_assert_uint_eq(t.hosts, 3);
	ck_assert_int_eq(labtopo_parse("linear,10", &t, &err), 0);
	ck_assert_uint_eq(t.hosts, 10);
	ck_assert_int_eq(labtopo_parse("tree,2,3", &t, &err), 0);
	ck_assert_uint_eq(t.hosts, 9);
	ck_assert_int_eq(labtopo_parse("tree,3", &t, &err), 0);
	ck_assert_uint_eq(t.hosts, 8);
	ck_assert_int_eq(labtopo_parse("single,1024", &t, &err), 0);
	static const char *const bad[][2] = {
		{ "single", "wants one number" },
		{ "single,0", "from 1 to 1024" },
		{ "single,1025", "from 1 to 1024" },
		{ "single,3,4", "wants one number" },
		{ "single,,3", "is not single" },
		{ ",single,3", "is not single" },
		{ "single,3,", "is not single" },
		{ "single,-3", "not '-3'" },
		{ "single,3x", "not '3x'" },
		{ "ring,3", "unknown topology 'ring'" },
		{ "tree,11,2", "DEPTH" },
		{ "tree,4,6", "more than 1024 hosts" },
		{ "tree,2,3,4", "tree wants" },
		{ "", "is not single" },
		{ "single,00000000000000000000000000000000000000000000000000000000000000001",
		  "too long" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		free(err);
		err = NULL;
		ck_assert_int_eq(labtopo_parse(bad[i][0], &t, &err), -EINVAL);
		ck_assert_msg(err && strstr(err, bad[i][1]), "'%s': %s", bad[i][0], err);
	}
	free(err);
}
END_TEST

START_TEST(topo_lab)
{
	struct lab *lab = NULL;
	char *err = NULL;

	ck_assert_int_eq(labtopo_lab("single,300", &lab, &err), 0);
	ck_assert_uint_eq(lab->n_nodes, 300);
	ck_assert_uint_eq(lab->n_segments, 1);
	ck_assert_str_eq(lab->segments[0].name, "s1");
	ck_assert_str_eq(lab->nodes[0].name, "h1");
	ck_assert_str_eq(lab->nodes[0].ifaces[0].ipv4, "10.0.0.1/8");
	ck_assert_str_eq(lab->nodes[255].ifaces[0].ipv4, "10.0.1.0/8");
	ck_assert_str_eq(lab->nodes[299].name, "h300");
	ck_assert_str_eq(lab->nodes[299].ifaces[0].ipv4, "10.0.1.44/8");
	labconf_free(lab);
	ck_assert_int_eq(labtopo_lab("tree,2,2", &lab, &err), 0);
	ck_assert_uint_eq(lab->n_nodes, 4);
	labconf_free(lab);
	ck_assert_int_eq(labtopo_lab("linear,0", &lab, &err), -EINVAL);
	free(err);
}
END_TEST

START_TEST(names)
{
	char a[LABPLAN_NAME_MAX + 1], b[LABPLAN_NAME_MAX + 1];

	ck_assert(labplan_name_valid("lab1"));
	ck_assert(labplan_name_valid("a.b-c_D"));
	ck_assert(labplan_name_valid("12345678901234567890123456789012"));
	ck_assert(!labplan_name_valid("123456789012345678901234567890123"));
	ck_assert(!labplan_name_valid(""));
	ck_assert(!labplan_name_valid("-x"));
	ck_assert(!labplan_name_valid(".x"));
	ck_assert(!labplan_name_valid("a/b"));
	ck_assert(!labplan_name_valid("a b"));
	ck_assert(labplan_node_name_valid("r1_a"));
	ck_assert(!labplan_node_name_valid("R1"));
	ck_assert(!labplan_node_name_valid("a-b"));
	ck_assert(!labplan_node_name_valid("1234567890123456789012345678901"));

	/* The same directory of the same user: the same name; another one: another name. */
	labplan_default_name("alice", "/home/alice/lab1", a);
	labplan_default_name("alice", "/home/alice/lab1", b);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(strncmp(a, "alice-", 6), 0);
	ck_assert_uint_eq(strlen(a), 14);
	labplan_default_name("alice", "/home/alice/lab2", b);
	ck_assert_str_ne(a, b);
	labplan_default_name("bob", "/home/alice/lab1", b);
	ck_assert_str_ne(a, b);
	ck_assert(labplan_name_valid(a));
	/* Odd user names still give valid, bounded names. */
	labplan_default_name("a very long user name with blanks/and/slashes", "/x", b);
	ck_assert(labplan_name_valid(b));
	ck_assert_int_eq(strncmp(b, "a_very_long_user-", 17), 0);
	labplan_default_name("", "/x", b);
	ck_assert(labplan_name_valid(b));
	labplan_default_name("-dash", "/x", b);
	ck_assert(labplan_name_valid(b));
	labplan_default_name(NULL, "/x", b);
	ck_assert(labplan_name_valid(b));
}
END_TEST

START_TEST(images)
{
	struct lab *lab =
	        parse("a[0]=A\nb[0]=A\nb[image]=kathara/frr\nc[0]=A\n"
	              "c[image]=kathara/base:latest\nd[0]=A\nd[image]=other\n",
	              "IMAGE_MAP=\"kathara/base=local/base kathara/frr=local/frr\"\n", NULL);
	struct lab_pair cli[] = { { "kathara/frr", "cli/frr" } };
	struct labplan p = { .name = "t", .state_dir = "/s" };

	/* No image anywhere: the host's root. */
	ck_assert_ptr_null(labplan_image(lab, &lab->nodes[0], &p));
	ck_assert_str_eq(labplan_image(lab, &lab->nodes[1], &p), "local/frr");
	ck_assert_str_eq(labplan_image(lab, &lab->nodes[2], &p), "local/base");
	ck_assert_str_eq(labplan_image(lab, &lab->nodes[3], &p), "other");
	/* --image for nodes without one, mapped too; --image-map before lab.ext's. */
	p.default_image = "kathara/base";
	ck_assert_str_eq(labplan_image(lab, &lab->nodes[0], &p), "local/base");
	p.image_map = cli;
	p.n_image_map = 1;
	ck_assert_str_eq(labplan_image(lab, &lab->nodes[1], &p), "cli/frr");
	labconf_free(lab);
}
END_TEST

START_TEST(node_as_kathara_runs_it)
{
	struct lab *lab =
	        parse("r1[0]=A/02:00:00:00:00:0a\nr1[1]=B\nr1[image]=img\n"
	              "r1[sysctl]=net.ipv4.ip_forward=0\nr1[env]=X=1\n"
	              "r1[port]=8080:80/tcp\nr1[mem]=64m\nr1[cpus]=0.5\n",
	              "r1[0.ip]=10.0.0.1/24\nr1[1.ip]=fd00::1/64\nr1[gw]=10.0.0.254\n", NULL);
	struct labplan p = { .name = "lab1",
		             .state_dir = "/run/l/lab1",
		             .lab_dir = "/home/u/lab1",
		             .shared = true };
	char **v = NULL, **warn = NULL;

	ck_assert_int_eq(labplan_node_argv(lab, 0, &p, "containode", &v, &warn), 0);
	ck_assert_str_eq(v[0], "containode");
	ck_assert_str_eq(v[1], "--state-dir=/run/l/lab1/nodes");
	ck_assert_str_eq(v[2], "run");
	ck_assert_str_eq(v[3], "-d");
	HAS(v, "--name=lab1-r1");
	HAS(v, "--hostname=r1");
	ck_assert_int_eq(count_prefix(v, "--cgroup-parent=/containet/lab/lab1."), 1);
	HAS(v, "--image=img");
	HAS(v, "--top=/run/l/lab1/upper/r1");
	HAS(v, "--cap-add=NET_ADMIN,NET_RAW,NET_BROADCAST,NET_BIND_SERVICE,SYS_ADMIN");
	HASNT(v, "--privileged");
	/* Kathara's sysctls, the node's own winning (ip_forward=0 replaces 1, in place). */
	HAS(v, "--sysctl=net.ipv4.conf.all.rp_filter=0");
	HAS(v, "--sysctl=net.ipv4.conf.default.rp_filter=0");
	HAS(v, "--sysctl=net.ipv4.conf.lo.rp_filter=0");
	HAS(v, "--sysctl=net.ipv4.conf.eth0.rp_filter=0");
	HAS(v, "--sysctl=net.ipv4.conf.eth1.rp_filter=0");
	HAS(v, "--sysctl=net.ipv4.icmp_ratelimit=0");
	HAS(v, "--sysctl=net.ipv4.ip_forward=0");
	HASNT(v, "--sysctl=net.ipv4.ip_forward=1");
	HAS(v, "--sysctl=net.ipv6.conf.all.disable_ipv6=1");
	HAS(v, "--sysctl=net.ipv6.conf.default.disable_ipv6=1");
	HAS(v, "--sysctl=net.ipv6.conf.eth1.disable_ipv6=1");
	ck_assert_int_eq(count_prefix(v, "--sysctl=net.ipv4.ip_forward="), 1);
	HAS(v, "--net=switch=/run/l/lab1/switch.sock,segment=A,ifname=eth0,mac=02:00:00:00:00:0a,"
	       "ipv4=10.0.0.1/24");
	HAS(v, "--net=switch=/run/l/lab1/switch.sock,segment=B,ifname=eth1,ipv6=fd00::1/64");
	ck_assert_int_eq(count_prefix(v, "--net="), 2);
	ck_assert_int_lt(find(v, "--net=switch=/run/l/lab1/switch.sock,segment=A,ifname=eth0,"
	                         "mac=02:00:00:00:00:0a,ipv4=10.0.0.1/24"),
	                 find(v, "--net=switch=/run/l/lab1/switch.sock,segment=B,ifname=eth1,"
	                         "ipv6=fd00::1/64"));
	HAS(v, "--gateway=10.0.0.254");
	HAS(v, "--env=X=1");
	HAS(v, "--publish=8080:80/tcp");
	HAS(v, "--memory=64m");
	HAS(v, "--cpus=0.5");
	HAS(v, "--volume=/home/u/lab1/shared:/shared");
	/* No entrypoint or args in the lab: the image's are replaced by a command that waits. */
	HAS(v, "--entrypoint=");
	ck_assert_int_eq(find(v, "--") + 4, (int)strv_len(v));
	ck_assert_str_eq(v[find(v, "--") + 1], "/bin/sh");
	ck_assert_ptr_null(warn);
	strv_free(v);
	labconf_free(lab);
}
END_TEST

/* Kathara's data-center labs name nodes leaf_1_0_1, their host name too, as under Docker. */
START_TEST(underscore_names)
{
	struct lab *lab = parse("leaf_1_0_1[0]=A\nleaf_1_0_1[image]=img\n", NULL, NULL);
	struct labplan p = { .name = "dc", .state_dir = "/run/l/dc", .lab_dir = "/home/u/dc" };
	char **v = NULL, **warn = NULL;

	ck_assert_int_eq(labplan_node_argv(lab, 0, &p, "containode", &v, &warn), 0);
	HAS(v, "--name=dc-leaf_1_0_1");
	HAS(v, "--hostname=leaf_1_0_1");
	HAS(v, "--top=/run/l/dc/upper/leaf_1_0_1");
	ck_assert_ptr_null(warn);
	strv_free(v);
	labconf_free(lab);
}
END_TEST

START_TEST(node_variants)
{
	struct lab *lab = parse("h[0]=A\nh[ipv6]=true\nh[privileged]=true\n"
	                        "e[0]=A\ne[image]=img\ne[entrypoint]=/sbin/init\n"
	                        "a[0]=A\na[image]=img\na[args]=sleep  100\n"
	                        "b[0]=A\nb[bridged]=true\n",
	                        "h[gw]=fd00::fe\nh[0.vlan]=10\n"
	                        "e[0.vlan]=trunk:10,20,30 native:5\na[0.vlan]=trunk:7\n",
	                        NULL);
	struct labplan p = { .name = "l", .state_dir = "/s", .pull = "missing" };
	char **v = NULL, **warn = NULL;
	int dd;

	/* No image: the host's root, read-only with a private layer; privileged; IPv6 on. */
	ck_assert_int_eq(labplan_node_argv(lab, 0, &p, "/bin/containode", &v, &warn), 0);
	HAS(v, "--root=/");
	ck_assert_int_eq(count_prefix(v, "--pull"), 0); /* no image, nothing to pull */
	HAS(v, "--privileged");
	ck_assert_int_eq(count_prefix(v, "--cap-add"), 0);
	ck_assert_int_eq(count_prefix(v, "--entrypoint"), 0);
	ck_assert_int_eq(count_prefix(v, "--volume"), 0);
	HAS(v, "--sysctl=net.ipv6.conf.all.disable_ipv6=0");
	HAS(v, "--sysctl=net.ipv6.conf.all.forwarding=1");
	HAS(v, "--sysctl=net.ipv6.conf.all.accept_ra=0");
	HAS(v, "--sysctl=net.ipv6.conf.eth0.forwarding=1");
	HAS(v, "--route=default via fd00::fe");
	/* node[N.vlan]: the port's VLAN role in containode's --net. */
	HAS(v, "--net=switch=/s/switch.sock,segment=A,ifname=eth0,access=10");
	ck_assert_ptr_null(warn);
	strv_free(v);
	v = NULL;

	/* entrypoint: the lab's, and nothing after "--". */
	ck_assert_int_eq(labplan_node_argv(lab, 1, &p, "containode", &v, &warn), 0);
	HAS(v, "--entrypoint=/sbin/init");
	HAS(v, "--pull=missing"); /* lab up --pull: containode's, for a node with an image */
	HAS(v, "--net=switch=/s/switch.sock,segment=A,ifname=eth0,trunk=10,20,30,native=5");
	ck_assert_int_eq(find(v, "--") + 1, (int)strv_len(v));
	strv_free(v);
	v = NULL;

	/* args: replace the image's Cmd, its Entrypoint stays. */
	ck_assert_int_eq(labplan_node_argv(lab, 2, &p, "containode", &v, &warn), 0);
	ck_assert_int_eq(count_prefix(v, "--entrypoint"), 0);
	dd = find(v, "--");
	ck_assert_str_eq(v[dd + 1], "sleep");
	ck_assert_str_eq(v[dd + 2], "100");
	ck_assert_ptr_null(v[dd + 3]);
	HAS(v, "--net=switch=/s/switch.sock,segment=A,ifname=eth0,trunk=7");
	strv_free(v);
	v = NULL;

	/* bridged without a management segment (a plan that has none): warned about. */
	ck_assert_int_eq(labplan_node_argv(lab, 3, &p, "containode", &v, &warn), 0);
	ck_assert_ptr_nonnull(warn);
	ck_assert_ptr_nonnull(strstr(warn[0], "bridged"));
	ck_assert_int_eq(count_prefix(v, "--net="), 1);
	strv_free(v);
	strv_free(warn);
	labconf_free(lab);
}
END_TEST

START_TEST(bridged)
{
	struct lab *lab = parse("b[0]=A\nb[1]=B\nb[bridged]=true\n"
	                        "g[0]=A\ng[bridged]=true\n"
	                        "n[bridged]=true\n"
	                        "p[0]=A\n",
	                        "g[gw]=10.0.0.1\ng[0.ip]=10.0.0.2/24\n", NULL);
	struct labmgmt m = { .net = 42, .port = "ctm00000000" };
	struct labplan p = { .name = "l", .state_dir = "/s", .mgmt = &m };
	char **v = NULL, **warn = NULL;

	ck_assert_int_eq(labmgmt_add_node(&m, "b"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "g"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "n"), 0);
	/* The management interface after the last one, Kathara's order; the default route. */
	ck_assert_int_eq(labplan_node_argv(lab, 0, &p, "containode", &v, &warn), 0);
	ck_assert_ptr_null(warn);
	HAS(v, "--net=switch=/s/switch.sock,segment=A,ifname=eth0");
	HAS(v, "--net=switch=/s/switch.sock,segment=B,ifname=eth1");
	HAS(v, "--net=switch=/s/switch.sock,segment=lab-mgmt,ifname=eth2,ipv4=172.30.42.1/24");
	ck_assert_int_gt(find(v, "--net=switch=/s/switch.sock,segment=lab-mgmt,ifname=eth2,"
	                         "ipv4=172.30.42.1/24"),
	                 find(v, "--net=switch=/s/switch.sock,segment=B,ifname=eth1"));
	HAS(v, "--gateway=172.30.42.254");
	strv_free(v);
	v = NULL;
	/* node[gw]: the lab's default route, not the management one. */
	ck_assert_int_eq(labplan_node_argv(lab, 1, &p, "containode", &v, &warn), 0);
	HAS(v, "--net=switch=/s/switch.sock,segment=lab-mgmt,ifname=eth1,ipv4=172.30.42.2/24");
	HAS(v, "--gateway=10.0.0.1");
	HASNT(v, "--gateway=172.30.42.254");
	strv_free(v);
	v = NULL;
	/* A node with no interface of the lab: the management one is eth0. */
	ck_assert_int_eq(labplan_node_argv(lab, 2, &p, "containode", &v, &warn), 0);
	HAS(v, "--net=switch=/s/switch.sock,segment=lab-mgmt,ifname=eth0,ipv4=172.30.42.3/24");
	strv_free(v);
	v = NULL;
	/* Not bridged: nothing of it. */
	ck_assert_int_eq(labplan_node_argv(lab, 3, &p, "containode", &v, &warn), 0);
	ck_assert_int_eq(count_prefix(v, "--gateway"), 0);
	ck_assert_int_eq(count_prefix(v, "--net="), 1);
	strv_free(v);
	labconf_free(lab);
}
END_TEST

START_TEST(scripts_and_exec)
{
	struct lab *lab = parse("pc1[0]=A\npc1[exec]=echo one\npc1[exec]=echo two\n", NULL, NULL);
	struct labplan p = { .name = "l", .state_dir = "/s" };
	char *s = labplan_startup_script(&lab->nodes[0]);
	char *cmd[] = { "ip", "-4", "addr", NULL };
	char **v = NULL;

	ck_assert_ptr_nonnull(strstr(s, "/hostlab/shared.startup"));
	ck_assert_ptr_nonnull(strstr(s, "-x /hostlab/pc1.startup >/var/log/startup.log"));
	ck_assert(strstr(s, "shared.startup") < strstr(s, "pc1.startup"));
	ck_assert(strstr(s, "pc1.startup") < strstr(s, "echo one"));
	ck_assert(strstr(s, "echo one") < strstr(s, "echo two"));
	free(s);
	s = labplan_shutdown_script(&lab->nodes[0]);
	ck_assert(strstr(s, "/hostlab/pc1.shutdown") < strstr(s, "/hostlab/shared.shutdown"));
	free(s);

	ck_assert_int_eq(labplan_exec_argv(&p, "containode", "pc1", false, cmd, &v), 0);
	ck_assert_str_eq(v[1], "--state-dir=/s/nodes");
	ck_assert_str_eq(v[2], "exec");
	ck_assert_str_eq(v[3], "--");
	ck_assert_str_eq(v[4], "l-pc1");
	ck_assert_str_eq(v[5], "ip");
	ck_assert_str_eq(v[6], "-4");
	ck_assert_uint_eq(strv_len(v), 8);
	strv_free(v);
	ck_assert_int_eq(labplan_exec_argv(&p, "containode", "pc1", true, cmd, &v), 0);
	ck_assert_str_eq(v[3], "-i");
	ck_assert_str_eq(v[4], "-t");
	strv_free(v);
	labconf_free(lab);
}
END_TEST

START_TEST(targets)
{
	struct lab *lab = parse("r1[0]=\"lan1\"\nr1[1]=\"lan2\"\npc1[0]=\"lan1\"\n"
	                        "lan2[0]=\"lan1\"\nbare[0]=\"lan1\"\n",
	                        NULL, NULL);
	struct labplan p = { .name = "lab1" };
	struct labplan_target t;
	char *err = NULL;

	ck_assert_int_eq(labplan_target(lab, &p, "lan1", &t, &err), 0);
	ck_assert(t.segment);
	ck_assert_str_eq(t.name, "lan1");
	ck_assert_int_eq(labplan_target(lab, &p, "r1", &t, &err), 0);
	ck_assert(!t.segment);
	ck_assert_str_eq(t.name, "lab1-r1-eth0");
	ck_assert_int_eq(labplan_target(lab, &p, "r1:eth1", &t, &err), 0);
	ck_assert_str_eq(t.name, "lab1-r1-eth1");
	ck_assert_uint_eq(t.node, 0);
	ck_assert_uint_eq(t.iface, 1);
	/* A name that is a segment and a node: bare, the segment; with :IF, the node. */
	ck_assert_int_eq(labplan_target(lab, &p, "lan2", &t, &err), 0);
	ck_assert(t.segment);
	ck_assert_int_eq(labplan_target(lab, &p, "lan2:eth0", &t, &err), 0);
	ck_assert_str_eq(t.name, "lab1-lan2-eth0");

	ck_assert_int_eq(labplan_target(lab, &p, "r1:eth2", &t, &err), -EINVAL);
	ck_assert_str_eq(err, "node 'r1' has no interface 'eth2' (it has eth0 to eth1)");
	free(err), err = NULL;
	const char *bad[] = { "r1:eth", "r1:eth01", "r1:wlan0", "r1:", "r1:eth1x", "r1:eth-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(labplan_target(lab, &p, bad[i], &t, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "has no interface"));
		free(err), err = NULL;
	}
	ck_assert_int_eq(labplan_target(lab, &p, "nope", &t, &err), -EINVAL);
	ck_assert_str_eq(err, "'nope' is no node or segment of lab 'lab1'");
	free(err), err = NULL;
	ck_assert_int_eq(labplan_target(lab, &p, "nope:eth0", &t, &err), -EINVAL);
	ck_assert_str_eq(err, "'nope' is no node of lab 'lab1'");
	free(err), err = NULL;
	ck_assert_int_eq(
	        labplan_target(lab, &p, "a_name_longer_than_thirty_chars_x:eth0", &t, &err),
	        -EINVAL);
	free(err);
	labconf_free(lab);
}
END_TEST

static Suite *
labplan_suite(void)
{
	Suite *s = suite_create("labplan");
	TCase *t = tcase_create("all");

	tcase_add_test(t, topo_specs);
	tcase_add_test(t, topo_lab);
	tcase_add_test(t, names);
	tcase_add_test(t, images);
	tcase_add_test(t, node_as_kathara_runs_it);
	tcase_add_test(t, underscore_names);
	tcase_add_test(t, node_variants);
	tcase_add_test(t, bridged);
	tcase_add_test(t, scripts_and_exec);
	tcase_add_test(t, targets);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labplan_suite)
