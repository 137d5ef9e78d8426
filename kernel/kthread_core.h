/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seams of kernel/kthread_core.c that only its KUnit tests see (see
 * <kunit/visibility.h>); the fork seam, which callers' tests use too,
 * is in <linux/kthread_core.h>.  Each seam is a KUnit static stub
 * redirect: a stub acts in the test's own thread, and in threads that the
 * test thread forks itself (kthread_core_create() before keventd_up()).
 */
#ifndef _KERNEL_KTHREAD_CORE_H
#define _KERNEL_KTHREAD_CORE_H

#include <kunit/visibility.h>
#include <linux/types.h>

struct kthread_core;
struct task_struct;

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
 * kthread_core_wait_window - the thread is between its check and its sleep
 *
 * Called by a kthread_core thread after it has read its start and stop
 * requests and before it decides to sleep.  A test stubs it to hold the
 * thread there while it makes a request, which must still wake the thread.
 *
 * Context: In the thread, in %TASK_UNINTERRUPTIBLE or %TASK_IDLE, with
 * %TASK_FREEZABLE or without.
 */
void kthread_core_wait_window(void);
#endif

#endif /* _KERNEL_KTHREAD_CORE_H */
