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
 * The threads are kthreads like any other: kernel/kthread.c starts them
 * as it starts kthread()'s threads, kthreadd is their parent, and they exit
 * through kthread_exit(), so that kthread_bind(), kthread_park(),
 * kthread_should_stop(), kthread_data() and kthread_stop() work on them.
 * What differs is who forks them: a keventd worker (a kworker of this
 * file's own workqueue) once keventd is up, so that creations on several
 * CPUs run in parallel instead of queueing for kthreadd; and before that,
 * in early boot, the caller itself.  kthreadd is their parent either way,
 * but for the threads that init forks itself, which reap themselves.
 *
 * Each thread has one struct kthread_core.  Control operations find it
 * through a small hash table keyed by the task pointer, which is also how a
 * task that was not made here is told apart without being touched.  The
 * table lock is only held for the lookup: every round trip with a thread
 * waits on that thread's own completions, so control of one thread never
 * waits for another.
 *
 * Concurrency contract, stated to KCSAN where it is promised:
 *  - @task is written once, before the completion that publishes it: by
 *    the thread, or by the forker if the fork failed; the thread alone
 *    writes @init_ret, before the completion that publishes it;
 *  - the @flags bits are set with atomic bitops and never cleared:
 *    KTHREAD_CORE_REPORTED by the creator or the reporter, before the
 *    handle is valid; KTHREAD_CORE_START once, under kthread_core_lock,
 *    while the thread reads it without the lock.  Once the thread has
 *    seen its start or its stop, nothing writes @flags any more;
 *  - @claimed is only accessed under kthread_core_lock: exactly one caller
 *    claims a thread's exit (a destroy, a kthread_stop() or a failed
 *    start); it alone waits for the exit, writes @result and frees the
 *    state, when nothing else can touch it.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpuset.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/freezer.h>
#include <linux/hashtable.h>
#include <linux/kcsan-checks.h>
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
#include "kthread_internal.h"

enum {
	KTHREAD_CORE_REPORTED,	/* the creator was answered, or gave up */
	KTHREAD_CORE_START,	/* kthread_core_start() was called */
};

/**
 * struct kthread_core - the state of one kthread_core thread
 * @initfn: called once, in the thread, by kthread_core_start()
 * @corefn: called in the thread after each wakeup, until it fails
 * @data: argument of @initfn and @corefn
 * @task: the thread; holds a task reference
 * @node: entry in kthread_core_hash, while the handle is valid
 * @refs: one for the handle, one for each control operation in flight
 * @flags: KTHREAD_CORE_REPORTED and _START
 * @claimed: one caller owns the thread's exit; under kthread_core_lock
 * @init_ret: what @initfn returned, or -EINTR if it never ran
 * @result: what the thread exited with, for a kthread_stop() that waited
 *	for another caller's destroy
 * @full_name: the thread's name, until the thread takes it
 * @work: the creation request, run by keventd
 * @created: @task is set, to the thread or to ERR_PTR(-errno)
 * @started: @init_ret is set
 * @destroyed: the claimer has reaped the thread and set @result
 */
struct kthread_core {
	int (*initfn)(void *data);
	int (*corefn)(void *data);
	void *data;
	struct task_struct *task;
	struct hlist_node node;
	refcount_t refs;
	unsigned long flags;
	bool claimed;
	int init_ret;
	int result;
	char *full_name;
	struct work_struct work;
	struct completion created;
	struct completion started;
	struct completion destroyed;
};

#define KTHREAD_CORE_HASH_BITS	6
static DEFINE_HASHTABLE(kthread_core_hash, KTHREAD_CORE_HASH_BITS);
static DEFINE_SPINLOCK(kthread_core_lock);
static atomic_t kthread_core_live = ATOMIC_INIT(0);

/*
 * keventd for thread creation: unbound, so that the forks run on the
 * workqueue's unbound CPUs, which exclude isolated ones, near the caller;
 * with a rescuer, so that creation makes progress when no kworker can be
 * forked; and with its own max_active, so that work items of the system
 * workqueue that wait for a creation never starve the creation itself.
 */
