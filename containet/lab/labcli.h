/* `containet lab VERB ...`: the lab runner's command line. */
#pragma once

/* argv[0] is "lab"; returns the exit status. */
int labcli_main(int argc, char **argv);
