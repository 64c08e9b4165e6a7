#include "labtopo.h"

#include "cleanup.h"
#include "errtext.h"
#include "labext.h"
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

#define LABTOPO_SPEC_MAX 64

static int
topo_number(const char *s, const char *what, unsigned long max, unsigned *ret, char **ret_error)
{
	unsigned long v;

	if (parse_uint(s, 1, max, &v) < 0)
		return error_set(ret_error, -EINVAL,
		                 "--topo: %s wants a number from 1 to %lu, not '%s'", what, max, s);
	*ret = v;
	return 0;
}

int
labtopo_parse(const char *spec, struct labtopo *ret, char **ret_error)
{
	char buf[LABTOPO_SPEC_MAX + 1], *words[4], *save = NULL;
	struct labtopo t = {};
	size_t n = 0;
	unsigned long hosts = 1;
	int r;

	if (strlen(spec) > LABTOPO_SPEC_MAX)
		return error_set(ret_error, -EINVAL, "--topo: '%.20s...' is too long", spec);
	strcpy(buf, spec);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (n == 4)
			return error_set(ret_error, -EINVAL, "--topo: too many numbers in '%s'",
			                 spec);
		words[n++] = w;
	}
	/* strtok_r folds ",,": count the commas so "single,,3" is not "single,3". */
	if (n == 0 || strstr(spec, ",,") || spec[0] == ',' || spec[strlen(spec) - 1] == ',')
		return error_set(ret_error, -EINVAL,
		                 "--topo: '%s' is not single,N, linear,N or tree,DEPTH[,FANOUT]",
		                 spec);
	if (strcmp(words[0], "single") == 0 || strcmp(words[0], "linear") == 0) {
		t.kind = words[0][0] == 's' ? LABTOPO_SINGLE : LABTOPO_LINEAR;
		if (n != 2)
			return error_set(ret_error, -EINVAL, "--topo: %s wants one number, N",
			                 words[0]);
		r = topo_number(words[1], "N", LAB_NODES_MAX, &t.n, ret_error);
		if (r < 0)
			return r;
		t.hosts = t.n;
	} else if (strcmp(words[0], "tree") == 0) {
		t.kind = LABTOPO_TREE;
		if (n != 2 && n != 3)
			return error_set(ret_error, -EINVAL, "--topo: tree wants DEPTH[,FANOUT]");
		r = topo_number(words[1], "DEPTH", 10, &t.n, ret_error);
		if (r == 0 && n == 3)
			r = topo_number(words[2], "FANOUT", LAB_NODES_MAX, &t.fanout, ret_error);
		else
			t.fanout = 2;
		if (r < 0)
			return r;
		for (unsigned i = 0; i < t.n; i++) {
			hosts *= t.fanout;
			if (hosts > LAB_NODES_MAX)
				return error_set(ret_error, -EINVAL,
				                 "--topo: tree,%u,%u has more than %d hosts", t.n,
				                 t.fanout, LAB_NODES_MAX);
		}
		t.hosts = hosts;
	} else {
		return error_set(ret_error, -EINVAL,
		                 "--topo: unknown topology '%s' (single, linear or tree)",
		                 words[0]);
	}
	*ret = t;
	return 0;
}

int
labtopo_text(const struct labtopo *t, char **ret_conf, char **ret_ext)
{
	_cleanup_free_ char *conf = NULL, *ext = NULL;
	size_t conf_len = 0, ext_len = 0;
	_cleanup_fclose_ FILE *fc = open_memstream(&conf, &conf_len);
	_cleanup_fclose_ FILE *fe = open_memstream(&ext, &ext_len);

	if (!fc || !fe)
		return -ENOMEM;
	for (unsigned i = 1; i <= t->hosts; i++) {
		/* Mininet's ipBase 10.0.0.0/8 plus the host's number. */
		fprintf(fc, "h%u[0]=s1\n", i);
		fprintf(fe, "h%u[0.ip]=10.0.%u.%u/8\n", i, i >> 8, i & 0xff);
	}
	if (fflush(fc) || fflush(fe) || ferror(fc) || ferror(fe))
		return -ENOMEM;
	fclose(TAKE_PTR(fc));
	fclose(TAKE_PTR(fe));
	*ret_conf = TAKE_PTR(conf);
	*ret_ext = TAKE_PTR(ext);
	return 0;
}

int
labtopo_lab(const char *spec, struct lab **ret_lab, char **ret_error)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_free_ char *conf = NULL, *ext = NULL;
	struct labtopo t;
	int r;

	r = labtopo_parse(spec, &t, ret_error);
	if (r < 0)
		return r;
	r = labtopo_text(&t, &conf, &ext);
	if (r < 0)
		return r;
	lab = labconf_new();
	if (!lab)
		return -ENOMEM;
	r = labconf_parse_conf(lab, conf, strlen(conf), "--topo", ret_error);
	if (r == 0)
		r = labext_parse(lab, ext, strlen(ext), "--topo", ret_error);
	if (r < 0)
		return r;
	*ret_lab = TAKE_PTR(lab);
	return 0;
}
