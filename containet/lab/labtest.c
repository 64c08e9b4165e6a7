/* lab test (labtest.h): the nodes read through containode exec, compared by labsig. */
#include "labtest.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "labops.h"
#include "labsig.h"
#include "log.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

#define SCRIPT_MAX (256 * 1024) /* a _test/NODE.test */

enum { KIND_DEFAULT, KIND_USER, KINDS };
static const char *const kind_names[KINDS] = { "default", "user" };

/* What one node gave and how it compares. */
struct node_result {
	char *text[KINDS]; /* what the node gave (NULL: no such test) */
	char *diff[KINDS]; /* against the stored one, when verifying */
	char *error;       /* why the node could not be read or compared */
	int ndiff;
};

/* Where the signatures live: the lab directory's _test, else the state's test. */
static char *
store_dir(const struct labrun *r, char **ret_lab_dir)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_json_ cJSON *o = NULL;
	const char *dir = NULL;
	char *s;

	*ret_lab_dir = NULL;
	if (asprintf(&path, "%s/lab.json", r->plan.state_dir) < 0)
		return NULL;
	if (read_file_at(AT_FDCWD, path, LAB_FILE_MAX, &buf, NULL) == 0 && (o = cJSON_Parse(buf)))
		dir = json_string(cJSON_GetObjectItemCaseSensitive(o, "lab"), "directory");
	if (dir && !(*ret_lab_dir = strdup(dir)))
		return NULL;
	if (asprintf(&s, dir ? "%s/_test" : "%s/test", dir ? dir : r->plan.state_dir) < 0)
		return NULL;
	return s;
}

static int
store_path(const char *store, const char *sub, const char *node, int kind, char **ret)
{
	return asprintf(ret, "%s/%s/%s.%s", store, sub, node, kind_names[kind]) < 0 ? -ENOMEM : 0;
}

/* The jobs: two per node, its probe and its own test script (argv NULL when none). */
static int
make_jobs(const struct labrun *r, const struct lab *lab, const char *lab_dir,
          struct labops_job *jobs)
{
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const char *node = lab->nodes[i].name;
		char *probe[] = { "/bin/sh", "-c", (char *)labsig_probe, NULL };
		_cleanup_free_ char *path = NULL, *script = NULL;
		int e;

		jobs[2 * i].fd = jobs[2 * i + 1].fd = -1;
		if (labplan_exec_argv(&r->plan, r->containode, node, false, probe,
		                      &jobs[2 * i].argv) < 0)
			return -ENOMEM;
		if (!lab_dir)
			continue;
		if (asprintf(&path, "%s/_test/%s.test", lab_dir, node) < 0)
			return -ENOMEM;
		e = read_file_at(AT_FDCWD, path, SCRIPT_MAX, &script, NULL);
		if (e == -ENOENT)
			continue;
		if (e < 0)
			return LAB_FAIL(e, log_error_errno(e, "read '%s'", path));
		char *cmd[] = { "/bin/sh", "-c", script, NULL };
		if (labplan_exec_argv(&r->plan, r->containode, node, false, cmd,
		                      &jobs[2 * i + 1].argv) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The node's texts from its jobs: the signature built, its test's output and exit status. */
static int
read_node(const struct lab_node *node, struct labops_job *j, struct node_result *res)
{
	_cleanup_strv_ char **macs = NULL;
	_cleanup_free_ char *err = NULL;
	int e;

	for (size_t k = 0; k < node->n_ifaces; k++)
		if (node->ifaces[k].has_mac) {
			char *s;

			if (asprintf(&s, "eth%u", node->ifaces[k].index) < 0 ||
			    strv_push(&macs, s) < 0)
				return -ENOMEM;
		}
	if (j[0].status != 0 || !j[0].out) {
		if (asprintf(&res->error, "its probe failed (exit status %d)", j[0].status) < 0)
			return -ENOMEM;
		return 0;
	}
	e = labsig_build(j[0].out, j[0].len, macs, &res->text[KIND_DEFAULT], &err);
	if (e == -EINVAL) {
		if (asprintf(&res->error, "what it printed is not understood: %s", err) < 0)
			return -ENOMEM;
		return 0;
	}
	if (e < 0)
		return e;
	if (j[1].argv) {
		const char *out = j[1].out ? j[1].out : "";
		size_t n = strlen(out);

		if (asprintf(&res->text[KIND_USER], "%s%s", out,
		             n && out[n - 1] != '\n' ? "\n" : "") < 0)
			return -ENOMEM;
		if (j[1].status != 0) {
			char *s;

			if (asprintf(&s, "%sexit %d\n", res->text[KIND_USER], j[1].status) < 0)
				return -ENOMEM;
			free(res->text[KIND_USER]);
			res->text[KIND_USER] = s;
		}
	}
	return 0;
}

/* Stores the node's texts under sub (signature or results). */
static int
store_node(const char *store, const char *sub, const char *node, struct node_result *res)
{
	for (int k = 0; k < KINDS; k++) {
		_cleanup_free_ char *path = NULL, *dir = NULL;
		int e;

		if (asprintf(&dir, "%s/%s", store, sub) < 0 ||
		    store_path(store, sub, node, k, &path) < 0)
			return -ENOMEM;
		if (!res->text[k]) {
			if (unlink(path) < 0 && errno != ENOENT)
				return LAB_FAIL(-errno,
				                log_error_errno(-errno, "remove '%s'", path));
			continue;
		}
		e = mkdir_p(dir, 0755);
		if (e == 0)
			e = write_file_atomic(path, res->text[k], strlen(res->text[k]), 0);
		if (e < 0)
			return LAB_FAIL(e, log_error_errno(e, "write '%s'", path));
	}
	return 0;
}

/* Compares the node's texts with what is stored under signature/. */
static int
verify_node(const char *store, const char *node, struct node_result *res)
{
	for (int k = 0; k < KINDS; k++) {
		_cleanup_free_ char *path = NULL, *want = NULL;
		int e, n;

		if (store_path(store, "signature", node, k, &path) < 0)
			return -ENOMEM;
		e = read_file_at(AT_FDCWD, path, LABSIG_TEXT_MAX, &want, NULL);
		if (e == -ENOENT && k == KIND_DEFAULT)
			return asprintf(&res->error,
			                "no signature stored ('%s'): run 'lab test' "
			                "without --verify first",
			                path) < 0
			               ? -ENOMEM
			               : 0;
		if (e == -ENOENT && !res->text[k])
			continue;
		if (e < 0 && e != -ENOENT)
			return asprintf(&res->error, "read '%s': %s", path, strerror(-e)) < 0
			               ? -ENOMEM
			               : 0;
		n = labsig_diff(want ? want : "", res->text[k] ? res->text[k] : "", &res->diff[k]);
		if (n < 0)
			return n;
		res->ndiff += n;
	}
	return 0;
}

/* Each line of text, after prefix; in XML when xml. */
static void
print_lines(FILE *f, const char *prefix, const char *text, bool xml)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		fputs(prefix, f);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];

