/*
 * The lab files: lab.conf as Kathara reads it (its own parser tests' cases, reworded),
 * lab.ext's keys and checks, lab.dep's waves and loops, the limits, the JSON rendering and
 * the directory loader.
 */
#include "containet/lab/labconf.h"
#include "containet/lab/labdep.h"
#include "containet/lab/labext.h"
#include "containet/lab/labjson.h"
#include "containet/lab/labload.h"
#include "containet/lab/labvalue.h"
#include "tcvalue.h"
#include "json.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct lab *lab;
static char *err;

static void
setup(void)
{
	lab = labconf_new();
	ck_assert_ptr_nonnull(lab);
	err = NULL;
}

static void
teardown(void)
{
	lab = labconf_free(lab);
	free(err);
	err = NULL;
}

/* Parses what is given (NULL: no such file); the first failure's return. */
static int
parse(const char *conf, const char *ext, const char *dep)
{
	int r = labconf_parse_conf(lab, conf, strlen(conf), "lab.conf", &err);

	if (r == 0 && ext)
		r = labext_parse(lab, ext, strlen(ext), "lab.ext", &err);
	if (r == 0 && dep)
		r = labdep_parse(lab, dep, strlen(dep), "lab.dep", &err);
	return r;
}

#define OK(conf, ext, dep)                                                                         \
	do {                                                                                       \
		int _r = parse(conf, ext, dep);                                                    \
		ck_assert_msg(_r == 0, "parse failed (%d): %s", _r, err ? err : "(no text)");      \
	} while (0)

/* Fails with -EINVAL and a message holding want. */
#define BAD(conf, ext, dep, want)                                                                  \
	do {                                                                                       \
		int _r = parse(conf, ext, dep);                                                    \
		ck_assert_int_eq(_r, -EINVAL);                                                     \
		ck_assert_ptr_nonnull(err);                                                        \
		ck_assert_msg(strstr(err, want), "error '%s' lacks '%s'", err, want);              \
	} while (0)

static const struct lab_node *
node(const char *name)
{
	const struct lab_node *n = labconf_node(lab, name);

	ck_assert_msg(n != NULL, "no node %s", name);
	return n;
}

static const char *
seg_of(const struct lab_node *n, size_t i)
{
	return lab->segments[n->ifaces[i].segment].name;
}

static bool
warned(const char *want)
{
	for (size_t i = 0; i < lab->n_warnings; i++)
		if (strstr(lab->warnings[i], want))
			return true;
	return false;
}

/* ---- lab.conf, Kathara's cases ---- */

START_TEST(conf_one_device)
{
	const struct lab_node *n;

	OK("pc1[0]='A'\npc1[1]='B'\npc1[image]='kathara/frr'\npc1[mem]='150m'\n"
	   "pc1[privileged]=true\npc1[port]=\"1000:2000/udp\"\n"
	   "pc1[port]=\"4000\"\npc1[port]=\"5000/udp\"\npc1[num_terms]=2",
	   NULL, NULL);
	ck_assert_uint_eq(lab->n_nodes, 1);
	ck_assert_uint_eq(lab->n_segments, 2);
	n = node("pc1");
	ck_assert_uint_eq(n->n_ifaces, 2);
	ck_assert_str_eq(seg_of(n, 0), "A");
	ck_assert_str_eq(seg_of(n, 1), "B");
	ck_assert_str_eq(n->val[LAB_NODE_IMAGE], "kathara/frr");
	ck_assert_str_eq(n->val[LAB_NODE_MEM], "150m");
	ck_assert(labconf_node_flag(n, LAB_NODE_PRIVILEGED, false));
	ck_assert_str_eq(n->val[LAB_NODE_NUM_TERMS], "2");
	/* Kathara's default host port is 3000; one entry per (host port, protocol). */
	ck_assert_uint_eq(n->n_ports, 3);
	ck_assert_uint_eq(n->ports[0].host, 1000);
	ck_assert_uint_eq(n->ports[0].guest, 2000);
	ck_assert_str_eq(n->ports[0].proto, "udp");
	ck_assert_uint_eq(n->ports[1].host, 3000);
	ck_assert_uint_eq(n->ports[1].guest, 4000);
	ck_assert_str_eq(n->ports[1].proto, "tcp");
	ck_assert_uint_eq(n->ports[2].host, 3000);
	ck_assert_uint_eq(n->ports[2].guest, 5000);
	ck_assert_str_eq(n->ports[2].proto, "udp");
	ck_assert_uint_eq(lab->n_warnings, 0);
}
END_TEST

START_TEST(conf_lab_metadata)
{
	OK("LAB_DESCRIPTION=\"Description\"\nLAB_VERSION=1.0\nLAB_AUTHOR=\"Author\"\n"
	   "LAB_EMAIL=test@email.org\nLAB_WEB=https://www.lab-test.org/\n\npc1[0]='A'\n",
	   NULL, NULL);
	ck_assert_str_eq(lab->meta[LAB_META_DESCRIPTION], "Description");
	ck_assert_str_eq(lab->meta[LAB_META_VERSION], "1.0");
	ck_assert_str_eq(lab->meta[LAB_META_AUTHOR], "Author");
	ck_assert_str_eq(lab->meta[LAB_META_EMAIL], "test@email.org");
	ck_assert_str_eq(lab->meta[LAB_META_WEB], "https://www.lab-test.org/");
	ck_assert_ptr_null(lab->meta[LAB_META_NAME]);
}
END_TEST

START_TEST(conf_lab_metadata_rules)
{
	/* Quotes anywhere are dropped; a second '=' is refused (Kathara fails to unpack it). */
	OK("LAB_NAME= 'my'lab\" \nLAB_NAME=again\n", NULL, NULL);
	ck_assert_str_eq(lab->meta[LAB_META_NAME], "again");
	ck_assert(warned("lab.conf:2: LAB_NAME given again"));
	teardown();
	setup();
	BAD("LAB_WEB=http://x/?a=b\n", NULL, NULL, "lab.conf:1: LAB_WEB has a second '='");
	teardown();
	setup();
	/* Only in the first column, and only the LAB_METADATA names. */
	BAD(" LAB_NAME=x\n", NULL, NULL, "lab.conf:1: expected NAME[KEY]=VALUE");
	teardown();
	setup();
	BAD("LAB_COLOUR=x\n", NULL, NULL, "lab.conf:1:");
}
END_TEST

START_TEST(conf_segment_name_characters)
{
	BAD("pc1[0]='A$'\npc1[1]='B'\n", NULL, NULL,
	    "lab.conf:1: segment name 'A$' has characters other than");
}
END_TEST

START_TEST(conf_reserved_names)
{
	BAD("pc1[0]=A\nshared[0]='A'\n", NULL, NULL, "lab.conf:2: 'shared' is a reserved name");
	teardown();
	setup();
	BAD("_test[image]=x\n", NULL, NULL, "'_test' is a reserved name");
}
END_TEST

START_TEST(conf_same_segment_twice)
{
	BAD("pc1[0]='A'\npc1[1]='A'", NULL, NULL,
	    "lab.conf:2: node 'pc1' is already connected to segment 'A'");
}
END_TEST

