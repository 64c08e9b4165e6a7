/*
 * An image config blob, parsed and applied with options picked by the first byte (ARGS,
 * --entrypoint, -e, -w, -u), then its StopSignal alone.  What comes out must be
 * runnable as Docker would run it: a command, absolute working directory, every variable
 * "KEY=V" with a non-empty key and each key once, PATH among them (unless a bare "PATH",
 * from -e or from the image's own Env, removed it, as Docker does).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "imageconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_run(const struct imageconfig_run *run, bool may_lack_path)
{
	bool path = false;

	assert(run->argv && run->argv[0]);
	assert(run->workdir[0] == '/');
	assert(run->user);
	assert(run->stop_signal >= 1 && run->stop_signal <= 64);
	for (size_t i = 0; run->env[i]; i++) {
		const char *eq = strchr(run->env[i], '=');

		assert(eq && eq != run->env[i]);
		path |= strncmp(run->env[i], "PATH=", 5) == 0;
		for (size_t j = i + 1; run->env[j]; j++)
			assert(strncmp(run->env[i], run->env[j], (size_t)(eq - run->env[i]) + 1) !=
			       0);
	}
	assert(path || may_lack_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *args[] = { "sh", "-c", "true", NULL };
	static char *env[] = { "A=1", "PATH", "HOME", "LANG=C", "A=2", NULL };
	static char *caller[] = { "HOME=/caller", "LANG=x", NULL };
	_cleanup_free_ char *error = NULL;
	struct imageconfig c;
	struct imageconfig_run run;
	struct imageconfig_options o = { .caller_env = caller };
	int sig;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		o.args = args;
	if (data[0] & 2)
		o.entrypoint = data[0] & 4 ? "" : "/entry";
	if (data[0] & 8)
		o.env = env;
	if (data[0] & 16)
		o.workdir = data[0] & 32 ? "/w" : "";
	if (data[0] & 64)
		o.user = "1000:1000";
	o.tty = data[0] & 128;

	if (imageconfig_parse((const char *)data + 1, size - 1, &c, &error) < 0)
		return 0;
	if (c.stop_signal)
		(void)imageconfig_signal(c.stop_signal, &sig);
	if (imageconfig_apply(&c, &o, &run, &error) == 0) {
		bool may_lack_path = o.env;

		for (size_t i = 0; c.env && c.env[i]; i++)
			may_lack_path |= strcmp(c.env[i], "PATH") == 0;
		check_run(&run, may_lack_path);
		assert(imageconfig_env_default(&run.env, "HOME", "/root") == 0);
		check_run(&run, may_lack_path);
		imageconfig_run_done(&run);
	}
	imageconfig_done(&c);
	return 0;
}
