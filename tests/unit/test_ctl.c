/* The control protocol: every request decoded or refused with a reason, replies parsed. */
#include "ctl.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
decode(const char *text, struct ctl_request *req, const char **err)
{
	return ctl_request_decode(text, strlen(text), req, err);
}

/* Asserts that text is refused, with a reason mentioning want. */
#define REFUSED(text, want)                                                                        \
	do {                                                                                       \
		struct ctl_request r_;                                                             \
		const char *e_ = NULL;                                                             \
		ck_assert_int_eq(decode((text), &r_, &e_), -EBADMSG);                              \
		ck_assert_ptr_nonnull(e_);                                                         \
		ck_assert_msg(strstr(e_, (want)), "'%s': reason '%s' lacks '%s'", (text), e_,      \
		              (want));                                                             \
	} while (0)

START_TEST(valid_requests)
{
	struct ctl_request r;
	const char *e;

	ck_assert_int_eq(decode("{\"op\":\"attach\",\"node\":\"abc\",\"ifname\":\"eth0\"}", &r, &e),
	                 0);
	ck_assert_int_eq(r.op, CTL_ATTACH);
	ck_assert_str_eq(r.node, "abc");
	ck_assert_str_eq(r.ifname, "eth0");
	ck_assert_int_eq(decode("{\"op\":\"detach\",\"port\":\"abc-eth0\"}", &r, &e), 0);
	ck_assert_str_eq(r.port, "abc-eth0");
	ck_assert_int_eq(decode("{\"op\":\"detach\",\"node\":\"abc\"}", &r, &e), 0);
	ck_assert_str_eq(r.node, "abc");
	ck_assert_int_eq(decode(" {\"op\":\"ports\"}\n", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_PORTS);
	ck_assert_int_eq(decode("{\"op\":\"fdb\",\"future\":[1,2,{\"x\":null}]}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_FDB);
}
END_TEST

START_TEST(attach_segment)
{
	struct ctl_request r = {
		.op = CTL_ATTACH, .node = "n1", .ifname = "eth1", .segment = "lan_1"
	};
	char *text = ctl_request_encode(&r);
	const char *e;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(decode(text, &r, &e), 0);
	ck_assert_str_eq(r.segment, "lan_1");
	free(text);
	/* Absent: the default segment, as for clients older than segments. */
	ck_assert_int_eq(decode("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\"}", &r, &e), 0);
	ck_assert_str_eq(r.segment, "");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":\"\"}", "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":7}", "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":\"a b\"}",
	        "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":\"-x\"}",
	        "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\","
	        "\"segment\":\"abcdefghijabcdefghijabcdefghij12\"}",
	        "segment");
	ck_assert(ctl_segment_valid("abcdefghijabcdefghijabcdefghij1"));
	ck_assert(ctl_segment_valid("default"));
	ck_assert(!ctl_segment_valid("x/y"));
}
END_TEST

START_TEST(malformed_requests)
{
	char big[CTL_MSG_MAX + 2];
	struct ctl_request r;
	const char *e;

	REFUSED("", "empty");
	REFUSED("not json", "not valid JSON");
	REFUSED("{\"op\":\"ports\"", "not valid JSON");
	REFUSED("[\"op\",\"ports\"]", "not a JSON object");
	REFUSED("\"ports\"", "not a JSON object");
	REFUSED("42", "not a JSON object");
	REFUSED("null", "not a JSON object");
	REFUSED("{}", "\"op\"");
	REFUSED("{\"op\":7}", "\"op\"");
	REFUSED("{\"op\":null}", "\"op\"");
	REFUSED("{\"op\":\"explode\"}", "unknown op");
	REFUSED("{\"op\":\"ATTACH\"}", "unknown op");
	REFUSED("{\"op\":\"ports\"} {\"op\":\"fdb\"}", "trailing");
	REFUSED("{\"op\":\"attach\",\"ifname\":\"eth0\"}", "needs \"node\"");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":5}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"a/b\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"..\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"has space\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"sixteencharsxxxx\"}", "ifname");
	REFUSED("{\"op\":\"attach\",\"node\":\"../etc\",\"ifname\":\"eth0\"}", "identity");
	REFUSED("{\"op\":\"attach\",\"node\":\"\",\"ifname\":\"eth0\"}", "identity");
	REFUSED("{\"op\":\"attach\",\"node\":[],\"ifname\":\"eth0\"}", "identity");
	REFUSED("{\"op\":\"attach\",\"node\":\"-x\",\"ifname\":\"eth0\"}", "identity");
	REFUSED("{\"op\":\"detach\"}", "exactly one");
	REFUSED("{\"op\":\"detach\",\"port\":\"a-eth0\",\"node\":\"a\"}", "exactly one");
	REFUSED("{\"op\":\"detach\",\"port\":\"\"}", "port");
	REFUSED("{\"op\":\"detach\",\"port\":{}}", "port");

	/* A NUL inside the message must not cut it short into something valid. */
	ck_assert_int_eq(ctl_request_decode("{\"op\":\"fdb\"}\0garbage", 20, &r, &e), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(e, "NUL"));
	/* Invalid UTF-8 and control characters inside strings. */
	REFUSED("{\"op\":\"attach\",\"node\":\"a\xff\",\"ifname\":\"eth0\"}", "identity");

	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"op\":\"ports\"}", 14);
	ck_assert_int_eq(ctl_request_decode(big, CTL_MSG_MAX + 1, &r, &e), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(e, "too long"));
	/* Exactly at the limit is fine. */
	ck_assert_int_eq(ctl_request_decode(big, CTL_MSG_MAX, &r, &e), 0);
}
END_TEST