START_TEST(conf_same_interface_twice)
{
	BAD("pc1[0]=A\npc1[0]=B\n", NULL, NULL, "lab.conf:2: interface 0 already set");
}
END_TEST

START_TEST(conf_two_devices_one_segment)
{
	OK("pc1[0]='A'\npc1[image]='kathara/frr'\npc1[mem]='150m'\npc1[cpus]='2'\n\n"
	   "pc2[0]='A'\npc2[image]='kathara/frr'\npc2[mem]='150m'\npc2[cpus]='2'\n",
	   NULL, NULL);
	ck_assert_uint_eq(lab->n_nodes, 2);
	ck_assert_uint_eq(lab->n_segments, 1);
	ck_assert_str_eq(seg_of(node("pc1"), 0), "A");
	ck_assert_str_eq(seg_of(node("pc2"), 0), "A");
	ck_assert_str_eq(node("pc2")->val[LAB_NODE_CPUS], "2");
}
END_TEST

START_TEST(conf_inline_comment)
{
	OK("pc1[0]='A'      # This is an inline comment", NULL, NULL);
	ck_assert_uint_eq(lab->n_segments, 1);
	ck_assert_str_eq(seg_of(node("pc1"), 0), "A");
}
END_TEST

START_TEST(conf_inline_comment_unclosed_quote)
{
	BAD("pc1[0]='A      # This is an inline comment", NULL, NULL, "lab.conf:1: unclosed quote");
}
END_TEST

START_TEST(conf_unmatched_and_unclosed_quotes)
{
	BAD("pc1[0]='A\"", NULL, NULL, "lab.conf:1: unmatched quotes");
	teardown();
	setup();
	BAD("pc1[0]='A", NULL, NULL, "lab.conf:1: unclosed quote");
	teardown();
	setup();
	BAD("pc1[0]=A'", NULL, NULL, "lab.conf:1: a quote inside a value");
	teardown();
	setup();
	BAD("pc1[0]=\"A\"B", NULL, NULL, "text after the closing quote");
	teardown();
	setup();
	BAD("pc1[image]=''", NULL, NULL, "empty value");
	teardown();
	setup();
	BAD("pc1[image]=", NULL, NULL, "empty value");
}
END_TEST

START_TEST(conf_unquoted_comment_is_part_of_the_value)
{
	/* Kathara's regex: a bare value runs to the end of the line, comment included... */
	OK("pc1[exec]=echo hi # note\n", NULL, NULL);
	ck_assert_str_eq(node("pc1")->exec[0], "echo hi # note");
	teardown();
	setup();
	/* ...unless a quote follows, when it backtracks to the last " #" before the quote. */
	OK("pc1[exec]=echo hi # it's\n", NULL, NULL);
	ck_assert_str_eq(node("pc1")->exec[0], "echo hi");
	teardown();
	setup();
	BAD("pc1[0]=A # c\n", NULL, NULL, "segment name 'A # c'");
	teardown();
	setup();
	BAD("pc1[image]=frr # c\n", NULL, NULL, "image 'frr # c' of 'pc1' has a space");
}
END_TEST

START_TEST(conf_mac_address)
{
	const struct lab_node *n;

	OK("pc1[0]=\"A/00:00:00:00:00:01\"\n\npc2[0]=\"A\"", NULL, NULL);
	n = node("pc1");
	ck_assert(n->ifaces[0].has_mac);
	ck_assert_uint_eq(n->ifaces[0].mac[5], 1);
	ck_assert_str_eq(seg_of(n, 0), "A");
	ck_assert(!node("pc2")->ifaces[0].has_mac);
	teardown();
	setup();
	/* Kathara drops empty parts around '/'. */
	OK("pc1[0]=\"A//02:00:00:00:00:AB\"\n", NULL, NULL);
	ck_assert_uint_eq(node("pc1")->ifaces[0].mac[5], 0xab);
}
END_TEST

START_TEST(conf_mac_address_errors)
{
	BAD("pc1[0]=\"A/00:00:00:00:00\"\n\npc2[0]=\"A\"", NULL, NULL,
	    "lab.conf:1: invalid MAC address '00:00:00:00:00'");
	teardown();
	setup();
	BAD("pc1[0]=\"A/0/0\"\n\npc2[0]=\"A\"", NULL, NULL,
	    "lab.conf:1: invalid interface definition");
	teardown();
	setup();
	BAD("pc1[0]=\"A/\"\n", NULL, NULL, "invalid interface definition");
}
END_TEST

START_TEST(conf_interfaces_sorted_and_without_gaps)
{
	const struct lab_node *n;

	OK("r1[2]=C\nr1[0]=A\nr1[1]=B\n", NULL, NULL);
	n = node("r1");
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(n->ifaces[i].index, i);
	ck_assert_str_eq(seg_of(n, 0), "A");
	ck_assert_str_eq(seg_of(n, 2), "C");
	/* Segments in order of first use. */
	ck_assert_str_eq(lab->segments[0].name, "C");
	teardown();
	setup();
	BAD("r1[0]=A\nr1[2]=C\n", NULL, NULL, "lab.conf:2: interface 1 of node 'r1' is missing");
	teardown();
	setup();
	BAD("r1[1]=A\n", NULL, NULL, "interface 0 of node 'r1' is missing");
	teardown();
	setup();
	BAD("r1[64]=A\n", NULL, NULL, "interface number 64 out of range");
}
END_TEST

START_TEST(conf_meta_twice_last_wins)
{
	OK("pc1[image]=a\npc1[image]=b\npc1[ipv6]=Yes\npc1[ipv6]=off\n", NULL, NULL);
	ck_assert_str_eq(node("pc1")->val[LAB_NODE_IMAGE], "b");
	ck_assert_str_eq(node("pc1")->val[LAB_NODE_IPV6], "false");
	ck_assert(warned("lab.conf:2: node 'pc1' already has a value for meta 'image'"));
	ck_assert(warned("lab.conf:4:"));
	/* A node with metas only exists, with no interface. */
	ck_assert_uint_eq(node("pc1")->n_ifaces, 0);
}
END_TEST

START_TEST(conf_repeatable_metas)
{
	const struct lab_node *n;

	OK("pc1[exec]=ip link set eth0 up\npc1[exec]=\"sleep 1\"\n"
	   "pc1[sysctl]=net.ipv4.ip_forward=1\npc1[sysctl]=net.ipv6.conf.all.forwarding=1\n"
	   "pc1[sysctl]=net.ipv4.ip_forward=0\npc1[env]=A=1\npc1[env]=B= x y \n",
	   NULL, NULL);
	n = node("pc1");
	ck_assert_uint_eq(n->n_exec, 2);
	ck_assert_str_eq(n->exec[0], "ip link set eth0 up");
	ck_assert_str_eq(n->exec[1], "sleep 1");
	ck_assert_uint_eq(n->n_sysctl, 2);
	ck_assert_str_eq(n->sysctl[0].key, "net.ipv4.ip_forward");
	ck_assert_str_eq(n->sysctl[0].value, "0");
	ck_assert(warned("lab.conf:5: node 'pc1' already has a value for meta 'sysctl'"));
	ck_assert_uint_eq(n->n_env, 2);
	ck_assert_str_eq(n->env[1].value, "x y");
}
END_TEST

