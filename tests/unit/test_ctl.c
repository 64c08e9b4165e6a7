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
		ck_assert_int_eq(decode((text), &r_, &e_), -EBADMSG);                                \
		ck_assert_ptr_nonnull(e_);                                                         \
		ck_assert_msg(strstr(e_, (want)), "'%s': reason '%s' lacks '%s'", (text), e_, (want)); \
	} while (0)

START_TEST(valid_requests)
{
	struct ctl_request r;
	const char *e;

	ck_assert_int_eq(decode("{\"op\":\"attach\",\"node\":\"abc\",\"ifname\":\"eth0\"}", &r, &e), 0);
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
	struct ctl_request r = { .op = CTL_ATTACH, .node = "n1", .ifname = "eth1", .segment = "lan_1" };
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
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":\"a b\"}", "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\",\"segment\":\"-x\"}", "segment");
	REFUSED("{\"op\":\"attach\",\"node\":\"a\",\"ifname\":\"e\","
	        "\"segment\":\"abcdefghijabcdefghijabcdefghij12\"}", "segment");
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
	struct ctl_port p = { .rx_frames = 1, .rx_bytes = 2, .tx_frames = 3, .tx_bytes = 4,
			      .drops = 5 }, q;
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
	ck_assert_int_eq(decode("{\"op\":\"segment-del\",\"name\":\"a\",\"mtu\":\"x\"}", &r, &e), 0);
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
		"\"masquerade\":1}", "masquerade");
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
	ck_assert_int_eq(decode("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":0,\"remote\":\"fd00::1\"}",
	                        &r, &e),
	                 0);
	ck_assert_uint_eq(r.nremote, 1);
	ck_assert_uint_eq(r.dstport, 0);
	ck_assert_int_eq(decode("{\"op\":\"vxlan-del\",\"name\":\"vx1\"}", &r, &e), 0);
	ck_assert_int_eq(r.op, CTL_VXLAN_DEL);
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"remote\":\"10.0.0.1\"}", "vni");
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"v\",\"vni\":16777216,\"remote\":\"10.0.0.1\"}", "vni");
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
	REFUSED("{\"op\":\"vxlan-add\",\"name\":\"a/b\",\"vni\":1,\"remote\":\"10.0.0.1\"}", "name");
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

	ck_assert_int_eq(decode("{\"op\":\"fdb-add\",\"mac\":\"02:00:00:00:00:07\",\"port\":\"vx1\","
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
	ck_assert_int_eq(decode("{\"op\":\"fdb-del\",\"mac\":\"02:00:00:00:00:07\",\"segment\":\"lab\"}",
	                        &r, &e),
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
	struct ctl_fdb_entry in = { .mac = { 2, 0, 0, 0, 0, 1 }, .segment = "lab", .port = "vx1",
		                    .age = 3, .remote = "10.0.0.2" },
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
	tcase_add_test(tc, host_requests);
	tcase_add_test(tc, prefixes);
	tcase_add_test(tc, vxlan_requests);
	tcase_add_test(tc, fdb_edit_requests);
	tcase_add_test(tc, fdb_remote_objects);
	tcase_add_test(tc, segment_objects);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_suite)
