/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What kernel/kthread.c gives kernel/kthread_core.c, whose threads start
 * and stop as kthread()'s do: not an interface for anything else.
 */
#ifndef _KERNEL_KTHREAD_INTERNAL_H
#define _KERNEL_KTHREAD_INTERNAL_H

struct task_struct;

void kthread_prepare_core(int (*corefn)(void *data), void *data,
			  char *full_name);
int kthread_begin_core(void);
int __kthread_stop(struct task_struct *k);

#endif /* _KERNEL_KTHREAD_INTERNAL_H */
