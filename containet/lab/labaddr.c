/* Addresses and statuses read from the nodes (labaddr.h). */
#include "labaddr.h"

#include "cleanup.h"
#include "json.h"
#include "netmask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
labaddr_parse(const char *text, size_t len, struct labaddr **ret, size_t *ret_n)
{
	_cleanup_json_ cJSON *root = NULL;
	_cleanup_free_ struct labaddr *v = NULL;
	const cJSON *ifc, *ai;
	size_t n = 0, cap = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = json_parse_checked(text, len, cJSON_Array, &root);
	if (r < 0)
		return r;
	cJSON_ArrayForEach(ifc, root)
	{
		const char *name = json_string(ifc, "ifname");
		const cJSON *info = cJSON_GetObjectItemCaseSensitive(ifc, "addr_info");

		if (!cJSON_IsObject(ifc) || !name || !*name || strlen(name) > LABADDR_IFNAME_MAX)
			return -EINVAL;
		if (!info)
			continue;
		if (!cJSON_IsArray(info))
			return -EINVAL;
		if (strcmp(name, "lo") == 0)
			continue;
		cJSON_ArrayForEach(ai, info)
		{
			const char *fam = json_string(ai, "family"),
			           *local = json_string(ai, "local");
			uint64_t plen = json_uint(ai, "prefixlen", 99);
			struct in_addr a;

			if (!cJSON_IsObject(ai))
				return -EINVAL;
			if (!fam || strcmp(fam, "inet") != 0)
				continue;
			if (!local || inet_pton(AF_INET, local, &a) != 1 || plen > 32)
				return -EINVAL;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 4;
				struct labaddr *nv = realloc(v, nc * sizeof(*v));

				if (!nv)
					return -ENOMEM;
				v = nv;
				cap = nc;
			}
			memset(&v[n], 0, sizeof(v[n]));
			strcpy(v[n].ifname, name);
			inet_ntop(AF_INET, &a, v[n].addr, sizeof(v[n].addr));
			v[n].prefixlen = (unsigned)plen;
			n++;
		}
	}
	*ret = v;
	v = NULL;
	*ret_n = n;
	return 0;
}

int
labaddr_ps_status(const char *text, size_t len, const char *id, char **ret)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *o;
	int r;

	*ret = NULL;
	r = json_parse_checked(text, len, cJSON_Array, &root);
	if (r < 0)
		return r;
	cJSON_ArrayForEach(o, root)
	{
		const char *oid = json_string(o, "id"), *st = json_string(o, "status");

		if (!cJSON_IsObject(o) || !oid || !st)
			return -EINVAL;
		if (strcmp(oid, id) != 0)
			continue;
		*ret = strdup(st);
		return *ret ? 0 : -ENOMEM;
	}
	return 0;
}

int
labaddr_ps_pid(const char *text, size_t len, const char *id, int *ret)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *o;

	*ret = 0;
	if (json_has_nul(text, len))
		return -EINVAL;
	root = cJSON_ParseWithLength(text, len);
	if (!root)
		return cJSON_GetErrorPtr() ? -EINVAL : -ENOMEM;
	if (!cJSON_IsArray(root))
		return -EINVAL;
	cJSON_ArrayForEach(o, root)
	{
		const char *oid = json_string(o, "id"), *st = json_string(o, "status");
		const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o, "pid");

		if (!cJSON_IsObject(o) || !oid || !st)
			return -EINVAL;
		if (strcmp(oid, id) != 0 || strcmp(st, "running") != 0)
			continue;
		if (!cJSON_IsNumber(pid) || pid->valuedouble < 1 || pid->valuedouble > 4194304 ||
		    pid->valuedouble != (int)pid->valuedouble)
			return -EINVAL;
		*ret = (int)pid->valuedouble;
		return 0;
	}
	return 0;
}

bool
labaddr_same_subnet(const char *a, unsigned alen, const char *b)
{
	struct in_addr x, y;
	uint32_t mask;

	if (alen > 32 || inet_pton(AF_INET, a, &x) != 1 || inet_pton(AF_INET, b, &y) != 1)
		return false;
	mask = htonl(netmask_v4(alen));
	return (x.s_addr & mask) == (y.s_addr & mask);
}
