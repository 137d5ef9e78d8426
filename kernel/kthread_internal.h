/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What kernel/kthread.c gives kernel/kthread_core.c, whose threads are
 * kthreads made and stopped by kthread.c: not an interface for anything
 * else, so nothing here is exported.
 */
#ifndef _KERNEL_KTHREAD_INTERNAL_H
#define _KERNEL_KTHREAD_INTERNAL_H

#include <linux/compiler.h>
#include <linux/stdarg.h>
#include <linux/types.h>

struct task_struct;

__printf(5, 0)
struct task_struct *__kthread_create_on_node(int (*threadfn)(void *data),
					     void *data, int node, bool direct,
					     const char namefmt[],
					     va_list args);
void kthread_request_stop(struct task_struct *k);

#endif /* _KERNEL_KTHREAD_INTERNAL_H */