			if (xml && c == '<')
				fputs("&lt;", f);
			else if (xml && c == '>')
				fputs("&gt;", f);
			else if (xml && c == '&')
				fputs("&amp;", f);
			else if (xml && c == '"')
				fputs("&quot;", f);
			else if (c < ' ' && c != '\t')
				fputc('?', f);
			else
				fputc(c, f);
		}
		fputc('\n', f);
		p += n + (nl ? 1 : 0);
	}
}

/* The node's difference (or error), each line after prefix. */
static void
print_failure(FILE *f, const char *prefix, const struct node_result *res, bool xml)
{
	if (res->error) {
		print_lines(f, prefix, res->error, xml);
		return;
	}
	for (int k = 0; k < KINDS; k++) {
		_cleanup_free_ char *head = NULL;

		if (!res->diff[k] || !*res->diff[k])
			continue;
		if (asprintf(&head, "%s%s (- stored, + now):", prefix,
		             k == KIND_DEFAULT ? "signature" : "its _test script") < 0)
			continue;
		print_lines(f, "", head, xml);
		print_lines(f, prefix, res->diff[k], xml);
	}
}

static bool
failed(const struct node_result *res)
{
	return res->error || res->ndiff > 0;
}

/* test --json: per node, whether it is as stored (or its signature was stored), and why not. */
static int
print_json(const struct labrun *r, const struct lab *lab, const struct node_result *res,
           bool verify)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;
	cJSON *nodes = o ? cJSON_AddArrayToObject(o, "nodes") : NULL;

	if (!nodes || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
	    !cJSON_AddStringToObject(o, "mode", verify ? "verify" : "store"))
		return -ENOMEM;
	for (size_t i = 0; i < lab->n_nodes; i++) {
		cJSON *n = cJSON_CreateObject(), *diff;

		if (!n || !cJSON_AddItemToArray(nodes, n) ||
		    !cJSON_AddStringToObject(n, "name", lab->nodes[i].name) ||
		    !cJSON_AddBoolToObject(n, "ok", !failed(&res[i])) ||
		    (res[i].error && !cJSON_AddStringToObject(n, "error", res[i].error)))
			return -ENOMEM;
		if (res[i].error || res[i].ndiff == 0)
			continue;
		diff = cJSON_AddObjectToObject(n, "diff");
		if (!diff)
			return -ENOMEM;
		for (int k = 0; k < KINDS; k++)
			if (res[i].diff[k] && *res[i].diff[k] &&
			    !cJSON_AddStringToObject(diff, k == KIND_DEFAULT ? "signature" : "test",
			                             res[i].diff[k]))
				return -ENOMEM;
	}
	text = cJSON_Print(o);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	return 0;
}