START_TEST(deeply_nested)
{
	static char deep[20000];
	struct ctl_request r;
	const char *e;
	size_t n = 0;

	n += sprintf(deep, "{\"op\":\"ports\",\"x\":");
	for (int i = 0; i < 5000; i++)
		deep[n++] = '[';
	for (int i = 0; i < 5000; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	/* cJSON refuses nesting past its limit: an error, not a stack overflow. */
	ck_assert_int_eq(ctl_request_decode(deep, n, &r, &e), -EBADMSG);
}
END_TEST

/* cJSON decodes \u0000 into a NUL that cuts every string it is in. */
START_TEST(nul_escapes_refused)
{
	struct ctl_request r;
	const char *e;
	cJSON *o = NULL;
	char *err = NULL;
	const char *reply = "{\"ok\":false,\"error\":\"a\\u0000b\"}";

	REFUSED("{\"op\":\"detach\",\"node\":\"a\\u0000zz\"}", "\\u0000");
	REFUSED("{\"op\":\"detach\",\"port\":\"a-eth0\\u0000x\"}", "\\u0000");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"eth0\\u0000\"}", "\\u0000");
	REFUSED("{\"op\\u0000x\":\"ports\"}", "\\u0000");
	REFUSED("{\"op\":\"ports\\u0000\"}", "\\u0000");
	REFUSED("{\"op\":\"ports\",\"x\":[\"\\u0000\"]}", "\\u0000");
	/* Not a NUL: an escaped backslash before u0000, other \u escapes, text outside strings. */
	ck_assert_int_eq(decode("{\"op\":\"ports\",\"x\":\"\\\\u0000\"}", &r, &e), 0);
	ck_assert_int_eq(decode("{\"op\":\"ports\",\"x\":\"\\u0001\\u00e9\\\"\"}", &r, &e), 0);
	ck_assert_int_eq(decode("{\"op\":\"detach\",\"node\":\"\\u0061\"}", &r, &e), 0);
	ck_assert_str_eq(r.node, "a");
	/* Replies too. */
	ck_assert_int_eq(ctl_reply_decode(reply, strlen(reply), &o, &err), -EBADMSG);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(encode_roundtrip)
{
	struct ctl_request in = { .op = CTL_ATTACH }, out;
	const char *e;
	char *text;

	strcpy(in.node, "Xy3-node_1.a");
	strcpy(in.ifname, "eth0");
	text = ctl_request_encode(&in);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(ctl_request_decode(text, strlen(text), &out, &e), 0);
	ck_assert_int_eq(out.op, CTL_ATTACH);
	ck_assert_str_eq(out.node, in.node);
	ck_assert_str_eq(out.ifname, in.ifname);
	free(text);
}
END_TEST

START_TEST(replies)
{
	cJSON *o = NULL;
	char *err = NULL, *text;

	text = ctl_reply_error("no such port '%s'", "x\"y");
	ck_assert_int_eq(ctl_reply_decode(text, strlen(text), &o, &err), -EREMOTEIO);
	ck_assert_str_eq(err, "no such port 'x\"y'");
	free(err);
	free(text);

	ck_assert_int_eq(ctl_reply_decode("{\"ok\":true,\"port\":\"a-eth0\"}", 27, &o, &err), 0);
	ck_assert_str_eq(json_string(o, "port"), "a-eth0");
	cJSON_Delete(o);

	ck_assert_int_eq(ctl_reply_decode("{\"ok\":1}", 8, &o, &err), -EBADMSG);
	ck_assert_int_eq(ctl_reply_decode("[]", 2, &o, &err), -EBADMSG);
	ck_assert_int_eq(ctl_reply_decode("{", 1, &o, &err), -EBADMSG);
}
END_TEST

START_TEST(port_and_fdb_objects)
{
	struct ctl_port p = { .rx_frames = 1,
		              .rx_bytes = 2,
		              .tx_frames = 3,
		              .tx_bytes = 4,
		              .drops = 5 },
	                q;
	struct ctl_fdb_entry f = { .mac = { 2, 0xab, 0, 0, 0, 1 }, .age = 7 }, g;
	cJSON *o;

	strcpy(p.name, "n-eth0");
	strcpy(p.node, "n");
	strcpy(p.ifname, "eth0");
	strcpy(p.state, "forwarding");
	strcpy(p.kind, "tap");
	strcpy(p.segment, "lan1");
	p.has_mac = true;
	p.mac[0] = 2, p.mac[5] = 9;
	o = ctl_port_to_json(&p);
	ck_assert_str_eq(json_string(o, "mac"), "02:00:00:00:00:09");
	ck_assert_int_eq(ctl_port_from_json(o, &q), 0);
	ck_assert_int_eq(memcmp(&p, &q, sizeof(p)), 0);
	cJSON_Delete(o);

	strcpy(f.port, "n-eth0");
	strcpy(f.segment, "lan1");
	f.vlan = 10;
	o = ctl_fdb_to_json(&f);
	ck_assert_str_eq(json_string(o, "mac"), "02:ab:00:00:00:01");
	ck_assert_int_eq(ctl_fdb_from_json(o, &g), 0);
	ck_assert_int_eq(memcmp(&f, &g, sizeof(f)), 0);
	cJSON_Delete(o);

	ck_assert_int_eq(ctl_port_from_json(NULL, &q), -EBADMSG);
	o = cJSON_Parse("{\"mac\":\"zz\",\"port\":\"p\"}");
	ck_assert_int_eq(ctl_fdb_from_json(o, &g), -EBADMSG);
	cJSON_Delete(o);
}
END_TEST

START_TEST(segment_requests)
{
	struct ctl_request r, again;
	const char *e;
	char *text;

	ck_assert_int_eq(decode("{\"op\":\"segment-add\",\"name\":\"lan1\",\"mtu\":1400,"
	                        "\"subnet\":\"10.1.0.0/24\"}",
	                        &r, &e),
	                 0);
	ck_assert_int_eq(r.op, CTL_SEGMENT_ADD);
	ck_assert_str_eq(r.name, "lan1");
	ck_assert_uint_eq(r.mtu, 1400);
	text = ctl_request_encode(&r);
	ck_assert_int_eq(decode(text, &again, &e), 0);
	ck_assert_int_eq(memcmp(&r, &again, sizeof(r)), 0);
	free(text);
	ck_assert_int_eq(decode("{\"op\":\"segment-add\",\"name\":\"a\"}", &r, &e), 0);
	ck_assert_uint_eq(r.mtu, 0);
	ck_assert_int_eq(decode("{\"op\":\"segment-del\",\"name\":\"a\",\"mtu\":\"x\"}", &r, &e),
	                 0);
	ck_assert_int_eq(r.op, CTL_SEGMENT_DEL);
	ck_assert_int_eq(decode("{\"op\":\"segments\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_SEGMENTS);
	ck_assert_str_eq(ctl_op_name(CTL_SEGMENT_ADD), "segment-add");

	REFUSED("{\"op\":\"segment-add\"}", "\"name\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":5}", "\"name\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"\"}", "\"name\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a b\"}", "\"name\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"abcdefghijabcdefghijabcdefghij12\"}", "name");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":\"1500\"}", "mtu");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":67}", "mtu");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":65536}", "mtu");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":1500.5}", "mtu");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":-1}", "mtu");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"a\",\"mtu\":1e300}", "mtu");
	REFUSED("{\"op\":\"segment-del\"}", "\"name\"");
	REFUSED("{\"op\":\"segment-del\",\"name\":[]}", "\"name\"");
}
END_TEST

