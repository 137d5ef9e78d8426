// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel thread control primitives.
 *
 * A kthread_core thread has an init function and a core function.  It is
 * created asleep, runs initfn() when started, and from then on runs
 * corefn() each time it is woken, until it is destroyed.  This is the
 * design of Rusty Russell's "Kernel Thread Control Primitives" (2003),
 * written afresh for today's kernel beside the kthread_create() API.
 *
 * Threads are forked by keventd (a system workqueue worker) once it runs,
 * so that they inherit nothing from their creator, and by the creator
 * itself before that.
 *
 * Each thread has one struct kthread_core.  Control operations find it
 * through a small hash table keyed by the task pointer, which is also how
 * a task that was not made here is told apart.  The table lock is only
 * held for the lookup: every round trip with a thread waits on that
 * thread's own completions, so control of one thread never waits for
 * another.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpuset.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/isolation.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "kthread_core.h"

enum {
	KTHREAD_CORE_START,	/* kthread_core_start() was called */
	KTHREAD_CORE_STOP,	/* kthread_core_destroy() was called */
};

/**
 * struct kthread_core - the state of one kthread_core thread
 * @initfn: called once, in the thread, by kthread_core_start()
 * @corefn: called in the thread after each wakeup, until it fails
 * @data: argument of @initfn and @corefn
 * @task: the thread; holds a task reference
 * @node: entry in kthread_core_hash, while the handle is valid
 * @refs: one for the handle, one for each control operation in flight
 * @flags: KTHREAD_CORE_START and KTHREAD_CORE_STOP requests
 * @init_ret: what @initfn returned, or -EINTR if it never ran
 * @result: what @corefn last returned, 0 if it never ran
 * @work: the creation request, run by keventd
 * @created: @task is set, to the thread or to ERR_PTR(-errno)
 * @started: @init_ret is set
 * @exited: the thread will run no more callbacks and touches this no more
 * @comm: the thread's name
 */
struct kthread_core {
	int (*initfn)(void *data);
	int (*corefn)(void *data);
	void *data;
	struct task_struct *task;
	struct hlist_node node;
	refcount_t refs;
	unsigned long flags;
	int init_ret;
	int result;
	struct work_struct work;
	struct completion created;
	struct completion started;
	struct completion exited;
	char comm[TASK_COMM_LEN];
};

#define KTHREAD_CORE_HASH_BITS	6
static DEFINE_HASHTABLE(kthread_core_hash, KTHREAD_CORE_HASH_BITS);
static DEFINE_SPINLOCK(kthread_core_lock);
static atomic_t kthread_core_live = ATOMIC_INIT(0);

#if IS_ENABLED(CONFIG_KUNIT)
/* Number of struct kthread_core alive, for the leak checks of the tests. */
int kthread_core_nr_live(void)
{
	return atomic_read(&kthread_core_live);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_nr_live);
#endif

/* Allocation seam: tests stub it to inject -ENOMEM. */
VISIBLE_IF_KUNIT struct kthread_core *kthread_core_alloc(void)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_alloc);

	return kzalloc(sizeof(struct kthread_core), GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_alloc);

static void kthread_core_put(struct kthread_core *kc)
{
	if (!refcount_dec_and_test(&kc->refs))
		return;
	if (kc->task)
		put_task_struct(kc->task);
	kfree(kc);
	atomic_dec(&kthread_core_live);
}

/* The thread behind @k, or NULL; @k is only compared, never touched. */
static struct kthread_core *kthread_core_find(struct task_struct *k)
{
	struct kthread_core *kc;

	lockdep_assert_held(&kthread_core_lock);
	hash_for_each_possible(kthread_core_hash, kc, node, (unsigned long)k)
		if (kc->task == k)
			return kc;
	return NULL;
}

/* Find the thread behind @k and take a reference to it. */
static struct kthread_core *kthread_core_get(struct task_struct *k)
{
	struct kthread_core *kc;

