/*
 * A lab's management segment, by pure code: the /24 a lab picks, the host port's name,
 * the bridged nodes' addresses and their state file, and the lab's block in /etc/hosts.
 */
#include "containet/lab/labmgmt.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(pick)
{
	bool taken[256] = {};
	unsigned net, pref = labmgmt_preferred("lab1");

	ck_assert_uint_lt(pref, 256);
	ck_assert_uint_eq(pref, labmgmt_preferred("lab1")); /* the same every time */
	/* Names differing in one character land apart (most of the time: these do). */
	ck_assert_uint_ne(labmgmt_preferred("alice-0a1b2c3d"), labmgmt_preferred("alice-0a1b2c3e"));
	ck_assert_int_eq(labmgmt_pick("lab1", taken, &net), 0);
	ck_assert_uint_eq(net, pref);
	/* Taken: the next one, wrapping at 255. */
	taken[pref] = true;
	ck_assert_int_eq(labmgmt_pick("lab1", taken, &net), 0);
	ck_assert_uint_eq(net, (pref + 1) & 0xff);
	for (unsigned i = 0; i < 256; i++)
		taken[i] = i != ((pref + 255) & 0xff);
	ck_assert_int_eq(labmgmt_pick("lab1", taken, &net), 0);
	ck_assert_uint_eq(net, (pref + 255) & 0xff);
	taken[(pref + 255) & 0xff] = true;
	ck_assert_int_eq(labmgmt_pick("lab1", taken, &net), -ENOSPC);
}
END_TEST

START_TEST(names_and_addresses)
{
	struct labmgmt m = { .net = 7 };
	char port[IFNAMSIZ], other[IFNAMSIZ], a[16];

	labmgmt_port_name("/run/containet/lab/l1", port);
	labmgmt_port_name("/tmp/labs/l1", other);
	ck_assert_uint_eq(strlen(port), 11);
	ck_assert(strncmp(port, "ctm", 3) == 0);
	ck_assert_str_ne(port, other); /* one lab name under two roots: two ports */
	labmgmt_addr(&m, LABMGMT_GATEWAY, a);
	ck_assert_str_eq(a, "172.30.7.254");

	/* The lowest free address; a freed one is given again. */
	ck_assert_int_eq(labmgmt_add_node(&m, "pc1"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "pc2"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "pc3"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "pc2"), -EEXIST);
	ck_assert_int_eq(labmgmt_add_node(&m, "Bad-Name"), -EINVAL);
	ck_assert_uint_eq(labmgmt_node(&m, "pc3")->host, 3);
	ck_assert(labmgmt_del_node(&m, "pc2"));
	ck_assert(!labmgmt_del_node(&m, "pc2"));
	ck_assert_ptr_null(labmgmt_node(&m, "pc2"));
	ck_assert_int_eq(labmgmt_add_node(&m, "pc4"), 0);
	ck_assert_uint_eq(labmgmt_node(&m, "pc4")->host, 2);
	ck_assert_uint_eq(labmgmt_node(&m, "pc3")->host, 3);
	/* At most LABMGMT_HOSTS_MAX. */
	for (int i = 0; m.n_nodes < LABMGMT_HOSTS_MAX; i++) {
		char n[16];

		snprintf(n, sizeof(n), "n%d", i);
		ck_assert_int_eq(labmgmt_add_node(&m, n), 0);
	}
	ck_assert_int_eq(labmgmt_add_node(&m, "one_more"), -ENOSPC);
}
END_TEST

