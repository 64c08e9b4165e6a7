/*
 * containode's cgroup logic without a kernel: where a controller's cgroup lies, the
 * allow-list in the device cgroup's notation, and what the BPF program decides (run
 * here by a small interpreter of the instructions it uses).
 */
#include "containode/cgroup.h"
#include "containode/devfilter.h"
#include "containode/devices.h"

#include "check_main.h"
#include "cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* This machine's kind: controllers on v1, an empty v2 at /sys/fs/cgroup/unified. */
static const char hybrid_mountinfo[] =
        "25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime shared:9 - cgroup cgroup rw,devices\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "9:name=systemd:/user.slice\n"
                                  "5:devices:/user.slice/session-1.scope\n"
                                  "4:memory:/process_api/4cb7\n"
                                  "1:cpu,cpuacct:/\n"
                                  "0::/user.slice/session-1.scope\n";

static const char v2_mountinfo[] =
        "25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n";

START_TEST(locate_hybrid)
{
	enum cgroup_version v;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(hybrid_mountinfo, hybrid_self, CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V1);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/devices/user.slice/session-1.scope");
	free(dir);
}
END_TEST

START_TEST(locate_v2)
{
	enum cgroup_version v;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(v2_mountinfo, "0::/\n", CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V2);
	ck_assert_str_eq(dir, "/sys/fs/cgroup");
	free(dir);
	ck_assert_int_eq(cgroup_locate(v2_mountinfo, "0::/system.slice/x.service\n", CGROUP_DEVICES,
	                               &v, &dir),
	                 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/system.slice/x.service");
	free(dir);
}
END_TEST

/* No v1 devices hierarchy, but a v2 one: the devices controller is its BPF hook there. */
START_TEST(locate_hybrid_without_v1_devices)
{
	static const char self[] = "4:memory:/\n0::/a\n";
	static const char mi[] = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	                         "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	enum cgroup_version v;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(mi, self, CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V2);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified/a");
	free(dir);
}
END_TEST

