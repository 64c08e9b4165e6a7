/* lab capture and lab link (labwatch.h). */
#include "labwatch.h"

#include "cleanup.h"
#include "ctl.h"
#include "labops.h"
#include "log.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

static int
push(char ***v, const char *s)
{
	return strv_push(v, strdup(s));
}

/* The switch client's command line up to its verb: containet -s ST/switch.sock. */
static int
client_argv(const struct labrun *r, char ***ret)
{
	_cleanup_free_ char *sock = NULL;

	if (asprintf(&sock, "%s/switch.sock", r->plan.state_dir) < 0)
		return -ENOMEM;
	if (push(ret, r->containet) < 0 || push(ret, "-s") < 0 || push(ret, sock) < 0)
		return -ENOMEM;
	return 0;
}

/* name as the switch knows it, appended to *argv; 0, 2 (logged: not the lab's) or -ENOMEM. */
static int
push_target(const struct labrun *r, const struct lab *lab, const char *verb, const char *name,
            char ***argv)
{
	_cleanup_free_ char *err = NULL;
	struct labplan_target t;
	int e = labplan_target(lab, &r->plan, name, &t, &err);

	if (e == -EINVAL) {
		log_error("%s: %s", verb, err);
		return 2;
	}
	if (e < 0)
		return e;
	return push(argv, t.name);
}

static int
exec_client(char **argv)
{
	fflush(NULL);
	execvp(argv[0], argv);
	return LAB_FAIL(127, log_error_errno(-errno, "run '%s'", argv[0]));
}

int
labwatch_capture(const struct labrun *r, char *const *names, const struct labwatch_capture *o)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_strv_ char **argv = NULL;
	char num[32];
	int e = labops_state_lab(r, &lab);

	if (e)
		return e;
	if (client_argv(r, &argv) < 0 || push(&argv, "capture") < 0)
		goto oom;
	for (; names && *names; names++) {
		e = push_target(r, lab, "capture", *names, &argv);
		if (e == 2)
			return 1;
		if (e < 0)
			goto oom;
	}
	if (o->write && (push(&argv, "-w") < 0 || push(&argv, o->write) < 0))
		goto oom;
	snprintf(num, sizeof(num), "%lu", o->count);
	if (o->count && (push(&argv, "-c") < 0 || push(&argv, num) < 0))
		goto oom;
	if (o->duration && (push(&argv, "--duration") < 0 || push(&argv, o->duration) < 0))
		goto oom;
	snprintf(num, sizeof(num), "%lu", o->snaplen);
	if (o->snaplen && (push(&argv, "--snaplen") < 0 || push(&argv, num) < 0))
		goto oom;
	return exec_client(argv);
oom:
	return LAB_FAIL(1, log_error("out of memory"));
}

int
labwatch_link(const struct labrun *r, const char *name, char *const *words, const char *dir,
              bool json)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_strv_ char **argv = NULL;
	int e;

	/* The words first: a wrong one is a usage error, whatever the lab's state. */
	for (char *const *w = words; w && *w; w++) {
		struct ctl_link l = {};
		const char *why = NULL;

		if (strcmp(*w, "down") == 0 || strcmp(*w, "up") == 0 || strcmp(*w, "clear") == 0)
			continue;
		if (ctl_link_parse_word(*w, &l, &why) < 0)
			return log_usage_error("link: %s", why ? why : *w);
	}
	if (dir && (!words || !*words))
		return log_usage_error("%s", "link: --direction goes with settings");
	e = labops_state_lab(r, &lab);
	if (e)
		return e;
	if (client_argv(r, &argv) < 0 || push(&argv, "link") < 0 ||
	    push(&argv, words && *words ? "set" : "show") < 0)
		goto oom;
	e = push_target(r, lab, "link", name, &argv);
	if (e == 2)
		return 1;
	if (e < 0)
		goto oom;
	if (dir && (push(&argv, "--dir") < 0 || push(&argv, dir) < 0))
		goto oom;
	if (json && push(&argv, "--json") < 0)
		goto oom;
	if (words && strv_extend(&argv, words) < 0)
		goto oom;
	return exec_client(argv);
oom:
	return LAB_FAIL(1, log_error("out of memory"));
}
