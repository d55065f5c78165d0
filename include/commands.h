/*
 * commands.h - one entry point per subcommand (analyzer/cmd_*.c). Each takes
 * argv with argv[0] = the subcommand name, answers "--help" itself, and
 * returns a process exit code (enum hb_exit).
 */
#ifndef HB_COMMANDS_H
#define HB_COMMANDS_H

struct hb_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* one line for `hbscan --help` */
};

int hb_cmd_scan(int argc, char **argv);
int hb_cmd_rules(int argc, char **argv);
int hb_cmd_query(int argc, char **argv);
int hb_cmd_incidents(int argc, char **argv);
int hb_cmd_merge(int argc, char **argv);
int hb_cmd_db(int argc, char **argv);
int hb_cmd_report(int argc, char **argv);
int hb_cmd_config(int argc, char **argv);

/* The table main.c dispatches on; NULL-terminated. */
extern const struct hb_command hb_commands[];

/* argv[0] of the process, for locating the build tree's rules/. */
extern const char *hb_progname;

#endif
