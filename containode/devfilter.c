#include "devfilter.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(DEVICE_MKNOD == BPF_DEVCG_ACC_MKNOD && DEVICE_READ == BPF_DEVCG_ACC_READ &&
                       DEVICE_WRITE == BPF_DEVCG_ACC_WRITE,
               "device access bits are the kernel's");

#define INSN(c, dst, src, o, i)                                                                    \
	((struct bpf_insn){                                                                        \
	        .code = (c), .dst_reg = (dst), .src_reg = (src), .off = (o), .imm = (i) })
/* dst = *(u32 *)(src + off) */
#define LDX_W(dst, src, o) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, o, 0)
/* 32-bit dst op= imm, and dst = src */
#define ALU32_K(op, dst, i) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, i)
#define MOV32_X(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(dst, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, i)
/* if (dst != imm) skip o instructions */
#define JNE_K(dst, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { R0, R1, R2, R3, R4, R5 };

/*
 * One rule: a block that returns 1 (allow) when the request matches, else falls through
 * to the next.  r2 type, r3 access, r4 major, r5 minor; r1 is free once they are loaded.
 */
static size_t
rule_block(const struct device_rule *r, struct bpf_insn *b)
{
	size_t n = 0, jumps[4], nj = 0;
	unsigned all = DEVICE_MKNOD | DEVICE_READ | DEVICE_WRITE;

	jumps[nj++] = n;
	b[n++] = JNE_K(R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
	if ((r->access & all) != all) {
		/* Every access asked for must be one the rule grants. */
		b[n++] = MOV32_X(R1, R3);
		b[n++] = ALU32_K(BPF_AND, R1, (int)(~r->access & all));
		jumps[nj++] = n;
		b[n++] = JNE_K(R1, 0, 0);
	}
	if (r->major != DEVICE_ANY) {
		jumps[nj++] = n;
		b[n++] = JNE_K(R4, r->major, 0);
	}
	if (r->minor != DEVICE_ANY) {
		jumps[nj++] = n;
		b[n++] = JNE_K(R5, r->minor, 0);
	}
	b[n++] = MOV64_K(R0, 1);
	b[n++] = EXIT();
	for (size_t i = 0; i < nj; i++)
		b[jumps[i]].off = (short)(n - jumps[i] - 1);
	return n;
}

int
devfilter_build(const struct device_rule *rules, size_t n, struct bpf_insn *insns, size_t cap)
{
	size_t len = 0;

	if (cap < DEVFILTER_INSNS(n))
		return -ENOSPC;
	/* struct bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor */
	insns[len++] = LDX_W(R2, R1, 0);
	insns[len++] = ALU32_K(BPF_AND, R2, 0xffff);
	insns[len++] = LDX_W(R3, R1, 0);
	insns[len++] = ALU32_K(BPF_RSH, R3, 16);
	insns[len++] = LDX_W(R4, R1, 4);
	insns[len++] = LDX_W(R5, R1, 8);
	for (size_t i = 0; i < n; i++)
		len += rule_block(&rules[i], insns + len);
	insns[len++] = MOV64_K(R0, 0);
	insns[len++] = EXIT();
	return (int)len;
}

int
devfilter_load(const struct bpf_insn *insns, size_t n)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.expected_attach_type = BPF_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (__u32)n;
	attr.license = (uintptr_t) "GPL";
	strncpy(attr.prog_name, "containode_dev", sizeof(attr.prog_name) - 1);
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int
devfilter_attach(int cgroup_fd, int prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)cgroup_fd;
	attr.attach_bpf_fd = (__u32)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* Multi: programs above (systemd's) still run, and all of them must allow. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int
devfilter_rule_format(const struct device_rule *r, char *buf, size_t size)
{
	char major[16] = "*", minor[16] = "*";
	int n;

	if (r->major != DEVICE_ANY)
		snprintf(major, sizeof(major), "%d", r->major);
	if (r->minor != DEVICE_ANY)
		snprintf(minor, sizeof(minor), "%d", r->minor);
	n = snprintf(buf, size, "%c %s:%s %s%s%s", r->type, major, minor,
	             r->access & DEVICE_READ ? "r" : "", r->access & DEVICE_WRITE ? "w" : "",
	             r->access & DEVICE_MKNOD ? "m" : "");
	return n >= 0 && (size_t)n < size ? 0 : -ENOSPC;
}
