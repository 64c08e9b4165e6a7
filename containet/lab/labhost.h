/*
 * One lab over several machines (LAB_HOSTS, node[host]), decided by pure code: which
 * machine runs each node, which segments span machines and are stretched over VXLAN
 * (their VNI, the machines at their ends, which one runs their services, the slice of
 * the address pool each hands out), and the part of the lab one machine runs.  Every
 * machine reads the same files and comes to the same answers: nothing is negotiated.
 * The I/O (addresses of names, the underlay's MTU) is labnet's.
 */
#pragma once

#include "labconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABHOST_VXLAN_PORT 4789

struct labhost_segment {
	uint32_t vni;      /* SEG[vxlan], else derived from the lab and the segment's name */
	size_t owner;      /* the first machine of LAB_HOSTS with nodes on it: its services */
	unsigned machines; /* how many machines have nodes on it */
	unsigned slice;    /* this machine's place among them (1..machines); 0: none here */
};

struct labhost {
	size_t self;                      /* index into lab->hosts */
	size_t *node_host;                /* per node of the lab: index into lab->hosts */
	bool *on;                         /* [segment * n_hosts + host]: the host has nodes on it */
	struct labhost_segment *segments; /* per segment of the lab */
	size_t n_hosts;
	uint16_t port; /* UDP port: LAB_VXLAN_PORT or 4789 */
};

struct labhost *labhost_free(struct labhost *h);

/* The machine of a node: its node[host], else the first of LAB_HOSTS. */
size_t labhost_node_host(const struct lab *lab, size_t node);

/*
 * The VNI of every segment (ret: n_segments) as every machine derives it: SEG[vxlan], else
 * FNV-1a of the lab's LAB_NAME (else of its LAB_HOSTS names: what the machines share,
 * unlike the lab's local name, made of a user and a path) and the segment's name, moved
 * on past a VNI that a segment before it (or any SEG[vxlan]) has.
 */
void labhost_vnis(const struct lab *lab, uint32_t *ret);

/* A segment with nodes on more than one machine, this one among them. */
bool labhost_stretched(const struct labhost *h, size_t segment);

/*
 * The plan of the lab for machine self (a name of LAB_HOSTS): 0, -EINVAL with the reason
 * in *ret_error (a name not in LAB_HOSTS, a lab without LAB_HOSTS), -ENOMEM.
 */
int labhost_plan(const struct lab *lab, const char *self, struct labhost **ret, char **ret_error);

/*
 * The part of the lab that machine h->self runs: its own nodes, the segments they use
 * (same names and keys), lab.dep's order among them (dependencies on other machines'
 * nodes dropped, with a warning: no machine waits for another).  Through the JSON
 * rendering and back, so the part is a lab as checked as any.  0, -EINVAL (*ret_error),
 * -ENOMEM.
 */
int labhost_part(const struct lab *lab, const struct labhost *h, struct lab **ret,
                 char **ret_error);
