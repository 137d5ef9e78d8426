/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel thread control primitives: a kthread with an initfn, run once
 * when it is started, and a corefn, run after each wakeup until it is
 * destroyed.  See Documentation/core-api/kthread_core.rst.
 */
#ifndef _LINUX_KTHREAD_CORE_H
#define _LINUX_KTHREAD_CORE_H

#include <linux/compiler_attributes.h>
#include <linux/err.h>
#include <linux/types.h>

struct task_struct;

__printf(4, 5)
struct task_struct *kthread_core_create(int (*initfn)(void *data),
					int (*corefn)(void *data),
					void *data, const char namefmt[], ...);
struct task_struct *kthread_core_start(struct task_struct *k);
int kthread_core_destroy(struct task_struct *k);
bool kthread_core_owns(struct task_struct *k);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kthread_core_fork_fault - the fork's error, if a test injects one
 *
 * The fork seam of kthread_core_create(), for KUnit tests of kthread_core
 * and of its callers (see <kunit/visibility.h>): a stub set with
 * kunit_activate_static_stub() that returns a negative errno makes the
 * fork fail with it in the test's own thread, on the path through
 * kthreadd and on the direct one alike.
 *
 * Context: Process context.
 * Return: 0, or the negative errno that the fork is to fail with.
 */
int kthread_core_fork_fault(void);
#endif

/**
 * kthread_core_run - create and start a kthread_core thread
 * @initfn: called once in the new thread before it runs @corefn, or %NULL
 * @corefn: called in the new thread after each wakeup, or %NULL
 * @data: argument for @initfn and @corefn
 * @namefmt: printf-style name for the thread
 * @...: arguments for @namefmt
 *
 * kthread_core_create() followed by kthread_core_start().  If @initfn
 * fails, the thread is gone when this returns.
 *
 * Context: Process context.  Sleeps.
 * Return: the running thread, or ERR_PTR(-errno) from either step.
 */
#define kthread_core_run(initfn, corefn, data, namefmt, ...)		\
({									\
	struct task_struct *__k = kthread_core_create(initfn, corefn,	\
					data, namefmt, ## __VA_ARGS__);	\
	if (!IS_ERR(__k))						\
		__k = kthread_core_start(__k);				\
	__k;								\
})

#endif /* _LINUX_KTHREAD_CORE_H */
