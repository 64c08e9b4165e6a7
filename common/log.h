/* Logging: "program: message" on stderr, one line, level checked before arguments are built. */
#pragma once

#include <stdarg.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE,
};

extern enum log_level log_max_level;

/* The name that prefixes every message; defaults to "containet". */
void log_init(const char *program);
const char *log_program(void);

void log_msg(enum log_level level, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* "program: message (try 'program --help')", one line on stderr; returns 2, the usage exit code. */
int log_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_at(level, err, ...)                                                                    \
	do {                                                                                       \
		if ((level) <= log_max_level)                                                      \
			log_msg((level), (err), __VA_ARGS__);                                      \
	} while (0)

/* err is a positive or negative errno value, appended as ": strerror(err)"; 0 for none. */
#define log_error(...) log_at(LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno(err, ...) log_at(LOG_ERR, (err), __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, 0, __VA_ARGS__)
#define log_warn_errno(err, ...) log_at(LOG_WARN, (err), __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, 0, __VA_ARGS__)
#define log_debug_errno(err, ...) log_at(LOG_DEBUG, (err), __VA_ARGS__)
#define log_trace(...) log_at(LOG_TRACE, 0, __VA_ARGS__)