START_TEST(conf_meta_values_checked)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "pc1[sysctl]=kernel.panic=1", "invalid sysctl" },
		{ "pc1[sysctl]=net.ipv4..x=1", "invalid sysctl" },
		{ "pc1[sysctl]=net.ipv4.x", "invalid sysctl" },
		{ "pc1[sysctl]=net.x=1", "invalid sysctl" },
		{ "pc1[sysctl]=net.ipv4.x.=1", "invalid sysctl" },
		{ "pc1[env]==1", "invalid env" },
		{ "pc1[port]=80/icmp", "port protocol 'icmp'" },
		{ "pc1[port]=1:2:3", "invalid port" },
		{ "pc1[port]=70000", "invalid port" },
		{ "pc1[mem]=lots", "memory 'lots'" },
		{ "pc1[mem]=m", "memory 'm'" },
		{ "pc1[cpus]=0", "cpus '0'" },
		{ "pc1[cpus]=1.", "cpus '1.'" },
		{ "pc1[num_terms]=-1", "num_terms" },
		{ "pc1[bridged]=maybe", "is not a boolean" },
		{ "Pc1[0]=A", "expected NAME[KEY]=VALUE" },
		{ "pc1 [0]=A", "expected NAME[KEY]=VALUE" },
		{ "pc1[0] = A", "expected NAME[KEY]=VALUE" },
		{ "pc1[a.b]=A", "expected NAME[KEY]=VALUE" },
		{ "abcdefghijklmnopqrstuvwxyz01234[0]=A", "longer than 30 characters" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		teardown();
		setup();
		BAD(cases[i].line, NULL, NULL, cases[i].want);
		ck_assert_msg(strncmp(err, "lab.conf:1: ", 12) == 0, "%s", err);
	}
	teardown();
	setup();
	OK("pc1[mem]=512\npc1[port]=8080:80/UDP\npc2[mem]=1G\npc2[cpus]=0.5\n"
	   "abcdefghijklmnopqrstuvwxyz0123[0]=A\n",
	   NULL, NULL);
	ck_assert_str_eq(node("pc1")->val[LAB_NODE_MEM], "512m");
	ck_assert_str_eq(node("pc1")->ports[0].proto, "udp");
	ck_assert_str_eq(node("pc2")->val[LAB_NODE_MEM], "1g");
}
END_TEST

START_TEST(conf_unsupported_metas_warned_once)
{
	OK("pc1[volume]=/a|/b\npc2[volume]=/c|/d\npc1[ulimit]=nofile=10\npc2[ulimit]=x=1\n", NULL,
	   NULL);
	ck_assert_uint_eq(lab->n_warnings, 2);
	ck_assert(warned("lab.conf:1: meta 'volume' is not supported, ignoring"));
	ck_assert(warned("lab.conf:3: meta 'ulimit' is not supported"));
}
END_TEST

/* "cpu" is no Kathara meta ("cpus" is): Kathara would store it unused; here it is an error. */
START_TEST(conf_unknown_meta_is_an_error)
{
	BAD("pc1[0]=A\n\npc1[cpu]=2\n", NULL, NULL, "lab.conf:3: node 'pc1': unknown meta 'cpu'");
	BAD("pc1[frobnicate]=x\n", NULL, NULL, "lab.conf:1: node 'pc1': unknown meta 'frobnicate'");
}
END_TEST

START_TEST(conf_warnings_bounded)
{
	char conf[8192];
	size_t n = 0;

	for (int i = 0; i < 200; i++)
		n += snprintf(conf + n, sizeof(conf) - n, "pc1[image]=x%d\n", i);
	OK(conf, NULL, NULL);
	ck_assert_uint_eq(lab->n_warnings, LAB_WARNINGS_MAX);
	ck_assert_uint_le(lab->n_warned, LAB_WARNINGS_MAX);
	ck_assert(warned("lab.conf:65: more warnings, not shown"));
}
END_TEST

START_TEST(conf_comments_and_blank_lines)
{
	OK("# a lab\n\n   \npc1[0]=A\r\n  pc2[0]=A  \n#x[0]=B\n", NULL, NULL);
	ck_assert_uint_eq(lab->n_nodes, 2);
	ck_assert_uint_eq(lab->n_segments, 1);
	teardown();
	setup();
	/* Kathara takes '#' as a comment in the first column only. */
	BAD("pc1[0]=A\n  # indented\n", NULL, NULL, "lab.conf:2: expected NAME[KEY]=VALUE");
}
END_TEST

START_TEST(conf_text_checks)
{
	char big[LAB_LINE_MAX + 16];

	BAD("", NULL, NULL, "lab.conf: the file is empty");
	teardown();
	setup();
	BAD("pc1[0]=A\npc1[exec]=a\x01"
	    "b\n",
	    NULL, NULL, "lab.conf:2: control character 0x01");
	teardown();
	setup();
	BAD("pc1[exec]=caf\xc3\n", NULL, NULL, "lab.conf:1: not UTF-8");
	teardown();
	setup();
	ck_assert_int_eq(labconf_parse_conf(lab, "pc1[0]=A\0\n", 10, "lab.conf", &err), -EINVAL);
	ck_assert_str_eq(err, "lab.conf:1: NUL byte in the line");
	teardown();
	setup();
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "pc1[exec]=", 10);
	BAD(big, NULL, NULL, "lab.conf:1: line longer than 4096 bytes");
	teardown();
	setup();
	ck_assert_int_eq(labconf_parse_conf(lab, big, LAB_FILE_MAX + 1, "lab.conf", &err), -EFBIG);
	teardown();
	setup();
	OK("pc1[exec]=echo \xc3\xa9t\xc3\xa9\n", NULL, NULL);
}
END_TEST

START_TEST(conf_node_limit)
{
	size_t size = (LAB_NODES_MAX + 1) * 16;
	_cleanup_free_ char *conf = malloc(size);
	size_t n = 0;

	for (int i = 0; i <= LAB_NODES_MAX; i++)
		n += snprintf(conf + n, size - n, "n%d[0]=A\n", i);
	BAD(conf, NULL, NULL, "lab.conf:1025: more than 1024 nodes");
}
END_TEST

/* Found by fuzz_containet_labconf: sorting no interfaces passed NULL to qsort (UBSan). */
START_TEST(conf_node_without_interfaces)
{
	OK("pc1[image]=x\n", NULL, NULL);
	ck_assert_uint_eq(node("pc1")->n_ifaces, 0);
	ck_assert_ptr_null(node("pc1")->ifaces);
}
END_TEST

START_TEST(conf_node_order_and_ident)
{
	OK("b[image]=x\na[0]=S\nc[0]=S\nb[0]=T\n", NULL, NULL);
	ck_assert_str_eq(lab->nodes[0].name, "b");
	ck_assert_str_eq(lab->nodes[1].name, "a");
	ck_assert_str_eq(lab->nodes[2].name, "c");
	ck_assert_uint_eq(lab->n_waves, 1);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(lab->order[i], i);
}
END_TEST

/* ---- lab.ext ---- */

static const char *conf2 = "r1[0]=A\nr1[1]=B\npc1[0]=A\npc2[0]=B\n";