static struct workqueue_struct *kthread_core_wq __ro_after_init;
/* Without the workqueue, creation fails, rather than fork from the caller. */
static bool kthread_core_wq_failed __ro_after_init;

static int __init kthread_core_init(void)
{
	kthread_core_wq = alloc_workqueue("kthread_core",
					  WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	kthread_core_wq_failed = !kthread_core_wq;
	return kthread_core_wq ? 0 : -ENOMEM;
}
early_initcall(kthread_core_init);

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
	/* The last reference: nothing else can reach the state now. */
	ASSERT_EXCLUSIVE_ACCESS(*kc);
	if (!IS_ERR_OR_NULL(kc->task))
		put_task_struct(kc->task);
	kfree(kc->full_name);
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

/* Claim @kc's exit; under kthread_core_lock, so that only one caller wins. */
static bool kthread_core_claim_locked(struct kthread_core *kc)
{
	lockdep_assert_held(&kthread_core_lock);
	if (kc->claimed)
		return false;
	ASSERT_EXCLUSIVE_WRITER(kc->claimed);
	kc->claimed = true;
	return true;
}

/*
 * Find the thread behind @k, not started yet, mark it started and take a
 * reference to it; unless a destroy claimed it first, so that a destroy
 * that comes before the start runs neither function.
 */
static struct kthread_core *kthread_core_get_unstarted(struct task_struct *k)
{
	struct kthread_core *kc;

	if (IS_ERR_OR_NULL(k))
		return ERR_PTR(-EINVAL);

	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (!kc) {
		kc = ERR_PTR(-EINVAL);
	} else if (kc->claimed) {
		kc = ERR_PTR(-EINTR);
	} else if (test_bit(KTHREAD_CORE_START, &kc->flags)) {
		/* Not even an atomic write: the thread's @flags are settled. */
		kc = ERR_PTR(-EBUSY);
	} else {
		set_bit(KTHREAD_CORE_START, &kc->flags);
		refcount_inc(&kc->refs);
	}
	spin_unlock(&kthread_core_lock);
	return kc;
}

/*
 * The claimer reaps the thread: wait for its exit through kthread.c, as
 * kthread_stop() does, and return what it exited with.  Then invalidate
 * the handle, tell a kthread_stop() that waited for this, and drop the
 * handle's reference.
 */
static int kthread_core_reap(struct kthread_core *kc)
{
	int ret = __kthread_stop(kc->task);

	ASSERT_EXCLUSIVE_WRITER(kc->result);
	kc->result = ret;
	spin_lock(&kthread_core_lock);
	hash_del(&kc->node);
	spin_unlock(&kthread_core_lock);
	complete_all(&kc->destroyed);
	kthread_core_put(kc);
	return ret;
}

/**
 * kthread_core_owns - whether a task is a kthread_core thread
 * @k: any task, or %NULL; it is only compared, never dereferenced
 *
 * Context: Process context.
 * Return: true if @k came from kthread_core_create() and was not reaped
 * yet, else false.
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
 * Wait seam, between the thread's read of its requests and its decision to
 * sleep: a request made there must still wake it.  Tests stub it to hold
 * the thread in that window.
 */
VISIBLE_IF_KUNIT void kthread_core_wait_window(void)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_wait_window);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_wait_window);

/* Prologue seam, before the thread resets itself.  Tests stub it to hold it. */
VISIBLE_IF_KUNIT void kthread_core_prologue(void)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_prologue);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_prologue);

/*
 * Give the new thread the context that kthreadd gives its children, as its
 * forker (a keventd worker, or an early-boot caller) may differ: no
 * signals, no freezing until it asks for it, no allocation scope
 * (memalloc_noio_save() and its kind), nice 0, every memory node and the
 * housekeeping CPUs.  kthread_prepare_core() resets the policy.
 */
