/*
 * `lab graph`: a lab's topology in Graphviz's DOT language, by pure code.  Nodes are
 * boxes (their name, and their image when the lab names one), segments ellipses (their
 * name and the lab.ext settings they have), one edge per interface labelled with its
 * name, MAC and addresses as the lab declares them.
 */
#pragma once

#include "labconf.h"

/* The DOT text of lab, titled name: malloc'd, or NULL when out of memory. */
char *labgraph_dot(const struct lab *lab, const char *name);
