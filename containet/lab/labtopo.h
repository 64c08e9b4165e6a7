/*
 * Mininet's topologies without a file (`--topo single,N | linear,N | tree,DEPTH,FANOUT`),
 * written out as the lab.conf and lab.ext text a user would write, so that the one parser
 * checks them.  Pure code.
 *
 * Hosts are h1..hN with 10.0.0.I/8 on eth0, as Mininet numbers them.  Mininet's switches
 * (s1..sM, joined by links without loops) forward as one broadcast domain; here they are
 * one segment, "s1".
 */
#pragma once

#include "labconf.h"

enum labtopo_kind { LABTOPO_SINGLE, LABTOPO_LINEAR, LABTOPO_TREE };

struct labtopo {
	enum labtopo_kind kind;
	unsigned n;      /* single, linear: hosts; tree: depth */
	unsigned fanout; /* tree only */
	unsigned hosts;  /* how many hosts the topology has */
};

/*
 * "single,N", "linear,N", "tree,DEPTH,FANOUT" (tree,DEPTH means a fanout of 2, as in
 * Mininet); at most LAB_NODES_MAX hosts.  0 or -EINVAL with the reason in *ret_error.
 */
int labtopo_parse(const char *spec, struct labtopo *ret, char **ret_error);

/* The lab.conf and lab.ext text of the topology (malloc'd); 0 or -ENOMEM. */
int labtopo_text(const struct labtopo *t, char **ret_conf, char **ret_ext);

/* The topology parsed into a new lab; 0, -EINVAL (reason in *ret_error) or -ENOMEM. */
int labtopo_lab(const char *spec, struct lab **ret_lab, char **ret_error);