static void kthread_core_reset(void)
{
	cpumask_var_t mask;

	ignore_signals(current);
	current->flags |= PF_NOFREEZE;
	current->flags &= ~(PF_MEMALLOC | PF_MEMALLOC_NOFS | PF_MEMALLOC_NOIO |
			    PF_MEMALLOC_PIN);
	set_user_nice(current, 0);
	set_mems_allowed(node_states[N_MEMORY]);
	if (!alloc_cpumask_var(&mask, GFP_KERNEL)) {
		/* kthread_begin_core() narrows it to the housekeeping CPUs. */
		set_cpus_allowed_ptr(current, cpu_possible_mask);
		return;
	}
	/* The housekeeping mask changes at runtime, under RCU. */
	scoped_guard(rcu)
		cpumask_copy(mask, housekeeping_cpumask(HK_TYPE_DOMAIN));
	set_cpus_allowed_ptr(current, mask);
	free_cpumask_var(mask);
}

/*
 * Tell the creator the thread or its fork's error, unless the creator was
 * killed and gave up: then the state is the reporter's to free.
 */
static bool kthread_core_report(struct kthread_core *kc)
{
	if (!test_and_set_bit(KTHREAD_CORE_REPORTED, &kc->flags)) {
		complete(&kc->created);
		return true;
	}
	kthread_core_put(kc);
	return false;
}

/*
 * The thread reports itself already in its sleeping state, as kthread()
 * does, so that the creator's kthread_bind() finds it inactive in it.
 */
static bool kthread_core_report_asleep(struct kthread_core *kc)
{
	set_current_state(TASK_IDLE);
	if (kthread_core_report(kc))
		return true;
	__set_current_state(TASK_RUNNING);
	return false;
}

/*
 * Sleep in @state until a stop or, with @kc, kthread_core_start(), parking
 * when asked; a stray wake_up_process() does nothing.
 */