	if (IS_ERR_OR_NULL(k))
		return ERR_PTR(-EINVAL);

	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (kc)
		refcount_inc(&kc->refs);
	spin_unlock(&kthread_core_lock);
	return kc ?: ERR_PTR(-EINVAL);
}

/*
 * Find the thread behind @k and invalidate its handle, all at once, so
 * that only one caller gets it: that caller owns the handle's reference.
 * A thread cannot take itself.
 */
static struct kthread_core *kthread_core_take(struct task_struct *k)
{
	struct kthread_core *kc;

	if (IS_ERR_OR_NULL(k))
		return ERR_PTR(-EINVAL);

	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (!kc)
		kc = ERR_PTR(-EINVAL);
	else if (k == current)
		kc = ERR_PTR(-EDEADLK);
	else
		hash_del(&kc->node);
	spin_unlock(&kthread_core_lock);
	return kc;
}

/**
 * kthread_core_owns - whether a task is a kthread_core thread
 * @k: any task, or %NULL
 *
 * For kthread_stop(), which hands kthread_core threads on to
 * kthread_core_destroy().
 *
 * Context: Process context.
 * Return: true if @k came from kthread_core_create() and its destroy has
 * not begun, else false.
 */
bool kthread_core_owns(struct task_struct *k)
{
	bool found;

	if (IS_ERR_OR_NULL(k))
		return false;
	spin_lock(&kthread_core_lock);
	found = kthread_core_find(k);
	spin_unlock(&kthread_core_lock);
	return found;
}
EXPORT_SYMBOL_GPL(kthread_core_owns);

/*
 * Invalidate the handle of a thread whose start failed, unless a destroy
 * took it first.  Only one caller wins, and it then owns the handle's
 * reference.
 */
static bool kthread_core_unhash(struct kthread_core *kc)
{
	bool won;

	spin_lock(&kthread_core_lock);
	won = hash_hashed(&kc->node);
	if (won)
		hash_del(&kc->node);
	spin_unlock(&kthread_core_lock);
	return won;
}

static bool kthread_core_stopping(struct kthread_core *kc)
{
	return READ_ONCE(kc->flags) & BIT(KTHREAD_CORE_STOP);
}

/*
 * Wait seam, between the thread's read of its requests and its decision to
 * sleep: a request made there must still wake it.  Tests stub it to hold
 * the thread in that window.
 */
VISIBLE_IF_KUNIT void kthread_core_wait_window(void)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_wait_window);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_wait_window);

/*
 * Sleep until one of the requests in @mask was made.  The task state is
 * set before the requests are read, so a request made after the read
 * finds the thread no longer running and its wake_up_process() makes
 * schedule() return.
 */