/* A hierarchy mounted from below its root (a container's view): paths are relative to it. */
START_TEST(locate_mounted_subtree)
{
	static const char mi[] = "41 31 0:38 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n";
	enum cgroup_version v;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(mi, "0::/docker/abc/inner\n", CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/inner");
	free(dir);
	ck_assert_int_eq(cgroup_locate(mi, "0::/elsewhere\n", CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup");
	free(dir);
	/* "/docker/abcdef" is not below "/docker/abc" */
	ck_assert_int_eq(cgroup_locate(mi, "0::/docker/abcdef\n", CGROUP_DEVICES, &v, &dir), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup");
	free(dir);
}
END_TEST

START_TEST(locate_none)
{
	static const char mi[] = "25 1 254:0 / / rw - ext4 /dev/vda rw\n"
	                         "35 31 0:32 / /m rw - cgroup cgroup rw,memory\n"
	                         "garbage line\n";
	enum cgroup_version v = CGROUP_NONE;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(mi, "4:memory:/\n", CGROUP_DEVICES, &v, &dir), -ENOENT);
	ck_assert_ptr_null(dir);
	ck_assert_int_eq(v, CGROUP_NONE);
	/* A v1 devices mount the caller has no line for does not count. */
	ck_assert_int_eq(cgroup_locate(hybrid_mountinfo, "4:memory:/\n", CGROUP_DEVICES, &v, &dir),
	                 -ENOENT);
	/* "devicesx" is not "devices" */
	ck_assert_int_eq(cgroup_locate("1 1 0:1 / /d rw - cgroup cgroup rw,devicesx\n",
	                               "3:devicesx:/\n", CGROUP_DEVICES, &v, &dir),
	                 -ENOENT);
}
END_TEST

/* The limits' controllers: v1 where a hierarchy holds them, the v2 one otherwise. */
START_TEST(locate_limits)
{
	static const char mi[] =
	        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	        "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	        "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	static const char self[] = "2:cpu,cpuacct:/a\n4:memory:/m\n0::/u\n";
	enum cgroup_version v;
	char *dir = NULL;

	ck_assert_int_eq(cgroup_locate(mi, self, CGROUP_CPU, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V1);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/cpu,cpuacct/a");
	free(dir);
	ck_assert_int_eq(cgroup_locate(mi, self, CGROUP_MEMORY, &v, &dir), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/memory/m");
	free(dir);
	/* pids is on no v1 hierarchy: the v2 one (whose cgroup.controllers decides) */
	ck_assert_int_eq(cgroup_locate(mi, self, CGROUP_PIDS, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V2);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified/u");
	free(dir);
	/* The node's v2 directory is always in the v2 hierarchy, never a v1 one. */
	ck_assert_int_eq(cgroup_locate(mi, self, CGROUP_UNIFIED, &v, &dir), 0);
	ck_assert_int_eq(v, CGROUP_V2);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified/u");
	free(dir);
	ck_assert_int_eq(cgroup_locate(hybrid_mountinfo, hybrid_self, CGROUP_UNIFIED, &v, &dir), 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified/user.slice/session-1.scope");
	free(dir);
	/* "name=unified" is not a controller of that name */
	ck_assert_int_eq(cgroup_locate("1 1 0:1 / /u rw - cgroup cgroup rw,unified\n",
	                               "3:unified:/\n", CGROUP_UNIFIED, &v, &dir),
	                 -ENOENT);
}
END_TEST

START_TEST(parse_bytes)
{
	uint64_t n = 0;

	ck_assert_int_eq(cgroup_parse_bytes("4096", &n), 0);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(cgroup_parse_bytes("64k", &n), 0);
	ck_assert_uint_eq(n, 64 << 10);
	ck_assert_int_eq(cgroup_parse_bytes("64M", &n), 0);
	ck_assert_uint_eq(n, 64 << 20);
	ck_assert_int_eq(cgroup_parse_bytes("2g", &n), 0);
	ck_assert_uint_eq(n, 2ull << 30);
	ck_assert_int_eq(cgroup_parse_bytes("17179869183g", &n), 0);
	ck_assert_int_eq(cgroup_parse_bytes("17179869184g", &n), -ERANGE);
	ck_assert_int_eq(cgroup_parse_bytes("18446744073709551616", &n), -ERANGE);
	ck_assert_int_eq(cgroup_parse_bytes("0", &n), -ERANGE);
	ck_assert_int_eq(cgroup_parse_bytes("0m", &n), -ERANGE);
	for (const char *const *bad = (const char *const[]){ "", "k", "-1", "+1", " 1", "1 ", "1kb",
	                                                     "1t", "1.5m", "0x10", NULL };
	     *bad; bad++)
		ck_assert_msg(cgroup_parse_bytes(*bad, &n) == -EINVAL, "'%s' taken", *bad);
}
END_TEST

START_TEST(parse_cpus)
{
	uint32_t q = 0;

	ck_assert_int_eq(cgroup_parse_cpus("0.5", &q), 0);
	ck_assert_uint_eq(q, 50000);
	ck_assert_int_eq(cgroup_parse_cpus("1", &q), 0);
	ck_assert_uint_eq(q, 100000);
	ck_assert_int_eq(cgroup_parse_cpus("1.25", &q), 0);
	ck_assert_uint_eq(q, 125000);
	ck_assert_int_eq(cgroup_parse_cpus(".5", &q), 0);
	ck_assert_uint_eq(q, 50000);
	ck_assert_int_eq(cgroup_parse_cpus("0.01", &q), 0);
	ck_assert_uint_eq(q, 1000); /* the kernel's least quota */
	ck_assert_int_eq(cgroup_parse_cpus("1024", &q), 0);
	ck_assert_uint_eq(q, 102400000);
	ck_assert_int_eq(cgroup_parse_cpus("0.009", &q), -ERANGE);
	ck_assert_int_eq(cgroup_parse_cpus("0", &q), -ERANGE);
	ck_assert_int_eq(cgroup_parse_cpus("1024.001", &q), -ERANGE);
	ck_assert_int_eq(cgroup_parse_cpus("99999999999999999999", &q), -ERANGE);
	for (const char *const *bad = (const char *const[]){ "", ".", "1.", "1.2345", "-1", "1e3",
	                                                     "0,5", " 1", "1 ", "abc", NULL };
	     *bad; bad++)
		ck_assert_msg(cgroup_parse_cpus(*bad, &q) == -EINVAL, "'%s' taken", *bad);
}
END_TEST

START_TEST(parent_valid)
{
	ck_assert(cgroup_parent_valid("containet"));
	ck_assert(cgroup_parent_valid("containet/lab1"));
	ck_assert(cgroup_parent_valid("/containet/lab1"));
	ck_assert(cgroup_parent_valid("a.b"));
	ck_assert(cgroup_parent_valid("..."));
	for (const char *const *bad =
	             (const char *const[]){ "", "/", "//a", "a/", "a//b", ".", "..", "a/../b",
	                                    "./a", "a@1", "a\nb", NULL };
	     *bad; bad++)
		ck_assert_msg(!cgroup_parent_valid(*bad), "'%s' taken", *bad);
}
END_TEST

START_TEST(limits_mask)
{
	struct cgroup_limits l = {};

	ck_assert_uint_eq(cgroup_limits_mask(&l), 0);
	l.memory = 1;
	ck_assert_uint_eq(cgroup_limits_mask(&l), CGROUP_MASK(CGROUP_MEMORY));
	l.cpu_quota = 1000;
	l.pids = 20;
	ck_assert_uint_eq(cgroup_limits_mask(&l), CGROUP_MASK(CGROUP_MEMORY) |
	                                                  CGROUP_MASK(CGROUP_CPU) |
	                                                  CGROUP_MASK(CGROUP_PIDS));
}
END_TEST

START_TEST(oom_kill_count)
{
	/* v1 memory.oom_control */
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3);
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"), 0);
	/* v2 memory.events */
	ck_assert_int_eq(cgroup_oom_kill_count("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n"
	                                       "oom_group_kill 0\n"),
	                 1);
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill 7"), 7);
	/* before 4.13: no count, which is not "none" */
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill_disable 0\nunder_oom 0\n"), -ENODATA);
	ck_assert_int_eq(cgroup_oom_kill_count(""), -ENODATA);
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill x\n"), -EINVAL);
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill -1\n"), -EINVAL);
	ck_assert_int_eq(cgroup_oom_kill_count("oom_kill 1 2\n"), -EINVAL);
}
END_TEST

START_TEST(rule_format)
{
	char buf[32];

	ck_assert_int_eq(devfilter_rule_format(&devices_allow[0], buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "c *:* m");
	ck_assert_int_eq(devfilter_rule_format(
	                         &(struct device_rule){ 'c', 136, DEVICE_ANY,
	                                                DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD },
	                         buf, sizeof(buf)),
	                 0);
	ck_assert_str_eq(buf, "c 136:* rwm");
	ck_assert_int_eq(devfilter_rule_format(&(struct device_rule){ 'b', 7, 0, DEVICE_READ }, buf,
	                                       sizeof(buf)),
	                 0);
	ck_assert_str_eq(buf, "b 7:0 r");
	ck_assert_int_eq(devfilter_rule_format(&devices_allow[0], buf, 4), -ENOSPC);
}
END_TEST

/* Runs the program on one request, with just the instructions devfilter_build emits. */
static int
run_prog(const struct bpf_insn *p, int len, int type, int access, unsigned major, unsigned minor)
{
	uint32_t ctx[3] = { (uint32_t)(access << 16 | type), major, minor };
	uint64_t reg[11] = { 0 };

	for (int pc = 0; pc < len; pc++) {
		const struct bpf_insn *i = &p[pc];

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			ck_assert_int_eq(i->src_reg, 1);
			reg[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (reg[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)reg[0];
		default:
			ck_abort_msg("unexpected instruction 0x%x at %d", i->code, pc);
		}
	}
	ck_abort_msg("ran off the end");
	return -1;
}

START_TEST(program_decides_as_the_list)
{
	struct bpf_insn prog[DEVFILTER_INSNS(12)];
	int len, C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
	int R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

	ck_assert_uint_eq(devices_allow_len, 12);
	len = devfilter_build(devices_allow, devices_allow_len, prog, ARRAY_SIZE(prog));
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, (int)ARRAY_SIZE(prog));
	/* The six nodes, ptmx, pts, tun: read and write */
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 1, 3), 1);
	ck_assert_int_eq(run_prog(prog, len, C, R, 1, 9), 1);
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 5, 0), 1);
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 5, 2), 1);
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 136, 42), 1);
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 10, 200), 1);
	/* Making any node is allowed, opening others is not */
	ck_assert_int_eq(run_prog(prog, len, B, M, 7, 0), 1);
	ck_assert_int_eq(run_prog(prog, len, C, M, 1, 1), 1);
	ck_assert_int_eq(run_prog(prog, len, B, R, 7, 0), 0);
	ck_assert_int_eq(run_prog(prog, len, B, W, 8, 0), 0);
	ck_assert_int_eq(run_prog(prog, len, B, R | W, 1, 3), 0); /* block 1:3 is not null */
	ck_assert_int_eq(run_prog(prog, len, C, R, 1, 1), 0);
	ck_assert_int_eq(run_prog(prog, len, C, R | W, 10, 237), 0);
	ck_assert_int_eq(run_prog(prog, len, C, R, 4, 1), 0);
	ck_assert_int_eq(run_prog(prog, len, C, R | M, 1, 1), 0);
	ck_assert_int_eq(run_prog(prog, len, C, R, 137, 0), 0);
}
END_TEST

