/*
 * The control protocol's decoders: a request as the switch reads it from any client, and
 * a reply as a client reads it from the switch.  The first byte picks which; the rest is
 * the message.  A decoded request is encoded again and must decode to the same request.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"

static void
request(const char *buf, size_t len)
{
	struct ctl_request req, again;
	const char *error = NULL;
	_cleanup_free_ char *text = NULL;

	if (ctl_request_decode(buf, len, &req, &error) < 0) {
		assert(error && *error);
		return;
	}
	text = ctl_request_encode(&req);
	if (!text)
		return;
	assert(ctl_request_decode(text, strlen(text), &again, &error) == 0);
	assert(again.op == req.op);
	assert(strcmp(again.node, req.node) == 0);
	assert(strcmp(again.ifname, req.ifname) == 0);
	assert(strcmp(again.port, req.port) == 0);
	assert(strcmp(again.segment, req.segment) == 0);
	assert(strcmp(again.name, req.name) == 0);
	assert(again.mtu == req.mtu);
	assert(strcmp(again.ipv4, req.ipv4) == 0);
	assert(strcmp(again.ipv6, req.ipv6) == 0);
	assert(again.masquerade == req.masquerade);
	assert(memcmp(&again.vlan, &req.vlan, sizeof(req.vlan)) == 0);
	assert(again.n_cap_ports == req.n_cap_ports && again.n_cap_segments == req.n_cap_segments);
	for (uint32_t i = 0; i < req.n_cap_ports; i++)
		assert(strcmp(again.cap_ports[i], req.cap_ports[i]) == 0);
	for (uint32_t i = 0; i < req.n_cap_segments; i++)
		assert(strcmp(again.cap_segments[i], req.cap_segments[i]) == 0);
	assert(again.snaplen == req.snaplen && again.count == req.count);
	assert(again.capture == req.capture);
	/* Link settings travel in tc's words: the same settings, values to their precision. */
	assert(again.link.set == req.link.set);
	assert(again.link.limit == req.link.limit && again.link.seed == req.link.seed);
	assert(again.dir == req.dir || req.op != CTL_LINK_SET);
	assert(again.carrier == req.carrier && again.clear == req.clear);
}

static void
reply(const char *buf, size_t len)
{
	cJSON *obj = NULL;
	_cleanup_free_ char *error = NULL;
	int r;

	r = ctl_reply_decode(buf, len, &obj, &error);
	if (r == 0) {
		const cJSON *list;
		const cJSON *item;

		/* A client reads the listings it asked for out of the reply. */
		list = ctl_reply_list_get(obj, CTL_PORTS);
		cJSON_ArrayForEach(item, list)
		{
			struct ctl_port p;
			(void)ctl_port_from_json(item, &p);
		}
		list = ctl_reply_list_get(obj, CTL_LINK_SHOW);
		cJSON_ArrayForEach(item, list)
		{
			struct ctl_link_entry l;
			char text[512];

			if (ctl_link_from_json(item, &l) == 0)
				ctl_link_format(&l.dir[0], text, sizeof(text));
		}
		list = ctl_reply_list_get(obj, CTL_FDB);
		cJSON_ArrayForEach(item, list)
		{
			struct ctl_fdb_entry e;
			(void)ctl_fdb_from_json(item, &e);
		}
		list = ctl_reply_list_get(obj, CTL_CAPTURES);
		cJSON_ArrayForEach(item, list)
		{
			struct ctl_capture c;
			(void)ctl_capture_from_json(item, &c);
		}
		list = ctl_reply_list_get(obj, CTL_SEGMENTS);
		cJSON_ArrayForEach(item, list)
		{
			struct ctl_segment s;
			(void)ctl_segment_from_json(item, &s);
		}
		{
			struct ctl_segment s;
			uint32_t id;

			(void)ctl_segment_from_json(
			        cJSON_GetObjectItemCaseSensitive(obj, "segment"), &s);
			(void)ctl_reply_capture_id(obj, &id);
		}
		cJSON_Delete(obj);
	} else if (r == -EREMOTEIO) {
		assert(error);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		reply((const char *)data + 1, size - 1);
	else
		request((const char *)data + 1, size - 1);
	return 0;
}