START_TEST(host_requests)
{
	struct ctl_request r, again;
	const char *e;
	char *text;

	ck_assert_int_eq(decode("{\"op\":\"host-add\",\"name\":\"ctn0\",\"segment\":\"lan1\","
	                        "\"ipv4\":\"10.1.0.254/24\",\"ipv6\":\"fd00:1::fe/64\","
	                        "\"masquerade\":true}",
	                        &r, &e),
	                 0);
	ck_assert_int_eq(r.op, CTL_HOST_ADD);
	ck_assert_str_eq(r.name, "ctn0");
	ck_assert_str_eq(r.segment, "lan1");
	ck_assert_str_eq(r.ipv4, "10.1.0.254/24");
	ck_assert_str_eq(r.ipv6, "fd00:1::fe/64");
	ck_assert(r.masquerade);
	text = ctl_request_encode(&r);
	ck_assert_int_eq(decode(text, &again, &e), 0);
	ck_assert_int_eq(memcmp(&r, &again, sizeof(r)), 0);
	free(text);
	ck_assert_int_eq(decode("{\"op\":\"host-add\",\"name\":\"h\"}", &r, &e), 0);
	ck_assert_str_eq(r.segment, "");
	ck_assert(!r.masquerade);
	ck_assert_int_eq(decode("{\"op\":\"host-del\",\"name\":\"h\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_HOST_DEL);

	REFUSED("{\"op\":\"host-add\"}", "\"name\"");
	REFUSED("{\"op\":\"host-add\",\"name\":\"sixteencharsxxxx\"}", "\"name\"");
	REFUSED("{\"op\":\"host-add\",\"name\":\"a/b\"}", "\"name\"");
	REFUSED("{\"op\":\"host-del\",\"name\":1}", "\"name\"");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"segment\":\"-\"}", "segment");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0.1\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0.1/33\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0.1/024\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0.1/+4\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0/24\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"fd00::1/64\"}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":24}", "ipv4");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv6\":\"10.1.0.1/24\"}", "ipv6");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv6\":\"fd00::1/129\"}", "ipv6");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv6\":\"fd00::1/\"}", "ipv6");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"ipv4\":\"10.1.0.1/24\","
	        "\"masquerade\":1}",
	        "masquerade");
	REFUSED("{\"op\":\"host-add\",\"name\":\"h\",\"masquerade\":true}", "needs \"ipv4\"");
}
END_TEST

START_TEST(vxlan_requests)
{
	struct ctl_request r, again;
	const char *e;
	char *text;

	ck_assert_int_eq(decode("{\"op\":\"vxlan-add\",\"name\":\"vx1\",\"vni\":42,\"remote\":"
	                        "[\"10.200.0.1\",\"10.200.0.2\"],\"local\":\"10.200.0.3\","
	                        "\"dstport\":8472,\"segment\":\"lan1\"}",
	                        &r, &e),
	                 0);
	ck_assert_int_eq(r.op, CTL_VXLAN_ADD);
	ck_assert_str_eq(r.name, "vx1");
	ck_assert_uint_eq(r.vni, 42);
	ck_assert(r.has_vni);
	ck_assert_uint_eq(r.nremote, 2);
	ck_assert_str_eq(r.remote[1], "10.200.0.2");
	ck_assert_str_eq(r.local, "10.200.0.3");
	ck_assert_uint_eq(r.dstport, 8472);
	ck_assert_str_eq(r.segment, "lan1");
	text = ctl_request_encode(&r);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(decode(text, &again, &e), 0);
	free(text);
	ck_assert_mem_eq(&again, &r, sizeof(r));
	/* one remote as a plain string, VNI 0 */
	ck_assert_int_eq(
	        decode("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":0,\"remote\":\"fd00::1\"}", &r,
	               &e),
	        0);
	ck_assert_uint_eq(r.nremote, 1);
	ck_assert_uint_eq(r.dstport, 0);
	ck_assert_int_eq(decode("{\"op\":\"vxlan-del\",\"name\":\"vx1\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_VXLAN_DEL);
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"remote\":\"10.0.0.1\"}", "vni");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":16777216,\"remote\":\"10.0.0.1\"}",
	        "vni");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1.5,\"remote\":\"10.0.0.1\"}", "vni");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":-1,\"remote\":\"10.0.0.1\"}", "vni");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1}", "remote");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":[]}", "remote");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":\"x\"}", "remote");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":[1]}", "remote");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":\"10.0.0.1\",\"local\":\"y\"}",
	        "local");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":\"10.0.0.1\",\"dstport\":0}",
	        "dstport");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":\"10.0.0.1\",\"segment\":\"\"}",
	        "segment");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"a/b\",\"vni\":1,\"remote\":\"10.0.0.1\"}",
	        "name");
	REFUSED("{\"op\":\"vxlan-del\"}", "name");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":1,\"remote\":[\"10.0.0.1\",\"10.0.0.2\","
	        "\"10.0.0.3\",\"10.0.0.4\",\"10.0.0.5\",\"10.0.0.6\",\"10.0.0.7\",\"10.0.0.8\","
	        "\"10.0.0.9\",\"10.0.0.10\",\"10.0.0.11\",\"10.0.0.12\",\"10.0.0.13\",\"10.0.0.14\","
	        "\"10.0.0.15\",\"10.0.0.16\",\"10.0.0.17\"]}",
	        "more than 16");
}
END_TEST

START_TEST(fdb_edit_requests)
{
	struct ctl_request r, again;
	const char *e;
	char *text;

	ck_assert_int_eq(
	        decode("{\"op\":\"fdb-add\",\"mac\":\"02:00:00:00:00:07\",\"port\":\"vx1\","
	               "\"remote\":\"10.0.0.2\"}",
	               &r, &e),
	        0);
	ck_assert_int_eq(r.op, CTL_FDB_ADD);
	ck_assert_uint_eq(r.mac[5], 7);
	ck_assert_str_eq(r.port, "vx1");
	ck_assert_str_eq(r.remote[0], "10.0.0.2");
	text = ctl_request_encode(&r);
	ck_assert_int_eq(decode(text, &again, &e), 0);
	free(text);
	ck_assert_mem_eq(&again, &r, sizeof(r));
	ck_assert_int_eq(
	        decode("{\"op\":\"fdb-del\",\"mac\":\"02:00:00:00:00:07\",\"segment\":\"lab\"}", &r,
	               &e),
	        0);
	ck_assert_str_eq(r.segment, "lab");
	REFUSED("{\"op\":\"fdb-add\",\"port\":\"vx1\"}", "mac");
	REFUSED("{\"op\":\"fdb-add\",\"mac\":\"01:00:00:00:00:07\",\"port\":\"vx1\"}", "unicast");
	REFUSED("{\"op\":\"fdb-add\",\"mac\":\"00:00:00:00:00:00\",\"port\":\"vx1\"}", "unicast");
	REFUSED("{\"op\":\"fdb-add\",\"mac\":\"02:00:00:00:00:07\"}", "port");
	REFUSED("{\"op\":\"fdb-add\",\"mac\":\"02:00:00:00:00:07\",\"port\":\"p\",\"remote\":\"z\"}",
	        "remote");
	REFUSED("{\"op\":\"fdb-del\",\"mac\":\"zz\"}", "mac");
}
END_TEST

