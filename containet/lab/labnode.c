#include "labnode.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "labjson.h"
#include "labmgmtrun.h"
#include "labops.h"
#include "labplan.h"
#include "labproc.h"
#include "labstate.h"
#include "log.h"
#include "rmtree.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

/* The lab is up (its switch runs) and locked for us: 0 and *ret_fd, or 1 once logged. */
static int
lock_lab(const struct labrun *r, int *ret_fd)
{
	_cleanup_free_ char *pidfile = NULL, *lock = NULL;
	_cleanup_close_ int fd = -1;
	unsigned long long start;
	pid_t pid;

	if (asprintf(&pidfile, "%s/switch.pid", r->plan.state_dir) < 0 ||
	    asprintf(&lock, "%s/lab.lock", r->plan.state_dir) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	if (labproc_lock_owner(pidfile, &pid, &start) != 1)
		return LAB_FAIL(1, log_error("lab '%s' is not up", r->plan.name));
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return LAB_FAIL(1, log_error_errno(-errno, "open '%s'", lock));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return LAB_FAIL(1, log_error_errno(-errno, "lock '%s'", lock));
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* lab.json as cJSON (for its "lab" member and to edit), and as a lab. */
static int
read_state(const struct labrun *r, cJSON **ret_json, struct lab **ret_lab)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len = 0;
	int e;

	e = labops_state_lab(r, ret_lab);
	if (e)
		return e;
	if (asprintf(&path, "%s/lab.json", r->plan.state_dir) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	e = read_file_at(AT_FDCWD, path, LAB_FILE_MAX, &buf, &len);
	if (e < 0)
		return LAB_FAIL(1, log_error_errno(e, "read '%s'", path));
	*ret_json = cJSON_ParseWithLength(buf, len);
	if (!*ret_json)
		return LAB_FAIL(1, log_error("'%s' is not JSON", path));
	return 0;
}

/* What node add and node del begin with: a node name, the lab locked for us, its state read. */
static int
begin_edit(const struct labrun *r, const char *name, int *ret_lock, cJSON **ret_json,
           struct lab **ret_lab)
{
	int e;

	if (!labplan_node_name_valid(name))
		return log_usage_error("'%s' is not a node name (1-%d of a-z 0-9 _)", name,
		                       LAB_NODE_NAME_MAX);
	e = lock_lab(r, ret_lock);
	if (e == 0)
		e = read_state(r, ret_json, ret_lab);
	return e;
}

/* The edited JSON read back as a lab, through every check of a lab file. */
static int
reparse(const cJSON *o, const char *what, struct lab **ret)
{
	_cleanup_free_ char *text = cJSON_PrintUnformatted(o), *err = NULL;
	int e;

	if (!text)
		return LAB_FAIL(1, log_error("out of memory"));
	e = labjson_parse(text, strlen(text), what, ret, &err);
	if (e < 0 && err)
		log_error("%s", err);
	else if (e < 0)
		log_error_errno(e, "%s", what);
	/* What the lab's own checks refuse was the command line's doing. */
	return e == -EINVAL ? 2 : e < 0 ? 1 : 0;
}

/* The plan's directory (for /shared) from lab.json's "lab" member. */
static void
plan_dir(struct labrun *r, const cJSON *run, char **keep)
{
	const char *dir = json_string(run, "directory");
	_cleanup_free_ char *shared = NULL;
	struct stat st;

	if (!dir || asprintf(&shared, "%s/shared", dir) < 0)
		return;
	*keep = strdup(dir);
	r->plan.lab_dir = *keep;
	r->plan.shared = *keep && stat(shared, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
print_node(const struct labrun *r, const struct lab_node *n, const struct lab *lab,
           const char *verb, bool json)
{
	if (json) {
		_cleanup_json_ cJSON *o = cJSON_CreateObject();
		_cleanup_free_ char *text = NULL;
		cJSON *arr;

		if (!o || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
		    !cJSON_AddStringToObject(o, "node", n->name) ||
		    !cJSON_AddStringToObject(o, "action", verb) ||
		    !(arr = cJSON_AddArrayToObject(o, "interfaces")))
			return LAB_FAIL(1, log_error("out of memory"));
		for (size_t k = 0; k < n->n_ifaces; k++) {
			cJSON *x = cJSON_CreateObject();
			char ifname[16];

			snprintf(ifname, sizeof(ifname), "eth%u", n->ifaces[k].index);
			if (!x || !cJSON_AddItemToArray(arr, x) ||
			    !cJSON_AddStringToObject(x, "name", ifname) ||
			    !cJSON_AddStringToObject(x, "segment",
			                             lab->segments[n->ifaces[k].segment].name) ||
			    (n->ifaces[k].ipv4 &&
			     !cJSON_AddStringToObject(x, "ipv4", n->ifaces[k].ipv4)) ||
			    (n->ifaces[k].ipv6 &&
			     !cJSON_AddStringToObject(x, "ipv6", n->ifaces[k].ipv6)))
				return LAB_FAIL(1, log_error("out of memory"));
		}
		text = cJSON_Print(o);
		if (!text)
			return LAB_FAIL(1, log_error("out of memory"));
		printf("%s\n", text);
	} else {
		printf("lab %s: node %s %s", r->plan.name, n->name, verb);
		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct lab_iface *f = &n->ifaces[k];

			printf(" eth%u=%s%s%s", f->index, lab->segments[f->segment].name,
			       f->ipv4 ? "," : "", f->ipv4 ? f->ipv4 : "");
		}
		printf("\n");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Runs argv, its stdout dropped (containode names the node it started): 0, or 1 once logged. */
static int
run(char *const *argv, const char *what)
{
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int e, st;

	e = labproc_run(argv, devnull, -1, &st);
	if (e < 0)
		return LAB_FAIL(1, log_error_errno(e, "%s: run '%s'", what, argv[0]));
	if (st != 0)
		return LAB_FAIL(1, log_error("%s: '%s' exited with status %d", what, argv[0], st));
	return 0;
}

/* The node's containode state and what the lab kept for it: 0, or 1 once logged. */
static int
remove_node(const struct labrun *r, const char *name)
{
	_cleanup_free_ char *sd = NULL, *id = labplan_identity(&r->plan, name), *upper = NULL,
	                    *logp = NULL, *state = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int e, st;

	if (!id || asprintf(&sd, "--state-dir=%s/nodes", r->plan.state_dir) < 0 ||
	    asprintf(&upper, "%s/upper/%s", r->plan.state_dir, name) < 0 ||
	    asprintf(&logp, "%s/log/%s.startup", r->plan.state_dir, name) < 0 ||
	    asprintf(&state, "%s/nodes/%s", r->plan.state_dir, id) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	if (access(state, F_OK) == 0) {
		char *rm[] = { (char *)r->containode, sd, "rm", "-f", "--", id, NULL };

		e = labproc_run(rm, devnull, -1, &st);
		if (e < 0 || st != 0 || access(state, F_OK) == 0)
			return LAB_FAIL(1, log_error("node '%s' could not be removed", name));
	}
	rm_rf_at(AT_FDCWD, upper);
	unlink(logp);
	return 0;
}

int
labnode_add(struct labrun *r, const struct labnode_add *a, bool json)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ cJSON *o = NULL;
	_cleanup_(labconf_freep) struct lab *lab = NULL, *next = NULL;
	_cleanup_strv_ char **argv = NULL, **warn = NULL;
	_cleanup_free_ char *sock = NULL, *dir = NULL;
	struct labmgmt mgmt;
	cJSON *nodes, *node, *ifaces;
	ssize_t idx;
	int e;

	e = begin_edit(r, a->name, &lock, &o, &lab);
	if (e)
		return e;
	if (labconf_node_index(lab, a->name) >= 0)
		return LAB_FAIL(
		        1, log_error("lab '%s' has a node '%s' already", r->plan.name, a->name));
	/* The node as lab.json spells one; labjson checks it as it checks a lab file. */
	nodes = cJSON_GetObjectItemCaseSensitive(o, "nodes");
	if (!cJSON_IsArray(nodes)) {
		cJSON_Delete(nodes ? cJSON_DetachItemViaPointer(o, nodes) : NULL);
		nodes = cJSON_AddArrayToObject(o, "nodes");
	}
	node = cJSON_CreateObject();
	if (!nodes || !node || !cJSON_AddItemToArray(nodes, node) ||
	    !cJSON_AddStringToObject(node, "name", a->name) ||
	    !(ifaces = cJSON_AddArrayToObject(node, "interfaces")) ||
	    (a->image && !cJSON_AddStringToObject(node, "image", a->image)))
		return LAB_FAIL(1, log_error("out of memory"));
	for (size_t k = 0; k < a->n_segments; k++) {
		cJSON *x = cJSON_CreateObject();
		const char *ip = k < a->n_ips ? a->ips[k] : NULL;

		if (!x || !cJSON_AddItemToArray(ifaces, x) ||
		    !cJSON_AddNumberToObject(x, "index", (double)k) ||
		    !cJSON_AddStringToObject(x, "segment", a->segments[k]) ||
		    (ip && !cJSON_AddStringToObject(x, strchr(ip, ':') ? "ipv6" : "ipv4", ip)))
			return LAB_FAIL(1, log_error("out of memory"));
	}
	e = reparse(o, "node add", &next);
	if (e)
		return e;
	idx = labconf_node_index(next, a->name);
	if (idx < 0)
		return LAB_FAIL(1, log_error("node add: '%s' is not in the lab", a->name));
	/* Segments the lab did not have: made, as Kathara's vstart makes its links. */
	if (asprintf(&sock, "%s/switch.sock", r->plan.state_dir) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	for (size_t k = 0; k < a->n_segments; k++) {
		char *add[] = { (char *)r->containet, "-s", sock, "segment", "add",
			        a->segments[k],       NULL };

		if (labconf_segment_index(lab, a->segments[k]) >= 0 ||
		    strcmp(a->segments[k], "default") == 0)
			continue;
		e = run(add, "node add: a new segment");
		if (e)
			return e;
		log_info("lab '%s': segment '%s' is new, made", r->plan.name, a->segments[k]);
	}
	plan_dir(r, cJSON_GetObjectItemCaseSensitive(o, "lab"), &dir);
	if (labmgmtrun_read(r, &mgmt) == 1)
		r->plan.mgmt = &mgmt;
	if (labplan_node_argv(next, (size_t)idx, &r->plan, r->containode, &argv, &warn) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	for (size_t i = 0; warn && warn[i]; i++)
		log_warn("%s", warn[i]);
	e = run(argv, "node add: start the node");
	if (e == 0 && labstate_write_lab(r->plan.state_dir, next,
	                                 cJSON_GetObjectItemCaseSensitive(o, "lab")) < 0)
		e = 1;
	r->plan.lab_dir = NULL;
	r->plan.mgmt = NULL;
	if (e) {
		log_error("node add: '%s' is not part of lab '%s'", a->name, r->plan.name);
		remove_node(r, a->name); /* what containode may have left */
		return 1;
	}
	return print_node(r, &next->nodes[idx], next, "added", json);
}

int
labnode_del(struct labrun *r, const char *name, bool json)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ cJSON *o = NULL;
	_cleanup_(labconf_freep) struct lab *lab = NULL, *next = NULL;
	struct labmgmt mgmt;
	cJSON *nodes, *n;
	ssize_t idx;
	int e;

	e = begin_edit(r, name, &lock, &o, &lab);
	if (e)
		return e;
	idx = labconf_node_index(lab, name);
	e = remove_node(r, name);
	if (e)
		return e;
	/* A bridged node: its address free again, its name out of /etc/hosts if it is there. */
	if (labmgmtrun_read(r, &mgmt) == 1 && labmgmt_del_node(&mgmt, name) &&
	    (labmgmtrun_write(r, &mgmt) < 0 || labmgmtrun_hosts(r, lab, &mgmt, true) < 0))
		return 1;
	if (idx < 0)
		return LAB_FAIL(1, log_error("lab '%s' has no node '%s'", r->plan.name, name));
	/* The node out of lab.json, and out of the others' lab.dep dependencies. */
	nodes = cJSON_GetObjectItemCaseSensitive(o, "nodes");
	cJSON_ArrayForEach(n, nodes)
	{
		cJSON *deps = cJSON_GetObjectItemCaseSensitive(n, "depends"), *d, *tmp;

		for (d = deps ? deps->child : NULL; d; d = tmp) {
			tmp = d->next;
			if (cJSON_IsString(d) && strcmp(d->valuestring, name) == 0)
				cJSON_Delete(cJSON_DetachItemViaPointer(deps, d));
		}
	}
	cJSON_DeleteItemFromArray(nodes, (int)idx);
	e = reparse(o, "node del", &next);
	if (e)
		return e;
	if (labstate_write_lab(r->plan.state_dir, next,
	                       cJSON_GetObjectItemCaseSensitive(o, "lab")) < 0)
		return 1;
	return print_node(r, &lab->nodes[idx], lab, "removed", json);
}