static void kthread_core_wait(struct kthread_core *kc, unsigned long mask)
{
	unsigned long requests;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		requests = READ_ONCE(kc->flags);
		kthread_core_wait_window();
		if (requests & mask)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

/*
 * The core loop: corefn() after every wakeup.  corefn() leaves the task
 * state it wants to sleep in; a wakeup that came after it set that state
 * makes schedule() return at once, so none is lost.
 */
static void kthread_core_loop(struct kthread_core *kc)
{
	int ret;

	if (!kc->corefn)
		return;

	while (!kthread_core_stopping(kc)) {
		ret = kc->corefn(kc->data);
		kc->result = ret;
		if (ret < 0)
			break;
		if (kthread_core_stopping(kc))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int kthread_core_thread(void *arg)
{
	struct kthread_core *kc = arg;
	int ret = -EINTR;

	/*
	 * Shed the scheduling attributes inherited from our forker: a keventd
	 * worker is bound to one CPU, an early-boot caller may have any policy.
	 * The policy is only set if it differs, as keventd's never does.
	 */
	if (current->policy != SCHED_NORMAL || task_nice(current))
		sched_set_normal(current, 0);
	set_cpus_allowed_ptr(current, housekeeping_cpumask(HK_TYPE_KTHREAD));
	set_mems_allowed(node_states[N_MEMORY]);

	kthread_core_wait(kc, BIT(KTHREAD_CORE_START) | BIT(KTHREAD_CORE_STOP));
	if (!kthread_core_stopping(kc))
		ret = kc->initfn ? kc->initfn(kc->data) : 0;
	kc->init_ret = ret;
	complete(&kc->started);

	if (ret >= 0) {
		kthread_core_loop(kc);
		/* corefn failed or there is none: keep the result, sleep. */
		kthread_core_wait(kc, BIT(KTHREAD_CORE_STOP));
	}

	/*
	 * Both a failed start and a destroy may wait for this.  After it, kc
	 * may be freed: only exit code runs here.
	 */
	complete_all(&kc->exited);
	do_exit(0);
}

/* Fork seam: tests stub it to inject a fork failure. */
VISIBLE_IF_KUNIT pid_t kthread_core_clone(struct kthread_core *kc)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_clone, kc);

	return kernel_thread(kthread_core_thread, kc, kc->comm,
			     CLONE_FS | CLONE_FILES | SIGCHLD);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_clone);

static struct task_struct *kthread_core_fork(struct kthread_core *kc)
{
	struct task_struct *task;
	pid_t pid;

	/* The thread waits for start or destroy, so its pid stays valid. */
	pid = kthread_core_clone(kc);
	if (pid < 0)
		return ERR_PTR(pid);
	task = find_get_task_by_vpid(pid);
	/*
	 * It copied its forker's signal handlers; from now on it takes no
	 * signals, and any sent since the fork are dropped.
	 */
	ignore_signals(task);
	return task;
}

/* Runs on keventd, so that the thread inherits nothing from the caller. */
static void kthread_core_create_work(struct work_struct *work)
{
	struct kthread_core *kc = container_of(work, struct kthread_core, work);

	kc->task = kthread_core_fork(kc);
	complete(&kc->created);
}

/**
 * kthread_core_create - create a kthread_core thread, not yet started
 * @initfn: called once by kthread_core_start() in the new thread, or %NULL
 * @corefn: called in the new thread after each wakeup, or %NULL
 * @data: argument for @initfn and @corefn
 * @namefmt: printf-style name for the thread, truncated to
 *	%TASK_COMM_LEN - 1 characters
 * @...: arguments for @namefmt
 *
 * Create a kernel thread that sleeps until kthread_core_start() or
 * kthread_core_destroy() is called on it; @initfn is not called before.
 * Once keventd_up(), the thread is forked by keventd and inherits nothing
 * from the caller; before that, during early boot, the caller forks it.
 * Either way it runs with the CPU affinity and scheduling policy of an
 * ordinary kthread, and it ignores all signals.
 *
 * After a successful start, the thread calls @corefn.  It then sleeps in
 * the task state that @corefn left, unless it is being destroyed: a
 * @corefn that wants to wait for the next wake_up_process() sets
 * %TASK_INTERRUPTIBLE with set_current_state() before its last check for
 * work, and one that returns in %TASK_RUNNING is called again at once.
 * Once @corefn returns a negative value it is not called again, and the
 * thread sleeps until destroyed.
 *
 * Context: Process context.  Sleeps.
 * Return: the new thread, or ERR_PTR(-ENOMEM) or another ERR_PTR(-errno)
 * from fork if it could not be created.
 */
struct task_struct *kthread_core_create(int (*initfn)(void *data),
					int (*corefn)(void *data),
					void *data, const char namefmt[], ...)
{
	struct task_struct *task;
	struct kthread_core *kc;
	va_list args;

	kc = kthread_core_alloc();
	if (!kc)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&kthread_core_live);

	kc->initfn = initfn;
	kc->corefn = corefn;
	kc->data = data;
	refcount_set(&kc->refs, 1);
	INIT_WORK(&kc->work, kthread_core_create_work);
	init_completion(&kc->created);
	init_completion(&kc->started);
	init_completion(&kc->exited);
	va_start(args, namefmt);
	vsnprintf(kc->comm, sizeof(kc->comm), namefmt, args);
	va_end(args);

	if (keventd_up()) {
		queue_work(system_wq, &kc->work);
		wait_for_completion(&kc->created);
	} else {
		kc->task = kthread_core_fork(kc);
	}

	task = kc->task;
	if (IS_ERR(task)) {
		kc->task = NULL;
		kthread_core_put(kc);
		return task;
	}

	spin_lock(&kthread_core_lock);
	hash_add(kthread_core_hash, &kc->node, (unsigned long)task);
	spin_unlock(&kthread_core_lock);
	return task;
}
EXPORT_SYMBOL_GPL(kthread_core_create);

