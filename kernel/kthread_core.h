/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal seams of kernel/kthread_core.c, visible only to its KUnit
 * tests (see <kunit/visibility.h>).
 */
#ifndef _KERNEL_KTHREAD_CORE_H
#define _KERNEL_KTHREAD_CORE_H

#include <kunit/visibility.h>
#include <linux/types.h>

struct kthread_core;
struct task_struct;

#if IS_ENABLED(CONFIG_KUNIT)
int kthread_core_nr_live(void);
struct kthread_core *kthread_core_alloc(void);
pid_t kthread_core_clone(struct kthread_core *kc);
void kthread_core_wait_window(void);
#endif

#endif /* _KERNEL_KTHREAD_CORE_H */
