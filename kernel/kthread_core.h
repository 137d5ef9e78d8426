/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internals of kernel/kthread_core.c: kthread_core_stop(), for
 * kernel/kthread.c's kthread_stop(), and the seams visible only to its
 * KUnit tests (see <kunit/visibility.h>).  Each seam is a KUnit static
 * stub redirect: a stub acts in the test's own thread, and in threads that
 * the test thread forks itself (kthread_core_create() before keventd_up()).
 */
#ifndef _KERNEL_KTHREAD_CORE_H
#define _KERNEL_KTHREAD_CORE_H

#include <kunit/visibility.h>
#include <linux/types.h>

struct kthread_core;
struct task_struct;

bool kthread_core_stop(struct task_struct *k, int *ret);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kthread_core_nr_live - count the threads' state structures alive
 *
 * For the leak checks of the tests: every struct kthread_core that was
 * allocated and not yet freed, whatever its thread is doing.
 *
 * Context: Any context.
 * Return: the number of struct kthread_core alive.
 */
int kthread_core_nr_live(void);

/**
 * kthread_core_alloc - allocate the state of a new thread
 *
 * The allocation seam of kthread_core_create(): a test stubs it with
 * kunit_activate_static_stub() to make creation fail with -ENOMEM.
 *
 * Context: Process context.  May sleep.
 * Return: a zeroed struct kthread_core, or %NULL.
 */
struct kthread_core *kthread_core_alloc(void);

/**
 * kthread_core_clone - fork the thread of @kc
 * @kc: the state of the thread being created
 * @flags: clone flags and exit signal, from kthread_core_clone_flags()
 *
 * The fork seam of kthread_core_create(): a test stubs it to make the
 * fork fail.
 *
 * Context: Process context.  May sleep.
 * Return: the new thread's pid, or a negative errno.
 */
pid_t kthread_core_clone(struct kthread_core *kc, u64 flags);

/**
 * kthread_core_clone_flags - how kthread_core_create() forks
 * @keventd: the forker is a keventd worker, not the caller
 *
 * A test stubs it to take the branch that only init (PID 1) takes.
 *
 * Context: Process context.
 * Return: the clone flags and exit signal for kthread_core_clone().
 */
u64 kthread_core_clone_flags(bool keventd);

/**
 * kthread_core_prologue - the new thread has not reset itself yet
 *
 * Called first in a new kthread_core thread.  A test stubs it to hold the
 * thread there, before it resets its scheduling attributes, and shows that
 * kthread_core_create() does not return meanwhile.
 *
 * Context: In the new thread.
 */
void kthread_core_prologue(void);

/**
 * kthread_core_wait_window - the thread is between its check and its sleep
 *
 * Called by a kthread_core thread after it has read its start and stop
 * requests and before it decides to sleep.  A test stubs it to hold the
 * thread there while it makes a request, which must still wake the thread.
 *
 * Context: In the thread, in %TASK_IDLE, with %TASK_FREEZABLE or without.
 */
void kthread_core_wait_window(void);
#endif

#endif /* _KERNEL_KTHREAD_CORE_H */