START_TEST(ext_interface_addresses)
{
	const struct lab_node *n;

	OK(conf2,
	   "A[subnet]=10.0.0.0/24\nr1[0.ip]=10.0.0.1/24\nr1[0.ip]=fd00::0001/64\n"
	   "pc1[0.ip]=auto\nr1[1.ip]=192.168.0.1/24\nr1[gw]=10.0.0.254\npc1[gw]=fd00::1\n",
	   NULL);
	n = node("r1");
	ck_assert_str_eq(n->ifaces[0].ipv4, "10.0.0.1/24");
	ck_assert_str_eq(n->ifaces[0].ipv6, "fd00::1/64");
	ck_assert_str_eq(n->ifaces[1].ipv4, "192.168.0.1/24");
	ck_assert_str_eq(node("pc1")->ifaces[0].ipv4, "auto");
	ck_assert_str_eq(n->val[LAB_NODE_GW4], "10.0.0.254");
	ck_assert_str_eq(node("pc1")->val[LAB_NODE_GW6], "fd00::1");
	ck_assert_uint_eq(lab->n_warnings, 0);
}
END_TEST

START_TEST(ext_interface_errors)
{
	static const struct {
		const char *ext, *want;
	} cases[] = {
		{ "\nr1[0.ip]=10.0.0.1", "lab.ext:2: address '10.0.0.1' of r1 eth0 is not" },
		{ "r1[0.ip]=10.0.0.1/33", "is not ADDR/LEN or auto" },
		{ "r1[0.ip]=300.0.0.1/24", "is not ADDR/LEN or auto" },
		{ "r1[2.ip]=10.0.0.1/24", "lab.ext:1: node 'r1' has no interface 2 in lab.conf" },
		{ "pc1[0.ip]=auto", "lab.ext:1: pc1 eth0: ip auto needs a subnet on segment 'A'" },
		{ "r1[0.mtu]=1500", "unknown key '0.mtu' for node 'r1'" },
		{ "r1[mtu]=1500", "unknown key 'mtu' for node 'r1'" },
		{ "r1[gw]=10.0.0", "gateway '10.0.0' of 'r1' is not an address" },
		{ "r1[image]=x", "unknown key 'image' for node 'r1'" },
		{ "r1[0.vlan]=0", "VLAN of r1 eth0" },
		{ "r1[0.vlan]=4095", "VLAN of r1 eth0" },
		{ "r1[0.vlan]=trunk:", "VLAN of r1 eth0" },
		{ "r1[0.vlan]=trunk:10,,20", "VLAN of r1 eth0" },
		{ "r1[0.vlan]=trunk:10,10", "VLAN 10 twice" },
		{ "r1[0.vlan]='trunk:10,20 native:10'", "native VLAN 10 is also in the trunk" },
		{ "C[mtu]=1500", "'C' is neither a node nor a segment of lab.conf" },
		{ "r1[privileged]=sure", "privileged: 'sure' is not a boolean" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		teardown();
		setup();
		BAD(conf2, cases[i].ext, NULL, cases[i].want);
	}
}
END_TEST

START_TEST(ext_vlan_roles)
{
	const struct lab_node *n;

	OK(conf2, "r1[0.vlan]=10\nr1[1.vlan]=\"trunk:10,20,30 native:1\"\npc1[0.vlan]=trunk:5\n",
	   NULL);
	n = node("r1");
	ck_assert_uint_eq(n->ifaces[0].access, 10);
	ck_assert_uint_eq(n->ifaces[0].n_trunk, 0);
	ck_assert_uint_eq(n->ifaces[1].access, 0);
	ck_assert_uint_eq(n->ifaces[1].n_trunk, 3);
	ck_assert_uint_eq(n->ifaces[1].trunk[2], 30);
	ck_assert_uint_eq(n->ifaces[1].native, 1);
	ck_assert_uint_eq(node("pc1")->ifaces[0].n_trunk, 1);
}
END_TEST

START_TEST(ext_segment_keys)
{
	const struct lab_segment *a;

	OK(conf2,
	   "A[subnet]=10.1.0.0/24\nA[service]=10.1.0.253\nA[dhcp]=10.1.0.100-10.1.0.199\n"
	   "A[dns]=yes\nA[ipv6]=fd00:1:0::/64\nA[mtu]=1400\nA[delay]=20ms\nA[jitter]=2ms\n"
	   "A[loss]=0.5%\nA[duplicate]=1%\nA[corrupt]=0.1%\nA[reorder]=25%\nA[rate]=10mbit\n"
	   "A[limit]=1000\nA[seed]=7\nA[state]=down\nA[capture]=a.pcapng\nA[vxlan]=42\n"
	   "B[loss_ge]=1%,10%,70%,0.1%\nB[rate]=1.5Gbit\nB[delay]=100usec\n",
	   NULL);
	a = &lab->segments[0];
	ck_assert_str_eq(a->name, "A");
	ck_assert_str_eq(a->val[LAB_SEG_SUBNET], "10.1.0.0/24");
	ck_assert_str_eq(a->val[LAB_SEG_DNS], "true");
	ck_assert_str_eq(a->val[LAB_SEG_IPV6], "fd00:1::/64");
	ck_assert_str_eq(a->val[LAB_SEG_MTU], "1400");
	ck_assert_str_eq(a->val[LAB_SEG_LOSS], "0.5%");
	ck_assert_str_eq(a->val[LAB_SEG_VXLAN], "42");
	ck_assert_uint_eq(a->line[LAB_SEG_RATE], 13);
	ck_assert_str_eq(lab->segments[1].val[LAB_SEG_LOSS_GE], "1%,10%,70%,0.1%");
}
END_TEST

START_TEST(ext_segment_errors)
{
	static const struct {
		const char *ext, *want;
	} cases[] = {
		{ "A[subnet]=10.1.0.1/24", "lab.ext:1: subnet '10.1.0.1/24' of 'A' has host bits" },
		{ "A[subnet]=10.1.0.0/31", "is not A.B.C.D/LEN" },
		{ "A[subnet]=10.1.0.0", "is not A.B.C.D/LEN" },
		{ "A[service]=10.1.0.1", "lab.ext:1: service of 'A' needs a subnet" },
		{ "A[subnet]=10.1.0.0/24\nA[service]=10.2.0.1",
		  "lab.ext:2: service 10.2.0.1 of 'A' is not in its subnet 10.1.0.0/24" },
		{ "A[subnet]=10.1.0.0/24\nA[service]=10.1.0.1\nA[dhcp]=10.1.0.9-10.1.1.9",
		  "lab.ext:3: dhcp range 10.1.0.9-10.1.1.9 of 'A' is not in its subnet" },
		{ "A[dhcp]=10.1.0.9-10.1.0.1", "ends before it starts" },
		{ "A[subnet]=10.1.0.0/24\nA[service]=10.1.0.0",
		  "is its subnet's network or broadcast" },
		{ "A[subnet]=10.1.0.0/24\nA[service]=10.1.0.255", "is its subnet's network or" },
		{ "A[subnet]=10.1.0.0/24\nA[dhcp]=10.1.0.2-10.1.0.9", "needs a service address" },
		{ "A[dns]=true", "dns of 'A' needs a service address" },
		{ "A[ipv6]=fd00::1/64", "has host bits set" },
		{ "A[mtu]=67", "mtu: '67' is not a number from 68 to 65535" },
		{ "A[mtu]=1000\nA[ipv6]=fd00::/64", "lab.ext:1: mtu of 'A' is under 1280" },
		{ "A[delay]=20", "" }, /* a bare number is microseconds: accepted, see below */
		{ "A[delay]=20 ms", "delay '20 ms' of 'A' is not a time" },
		{ "A[delay]=20xs", "is not a time" },
		{ "A[delay]=-1ms", "is not a time" },
		{ "A[delay]=5000s", "is not a time" },
		{ "A[jitter]=1ms", "jitter of 'A' needs a delay" },
		{ "A[loss]=0.5", "loss '0.5' of 'A' is not a percentage" },
		{ "A[loss]=101%", "is not a percentage" },
		{ "A[loss]=.5%", "is not a percentage" },
		{ "A[loss]=1%\nA[loss_ge]=1%", "lab.ext:2: 'A' has both loss and loss_ge" },
		{ "A[loss_ge]=1%,2%,3%,4%,5%", "is not p[,r[,1-h[,1-k]]]" },
		{ "A[loss_ge]=1%,", "is not p[,r[,1-h[,1-k]]]" },
		{ "A[rate]=10mbits", "rate '10mbits' of 'A' is not a rate" },
		{ "A[rate]=0kbit", "is not a rate" },
		{ "A[limit]=0", "limit: '0' is not a number" },
		{ "A[seed]=18446744073709551616", "seed: " },
		{ "A[state]=off", "state of 'A' is not up or down" },
		{ "A[capture]=yes", "capture of 'A' is a file name" },
		{ "A[vxlan]=16777216", "vxlan (a VNI)" },
		{ "A[colour]=red", "unknown key 'colour' for segment 'A'" },
		{ "A[subnet]=10.0.0.0/8\nB[service]=10.0.0.1\n",
		  "lab.ext:2: service of 'B' needs" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r;

		teardown();
		setup();
		r = parse(conf2, cases[i].ext, NULL);
		if (!cases[i].want[0]) {
			ck_assert_msg(r == 0, "%s: %s", cases[i].ext, err);
			continue;
		}
		ck_assert_msg(r == -EINVAL, "%s: accepted", cases[i].ext);
		ck_assert_msg(strstr(err, cases[i].want), "%s: '%s' lacks '%s'", cases[i].ext, err,
		              cases[i].want);
	}
}
END_TEST

START_TEST(ext_segment_key_on_a_node)
{
	/* "r1" is a node and a segment: the node's keys apply, a segment key is refused. */
	OK("r1[0]=r1\npc1[0]=r1\n", NULL, NULL);
	ck_assert_uint_eq(lab->n_segments, 1);
	teardown();
	setup();
	BAD("r1[0]=r1\n", "r1[mtu]=1500\n", NULL, "unknown key 'mtu' for node 'r1'");
}
END_TEST

START_TEST(ext_lab_settings)
{
	OK(conf2,
	   "LAB_HOSTS=\"alpha 10.0.0.9\"\nLAB_HOSTS=beta\nLAB_DOMAIN=lab.example\n"
	   "IMAGE_MAP='kathara/frr=frr:local kathara/base=debian:12'\n"
	   "IMAGE_MAP=\"kathara/frr=frr:9\"   # the last one wins\nr1[host]=beta\n",
	   NULL);
	ck_assert_uint_eq(lab->n_hosts, 3);
	ck_assert_str_eq(lab->hosts[1], "10.0.0.9");
	ck_assert_str_eq(lab->domain, "lab.example");
	ck_assert_uint_eq(lab->n_image_map, 2);
	ck_assert_str_eq(lab->image_map[0].key, "kathara/frr");
	ck_assert_str_eq(lab->image_map[0].value, "frr:9");
	ck_assert(warned("lab.ext:5: IMAGE_MAP: 'kathara/frr' mapped again"));
	ck_assert_str_eq(node("r1")->val[LAB_NODE_HOST], "beta");
	teardown();
	setup();
	BAD(conf2, "r1[host]=gamma\nLAB_HOSTS=alpha\n", NULL,
	    "lab.ext:1: host 'gamma' of 'r1' is not in LAB_HOSTS");
	teardown();
	setup();
	BAD(conf2, "LAB_DOMAIN=-bad.example\n", NULL, "LAB_DOMAIN '-bad.example' is not");
	teardown();
	setup();
	BAD(conf2, "IMAGE_MAP=frr\n", NULL, "IMAGE_MAP: 'frr' is not FROM=TO");
	teardown();
	setup();
	BAD(conf2, "LAB_HOSTS=a a\n", NULL, "LAB_HOSTS: 'a' given twice");
}
END_TEST

START_TEST(ext_lab_hosts)
{
	OK(conf2,
	   "# machines\nLAB_HOSTS=\"m1=10.0.0.1 m2=fd00::2\"\nLAB_HOSTS='10.0.0.9 gamma'\n"
	   "LAB_VXLAN_PORT=4790\nr1[host]=m2\nA[vxlan]=42\n",
	   NULL);
	ck_assert_uint_eq(lab->n_hosts, 4);
	ck_assert_uint_eq(lab->hosts_line, 2);
	ck_assert_str_eq(lab->hosts[0], "m1");
	ck_assert_str_eq(lab->host_addrs[0], "10.0.0.1");
	ck_assert_str_eq(lab->host_addrs[1], "fd00::2");
	ck_assert_str_eq(lab->hosts[2], "10.0.0.9");
	ck_assert_ptr_null(lab->host_addrs[2]);
	ck_assert_str_eq(lab->hosts[3], "gamma");
	ck_assert_ptr_null(lab->host_addrs[3]);
	ck_assert_str_eq(lab->vxlan_port, "4790");
	ck_assert_str_eq(lab->segments[0].val[LAB_SEG_VXLAN], "42");
	teardown();
	setup();
	BAD(conf2, "LAB_HOSTS=m1=host.example\n", NULL,
	    "lab.ext:1: LAB_HOSTS: the address 'host.example' of 'm1' is not an IP address");
	teardown();
	setup();
	BAD(conf2, "LAB_HOSTS=\"m1=10.0.0.1 -x=10.0.0.2\"\n", NULL,
	    "LAB_HOSTS: '-x' is not a host name");
	teardown();
	setup();
	BAD(conf2, "LAB_HOSTS=\"m1=10.0.0.1 m1=10.0.0.2\"\n", NULL, "LAB_HOSTS: 'm1' given twice");
	teardown();
	setup();
	BAD(conf2, "LAB_VXLAN_PORT=0\n", NULL, "lab.ext:1: LAB_VXLAN_PORT");
	teardown();
	setup();
	BAD(conf2, "A[vxlan]=7\n# B too\nB[vxlan]=7\n", NULL,
	    "lab.ext:3: vxlan 7 of 'B' is the VNI of 'A' too");
	teardown();
	setup();
	/* A machine's name and address go through the JSON rendering and back. */
	OK(conf2, "LAB_HOSTS=\"m1=10.0.0.1 10.0.0.2\"\nLAB_VXLAN_PORT=4790\nr1[host]=m1\n", NULL);
	{
		_cleanup_json_ cJSON *o = labjson_render(lab), *o2 = NULL;
		_cleanup_free_ char *text = cJSON_PrintUnformatted(o), *text2 = NULL;
		struct lab *back = NULL;

		ck_assert_ptr_nonnull(strstr(text, "\"hosts\":[\"m1=10.0.0.1\",\"10.0.0.2\"]"));
		ck_assert_ptr_nonnull(strstr(text, "\"vxlan_port\":4790"));
		ck_assert_int_eq(labjson_parse(text, strlen(text), "lab.json", &back, &err), 0);
		o2 = labjson_render(back);
		text2 = cJSON_PrintUnformatted(o2);
		ck_assert_str_eq(text, text2);
		labconf_free(back);
	}
}
END_TEST

START_TEST(ext_kathara_format_and_order)
{
	/* Kathara's own lab.ext (its parser test "two_devices") is another file. */
	BAD(conf2, "A enp0s25\nB enp0s25.12\n", NULL, "lab.ext:1: this is Kathara's lab.ext");
	/* Kathara's tutorials, as they are: the interface is the reader's to fill in. */
	teardown();
	setup();
	BAD(conf2, "A <physical_interface>\n", NULL, "lab.ext:1: this is Kathara's lab.ext");
	teardown();
	setup();
	BAD(conf2, "A <physical_interface>.10 \n", NULL, "lab.ext:1: this is Kathara's lab.ext");
	teardown();
	setup();
	ck_assert_int_eq(labext_parse(lab, "A[mtu]=1500", 11, "lab.ext", &err), -EINVAL);
	ck_assert_str_eq(err, "lab.ext: read lab.conf first");
	teardown();
	setup();
	OK(conf2, "", NULL);
	ck_assert(warned("lab.ext: the file is empty, ignoring"));
	teardown();
	setup();
	OK(conf2, "# comment\n\nA[mtu]=1500 \n", NULL);
	teardown();
	setup();
	OK(conf2, "r1[privileged]=1\nr1[privileged]=0\n", NULL);
	ck_assert(!labconf_node_flag(node("r1"), LAB_NODE_PRIVILEGED, true));
	ck_assert(warned("lab.ext:2: node 'r1' already has a value for 'privileged'"));
}
END_TEST

/* ---- lab.dep ---- */

static const char *conf5 = "pc1[0]=A\npc2[0]=A\npc3[0]=A\nr1[0]=A\nr2[0]=A\n";

static void
assert_order(const char *want)
{
	char got[512] = "";
	unsigned wave = 0;

	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[lab->order[i]];

		if (i && n->wave != wave)
			strcat(got, " | ");
		else if (i)
			strcat(got, " ");
		wave = n->wave;
		strcat(got, n->name);
	}
	ck_assert_str_eq(got, want);
}

START_TEST(dep_three_devices)
{
	OK(conf5, NULL, "pc1: pc2 pc3\npc3: pc2");
	assert_order("pc2 r1 r2 | pc3 | pc1");
	ck_assert_uint_eq(lab->n_waves, 3);
	ck_assert_uint_eq(node("pc1")->n_deps, 2);
	ck_assert_uint_eq(node("pc1")->wave, 2);
}
END_TEST

START_TEST(dep_comments_and_empty_lines)
{
	/* A later line for the same node replaces the earlier one, as Kathara's dict does. */
	OK(conf5, NULL, "# This is a comment\npc1: r1\npc2: r2 pc3\n\npc3: r2\npc2: pc3\npc1: pc2");
	assert_order("r1 r2 | pc3 | pc2 | pc1");
	ck_assert(warned("lab.dep:6: 'pc2' already has dependencies (line 3)"));
	ck_assert(warned("lab.dep:7: 'pc1' already has dependencies (line 2)"));
}
END_TEST

START_TEST(dep_loops)
{
	BAD(conf5, NULL, "pc1: pc2\npc2: pc3\npc3: pc1",
	    "lab.dep:1: dependency loop: "
	    "pc1 -> pc2 -> pc3 -> pc1");
	teardown();
	setup();
	/* The loop is named without the nodes that merely wait on it. */
	BAD(conf5, NULL, "pc1: pc2\npc2: pc3 r1\npc3: pc2", "dependency loop: pc2 -> pc3 -> pc2");
	teardown();
	setup();
	BAD(conf5, NULL, "r2: r2", "lab.dep:1: dependency loop: r2 -> r2");
}
END_TEST

START_TEST(dep_syntax_and_names)
{
	BAD(conf5, NULL, "pc1:  pc2  pc3\npc3:  pc2", "lab.dep:1: expected NODE: DEPENDENCY");
	teardown();
	setup();
	BAD(conf5, NULL, "pc1: pc2  pc3", "lab.dep:1: expected NODE:");
	teardown();
	setup();
	BAD(conf5, NULL, "pc1:", "expected NODE:");
	teardown();
	setup();
	BAD(conf5, NULL, "pc9: pc1", "lab.dep:1: 'pc9' is not a node of lab.conf");
	teardown();
	setup();
	BAD(conf5, NULL, "\npc1: pc9", "lab.dep:2: 'pc1' depends on 'pc9', which is not a node");
	teardown();
	setup();
	OK(conf5, NULL, "pc1:pc2 pc2\n  # indented comment\npc2:\tr1 \n");
	assert_order("pc3 r1 r2 | pc2 | pc1");
	ck_assert_uint_eq(node("pc1")->n_deps, 1);
	teardown();
	setup();
	OK(conf5, NULL, "");
	ck_assert(warned("lab.dep: the file is empty"));
	assert_order("pc1 pc2 pc3 r1 r2");
}
END_TEST

/* ---- values ---- */

START_TEST(values_in_tc_words)
{
	uint64_t u;
	double d;

	ck_assert_int_eq(tcvalue_duration("20ms", &u), 0);
	ck_assert_uint_eq(u, 20000000);
	ck_assert_int_eq(tcvalue_duration("1.5s", &u), 0);
	ck_assert_uint_eq(u, 1500000000);
	ck_assert_int_eq(tcvalue_duration("7", &u), 0);
	ck_assert_uint_eq(u, 7000);
	ck_assert_int_eq(tcvalue_duration("ms", &u), -EINVAL);
	ck_assert_int_eq(tcvalue_rate("10mbit", &u), 0);
	ck_assert_uint_eq(u, 10000000);
	ck_assert_int_eq(tcvalue_rate("1kbps", &u), 0);
	ck_assert_uint_eq(u, 8000);
	ck_assert_int_eq(tcvalue_rate("2Mibit", &u), 0);
	ck_assert_uint_eq(u, 2097152);
	ck_assert_int_eq(tcvalue_percent("0.5%", &d), 0);
	ck_assert(d == 0.5);
	ck_assert_int_eq(tcvalue_percent("100.1%", &d), -ERANGE);
	ck_assert_int_eq(labvalue_uint("18446744073709551615", 0, UINT64_MAX, &u), 0);
	ck_assert_int_eq(labvalue_uint("18446744073709551616", 0, UINT64_MAX, &u), -ERANGE);
	ck_assert_int_eq(labvalue_dns_name("a.b-c.d"), 0);
	ck_assert_int_eq(labvalue_dns_name("a..b"), -EINVAL);
	ck_assert_int_eq(labvalue_dns_name("a."), -EINVAL);
	ck_assert(!labvalue_utf8("\xed\xa0\x80", 3)); /* a surrogate */
	ck_assert(!labvalue_utf8("\xc0\xaf", 2));     /* overlong */
	ck_assert(labvalue_utf8("\xf0\x9f\x98\x80", 4));
}
END_TEST

/* ---- JSON ---- */

/* Renders lab, parses the rendering back and renders that: the same JSON, warnings aside. */
static void
round_trip(void)
{
	_cleanup_json_ cJSON *a = labjson_render(lab), *b = NULL;
	_cleanup_free_ char *ta = NULL, *tb = NULL, *text = NULL;
	struct lab *back = NULL;
	char *e = NULL;
	int r;

	ck_assert_ptr_nonnull(a);
	text = cJSON_PrintUnformatted(a);
	r = labjson_parse(text, strlen(text), "lab.json", &back, &e);
	ck_assert_msg(r == 0, "parse back: %s\n%s", e ? e : "?", text);
	b = labjson_render(back);
	cJSON_DeleteItemFromObject(a, "warnings");
	cJSON_DeleteItemFromObject(b, "warnings");
	ta = cJSON_PrintUnformatted(a);
	tb = cJSON_PrintUnformatted(b);
	ck_assert_str_eq(ta, tb);
	labconf_free(back);
	free(e);
}

START_TEST(json_round_trip)
{
	OK("LAB_NAME=n\nLAB_DESCRIPTION=\"a \\lab\"\nLAB_VERSION=1.0\nLAB_AUTHOR=\"A. B\"\n"
	   "LAB_EMAIL=a@b.c\nLAB_WEB=http://x/\n"
	   "r1[1]=B\nr1[0]=A/02:00:00:00:00:01\npc1[0]=A\nr1[image]=kathara/frr\nr1[ipv6]=true\n"
	   "r1[exec]=\"echo hi\"\nr1[exec]=\"echo two; ls\"\npc1[num_terms]=0\n"
	   "pc1[sysctl]=net.ipv4.ip_forward=0\npc1[env]=A=b c\npc1[port]=8080:80/udp\n"
	   "pc1[mem]=64m\npc1[cpus]=0.5\npc1[privileged]=true\npc1[bridged]=false\n"
	   "pc1[shell]=/bin/bash\npc1[entrypoint]=/sbin/init\npc1[args]=\"a b\"\n",
	   "A[mtu]=1400\nA[dns]=false\nA[delay]=20ms\nA[seed]=18446744073709551615\n"
	   "A[subnet]=10.0.0.0/24\nA[service]=10.0.0.253\nA[loss]=1%\nB[vxlan]=42\n"
	   "r1[1.vlan]=trunk:10,20 native:5\nr1[0.ip]=10.0.0.1/24\nr1[0.ip]=fd00::1/64\n"
	   "pc1[0.vlan]=7\npc1[0.ip]=auto\npc1[gw]=10.0.0.1\npc1[gw]=fd00::1\n"
	   "LAB_DOMAIN=lab.example\nLAB_HOSTS=\"h1 h2\"\nr1[host]=h2\n"
	   "IMAGE_MAP=\"kathara/frr=local/frr kathara/base=local/base\"\n",
	   "pc1: r1\n");
	round_trip();
}
END_TEST

START_TEST(json_round_trip_topologies)
{
	OK("a[0]=X\n", NULL, NULL);
	round_trip();
	labconf_free(lab);
	lab = labconf_new();
	OK("a[0]=X\nb[0]=X\nc[0]=Y\nc[1]=X\nd[0]=Y\n", NULL, "c: a b\nd: c\n");
	round_trip();
}
END_TEST

/* labjson_parse() refuses text, naming what and where. */
static void
json_bad(const char *text, const char *want)
{
	struct lab *l = NULL;
	char *e = NULL;
	int r = labjson_parse(text, strlen(text), "x.json", &l, &e);

	ck_assert_msg(r == -EINVAL, "'%s' gave %d", text, r);
	ck_assert_ptr_null(l);
	ck_assert_msg(e && strstr(e, want), "'%s': '%s' lacks '%s'", text, e ? e : "", want);
	ck_assert_int_eq(strncmp(e, "x.json", 6), 0);
	free(e);
}

START_TEST(json_errors)
{
	struct lab *none = NULL;

	/* No nodes: as a lab.conf of blank lines. */
	ck_assert_int_eq(labjson_parse("{\"nodes\":[]}", 12, "x.json", &none, NULL), 0);
	ck_assert_uint_eq(none->n_nodes, 0);
	labconf_free(none);
	json_bad("", "not JSON");
	json_bad("[1]", "not a JSON object");
	json_bad("{}", "wants a list of nodes");
	json_bad("{\"frob\":1,\"nodes\":[]}", "unknown member 'frob'");
	json_bad("{\"nodes\":[{\"name\":\"A\"}]}", "wants a name");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"frob\":1}]}", "node 'a': unknown member 'frob'");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,\"segment\":\"S\","
	         "\"frob\":2}]}]}",
	         "interfaces[0]: unknown member 'frob'");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":64,\"segment\":\"S\"}]}]}",
	         "wants an index");
	json_bad(
	        "{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0.5,\"segment\":\"S\"}]}]}",
	        "wants an index");
	/* No way to slip a line of one's own into the files. */
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,"
	         "\"segment\":\"S\\nb[0]=T\"}]}]}",
	         "control character");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"image\":\"x\\\"\\nb[0]=\\\"T\"}]}", "quote");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"sysctl\":{\"net.x\\n\":\"1\"}}]}", "a bad key");
	json_bad("{\"description\":\"x\\u0000y\",\"nodes\":[]}", "NUL");
	json_bad("{\"description\":\"a=b\",\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,"
	         "\"segment\":\"S\"}]}]}",
	         "'=' in a LAB_ line");
	/* What the files' parsers refuse, they name with the form it took. */
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":1,\"segment\":\"S\"}]}]}",
	         "x.json (as lab.conf)");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,\"segment\":\"S\","
	         "\"ipv4\":\"10.0.0.300/24\"}]}]}",
	         "x.json (as lab.ext)");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"depends\":[\"a\"],\"interfaces\":[{\"index\":0,"
	         "\"segment\":\"S\"}]}]}",
	         "x.json (as lab.dep)");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,\"segment\":\"S\"}]}],"
	         "\"segments\":[{\"name\":\"S\",\"mtu\":10}]}",
	         "x.json (as lab.ext)");
	json_bad("{\"nodes\":[{\"name\":\"a\",\"interfaces\":[{\"index\":0,\"segment\":\"S\"}]}],"
	         "\"segments\":[{\"name\":\"S\",\"colour\":\"red\"}]}",
	         "segment 'S': unknown member 'colour'");
}
END_TEST