static int
write_junit(const char *path, const struct labrun *r, const struct lab *lab,
            const struct node_result *res)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "we");
	size_t nfail = 0;

	if (!f)
		return -errno;
	for (size_t i = 0; i < lab->n_nodes; i++)
		nfail += failed(&res[i]);
	fprintf(f,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<testsuites>\n<testsuite name=\"lab %s\" tests=\"%zu\" failures=\"%zu\">\n",
	        r->plan.name, lab->n_nodes, nfail);
	for (size_t i = 0; i < lab->n_nodes; i++) {
		fprintf(f, "<testcase classname=\"lab.%s\" name=\"%s\"", r->plan.name,
		        lab->nodes[i].name);
		if (!failed(&res[i])) {
			fprintf(f, "/>\n");
			continue;
		}
		fprintf(f, ">\n<failure message=\"node %s %s\">", lab->nodes[i].name,
		        res[i].error ? "could not be read" : "differs from its signature");
		print_failure(f, "", &res[i], true);
		fprintf(f, "</failure>\n</testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}

int
labtest_run(const struct labrun *r, const struct labtest_opts *o)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_free_ char *store = NULL, *lab_dir = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct labops_job *jobs = NULL;
	struct node_result *res = NULL;
	size_t nn, nfail = 0;
	int e, status = 1;

	e = labops_state_lab(r, &lab);
	if (e)
		return e;
	nn = lab->n_nodes;
	store = store_dir(r, &lab_dir);
	jobs = calloc(2 * nn + 1, sizeof(*jobs));
	res = calloc(nn + 1, sizeof(*res));
	if (!store || !jobs || !res)
		goto oom;
	e = make_jobs(r, lab, lab_dir, jobs);
	if (e == -ENOMEM)
		goto oom;
	if (e < 0)
		goto out;
	{
		/* Only the jobs that have a command run; then each goes back to its place. */
		struct labops_job *run = calloc(2 * nn + 1, sizeof(*run));
		size_t nr = 0;

		if (!run)
			goto oom;
		for (size_t k = 0; k < 2 * nn; k++)
			if (jobs[k].argv)
				run[nr++] = jobs[k];
		e = labops_run_jobs(run, nr, r->jobs, devnull);
		for (size_t k = 0, q = 0; k < 2 * nn; k++)
			if (jobs[k].argv)
				jobs[k] = run[q++];
		free(run);
		if (e < 0) {
			log_error_errno(e, "wait for the nodes");
			goto out;
		}
	}
	for (size_t i = 0; i < nn; i++) {
		e = read_node(&lab->nodes[i], &jobs[2 * i], &res[i]);
		if (e == 0 && !res[i].error)
			e = store_node(store, o->verify ? "results" : "signature",
			               lab->nodes[i].name, &res[i]);
		if (e == 0 && !res[i].error && o->verify)
			e = verify_node(store, lab->nodes[i].name, &res[i]);
		if (e == -ENOMEM)
			goto oom;
		if (e < 0)
			goto out;
		nfail += failed(&res[i]);
	}
	if (o->json) {
		e = print_json(r, lab, res, o->verify);
		if (e < 0)
			goto oom;
	} else if (o->tap) {
		printf("TAP version 13\n1..%zu\n", nn);
		for (size_t i = 0; i < nn; i++) {
			printf("%sok %zu - %s%s\n", failed(&res[i]) ? "not " : "", i + 1,
			       lab->nodes[i].name,
			       failed(&res[i]) ? ""
			       : o->verify     ? ""
			                       : " # signature stored");
			if (failed(&res[i]))
				print_failure(stdout, "# ", &res[i], false);
		}
	} else {
		for (size_t i = 0; i < nn; i++) {
			if (!failed(&res[i])) {
				printf("%s: %s\n", lab->nodes[i].name,
				       o->verify ? "as its signature" : "signature stored");
				continue;
			}
			printf("%s: %s\n", lab->nodes[i].name,
			       res[i].error ? res[i].error : "DIFFERS from its signature");
			if (!res[i].error)
				print_failure(stdout, "    ", &res[i], false);
		}
		if (o->verify)
			printf("lab %s: %zu of %zu node%s as %s signature%s\n", r->plan.name,
			       nn - nfail, nn, nn == 1 ? "" : "s", nn == 1 ? "its" : "their",
			       nfail ? "; the others differ" : "");
		else
			printf("lab %s: signatures of %zu node%s in %s/signature\n", r->plan.name,
			       nn - nfail, nn - nfail == 1 ? "" : "s", store);
	}
	if (o->junit) {
		e = write_junit(o->junit, r, lab, res);
		if (e < 0) {
			log_error_errno(e, "write '%s'", o->junit);
			goto out;
		}
	}
	status = nfail ? 1 : 0;
	goto out;
oom:
	log_error("out of memory");
	status = 1;
out:
	labops_jobs_free(jobs, 2 * nn);
	for (size_t i = 0; res && i < nn; i++) {
		for (int k = 0; k < KINDS; k++)
			free(res[i].text[k]), free(res[i].diff[k]);
		free(res[i].error);
	}
	free(res);
	return status;
}