START_TEST(fdb_remote_objects)
{
	struct ctl_fdb_entry in = { .mac = { 2, 0, 0, 0, 0, 1 },
		                    .segment = "lab",
		                    .port = "vx1",
		                    .age = 3,
		                    .remote = "10.0.0.2" },
	                     out;
	cJSON *o = ctl_fdb_to_json(&in);

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(ctl_fdb_from_json(o, &out), 0);
	ck_assert_str_eq(out.remote, "10.0.0.2");
	ck_assert(!out.fixed);
	cJSON_Delete(o);
	in.fixed = true;
	in.remote[0] = '\0';
	o = ctl_fdb_to_json(&in);
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "remote"));
	ck_assert_int_eq(ctl_fdb_from_json(o, &out), 0);
	ck_assert(out.fixed);
	cJSON_Delete(o);
}
END_TEST

START_TEST(prefixes)
{
	unsigned char a[16];
	unsigned len;

	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1/0", AF_INET, a, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1/32", AF_INET, a, &len), 0);
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(a[0], 192);
	ck_assert_int_eq(ctl_prefix_parse("::1/128", AF_INET6, a, &len), 0);
	ck_assert_uint_eq(len, 128);
	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1", AF_INET, a, &len), -EINVAL);
	ck_assert_int_eq(ctl_prefix_parse("/24", AF_INET, a, &len), -EINVAL);
	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1/24/1", AF_INET, a, &len), -EINVAL);
	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1/1000", AF_INET, a, &len), -EINVAL);
	ck_assert_int_eq(ctl_prefix_parse("192.0.2.1/ 4", AF_INET, a, &len), -EINVAL);
}
END_TEST

START_TEST(segment_objects)
{
	struct ctl_segment s = { .name = "lan1", .mtu = 9000, .ports = 3 }, t;
	cJSON *o = ctl_segment_to_json(&s), *r;
	char *err = NULL, *text;

	ck_assert_int_eq(ctl_segment_from_json(o, &t), 0);
	ck_assert_int_eq(memcmp(&s, &t, sizeof(s)), 0);
	cJSON_Delete(o);
	text = ctl_reply_segment(&s);
	ck_assert_int_eq(ctl_reply_decode(text, strlen(text), &r, &err), 0);
	ck_assert_int_eq(ctl_segment_from_json(cJSON_GetObjectItem(r, "segment"), &t), 0);
	ck_assert_str_eq(t.name, "lan1");
	cJSON_Delete(r);
	free(text);
	text = ctl_reply_port("n-eth0", "lan1");
	ck_assert_str_eq(text, "{\"ok\":true,\"port\":\"n-eth0\",\"segment\":\"lan1\"}");
	free(text);
	text = ctl_reply_port("ctn0", NULL);
	ck_assert_str_eq(text, "{\"ok\":true,\"port\":\"ctn0\"}");
	free(text);
	o = cJSON_Parse("{\"name\":7}");
	ck_assert_int_eq(ctl_segment_from_json(o, &t), -EBADMSG);
	cJSON_Delete(o);
	/* a stretched segment: its domain, its slice, its services elsewhere */
	s = (struct ctl_segment){ .name = "lan",
		                  .mtu = 1450,
		                  .subnet = "10.1.0.0/24",
		                  .domain = "lab",
		                  .no_services = true,
		                  .slice = "2/2" };
	o = ctl_segment_to_json(&s);
	text = cJSON_PrintUnformatted(o);
	ck_assert_ptr_nonnull(
	        strstr(text, "\"domain\":\"lab\",\"services\":false,\"slice\":\"2/2\""));
	free(text);
	ck_assert_int_eq(ctl_segment_from_json(o, &t), 0);
	ck_assert_int_eq(memcmp(&s, &t, sizeof(s)), 0);
	cJSON_Delete(o);
}
END_TEST

#define ATT "{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\","

static bool
has_vlan(const struct ctl_vlan *v, unsigned vid)
{
	return v->trunk[vid / 64] >> (vid % 64) & 1;
}