START_TEST(state_file)
{
	struct labmgmt m = { .net = 201 }, back;
	char *text;

	strcpy(m.port, "ctm0011aabb");
	ck_assert_int_eq(labmgmt_add_node(&m, "pc1"), 0);
	ck_assert_int_eq(labmgmt_add_node(&m, "r_2"), 0);
	text = labmgmt_format(&m);
	ck_assert_str_eq(text, "net 201\nport ctm0011aabb\nnode pc1 1\nnode r_2 2\n");
	ck_assert_int_eq(labmgmt_parse(text, strlen(text), &back), 0);
	ck_assert_uint_eq(back.net, 201);
	ck_assert_str_eq(back.port, "ctm0011aabb");
	ck_assert_uint_eq(back.n_nodes, 2);
	ck_assert_str_eq(back.nodes[1].name, "r_2");
	ck_assert_uint_eq(back.nodes[1].host, 2);
	free(text);
	ck_assert_int_eq(labmgmt_parse("net 0\nport p\n", 13, &back), 0);
	ck_assert_uint_eq(back.n_nodes, 0);

	static const char *const bad[] = {
		"",                                        /* no net, no port */
		"net 1\n",                                 /* no port */
		"net 1\nport p",                           /* no newline at the end */
		"net 256\nport p\n",                       /* not a byte */
		"net -1\nport p\n",                        /* not a number */
		"net 01\nport p\n",                        /* not canonical */
		"net 1\nnet 2\nport p\n",                  /* twice */
		"net 1\nport a/b\n",                       /* not a port name */
		"net 1\nport -p\n",                        /* an option */
		"net 1\nport abcdefghijklmnop\n",          /* too long */
		"net 1\nport p\nnode pc1 0\n",             /* not a node's address */
		"net 1\nport p\nnode pc1 254\n",           /* the gateway's */
		"net 1\nport p\nnode pc1 1\nnode pc2 1\n", /* one address twice */
		"net 1\nport p\nnode pc1 1\nnode pc1 2\n", /* one node twice */
		"net 1\nport p\nnode PC1 1\n",             /* not a node name */
		"node pc1 1\nnet 1\nport p\n",             /* nodes first */
		"port p\nnet 1\n",                         /* the port before the net */
		"net 1\nport p\nnode pc1 1 x\n",           /* a word more */
		"net  1\nport p\n",                        /* two blanks */
		"net 1 \nport p\n",                        /* a trailing blank */
		"net\t1\nport p\n",                        /* a tab */
		"net 1\n\nport p\n",                       /* an empty line */
		"net 1\r\nport p\n",                       /* CRLF */
		"color 1\nnet 1\nport p\n",                /* an unknown word */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(labmgmt_parse(bad[i], strlen(bad[i]), &back) == -EINVAL,
		              "accepted '%s'", bad[i]);
	ck_assert_int_eq(labmgmt_parse("net 1\0\nport p\n", 14, &back), -EINVAL);
}
END_TEST

/* labmgmt_hosts_edit with its result as a string (and its length checked). */
static char *
edit(const char *text, const char *lab, const struct labmgmt_host *h, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	int r = labmgmt_hosts_edit(text, strlen(text), lab, h, n, &out, &len);

	ck_assert_msg(r == 0, "edit: %d", r);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

START_TEST(hosts_block)
{
	const char *base = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
	struct labmgmt_host one[] = { { "172.30.5.1", "pc1", "lm" } };
	struct labmgmt_host two[] = { { "172.30.5.1", "pc1", "lm" }, { "172.30.5.2", "r1", "lm" } };
	struct labmgmt_host other[] = { { "172.30.9.1", "h1", "example.org" } };
	char *a, *b, *c, *d, *e;

	/* Insert: at the end. */
	a = edit(base, "lm", one, 1);
	ck_assert_str_eq(a, "127.0.0.1\tlocalhost\n::1\tlocalhost\n"
	                    "# containet lab lm begin\n172.30.5.1\tpc1.lm pc1\n"
	                    "# containet lab lm end\n");
	/* Replace: where it is, the same size or not. */
	b = edit(a, "lm", two, 2);
	ck_assert_str_eq(b, "127.0.0.1\tlocalhost\n::1\tlocalhost\n"
	                    "# containet lab lm begin\n172.30.5.1\tpc1.lm pc1\n"
	                    "172.30.5.2\tr1.lm r1\n# containet lab lm end\n");
	/* A second lab: a block of its own, after; lines added after the blocks stay. */
	c = edit(b, "lm2", other, 1);
	ck_assert_ptr_nonnull(strstr(c,
	                             "# containet lab lm end\n# containet lab lm2 begin\n"
	                             "172.30.9.1\th1.example.org h1\n# containet lab lm2 end\n"));
	free(a);
	a = malloc(strlen(c) + 20);
	strcpy(a, c);
	strcat(a, "10.0.0.1 mine\n");
	/* Replace the first lab's block: the second one and the user's line stay. */
	d = edit(a, "lm", one, 1);
	ck_assert_str_eq(d, "127.0.0.1\tlocalhost\n::1\tlocalhost\n"
	                    "# containet lab lm begin\n172.30.5.1\tpc1.lm pc1\n"
	                    "# containet lab lm end\n# containet lab lm2 begin\n"
	                    "172.30.9.1\th1.example.org h1\n# containet lab lm2 end\n"
	                    "10.0.0.1 mine\n");
	/* Remove both: what the file was, plus the user's line. */
	e = edit(d, "lm", NULL, 0);
	free(d);
	d = edit(e, "lm2", NULL, 0);
	ck_assert_str_eq(d, "127.0.0.1\tlocalhost\n::1\tlocalhost\n10.0.0.1 mine\n");
	free(e);
	/* Removing a block that is not there: the text as it is. */
	e = edit(base, "lm", NULL, 0);
	ck_assert_str_eq(e, base);
	/* "lm" is not a prefix of "lm2": its begin line is exactly its own. */
	free(a);
	a = edit(c, "lm", NULL, 0);
	ck_assert_ptr_nonnull(strstr(a, "# containet lab lm2 begin\n"));
	ck_assert_ptr_null(strstr(a, "pc1"));
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}
END_TEST

START_TEST(hosts_no_newline)
{
	const char *base = "127.0.0.1 localhost\n# last";
	struct labmgmt_host one[] = { { "172.30.5.1", "pc1", "lm" } };
	struct labmgmt_host two[] = { { "172.30.5.1", "pc1", "lm" }, { "172.30.5.2", "r1", "lm" } };
	char *a, *b, *c;

	a = edit(base, "lm", one, 1);
	ck_assert_str_eq(a, "127.0.0.1 localhost\n# last\n"
	                    "# containet lab lm begin, after a newline of its own\n"
	                    "172.30.5.1\tpc1.lm pc1\n# containet lab lm end\n");
	b = edit(a, "lm", two, 2); /* replaced: the mark stays */
	ck_assert_ptr_nonnull(strstr(b, "begin, after a newline of its own\n"));
	c = edit(b, "lm", NULL, 0); /* removed: byte for byte what it was */
	ck_assert_str_eq(c, base);
	free(a);
	free(b);
	free(c);
	/* The empty file, and the end line without its newline. */
	a = edit("", "lm", one, 1);
	ck_assert_str_eq(a, "# containet lab lm begin\n172.30.5.1\tpc1.lm pc1\n"
	                    "# containet lab lm end\n");
	b = edit("x\n# containet lab lm begin\n1.2.3.4\tpc1.lm pc1\n# containet lab lm end", "lm",
	         NULL, 0);
	ck_assert_str_eq(b, "x\n");
	free(a);
	free(b);
}
END_TEST

START_TEST(hosts_refused)
{
	struct labmgmt_host h[] = { { "172.30.5.1", "pc1", "lm" } };
	char *out = NULL;
	size_t len;
	const char *base = "127.0.0.1 localhost\n";
	static const char *const damaged[] = {
		"# containet lab lm begin\n1.2.3.4 a\n", /* no end */
		"# containet lab lm end\n",              /* no begin */
		"# containet lab lm begin\n# containet lab lm begin\n# containet lab lm end\n",
		"# containet lab lm begin\n# containet lab lm end\n# containet lab lm end\n",
		"# containet lab lm begin\n# containet lab lm end\n"
		"# containet lab lm begin\n# containet lab lm end\n", /* two blocks */
	};
	struct labmgmt_host bad[][1] = {
		{ { "172.30.5.1", "pc1\n10.0.0.1", "lm" } },    /* a line of its own */
		{ { "172.30.5.1", "pc1 evil", "lm" } },         /* a second name */
		{ { "172.30.5.1", "pc1", "lm\n# containet" } }, /* in the domain */
		{ { "172.30.5.1", "pc1", "lm evil" } },
		{ { "172.30.5.1", "pc1", ".lm" } },
		{ { "172.30.5.1", "pc1", "" } },
		{ { "172.30.5.1 x", "pc1", "lm" } }, /* not an address */
		{ { "fd00::1", "pc1", "lm" } },      /* IPv4 only */
		{ { "", "pc1", "lm" } },
	};

	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		ck_assert_msg(labmgmt_hosts_edit(damaged[i], strlen(damaged[i]), "lm", h, 1, &out,
		                                 &len) == -EINVAL,
		              "accepted damaged '%s'", damaged[i]);
		ck_assert_msg(labmgmt_hosts_edit(damaged[i], strlen(damaged[i]), "lm", NULL, 0,
		                                 &out, &len) == -EINVAL,
		              "removed from damaged '%s'", damaged[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(labmgmt_hosts_edit(base, strlen(base), "lm", bad[i], 1, &out, &len) ==
		                      -EINVAL,
		              "accepted host %zu", i);
	/* A lab's name that could break the markers. */
	ck_assert_int_eq(labmgmt_hosts_edit(base, strlen(base), "lm end\n", h, 1, &out, &len),
	                 -EINVAL);
	ck_assert_int_eq(labmgmt_hosts_edit(base, strlen(base), "a b", h, 1, &out, &len), -EINVAL);
	ck_assert_int_eq(labmgmt_hosts_edit(base, strlen(base), "", h, 1, &out, &len), -EINVAL);
	/* A NUL in the file. */
	ck_assert_int_eq(labmgmt_hosts_edit("a\0b\n", 4, "lm", h, 1, &out, &len), -EINVAL);
	ck_assert_ptr_null(out);
	/* Another lab's damaged block is left as it is: only this lab's markers count. */
	ck_assert_int_eq(
	        labmgmt_hosts_edit("# containet lab other begin\n", 28, "lm", h, 1, &out, &len), 0);
	free(out);
}
END_TEST

static Suite *
labmgmt_suite(void)
{
	Suite *s = suite_create("labmgmt");
	TCase *t = tcase_create("all");

	tcase_add_test(t, pick);
	tcase_add_test(t, names_and_addresses);
	tcase_add_test(t, state_file);
	tcase_add_test(t, hosts_block);
	tcase_add_test(t, hosts_no_newline);
	tcase_add_test(t, hosts_refused);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labmgmt_suite)
