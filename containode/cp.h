/* containode cp: files between the host and a running node, and a tar unpacked into it. */
#pragma once

/* The verb: argv[0] is "cp"; the exit code is returned. */
int cp_main(const char *state_dir, int argc, char **argv);
