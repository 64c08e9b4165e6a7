/* containode commit ID REF: an image of a node, written by mocker. */
#pragma once

/* The verb: argv[0] is "commit"; the exit code is returned. */
int commit_main(const char *state_dir, int argc, char **argv);