/**
 * kthread_core_start - run a new thread's initfn, and let it run corefn
 * @k: a thread from kthread_core_create() that was not started yet
 *
 * Wake @k and wait while it calls its initfn.  If initfn fails, @k exits
 * and is released before this returns, and must not be used again.
 *
 * A thread created without an initfn has nothing to report, so its start
 * does not wait for it: it returns @k at once, and @k calls corefn as soon
 * as it runs, unless kthread_core_destroy() comes first.
 *
 * Context: Process context.  May sleep.  Not from @k itself.
 * Return: @k if initfn returned a value >= 0 or is %NULL.  Otherwise
 * ERR_PTR() of initfn's negative return, ERR_PTR(-EINTR) if @k was being
 * destroyed before its initfn could run, ERR_PTR(-EBUSY) if @k was
 * already started, or ERR_PTR(-EINVAL) if @k is not a kthread_core thread.
 */
struct task_struct *kthread_core_start(struct task_struct *k)
{
	struct kthread_core *kc;
	int ret;

	kc = kthread_core_get(k);
	if (IS_ERR(kc))
		return ERR_CAST(kc);

	if (test_and_set_bit(KTHREAD_CORE_START, &kc->flags)) {
		kthread_core_put(kc);
		return ERR_PTR(-EBUSY);
	}

	wake_up_process(k);
	if (!kc->initfn) {
		/* Nothing can fail: a destroy now owns the exit. */
		kthread_core_put(kc);
		return k;
	}
	wait_for_completion(&kc->started);
	ret = kc->init_ret;
	if (ret < 0) {
		wait_for_completion(&kc->exited);
		if (kthread_core_unhash(kc))
			kthread_core_put(kc);
	}
	kthread_core_put(kc);
	return ret < 0 ? ERR_PTR(ret) : k;
}
EXPORT_SYMBOL_GPL(kthread_core_start);

/**
 * kthread_core_destroy - stop a kthread_core thread and wait for its exit
 * @k: a thread from kthread_core_create(), started or not
 *
 * Ask @k to stop, wake it, and wait until it exits.  A corefn call in
 * progress finishes first; no further one starts.  When this returns, @k
 * runs none of the caller's code any more, and its reference and memory
 * are released; @k must not be used again.  Destroying a thread that was
 * never started runs neither of its functions.
 *
 * From the moment this begins, kthread_should_stop() is true in @k, so
 * that a corefn waiting for it, as upstream kthreads do, returns.
 * kthread_stop() on @k comes here too.
 *
 * Context: Process context.  Sleeps.  Not from @k itself.
 * Return: corefn's last return value (its error, if it failed), or 0 if
 * it never ran; -EDEADLK if called by @k itself; -EINVAL if @k is not a
 * kthread_core thread or is already being destroyed.
 */
int kthread_core_destroy(struct task_struct *k)
{
	struct kthread_core *kc;
	int ret;

	kc = kthread_core_take(k);
	if (IS_ERR(kc))
		return PTR_ERR(kc);

	set_bit(KTHREAD_CORE_STOP, &kc->flags);
	kthread_set_should_stop(k);
	wake_up_process(k);
	wait_for_completion(&kc->exited);
	ret = kc->result;
	kthread_core_put(kc);
	return ret;
}
EXPORT_SYMBOL_GPL(kthread_core_destroy);
