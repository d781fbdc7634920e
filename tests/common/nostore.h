/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NO_STORE(p, len, expr): evaluate the int @expr with the pages [@p, @p +
 * @len) read-only, and fail the test naming @expr if it stored there (the
 * fault is caught and turned into a cmocka failure).  For "an idle poll
 * stores nothing to shared memory": a store of an unchanged value cannot
 * be seen any other way, and it still takes the line from the other core.
 * Include after <cmocka.h>; @p page-aligned.
 */
#ifndef RPROC_TEST_NOSTORE_H
#define RPROC_TEST_NOSTORE_H

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

static sigjmp_buf nostore_env __attribute__((unused));

static inline void nostore_segv(int sig)
{
	(void)sig;
	siglongjmp(nostore_env, 1);
}

#define NO_STORE(p, len, expr)                                                 \
	({                                                                     \
		struct sigaction sa_ = {.sa_handler = nostore_segv}, old_;     \
		volatile int ret_ = 0, stored_ = 1;                            \
                                                                               \
		assert_int_equal(sigaction(SIGSEGV, &sa_, &old_), 0);          \
		assert_int_equal(mprotect(p, len, PROT_READ), 0);              \
		if (!sigsetjmp(nostore_env, 1)) {                              \
			ret_ = (expr);                                         \
			stored_ = 0;                                           \
		}                                                              \
		assert_int_equal(mprotect(p, len, PROT_READ | PROT_WRITE), 0); \
		sigaction(SIGSEGV, &old_, NULL);                               \
		if (stored_)                                                   \
			fail_msg("%s stored to read-only memory", #expr);      \
		ret_;                                                          \
	})

#endif /* RPROC_TEST_NOSTORE_H */