START_TEST(attach_vlan_roles)
{
	struct ctl_request r;
	const char *e;
	char *text, buf[64];
	size_t n;

	ck_assert_int_eq(decode(ATT "\"access\":10}", &r, &e), 0);
	ck_assert_int_eq(r.vlan.mode, CTL_VLAN_ACCESS);
	ck_assert_uint_eq(r.vlan.access, 10);
	ck_assert_int_eq(decode(ATT "\"access\":4094}", &r, &e), 0);
	ck_assert_int_eq(decode(ATT "\"trunk\":[10,20,4094,1],\"native\":5}", &r, &e), 0);
	ck_assert_int_eq(r.vlan.mode, CTL_VLAN_TRUNK);
	ck_assert(has_vlan(&r.vlan, 1) && has_vlan(&r.vlan, 10) && has_vlan(&r.vlan, 20) &&
	          has_vlan(&r.vlan, 4094) && !has_vlan(&r.vlan, 5) && !has_vlan(&r.vlan, 0));
	ck_assert_uint_eq(r.vlan.native, 5);
	/* Encoded again, the same role. */
	text = ctl_request_encode(&r);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "\"trunk\":[1,10,20,4094],\"native\":5"));
	ck_assert_int_eq(decode(text, &r, &e), 0);
	ck_assert(has_vlan(&r.vlan, 4094) && r.vlan.native == 5);
	free(text);
	ck_assert_int_eq(decode(ATT "\"trunk\":[],\"native\":7}", &r, &e), 0);
	ck_assert_int_eq(decode(ATT "\"segment\":\"x\"}", &r, &e), 0);
	ck_assert_int_eq(r.vlan.mode, CTL_VLAN_NONE);

	REFUSED(ATT "\"access\":0}", "access");
	REFUSED(ATT "\"access\":4095}", "access");
	REFUSED(ATT "\"access\":-1}", "access");
	REFUSED(ATT "\"access\":1.5}", "access");
	REFUSED(ATT "\"access\":\"10\"}", "access");
	REFUSED(ATT "\"access\":null}", "access");
	REFUSED(ATT "\"access\":10,\"trunk\":[10]}", "not both");
	REFUSED(ATT "\"native\":10}", "goes with");
	REFUSED(ATT "\"trunk\":{}}", "not a list");
	REFUSED(ATT "\"trunk\":[10,10]}", "twice");
	REFUSED(ATT "\"trunk\":[0]}", "trunk");
	REFUSED(ATT "\"trunk\":[4095]}", "trunk");
	REFUSED(ATT "\"trunk\":[[10]]}", "trunk");
	REFUSED(ATT "\"trunk\":[]}", "carries no VLAN");
	REFUSED(ATT "\"trunk\":[10],\"native\":0}", "native");
	REFUSED(ATT "\"trunk\":[10],\"native\":true}", "native");
	{
		/* 5000 entries: refused for the length alone, before looking at them. */
		char big[5000 * 5 + 256];

		n = snprintf(big, sizeof(big), ATT "\"trunk\":[");
		for (int i = 0; i < 5000; i++)
			n += snprintf(big + n, sizeof(big) - n, "%s%d", i ? "," : "", i % 4094 + 1);
		snprintf(big + n, sizeof(big) - n, "]}");
		REFUSED(big, "more than 4094");
	}

	ck_assert_int_eq(ctl_vlan_set_format(r.vlan.trunk, buf, sizeof(buf)), 0);
	memset(&r.vlan, 0, sizeof(r.vlan));
	for (unsigned v = 100; v <= 200; v++)
		r.vlan.trunk[v / 64] |= 1ULL << (v % 64);
	r.vlan.trunk[0] |= 1ULL << 10;
	ck_assert_int_eq(ctl_vlan_set_format(r.vlan.trunk, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "10,100-200");
	ck_assert_int_eq(ctl_vlan_set_format(r.vlan.trunk, buf, 5), -ENOSPC);
	r.vlan.mode = CTL_VLAN_TRUNK;
	r.vlan.native = 1;
	ctl_vlan_describe(&r.vlan, buf, sizeof(buf));
	ck_assert_str_eq(buf, "trunk 10,100-200 native 1");
	r.vlan.mode = CTL_VLAN_ACCESS;
	r.vlan.access = 30;
	ctl_vlan_describe(&r.vlan, buf, sizeof(buf));
	ck_assert_str_eq(buf, "access 30");
	r.vlan.mode = CTL_VLAN_NONE;
	ctl_vlan_describe(&r.vlan, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
}
END_TEST

START_TEST(capture_requests)
{
	struct ctl_request r;
	struct ctl_capture c;
	const char *e;
	char *text;
	cJSON *o;

	ck_assert_int_eq(decode("{\"op\":\"capture\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_CAPTURE);
	ck_assert_uint_eq(r.n_cap_ports + r.n_cap_segments + r.snaplen + r.count, 0);
	ck_assert_int_eq(decode("{\"op\":\"capture\",\"ports\":[\"n1-eth0\",\"ctn0\"],"
	                        "\"segments\":[\"lan1\"],\"snaplen\":128,\"count\":5}",
	                        &r, &e),
	                 0);
	ck_assert_uint_eq(r.n_cap_ports, 2);
	ck_assert_str_eq(r.cap_ports[1], "ctn0");
	ck_assert_uint_eq(r.n_cap_segments, 1);
	ck_assert_str_eq(r.cap_segments[0], "lan1");
	ck_assert_uint_eq(r.snaplen, 128);
	ck_assert_uint_eq(r.count, 5);
	text = ctl_request_encode(&r);
	ck_assert_ptr_nonnull(text);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(decode(text, &r, &e), 0);
	ck_assert_uint_eq(r.n_cap_ports, 2);
	ck_assert_str_eq(r.cap_segments[0], "lan1");
	ck_assert_uint_eq(r.count, 5);
	free(text);
	ck_assert_int_eq(decode("{\"op\":\"capture-stop\",\"capture\":7}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_CAPTURE_STOP);
	ck_assert_uint_eq(r.capture, 7);
	text = ctl_request_encode(&r);
	ck_assert_ptr_nonnull(strstr(text, "\"capture\":7"));
	free(text);
	ck_assert_int_eq(decode("{\"op\":\"captures\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_CAPTURES);

	REFUSED("{\"op\":\"capture\",\"ports\":\"x\"}", "ports");
	REFUSED("{\"op\":\"capture\",\"ports\":[\"\"]}", "ports");
	REFUSED("{\"op\":\"capture\",\"ports\":[3]}", "ports");
	REFUSED("{\"op\":\"capture\",\"segments\":[\"-x\"]}", "segments");
	REFUSED("{\"op\":\"capture\",\"segments\":{}}", "segments");
	REFUSED("{\"op\":\"capture\",\"snaplen\":63}", "snaplen");
	REFUSED("{\"op\":\"capture\",\"snaplen\":262145}", "snaplen");
	REFUSED("{\"op\":\"capture\",\"count\":0}", "count");
	REFUSED("{\"op\":\"capture\",\"count\":1e16}", "count");
	REFUSED("{\"op\":\"capture-stop\"}", "capture");
	REFUSED("{\"op\":\"capture-stop\",\"capture\":-1}", "capture");
	REFUSED("{\"op\":\"capture-stop\",\"capture\":4294967296}", "capture");
	REFUSED("{\"op\":\"capture-stop\",\"capture\":\"1\"}", "capture");
	{
		char many[64 * 8 + 128];
		size_t n = snprintf(many, sizeof(many), "{\"op\":\"capture\",\"ports\":[");

		for (int i = 0; i < 65; i++)
			n += snprintf(many + n, sizeof(many) - n, "%s\"p%d\"", i ? "," : "", i);
		snprintf(many + n, sizeof(many) - n, "]}");
		REFUSED(many, "at most 64");
	}

	c = (struct ctl_capture){ .id = 3, .frames = 10, .dropped = 2, .done = true };
	o = ctl_capture_to_json(&c);
	ck_assert_ptr_nonnull(o);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(ctl_capture_from_json(o, &c), 0);
	ck_assert(c.id == 3 && c.frames == 10 && c.dropped == 2 && c.done);
	cJSON_Delete(o);
	ck_assert_int_eq(ctl_capture_from_json(NULL, &c), -EBADMSG);
}
END_TEST

START_TEST(port_vlan_objects)
{
	struct ctl_port p = { .name = "n-eth0", .kind = "tap" }, q;
	cJSON *o;

	p.vlan.mode = CTL_VLAN_TRUNK;
	p.vlan.trunk[0] = 1ULL << 10 | 1ULL << 20;
	p.vlan.native = 1;
	o = ctl_port_to_json(&p);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(ctl_port_from_json(o, &q), 0);
	ck_assert_int_eq(q.vlan.mode, CTL_VLAN_TRUNK);
	ck_assert_uint_eq(q.vlan.trunk[0], 1ULL << 10 | 1ULL << 20);
	ck_assert_uint_eq(q.vlan.native, 1);
	cJSON_Delete(o);
	p.vlan = (struct ctl_vlan){ .mode = CTL_VLAN_ACCESS, .access = 4094 };
	o = ctl_port_to_json(&p);
	ck_assert_int_eq(ctl_port_from_json(o, &q), 0);
	ck_assert_int_eq(q.vlan.mode, CTL_VLAN_ACCESS);
	ck_assert_uint_eq(q.vlan.access, 4094);
	cJSON_Delete(o);
}
END_TEST

/* The switch's replies, their field names all in ctl.c: built, then read back. */
START_TEST(reply_builders)
{
	struct ctl_port p = { .name = "vx1", .kind = "vxlan", .drops = 7 }, q;
	struct ctl_segment sg = { .name = "lan", .has_endpoint = true, .endpoint_drops = 9 }, sq;
	struct ctl_capture c = { .frames = 5, .dropped = 1 };
	_cleanup_json_ cJSON *reply = NULL;
	cJSON *list, *o;
	const cJSON *vx;
	char *text, *err = NULL;
	uint32_t id;

	/* A listing: {"ok":true,"ports":[...]}, read back by op. */
	o = ctl_reply_list(CTL_PORTS, &list);
	ck_assert_ptr_nonnull(o);
	p.rx_drops = 3;
	p.tx_drops = 4;
	p.has_vxlan = true;
	p.vxlan = (struct ctl_port_vxlan){
		.vni = 42, .nremote = 1, .dstport = 4789, .underlay_mtu = 1500, .ndrops = 1
	};
	strcpy(p.vxlan.remote[0], "10.0.0.2");
	p.vxlan.drop_reason[0] = "no I flag";
	p.vxlan.drops[0] = 2;
	ck_assert(cJSON_AddItemToArray(list, ctl_port_to_json(&p)));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ck_assert_str_eq(
	        text, "{\"ok\":true,\"ports\":[{\"name\":\"vx1\",\"node\":\"\","
	              "\"ifname\":\"\",\"state\":\"\",\"kind\":\"vxlan\","
	              "\"segment\":\"\",\"rx_frames\":0,\"rx_bytes\":0,"
	              "\"tx_frames\":0,\"tx_bytes\":0,\"drops\":7,\"rx_drops\":3,"
	              "\"tx_drops\":4,\"vni\":42,\"remote\":[\"10.0.0.2\"],"
	              "\"dstport\":4789,\"underlay_mtu\":1500,\"gro_merged\":0,\"gro_segments\":0,"
	              "\"vxlan_drops\":{\"no I flag\":2}}]}");
	ck_assert_int_eq(ctl_reply_decode(text, strlen(text), &reply, &err), 0);
	free(text);
	ck_assert_int_eq(cJSON_GetArraySize(ctl_reply_list_get(reply, CTL_PORTS)), 1);
	ck_assert_ptr_null(ctl_reply_list_get(reply, CTL_FDB));
	ck_assert_int_eq(
	        ctl_port_from_json(cJSON_GetArrayItem(ctl_reply_list_get(reply, CTL_PORTS), 0), &q),
	        0);
	ck_assert(q.rx_drops == 3 && q.tx_drops == 4 && q.drops == 7);
	vx = cJSON_GetArrayItem(ctl_reply_list_get(reply, CTL_PORTS), 0);
	ck_assert_uint_eq(json_uint(vx, "vni", 0), 42);
	ck_assert_ptr_null(ctl_reply_list(CTL_ATTACH, &list));

	/* A segment's endpoint drops, only where it has an endpoint. */
	o = ctl_segment_to_json(&sg);
	ck_assert_int_eq(ctl_segment_from_json(o, &sq), 0);
	ck_assert(sq.has_endpoint && sq.endpoint_drops == 9);
	cJSON_Delete(o);
	sg.has_endpoint = false;
	o = ctl_segment_to_json(&sg);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(o, "endpoint_drops"));
	cJSON_Delete(o);

	text = ctl_reply_detach(2);
	ck_assert_str_eq(text, "{\"ok\":true,\"detached\":2}");
	free(text);
	text = ctl_reply_capture(7);
	ck_assert_str_eq(text, "{\"ok\":true,\"capture\":7}");
	o = cJSON_Parse(text);
	free(text);
	ck_assert_int_eq(ctl_reply_capture_id(o, &id), 0);
	ck_assert_uint_eq(id, 7);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"ok\":true}");
	ck_assert_int_eq(ctl_reply_capture_id(o, &id), -EBADMSG);
	cJSON_Delete(o);
	text = ctl_reply_capture_stop(&c);
	ck_assert_str_eq(text, "{\"ok\":true,\"frames\":5,\"dropped\":1}");
	o = cJSON_Parse(text);
	free(text);
	c = (struct ctl_capture){};
	ck_assert_int_eq(ctl_capture_from_json(o, &c), 0);
	ck_assert(c.frames == 5 && c.dropped == 1);
	cJSON_Delete(o);
}
END_TEST

START_TEST(port_names)
{
	char name[CTL_PORT_NAME_MAX];
	char node[IDENT_MAX + 1];

	ck_assert_int_eq(ctl_port_name("abc", "eth0", name), 0);
	ck_assert_str_eq(name, "abc-eth0");
	memset(node, 'a', IDENT_MAX);
	node[IDENT_MAX] = '\0';
	ck_assert_int_eq(ctl_port_name(node, "fifteencharsxxx", name), 0);
	ck_assert_str_eq(ctl_op_name(CTL_FDB), "fdb");
}
END_TEST

START_TEST(link_requests)
{
	struct ctl_request r;
	const char *e;
	_cleanup_free_ char *text = NULL;

	ck_assert_int_eq(
	        decode("{\"op\":\"link-set\",\"port\":\"a-eth0\",\"delay\":\"20ms\","
	               "\"jitter\":\"2ms\",\"distribution\":\"normal\",\"loss\":\"1%\","
	               "\"duplicate\":\"0.5%\",\"corrupt\":\"0.1%\",\"reorder\":\"5%\","
	               "\"rate\":\"10mbit\",\"limit\":500,\"seed\":7,\"carrier\":\"down\"}",
	               &r, &e),
	        0);
	ck_assert_int_eq(r.op, CTL_LINK_SET);
	ck_assert_str_eq(r.port, "a-eth0");
	ck_assert_uint_eq(r.dir, CTL_DIR_EGRESS);
	ck_assert_uint_eq(r.link.delay_ns, 20000000);
	ck_assert_uint_eq(r.link.jitter_ns, 2000000);
	ck_assert(r.link.normal);
	ck_assert(r.link.loss == 1 && r.link.duplicate == 0.5 && r.link.reorder == 5);
	ck_assert_uint_eq(r.link.rate_bps, 10000000);
	ck_assert_uint_eq(r.link.limit, 500);
	ck_assert_uint_eq(r.link.seed, 7);
	ck_assert_int_eq(r.carrier, CTL_CARRIER_DOWN);
	ck_assert_uint_eq(r.link.set, (1U << 11) - 1 - CTL_LINK_LOSS_GE);
	/* What the CLI encodes, the switch decodes the same. */
	text = ctl_request_encode(&r);
	ck_assert_ptr_nonnull(text);
	{
		struct ctl_request again;

		ck_assert_int_eq(decode(text, &again, &e), 0);
		ck_assert_mem_eq(&again.link, &r.link, sizeof(r.link));
		ck_assert_int_eq(again.carrier, r.carrier);
	}
	ck_assert_int_eq(decode("{\"op\":\"link-set\",\"segment\":\"lan1\",\"dir\":\"both\","
	                        "\"loss_ge\":\"1%,25%\",\"clear\":true}",
	                        &r, &e),
	                 0);
	ck_assert_str_eq(r.segment, "lan1");
	ck_assert_uint_eq(r.dir, CTL_DIR_BOTH);
	ck_assert(r.clear);
	ck_assert(r.link.ge[1] == 25 && r.link.ge[2] == 100);
	ck_assert_int_eq(decode("{\"op\":\"link-show\"}", &r, &e), 0);
	ck_assert_int_eq(decode("{\"op\":\"link-show\",\"segment\":\"lan1\"}", &r, &e), 0);

	REFUSED("{\"op\":\"link-set\",\"delay\":\"1ms\"}", "needs \"port\" or \"segment\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\"}", "needs a setting");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"segment\":\"b\",\"delay\":\"1ms\"}",
	        "not both");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"loss\":\"150%\"}",
	        "\"loss\" is not a percentage");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"loss\":\"-1%\"}", "\"loss\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"delay\":\"5parsecs\"}",
	        "\"delay\" is not a time");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"delay\":5}", "\"delay\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"rate\":\"0bit\"}", "\"rate\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"limit\":0}", "\"limit\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"limit\":4294967296}", "\"limit\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"limit\":\"5\"}", "\"limit\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"seed\":-1}", "\"seed\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"seed\":1e300}", "\"seed\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"distribution\":\"pareto\"}",
	        "\"distribution\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"dir\":\"up\",\"delay\":\"1ms\"}", "\"dir\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"carrier\":true}", "\"carrier\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"a\",\"clear\":1}", "\"clear\"");
	REFUSED("{\"op\":\"link-set\",\"port\":\"\",\"delay\":\"1ms\"}", "\"port\"");
	REFUSED("{\"op\":\"link-show\",\"segment\":\"a b\"}", "\"segment\"");
}
END_TEST

START_TEST(link_words_and_objects)
{
	struct ctl_link l = {};
	struct ctl_link_entry in = { .port = "a-eth0", .segment = "lan1", .carrier_down = true };
	struct ctl_link_entry out;
	_cleanup_json_ cJSON *o = NULL;
	const char *e;
	char text[256];

	ck_assert_int_eq(ctl_link_parse_word("delay=20ms", &l, &e), 0);
	ck_assert_int_eq(ctl_link_parse_word("loss_ge=1%,25%", &l, &e), 0);
	ck_assert_int_eq(ctl_link_parse_word("limit=100", &l, &e), 0);
	ck_assert_int_eq(ctl_link_parse_word("loss=150%", &l, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e, "loss: '150%' is not a percentage"));
	ck_assert_int_eq(ctl_link_parse_word("wobble=1", &l, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e, "unknown link setting 'wobble=1'"));
	ck_assert_int_eq(ctl_link_parse_word("delay", &l, &e), -EINVAL);
	ctl_link_format(&l, text, sizeof(text));
	ck_assert_str_eq(text, "delay=20ms loss_ge=1%,25%,100%,0% limit=100");
	ctl_link_format(&(struct ctl_link){}, text, sizeof(text));
	ck_assert_str_eq(text, "-");
	/* loss and loss_ge replace each other. */
	ck_assert_int_eq(ctl_link_parse_word("loss=1%", &l, &e), 0);
	ck_assert(!(l.set & CTL_LINK_LOSS_GE));

	in.dir[0] = l;
	in.cnt[0].dropped_loss = 12;
	in.cnt[1].queued = 3;
	o = ctl_link_to_json(&in);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(ctl_link_from_json(o, &out), 0);
	ck_assert_str_eq(out.port, "a-eth0");
	ck_assert_str_eq(out.segment, "lan1");
	ck_assert(out.carrier_down);
	ck_assert_uint_eq(out.dir[0].set, l.set);
	ctl_link_format(&out.dir[0], text, sizeof(text));
	ck_assert_str_eq(text, "delay=20ms loss=1% limit=100");
	ck_assert_uint_eq(out.cnt[0].dropped_loss, 12);
	ck_assert_uint_eq(out.cnt[1].queued, 3);
}
END_TEST

START_TEST(addressing_requests)
{
	struct ctl_request r, back;
	const char *e;
	_cleanup_free_ char *text = NULL;

	ck_assert_int_eq(decode("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"eth0\","
	                        "\"ipv4\":\"auto\",\"ipv6\":\"auto\",\"hostname\":\"web\"}",
	                        &r, &e),
	                 0);
	ck_assert_str_eq(r.ipv4, CTL_AUTO);
	ck_assert_str_eq(r.ipv6, CTL_AUTO);
	ck_assert_str_eq(r.hostname, "web");
	ck_assert_int_eq(decode("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"eth0\","
	                        "\"ipv4\":\"10.0.0.5/24\"}",
	                        &r, &e),
	                 0);
	ck_assert_str_eq(r.ipv4, "10.0.0.5/24");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"ipv4\":\"automatic\"}",
	        "\"ipv4\"");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"ipv6\":\"10.0.0.1/8\"}",
	        "\"ipv6\"");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"hostname\":\"a b\"}",
	        "\"hostname\"");
	ck_assert_int_eq(
	        decode("{\"op\":\"segment-add\",\"name\":\"lan\",\"subnet\":\"10.1.0.0/24\","
	               "\"service\":\"10.1.0.253\",\"gateway\":\"10.1.0.254\",\"dhcp\":"
	               "\"10.1.0.100-10.1.0.199\",\"ipv6\":\"fd00::/64\",\"dns\":true}",
	               &r, &e),
	        0);
	ck_assert_str_eq(r.subnet, "10.1.0.0/24");
	ck_assert_str_eq(r.service, "10.1.0.253");
	ck_assert_str_eq(r.dhcp, "10.1.0.100-10.1.0.199");
	ck_assert_str_eq(r.ipv6, "fd00::/64");
	ck_assert(r.dns);
	text = ctl_request_encode(&r);
	ck_assert_int_eq(decode(text, &back, &e), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"dns\":1}", "\"dns\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"subnet\":7}", "\"subnet\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"dhcp\":\"10.1.0.100-10.1.0.199-10.1.0.200\"}",
	        "\"dhcp\"");
	/* a stretched segment's fields and the domain */
	ck_assert_int_eq(
	        decode("{\"op\":\"segment-add\",\"name\":\"lan\",\"subnet\":\"10.1.0.0/24\","
	               "\"domain\":\"lab1.Example\",\"services\":false,\"slice\":\"2/3\"}",
	               &r, &e),
	        0);
	ck_assert_str_eq(r.domain, "lab1.Example");
	ck_assert(r.no_services);
	ck_assert_str_eq(r.slice, "2/3");
	free(text);
	text = ctl_request_encode(&r);
	ck_assert_int_eq(decode(text, &back, &e), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	ck_assert_int_eq(
	        decode("{\"op\":\"segment-add\",\"name\":\"l\",\"services\":true}", &r, &e), 0);
	ck_assert(!r.no_services);
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"services\":0}", "\"services\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"slice\":2}", "\"slice\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"domain\":\"a..b\"}", "\"domain\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"domain\":\"lab.\"}", "\"domain\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"domain\":\"-lab\"}", "\"domain\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"domain\":\"la b\"}", "\"domain\"");
	REFUSED("{\"op\":\"segment-add\",\"name\":\"l\",\"domain\":true}", "\"domain\"");
	ck_assert_int_eq(decode("{\"op\":\"leases\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_LEASES);
	ck_assert_int_eq(decode("{\"op\":\"leases\",\"segment\":\"lan\"}", &r, &e), 0);
	ck_assert_str_eq(r.segment, "lan");
	REFUSED("{\"op\":\"leases\",\"segment\":\"-x\"}", "\"segment\"");
}
END_TEST

START_TEST(domain_names)
{
	static const char *const good[] = {
		"lab",
		"LAB",
		"a",
		"lab1.example",
		"x-1.y-2.z",
		"0.1.2",
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"
	};
	static const char *const bad[] = {
		"",
		".",
		"lab.",
		".lab",
		"a..b",
		"-a",
		"a-",
		"a.-b",
		"a_b",
		"a b",
		"l\xc3\xa4"
		"b",
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"
	};
	char longest[CTL_DOMAIN_MAX + 1];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ctl_domain_valid(good[i]), "'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ctl_domain_valid(bad[i]), "'%s' accepted", bad[i]);
	/* 253 characters in labels of 63 at most: the longest there is; one more is too long */
	memset(longest, 'a', sizeof(longest));
	for (size_t i = 63; i < CTL_DOMAIN_MAX; i += 64)
		longest[i] = '.';
	longest[CTL_DOMAIN_MAX - 1] = '\0';
	ck_assert(ctl_domain_valid(longest));
	longest[CTL_DOMAIN_MAX - 1] = 'a';
	longest[CTL_DOMAIN_MAX] = '\0';
	ck_assert(!ctl_domain_valid(longest));
}
END_TEST

START_TEST(assignments_and_leases)
{
	struct ctl_assign a = { .ipv4 = "10.1.0.5/24",
		                .gateway = "10.1.0.254",
		                .ndns = 1,
		                .dns = { "10.1.0.253" },
		                .mtu = 1450,
		                .ipv6 = "fd00::/64",
		                .domain = "lab" },
	                  b;
	struct ctl_lease l = { .segment = "lan",
		               .kind = "dhcp",
		               .node = "web",
		               .ipv4 = "10.1.0.100",
		               .mac = "02:00:00:00:00:01",
		               .expires = 60 },
	                 m;
	_cleanup_free_ char *text = ctl_reply_attach("a-eth0", "lan", &a);
	_cleanup_json_ cJSON *reply = NULL, *bad = NULL, *o = NULL;
	char *err = NULL;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(ctl_reply_decode(text, strlen(text), &reply, &err), 0);
	ck_assert_str_eq(json_string(reply, "port"), "a-eth0");
	ck_assert_int_eq(ctl_assign_from_json(reply, &b), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	bad = cJSON_Parse("{\"ipv4\":\"10.1.0.5\"}");
	ck_assert_int_eq(ctl_assign_from_json(bad, &b), -EBADMSG);
	cJSON_Delete(bad);
	bad = cJSON_Parse("{\"dns\":[\"x\"]}");
	ck_assert_int_eq(ctl_assign_from_json(bad, &b), -EBADMSG);
	cJSON_Delete(bad);
	bad = cJSON_Parse("{\"domain\":\"a;b\"}");
	ck_assert_int_eq(ctl_assign_from_json(bad, &b), -EBADMSG);
	o = ctl_lease_to_json(&l);
	ck_assert_int_eq(ctl_lease_from_json(o, &m), 0);
	ck_assert_mem_eq(&l, &m, sizeof(l));
}
END_TEST

static Suite *
ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_test(tc, valid_requests);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, deeply_nested);
	tcase_add_test(tc, nul_escapes_refused);
	tcase_add_test(tc, encode_roundtrip);
	tcase_add_test(tc, attach_segment);
	tcase_add_test(tc, replies);
	tcase_add_test(tc, port_and_fdb_objects);
	tcase_add_test(tc, port_names);
	tcase_add_test(tc, segment_requests);
	tcase_add_test(tc, domain_names);
	tcase_add_test(tc, host_requests);
	tcase_add_test(tc, prefixes);
	tcase_add_test(tc, vxlan_requests);
	tcase_add_test(tc, fdb_edit_requests);
	tcase_add_test(tc, fdb_remote_objects);
	tcase_add_test(tc, segment_objects);
	tcase_add_test(tc, attach_vlan_roles);
	tcase_add_test(tc, capture_requests);
	tcase_add_test(tc, port_vlan_objects);
	tcase_add_test(tc, reply_builders);
	tcase_add_test(tc, link_requests);
	tcase_add_test(tc, link_words_and_objects);
	tcase_add_test(tc, addressing_requests);
	tcase_add_test(tc, assignments_and_leases);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_suite)
