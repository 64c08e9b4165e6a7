/*
 * A lab over several machines, the pure part: each node's machine, the segments that span
 * machines, their VNIs (the same on every machine, distinct, SEG[vxlan] first), their
 * owner and slices, and the part of the lab one machine runs.
 */
#include "containet/lab/labconf.h"
#include "containet/lab/labdep.h"
#include "containet/lab/labext.h"
#include "containet/lab/labhost.h"
#include "cleanup.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct lab *
parse(const char *conf, const char *ext, const char *dep)
{
	struct lab *lab = labconf_new();
	char *err = NULL;
	int r;

	ck_assert_ptr_nonnull(lab);
	r = labconf_parse_conf(lab, conf, strlen(conf), "lab.conf", &err);
	if (r == 0 && ext)
		r = labext_parse(lab, ext, strlen(ext), "lab.ext", &err);
	if (r == 0 && dep)
		r = labdep_parse(lab, dep, strlen(dep), "lab.dep", &err);
	ck_assert_msg(r == 0, "parse: %s", err ? err : "(no text)");
	free(err);
	return lab;
}

/* a on m1 (lan, back), b on m2 (lan), c on m3 (back), d on m1 (solo). */
static const char *conf = "a[0]=lan\na[1]=back\nb[0]=lan\nc[0]=back\nd[0]=solo\n";
static const char *ext = "LAB_HOSTS=\"m1=10.0.0.1 m2=10.0.0.2 m3=10.0.0.3 m4=10.0.0.4\"\n"
                         "b[host]=m2\nc[host]=m3\nlan[subnet]=10.1.0.0/24\n";

static struct labhost *
plan(const struct lab *lab, const char *self)
{
	struct labhost *h = NULL;
	char *err = NULL;
	int r = labhost_plan(lab, self, &h, &err);

	ck_assert_msg(r == 0, "plan: %s", err ? err : "(no text)");
	return h;
}

START_TEST(machines_of_nodes_and_segments)
{
	struct lab *lab = parse(conf, ext, NULL);
	struct labhost *h = plan(lab, "m2");

	ck_assert_uint_eq(h->self, 1);
	ck_assert_uint_eq(h->port, LABHOST_VXLAN_PORT);
	ck_assert_uint_eq(h->node_host[0], 0); /* no node[host]: the first machine */
	ck_assert_uint_eq(h->node_host[1], 1);
	ck_assert_uint_eq(h->node_host[2], 2);
	/* lan: m1 and m2, owned by m1, this machine second. */
	ck_assert_uint_eq(h->segments[0].machines, 2);
	ck_assert_uint_eq(h->segments[0].owner, 0);
	ck_assert_uint_eq(h->segments[0].slice, 2);
	ck_assert(labhost_stretched(h, 0));
	/* back: m1 and m3, none of it here. */
	ck_assert_uint_eq(h->segments[1].machines, 2);
	ck_assert_uint_eq(h->segments[1].slice, 0);
	ck_assert(!labhost_stretched(h, 1));
	labhost_free(h);
	h = plan(lab, "m1");
	ck_assert_uint_eq(h->segments[0].slice, 1);
	ck_assert_uint_eq(h->segments[1].slice, 1);
	ck_assert(labhost_stretched(h, 1));
	ck_assert_uint_eq(h->segments[2].machines, 1); /* solo: m1's alone */
	ck_assert(!labhost_stretched(h, 2));
	labhost_free(h);
	labconf_free(lab);
}
END_TEST