START_TEST(json_rendering)
{
	_cleanup_json_ cJSON *j = NULL;
	const cJSON *nodes, *r1, *ifaces, *seg, *waves;

	OK("LAB_DESCRIPTION=\"a \\lab\"\nr1[0]=A/02:00:00:00:00:01\nr1[1]=B\npc1[0]=A\n"
	   "r1[image]=kathara/frr\nr1[ipv6]=true\nr1[exec]=\"echo hi\"\npc1[num_terms]=0\n",
	   "A[mtu]=1400\nA[dns]=false\nA[delay]=20ms\nA[seed]=18446744073709551615\n"
	   "r1[1.vlan]=trunk:10,20\nr1[0.ip]=10.0.0.1/24\n",
	   "pc1: r1\n");
	j = labjson_render(lab);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string(j, "description"), "a \\lab");
	nodes = cJSON_GetObjectItem(j, "nodes");
	ck_assert_int_eq(cJSON_GetArraySize(nodes), 2);
	r1 = cJSON_GetArrayItem(nodes, 0);
	ck_assert_str_eq(json_string(r1, "name"), "r1");
	ck_assert_str_eq(json_string(r1, "image"), "kathara/frr");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r1, "ipv6")));
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(r1, "exec"), 0)->valuestring,
	                 "echo hi");
	ifaces = cJSON_GetObjectItem(r1, "interfaces");
	ck_assert_str_eq(json_string(cJSON_GetArrayItem(ifaces, 0), "name"), "eth0");
	ck_assert_str_eq(json_string(cJSON_GetArrayItem(ifaces, 0), "mac"), "02:00:00:00:00:01");
	ck_assert_str_eq(json_string(cJSON_GetArrayItem(ifaces, 0), "ipv4"), "10.0.0.1/24");
	ck_assert_int_eq(
	        cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(ifaces, 1), "trunk")), 2);
	ck_assert_uint_eq(json_uint(cJSON_GetArrayItem(nodes, 1), "num_terms", 9), 0);
	seg = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "segments"), 0);
	ck_assert_str_eq(json_string(seg, "name"), "A");
	ck_assert_uint_eq(json_uint(seg, "mtu", 0), 1400);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(seg, "dns")));
	ck_assert_str_eq(json_string(seg, "delay"), "20ms");
	ck_assert_str_eq(json_string(seg, "seed"), "18446744073709551615");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(seg, "nodes")), 2);
	waves = cJSON_GetObjectItem(j, "waves");
	ck_assert_int_eq(cJSON_GetArraySize(waves), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(waves, 1), 0)->valuestring, "pc1");
	ck_assert_str_eq(
	        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(nodes, 1), "depends"), 0)
	                ->valuestring,
	        "r1");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "warnings")), 0);
}
END_TEST

