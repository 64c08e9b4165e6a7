/*
 * A device allow-list: its rules, their notation in cgroup v1's devices.allow, and for
 * cgroup v2 a BPF_PROG_TYPE_CGROUP_DEVICE program built from the rules, loaded with the
 * bpf syscall and attached to the node's cgroup.  Building is pure code; loading and
 * attaching are the two syscalls.
 */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

/* What a device cgroup rule allows: the kernel's bits (as BPF_DEVCG_ACC_*). */
#define DEVICE_MKNOD (1 << 0)
#define DEVICE_READ (1 << 1)
#define DEVICE_WRITE (1 << 2)
#define DEVICE_ANY (-1) /* a major or minor of '*' */

struct device_rule {
	char type; /* 'c' or 'b' */
	int major, minor;
	unsigned access;
};

/* The rule in the device cgroup's notation, "c 1:3 rwm"; -ENOSPC when it does not fit. */
int devfilter_rule_format(const struct device_rule *r, char *buf, size_t size);

/* Instructions for n rules at most: 6 to load the request, 9 per rule, 2 to deny. */
#define DEVFILTER_INSNS(n) (6 + 9 * (n) + 2)

/*
 * The program for rules into insns (room for cap); returns the number of instructions
 * or -ENOSPC.  It allows a request when one rule covers its type, access and numbers.
 */
int devfilter_build(const struct device_rule *rules, size_t n, struct bpf_insn *insns, size_t cap);
/* Loads the program; returns its fd (close-on-exec) or -errno. */
int devfilter_load(const struct bpf_insn *insns, size_t n);
/* Attaches the program to the cgroup (a directory fd), alongside what is above it. */
int devfilter_attach(int cgroup_fd, int prog_fd);