START_TEST(unknown_machine)
{
	struct lab *lab = parse(conf, ext, NULL), *plain = parse(conf, NULL, NULL);
	struct labhost *h = NULL;
	char *err = NULL;

	ck_assert_int_eq(labhost_plan(lab, "m9", &h, &err), -EINVAL);
	ck_assert_str_eq(err, "lab.ext:1: --host 'm9' is not one of LAB_HOSTS (m1, m2, m3, m4)");
	free(err);
	err = NULL;
	ck_assert_int_eq(labhost_plan(plain, "m1", &h, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no LAB_HOSTS"));
	free(err);
	labconf_free(lab);
	labconf_free(plain);
}
END_TEST

START_TEST(vnis_alike_everywhere_and_distinct)
{
	struct lab *lab = parse(conf, ext, NULL);
	struct labhost *h1 = plan(lab, "m1"), *h2 = plan(lab, "m2");
	uint32_t v[3], w[3];
	char text[160];

	for (size_t s = 0; s < 3; s++) {
		ck_assert_uint_eq(h1->segments[s].vni, h2->segments[s].vni);
		ck_assert(h1->segments[s].vni >= 1 && h1->segments[s].vni <= 16777215);
	}
	labhost_vnis(lab, v);
	ck_assert_uint_ne(v[0], v[1]);
	ck_assert_uint_ne(v[1], v[2]);
	labhost_free(h1);
	labhost_free(h2);
	labconf_free(lab);

	/* LAB_NAME, when given, is what the VNIs come from instead of LAB_HOSTS' names. */
	lab = parse("LAB_NAME=x\na[0]=lan\na[1]=back\nb[0]=lan\nc[0]=back\nd[0]=solo\n", ext, NULL);
	labhost_vnis(lab, w);
	ck_assert(w[0] != v[0] || w[1] != v[1]);
	labconf_free(lab);

	/* A SEG[vxlan] that takes a derived VNI moves the derived one on. */
	snprintf(text, sizeof(text), "%sback[vxlan]=%u\n", ext, v[0]);
	lab = parse(conf, text, NULL);
	labhost_vnis(lab, w);
	ck_assert_uint_eq(w[1], v[0]);
	ck_assert_uint_eq(w[0], v[0] % 16777215 + 1);
	labconf_free(lab);
}
END_TEST

START_TEST(vxlan_port)
{
	_cleanup_free_ char *text = NULL;
	struct lab *lab;
	struct labhost *h;

	ck_assert_int_ge(asprintf(&text, "%sLAB_VXLAN_PORT=8472\n", ext), 0);
	lab = parse(conf, text, NULL);
	h = plan(lab, "m1");
	ck_assert_uint_eq(h->port, 8472);
	labhost_free(h);
	labconf_free(lab);
}
END_TEST

START_TEST(part_of_a_machine)
{
	struct lab *lab = parse(conf, ext, "a: b c\nd: a\n"), *part = NULL;
	struct labhost *h = plan(lab, "m1");
	char *err = NULL;

	ck_assert_int_eq(labhost_part(lab, h, &part, &err), 0);
	ck_assert_uint_eq(part->n_nodes, 2);
	ck_assert_str_eq(part->nodes[0].name, "a");
	ck_assert_str_eq(part->nodes[1].name, "d");
	ck_assert_uint_eq(part->n_segments, 3);
	ck_assert_str_eq(part->segments[0].name, "lan");
	ck_assert_str_eq(part->segments[0].val[LAB_SEG_SUBNET], "10.1.0.0/24");
	/* d still waits for a, a no longer for b and c (other machines), with a warning. */
	ck_assert_uint_eq(part->nodes[1].n_deps, 1);
	ck_assert_uint_eq(part->nodes[0].n_deps, 0);
	ck_assert_uint_eq(part->n_waves, 2);
	{
		bool warned = false;

		for (size_t i = 0; i < part->n_warnings; i++)
			warned |= strstr(part->warnings[i], "'a' depends on 'b', which runs on "
			                                    "another machine") != NULL;
		ck_assert(warned);
	}
	labconf_free(part);
	labhost_free(h);

	h = plan(lab, "m2");
	ck_assert_int_eq(labhost_part(lab, h, &part, &err), 0);
	ck_assert_uint_eq(part->n_nodes, 1);
	ck_assert_uint_eq(part->n_segments, 1);
	ck_assert_str_eq(part->segments[0].name, "lan");
	ck_assert_str_eq(part->nodes[0].val[LAB_NODE_HOST], "m2");
	labconf_free(part);
	labhost_free(h);

	h = plan(lab, "m4");
	ck_assert_int_eq(labhost_part(lab, h, &part, &err), -EINVAL);
	ck_assert_str_eq(err, "machine 'm4' has no node of the lab");
	free(err);
	labhost_free(h);
	labconf_free(lab);
}
END_TEST

static Suite *
labhost_suite(void)
{
	Suite *s = suite_create("labhost");
	TCase *t = tcase_create("labhost");

	tcase_add_test(t, machines_of_nodes_and_segments);
	tcase_add_test(t, unknown_machine);
	tcase_add_test(t, vnis_alike_everywhere_and_distinct);
	tcase_add_test(t, vxlan_port);
	tcase_add_test(t, part_of_a_machine);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labhost_suite)