/* ---- the directory loader ---- */

START_TEST(load_directory)
{
	struct lab *l = NULL;

	ck_assert_int_eq(labload_dir("tests/fixtures/labs/basic", &l, &err), 0);
	ck_assert_uint_eq(l->n_nodes, 4);
	ck_assert_uint_eq(l->n_waves, 2);
	ck_assert_str_eq(l->segments[0].val[LAB_SEG_SUBNET], "10.1.0.0/24");
	labconf_free(l);
	ck_assert_int_eq(labload_dir("tests/fixtures/labs/no-such-lab", &l, &err), -ENOENT);
	ck_assert_str_eq(err, "tests/fixtures/labs/no-such-lab: No such file or directory");
	ck_assert_int_eq(labload_dir("tests/fixtures/labs/bad-ext", &l, &err), -EINVAL);
	ck_assert_str_eq(err, "tests/fixtures/labs/bad-ext/lab.ext:3: unknown key 'colour' for "
	                      "segment 'lan' (segment keys: subnet, service, dhcp, dns, ipv6, "
	                      "mtu, delay, jitter, loss, loss_ge, duplicate, corrupt, reorder, "
	                      "rate, limit, seed, state, capture, vxlan)");
}
END_TEST

static Suite *
labconf_suite(void)
{
	Suite *s = suite_create("containet_labconf");
	TCase *conf = tcase_create("conf"), *ext = tcase_create("ext"), *dep = tcase_create("dep"),
	      *other = tcase_create("other");

	tcase_add_checked_fixture(conf, setup, teardown);
	tcase_add_checked_fixture(ext, setup, teardown);
	tcase_add_checked_fixture(dep, setup, teardown);
	tcase_add_checked_fixture(other, setup, teardown);
	tcase_add_test(conf, conf_one_device);
	tcase_add_test(conf, conf_lab_metadata);
	tcase_add_test(conf, conf_lab_metadata_rules);
	tcase_add_test(conf, conf_segment_name_characters);
	tcase_add_test(conf, conf_reserved_names);
	tcase_add_test(conf, conf_same_segment_twice);
	tcase_add_test(conf, conf_same_interface_twice);
	tcase_add_test(conf, conf_two_devices_one_segment);
	tcase_add_test(conf, conf_inline_comment);
	tcase_add_test(conf, conf_inline_comment_unclosed_quote);
	tcase_add_test(conf, conf_unmatched_and_unclosed_quotes);
	tcase_add_test(conf, conf_unquoted_comment_is_part_of_the_value);
	tcase_add_test(conf, conf_mac_address);
	tcase_add_test(conf, conf_mac_address_errors);
	tcase_add_test(conf, conf_interfaces_sorted_and_without_gaps);
	tcase_add_test(conf, conf_meta_twice_last_wins);
	tcase_add_test(conf, conf_repeatable_metas);
	tcase_add_test(conf, conf_meta_values_checked);
	tcase_add_test(conf, conf_unsupported_metas_warned_once);
	tcase_add_test(conf, conf_unknown_meta_is_an_error);
	tcase_add_test(conf, conf_warnings_bounded);
	tcase_add_test(conf, conf_comments_and_blank_lines);
	tcase_add_test(conf, conf_text_checks);
	tcase_add_test(conf, conf_node_limit);
	tcase_add_test(conf, conf_node_without_interfaces);
	tcase_add_test(conf, conf_node_order_and_ident);
	tcase_add_test(ext, ext_interface_addresses);
	tcase_add_test(ext, ext_interface_errors);
	tcase_add_test(ext, ext_vlan_roles);
	tcase_add_test(ext, ext_segment_keys);
	tcase_add_test(ext, ext_segment_errors);
	tcase_add_test(ext, ext_segment_key_on_a_node);
	tcase_add_test(ext, ext_lab_settings);
	tcase_add_test(ext, ext_lab_hosts);
	tcase_add_test(ext, ext_kathara_format_and_order);
	tcase_add_test(dep, dep_three_devices);
	tcase_add_test(dep, dep_comments_and_empty_lines);
	tcase_add_test(dep, dep_loops);
	tcase_add_test(dep, dep_syntax_and_names);
	tcase_add_test(other, values_in_tc_words);
	tcase_add_test(other, json_rendering);
	tcase_add_test(other, json_round_trip);
	tcase_add_test(other, json_round_trip_topologies);
	tcase_add_test(other, json_errors);
	tcase_add_test(other, load_directory);
	suite_add_tcase(s, conf);
	suite_add_tcase(s, ext);
	suite_add_tcase(s, dep);
	suite_add_tcase(s, other);
	return s;
}

CHECK_MAIN(labconf_suite)
