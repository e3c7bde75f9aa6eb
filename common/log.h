/*
 * Logging to stderr: log_warn adds strerror(errno), log_warnx does not;
 * fatal and fatalx log and exit. Under journald (JOURNAL_STREAM set) each
 * line carries a <N> syslog priority prefix.
 */
#ifndef INV_LOG_H
#define INV_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* Program name for messages, and whether to use <N> prefixes. */
void	log_init(const char *, int);
void	log_set_level(enum log_level);
enum log_level log_get_level(void);
/* Parse "error", "warn", "info", "debug"; -1 if unknown. */
int	log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);

/* Errors that stop the program: shown at every level. */
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