START_TEST(program_room)
{
	struct bpf_insn prog[DEVFILTER_INSNS(1)];

	ck_assert_int_eq(devfilter_build(devices_allow, 2, prog, ARRAY_SIZE(prog)), -ENOSPC);
	/* No rule: everything denied */
	ck_assert_int_eq(devfilter_build(devices_allow, 0, prog, ARRAY_SIZE(prog)), 8);
	ck_assert_int_eq(run_prog(prog, 8, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1, 3), 0);
}
END_TEST

static Suite *
cgroup_suite(void)
{
	Suite *s = suite_create("containode_cgroup");
	TCase *tc = tcase_create("cgroup");

	tcase_add_test(tc, locate_hybrid);
	tcase_add_test(tc, locate_v2);
	tcase_add_test(tc, locate_hybrid_without_v1_devices);
	tcase_add_test(tc, locate_mounted_subtree);
	tcase_add_test(tc, locate_none);
	tcase_add_test(tc, locate_limits);
	tcase_add_test(tc, parse_bytes);
	tcase_add_test(tc, parse_cpus);
	tcase_add_test(tc, parent_valid);
	tcase_add_test(tc, limits_mask);
	tcase_add_test(tc, oom_kill_count);
	tcase_add_test(tc, rule_format);
	tcase_add_test(tc, program_decides_as_the_list);
	tcase_add_test(tc, program_room);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cgroup_suite)