static void kthread_core_sleep(struct kthread_core *kc, unsigned int state)
{
	for (;;) {
		bool stop, start = false;

		set_current_state(state);
		if (kc) {
			/* Only a start changes @flags now. */
			ASSERT_EXCLUSIVE_BITS(kc->flags, ~BIT(KTHREAD_CORE_START));
			start = READ_ONCE(kc->flags) & BIT(KTHREAD_CORE_START);
		}
		stop = kthread_should_stop();
		kthread_core_wait_window();
		if (stop || start)
			break;
		if (kthread_should_park()) {
			__set_current_state(TASK_RUNNING);
			kthread_parkme();
			continue;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

/*
 * Sleep until kthread_core_start() or a stop, in TASK_IDLE: uninterruptible,
 * so that kthread_bind() and kthread_affine_preferred() work until then,
 * as on a new kthread, and without load or hung-task reports.  A park
 * request parks the thread here.
 */
static bool kthread_core_wait_start(struct kthread_core *kc)
{
	kthread_core_sleep(kc, TASK_IDLE);
	return !kthread_should_stop();
}

/*
 * After corefn failed, or without one: sleep until stopped, parking when
 * asked, and freezable if initfn made the thread so.  In TASK_IDLE, so
 * that a signal that initfn allowed does not make the sleep a busy loop.
 */
static void kthread_core_wait_stop(void)
{
	kthread_core_sleep(NULL, TASK_IDLE | TASK_FREEZABLE);
}

/*
 * The core loop: corefn() after every wakeup, until a stop.  corefn()
 * leaves the task state it wants to sleep in; a wakeup that came after it
 * set that state makes schedule() return at once, so none is lost.
 * Returns corefn's last value.
 */
static int kthread_core_loop(struct kthread_core *kc)
{
	int ret = 0;

	while (!kthread_should_stop()) {
		/* Started: nothing writes @flags, not even a refused start. */
		ASSERT_EXCLUSIVE_WRITER(kc->flags);
		if (kthread_should_park()) {
			__set_current_state(TASK_RUNNING);
			kthread_parkme();
			continue;
		}
		ret = kc->corefn(kc->data);
		if (ret < 0)
			break;
		/*
		 * Order corefn's task state, which it may have set with
		 * __set_current_state(), before the stop and park tests: with
		 * the barrier in the requester's wake_up_process(), either the
		 * test sees the request or the wakeup sees the sleeping state.
		 */
		smp_mb();
		if (kthread_should_stop() || kthread_should_park())
			continue;
		schedule();
		try_to_freeze();
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/*
 * The thread's life from its start, or its stop, on: initfn, then corefn
 * until stopped.  Returns what the thread exits with.
 *
 * Nothing writes @flags any more, as KCSAN is told.
 */
static int kthread_core_started(struct kthread_core *kc, bool start)
{
	int ret = -EINTR;

	ASSERT_EXCLUSIVE_WRITER(kc->flags);
	/*
	 * kthread_begin_core() may park the thread: a stop that ends the park
	 * comes before initfn, and initfn does not run.
	 */
	if (start && !kthread_begin_core() && !kthread_should_stop())
		ret = kc->initfn ? kc->initfn(kc->data) : 0;
	ASSERT_EXCLUSIVE_WRITER(kc->init_ret);
	kc->init_ret = ret;
	/*
	 * A kthread_park() that came while initfn ran is honoured before the
	 * start learns of a failure and reaps the thread: the parker would
	 * otherwise wait for a park that the exit never gives.  It holds the
	 * start back, as a park before the start does.
	 */
	if (ret < 0 && kthread_should_park() && !kthread_should_stop())
		kthread_parkme();
	complete_all(&kc->started);
	ret = ret >= 0 && kc->corefn ? kthread_core_loop(kc) : 0;
	/*
	 * initfn or corefn failed, or there is no corefn: wait to be stopped,
	 * by the start that reaps a failed initfn, by a destroy that came
	 * first, or by the destroy that takes corefn's result.
	 */
	if (!kthread_should_stop())
		kthread_core_wait_stop();
	return ret;
}

static int kthread_core_thread(void *arg)
{
	struct kthread_core *kc = arg;

	kthread_core_prologue();
	kthread_core_reset();
	kthread_prepare_core(kc->corefn, kc->data, kc->full_name);
	kc->full_name = NULL;
	ASSERT_EXCLUSIVE_WRITER(kc->task);
	kc->task = get_task_struct(current);
	if (!kthread_core_report_asleep(kc))
		kthread_exit(-EINTR);
	kthread_exit(kthread_core_started(kc, kthread_core_wait_start(kc)));
}

/*
 * Fork seam: tests stub it to inject a fork failure.  @flags come from
 * kthread_core_clone_flags().
 */
VISIBLE_IF_KUNIT pid_t kthread_core_clone(struct kthread_core *kc, u64 flags)
{
	struct kernel_clone_args args = {
		.flags		= (flags | CLONE_VM | CLONE_UNTRACED) & ~CSIGNAL,
		.exit_signal	= flags & CSIGNAL,
		.fn		= kthread_core_thread,
		.fn_arg		= kc,
		.name		= kc->full_name,
		.kthread	= 1,
	};

	KUNIT_STATIC_STUB_REDIRECT(kthread_core_clone, kc, flags);

	return kernel_clone(&args);
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_clone);

/*
 * How to fork.  kthreadd is the parent of every kthread: a keventd worker
 * is its child, so CLONE_PARENT makes kthreadd the new thread's parent
 * too, and it reaps it, and the thread shares the worker's fs and files,
 * which are kthreadd's, as kthreadd's children share them.  Before keventd
 * is up, the caller forks: the thread gets copies of its fs and files, and
 * kthreadd as its parent when the caller is kthreadd's child, as every
 * kthread is; any other caller, init (PID 1) first, may not give a child
 * its own parent, so there the thread reaps itself on exit
 * (CLONE_AUTOREAP).
 */
VISIBLE_IF_KUNIT u64 kthread_core_clone_flags(bool keventd)
{
	bool kthreadd_child;

	KUNIT_STATIC_STUB_REDIRECT(kthread_core_clone_flags, keventd);

	if (keventd)
		return CLONE_FS | CLONE_FILES | CLONE_PARENT | SIGCHLD;
	scoped_guard(rcu)
		kthreadd_child = rcu_dereference(current->real_parent) ==
				 kthreadd_task;
	return kthreadd_child ? CLONE_PARENT | SIGCHLD : CLONE_AUTOREAP;
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_clone_flags);

/*
 * Fork with userland cgroup migration refused, as kthreadd forks: the new
 * thread stays in its forker's cgroup until kthread_begin_core() calls
 * cgroup_kthread_ready().
 */
static pid_t kthread_core_clone_pinned(struct kthread_core *kc, u64 flags)
{
#ifdef CONFIG_CGROUPS
	unsigned int pinned = current->no_cgroup_migration;
	pid_t pid;

	current->no_cgroup_migration = 1;
	pid = kthread_core_clone(kc, flags);
	current->no_cgroup_migration = pinned;
	return pid;
#else
	return kthread_core_clone(kc, flags);
#endif
}

/* Fork the thread, which reports itself; report a failed fork here. */
static void kthread_core_fork(struct kthread_core *kc, bool keventd)
{
	pid_t pid = kthread_core_clone_pinned(kc, kthread_core_clone_flags(keventd));

	if (pid < 0) {
		kc->task = ERR_PTR(pid);
		kthread_core_report(kc);
	}
}

/* Runs on keventd, so that the thread inherits nothing from the caller. */
static void kthread_core_create_work(struct work_struct *work)
{
	kthread_core_fork(container_of(work, struct kthread_core, work), true);
}

/**
 * kthread_core_create - create a kthread_core thread, not yet started
 * @initfn: called once by kthread_core_start() in the new thread, or %NULL
 * @corefn: called in the new thread after each wakeup, or %NULL
 * @data: argument for @initfn and @corefn
 * @namefmt: printf-style name for the thread
 * @...: arguments for @namefmt
 *
 * Create a kernel thread that sleeps until kthread_core_start() or
 * kthread_core_destroy() is called on it; @initfn is not called before.
 *
 * Once keventd_up(), a worker of kthread_core's unbound workqueue forks
 * the thread, on a CPU that is not isolated, and it inherits nothing from
 * the caller.  Before that (in init before workqueue_init() and the early
 * initcall that allocates the workqueue, and in the kthreads started
 * then), the caller forks it: it gets copies of the caller's fs, files and
 * credentials, the kernel's own there.  Either way its parent is kthreadd
 * (or, forked by a task that is not kthreadd's child, such as init, it
 * reaps itself), it ignores all signals, it is not
 * freezable, it may not be moved to another cgroup by userland until it is
 * started, and it has the scheduling policy, nice value and CPU affinity
 * of a new kthread.
 *
 * Until it is started, the thread sleeps as a new kthread from
 * kthread_create() does: kthread_bind(), kthread_bind_mask(),
 * kthread_affine_preferred(), sched_set_fifo() and set_cpus_allowed_ptr()
 * all take effect on it, and it joins kthreads' managed affinity at start
 * unless it was bound; an affinity set is kept, within the housekeeping
 * CPUs, until those change.  Its name, truncated to %TASK_COMM_LEN - 1
 * characters in its comm, is kept whole for get_kthread_comm().
 *
 * After a successful start, the thread calls @corefn.  It then sleeps in
 * the task state that @corefn left, unless it is being stopped or parked:
 * a @corefn that wants to wait for the next wake_up_process() sets
 * %TASK_INTERRUPTIBLE (with %TASK_FREEZABLE if @initfn made the thread
 * freezable) before its last check for work, and one that returns in
 * %TASK_RUNNING is called again at once.  Either set_current_state() or
 * __set_current_state() will do: the loop orders the state before its own
 * tests.  Once @corefn returns a negative value it is not called again,
 * and the thread sleeps until destroyed.  @corefn may end the thread
 * itself with kthread_exit(); kthread_core_destroy() then returns what it
 * exited with.  @initfn must return.
 *
 * The wait for the fork is killable, as kthread_create()'s is.
 *
 * Context: Process context.  Sleeps.
 * Return: the new thread; ERR_PTR(-ENOMEM), ERR_PTR(-EINTR) if the caller
 * was killed while waiting, or another ERR_PTR(-errno) from fork.
 */
struct task_struct *kthread_core_create(int (*initfn)(void *data),
					int (*corefn)(void *data),
					void *data, const char namefmt[], ...)
{
	struct task_struct *task;
	struct kthread_core *kc;
	va_list args;
	bool keventd;

	if (kthread_core_wq_failed)
		return ERR_PTR(-ENOMEM);
	kc = kthread_core_alloc();
	if (!kc)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&kthread_core_live);
	refcount_set(&kc->refs, 1);

	va_start(args, namefmt);
	kc->full_name = kvasprintf(GFP_KERNEL, namefmt, args);
	va_end(args);
	if (!kc->full_name) {
		kthread_core_put(kc);
		return ERR_PTR(-ENOMEM);
	}
	kc->initfn = initfn;
	kc->corefn = corefn;
	kc->data = data;
	INIT_WORK(&kc->work, kthread_core_create_work);
	init_completion(&kc->created);
	init_completion(&kc->started);
	init_completion(&kc->destroyed);

	keventd = keventd_up() && kthread_core_wq;
	if (keventd)
		queue_work(kthread_core_wq, &kc->work);
	else
		kthread_core_fork(kc, false);

	/*
	 * Killable, for the OOM killer's sake, as kthread_create() is.  If we
	 * were killed before the report, whoever reports frees the state.
	 */
	if (wait_for_completion_killable(&kc->created)) {
		if (!test_and_set_bit(KTHREAD_CORE_REPORTED, &kc->flags))
			return ERR_PTR(-EINTR);
		wait_for_completion(&kc->created);
	}

	task = kc->task;
	if (IS_ERR(task)) {
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
 * and is released before this returns (by this call, or by a destroy or a
 * kthread_stop() that came first), and must not be used again.  A
 * kthread_park() before initfn, or while a failing initfn runs, holds the
 * start back until kthread_unpark().
 *
 * A thread created without an initfn has nothing to report, so its start
 * does not wait for it: it returns @k at once, and @k calls corefn as soon
 * as it runs, unless kthread_core_destroy() comes first.
 *
 * Context: Process context.  May sleep.  Not from @k itself.
 * Return: @k if initfn returned a value >= 0 or is %NULL.  Otherwise
 * ERR_PTR() of initfn's negative return, ERR_PTR(-EINTR) if a destroy or
 * a kthread_stop() of @k began before its initfn could run, ERR_PTR(-EBUSY)
 * if @k was already started, or ERR_PTR(-EINVAL) if @k is not a kthread_core
 * thread (any more).
 */
struct task_struct *kthread_core_start(struct task_struct *k)
{
	struct kthread_core *kc;
	bool claimed;
	int ret;

	kc = kthread_core_get_unstarted(k);
	if (IS_ERR(kc))
		return ERR_CAST(kc);

	wake_up_process(k);
	if (!kc->initfn) {
		/* Nothing can fail: a destroy owns the exit. */
		kthread_core_put(kc);
		return k;
	}
	wait_for_completion(&kc->started);
	ret = kc->init_ret;
	if (ret < 0) {
		/* Reap the thread, unless a destroy already claimed it. */
		spin_lock(&kthread_core_lock);
		claimed = kthread_core_claim_locked(kc);
		spin_unlock(&kthread_core_lock);
		if (claimed)
			kthread_core_reap(kc);
		else
			wait_for_completion(&kc->destroyed);
	}
	kthread_core_put(kc);
	return ret < 0 ? ERR_PTR(ret) : k;
}
EXPORT_SYMBOL_GPL(kthread_core_start);

/*
 * Claim @k's exit for a destroy or a kthread_stop(), or, with @wait, take
 * a reference for waiting on another claimer's.  ERR_PTR(-EINVAL) if @k
 * is not a kthread_core thread (any more), -EBUSY if claimed already and
 * not @wait, -EDEADLK from @k itself.  *@owner says which it got.
 */
static struct kthread_core *kthread_core_claim(struct task_struct *k,
					       bool wait, bool *owner)
{
	struct kthread_core *kc;

	if (IS_ERR_OR_NULL(k))
		return ERR_PTR(-EINVAL);

	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (!kc) {
		kc = ERR_PTR(-EINVAL);
	} else if (k == current) {
		kc = ERR_PTR(-EDEADLK);
	} else {
		*owner = kthread_core_claim_locked(kc);
		if (!*owner && !wait)
			kc = ERR_PTR(-EBUSY);
		else if (!*owner)
			refcount_inc(&kc->refs);
	}
	spin_unlock(&kthread_core_lock);
	return kc;
}

/**
 * kthread_core_destroy - stop a kthread_core thread and wait for its exit
 * @k: a thread from kthread_core_create(), started or not
 *
 * Stop @k as kthread_stop() stops a kthread, and wait until it exits.
 * kthread_should_stop() is true in @k from the moment this begins, and
 * its interruptible sleeps end, as under kthread_stop(), so that a corefn
 * waiting for either returns; a parked @k is unparked.  A corefn call in
 * progress finishes first, and so may one that was about to begin; none
 * begins after that.  When this returns, @k runs none of the caller's code
 * any more, it has exited, and its state is released; @k must not be used
 * again.  kthreadd reaps it, as it reaps every kthread, a moment later.
 * Destroying a thread that was never started runs neither of its
 * functions.  kthread_stop() on @k does the same.
 *
 * Context: Process context.  Sleeps.  Not from @k itself.
 * Return: corefn's last return value (its error, if it failed), or the
 * value @k passed to kthread_exit(), or 0 if corefn never ran; -EDEADLK if
 * called by @k itself; -EINVAL if @k is not a kthread_core thread or is
 * already being destroyed.
 */
int kthread_core_destroy(struct task_struct *k)
{
	struct kthread_core *kc;
	bool owner;

	kc = kthread_core_claim(k, false, &owner);
	if (IS_ERR(kc))
		return PTR_ERR(kc) == -EBUSY ? -EINVAL : PTR_ERR(kc);
	return kthread_core_reap(kc);
}
EXPORT_SYMBOL_GPL(kthread_core_destroy);

/**
 * kthread_core_stop - kthread_stop() of a kthread_core thread
 * @k: a kthread that kthread_prepare_core() started; the caller holds a
 *	reference to it
 * @ret: where to store what kthread_stop() returns
 *
 * For kthread_stop(): destroy @k, or, if another caller is destroying it
 * already, wait until that is done.
 *
 * Context: Process context.  Sleeps.
 * Return: true, with in *@ret what kthread_core_destroy() returns, or
 * returned to the other caller, or -EDEADLK from @k itself; false if @k
 * was destroyed already, so that it has exited.
 */
bool kthread_core_stop(struct task_struct *k, int *ret)
{
	struct kthread_core *kc;
	bool owner;

	kc = kthread_core_claim(k, true, &owner);
	if (IS_ERR(kc)) {
		*ret = PTR_ERR(kc);
		return *ret != -EINVAL;
	}
	if (owner) {
		*ret = kthread_core_reap(kc);
		return true;
	}
	wait_for_completion(&kc->destroyed);
	*ret = kc->result;
	kthread_core_put(kc);
	return true;
}
