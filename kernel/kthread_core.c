// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel thread control primitives.
 *
 * A kthread_core thread has an init function and a core function.  It is
 * created asleep, runs initfn() when started, and from then on runs
 * corefn() each time it is woken, until it is destroyed.  This is the
 * design of Rusty Russell's "Kernel Thread Control Primitives" (2003),
 * written afresh for today's kernel on top of the kthread API.
 *
 * A kthread_core thread is a kthread made by kthread.c's own create path:
 * kthreadd forks it into kthread(), which runs kthread_core_thread() once
 * the thread is first woken, and it exits through kthread()'s own exit.
 * So kthread_bind(), kthread_park(), kthread_should_stop(), the freezer
 * and kthread_stop() work on it as on any kthread, and nothing of
 * kthreadd's clean context or of kthread()'s start is copied here.
 *
 * Each thread has one struct kthread_core.  Control operations find it
 * through a small hash table keyed by the task pointer, which is also how
 * a stale handle, or a task that was not made here, is told apart without
 * being touched.  The thread's own exit hook, a task_work that do_exit()
 * runs however the thread ends, records the exit code and completes
 * @exited: every waiter for the exit waits on that, so a destroy, a failed
 * start and a kthread_stop() may all wait at once.  The hook also takes
 * the state out of the table if the thread was stopped; a thread that
 * ended by itself stays there until a destroy reaps it and takes its
 * exit code.
 *
 * Concurrency contract, stated to KCSAN where it is promised:
 *  - @started is written once, by kthread_core_start() under
 *    kthread_core_lock, before its wakeup; the thread reads it without
 *    the lock, and nothing writes it once the thread saw it;
 *  - the thread alone writes @init_ret, before @init_done is completed;
 *  - the exit hook alone writes @result, before @exited is completed;
 *  - the state is freed by the last reference, when nothing else can
 *    touch it: the table holds one while the state is in it, the thread
 *    one until its exit hook has run, and each control operation one
 *    while it uses the state.
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
#include <linux/kthread_core.h>
#include <linux/numa.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <trace/events/sched.h>

#include "kthread_core.h"
#include "kthread_internal.h"
#include "workqueue_internal.h"

/**
 * struct kthread_core - the state of one kthread_core thread
 * @initfn: called once, in the thread, by kthread_core_start()
 * @corefn: called in the thread after each wakeup, until it fails
 * @data: argument of @initfn and @corefn
 * @task: the thread; holds a task reference
 * @node: entry in kthread_core_hash, until the thread is reaped
 * @refs: the table's, the thread's, and one for each control operation
 * @started: kthread_core_start() was called
 * @init_ret: what @initfn returned, or -EINTR if it did not return
 * @result: what the thread exited with
 * @exit_work: the thread's exit hook
 * @init_done: @init_ret is set, or the thread has exited
 * @exited: @result is set; the thread runs none of the caller's code
 */
struct kthread_core {
	int (*initfn)(void *data);
	int (*corefn)(void *data);
	void *data;
	struct task_struct *task;
	struct hlist_node node;
	refcount_t refs;
	bool started;
	int init_ret;
	int result;
	struct callback_head exit_work;
	struct completion init_done;
	struct completion exited;
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

/* Fork seam: tests stub it to make the fork fail on either path. */
VISIBLE_IF_KUNIT int kthread_core_fork_fault(void)
{
	KUNIT_STATIC_STUB_REDIRECT(kthread_core_fork_fault);

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kthread_core_fork_fault);

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

static void kthread_core_put(struct kthread_core *kc)
{
	if (!refcount_dec_and_test(&kc->refs))
		return;
	/* The last reference: nothing else can reach the state now. */
	ASSERT_EXCLUSIVE_ACCESS(*kc);
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

/* The thread behind @k with a reference taken, or NULL. */
static struct kthread_core *kthread_core_get(struct task_struct *k)
{
	struct kthread_core *kc;

	if (IS_ERR_OR_NULL(k))
		return NULL;
	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (kc)
		refcount_inc(&kc->refs);
	spin_unlock(&kthread_core_lock);
	return kc;
}

/*
 * Take @kc out of the table, once, and drop the table's reference: after
 * a stop, by the thread's exit hook, or after an exit of the thread's own,
 * by the destroy or the failed start that reaps it.
 */
static void kthread_core_reap(struct kthread_core *kc)
{
	bool hashed;

	spin_lock(&kthread_core_lock);
	hashed = !hlist_unhashed(&kc->node);
	if (hashed)
		hlist_del_init(&kc->node);
	spin_unlock(&kthread_core_lock);
	if (hashed)
		kthread_core_put(kc);
}

/*
 * The thread's exit hook.  do_exit() runs it in the thread after the last
 * of the caller's code, however the thread ended: a stop, a kthread_exit()
 * or an oops in initfn or corefn, or a stop before the start, in which
 * case kthread() never called kthread_core_thread().
 */
static void kthread_core_exit_work(struct callback_head *head)
{
	struct kthread_core *kc = container_of(head, struct kthread_core,
					       exit_work);

	ASSERT_EXCLUSIVE_WRITER(kc->result);
	kc->result = current->exit_code;
	if (kthread_should_stop())
		kthread_core_reap(kc);
	complete_all(&kc->init_done);
	complete_all(&kc->exited);
	kthread_core_put(kc);
}

/**
 * kthread_core_owns - whether a task is a kthread_core thread
 * @k: any task, or %NULL; it is only compared, never dereferenced
 *
 * Context: Process context.
 * Return: true if @k came from kthread_core_create() and was neither
 * destroyed nor stopped yet, else false.
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
 * Sleep in @state until a stop, or with @start until kthread_core_start(),
 * parking when asked; any other wakeup does nothing.
 */
static void kthread_core_sleep(struct kthread_core *kc, unsigned int state,
			       bool start)
{
	for (;;) {
		bool stop, started = false;

		set_current_state(state);
		if (start)
			started = READ_ONCE(kc->started);
		stop = kthread_should_stop();
		kthread_core_wait_window();
		if (stop || started)
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
 * The core loop: corefn() after every wakeup, until a stop.  corefn()
 * leaves the task state it wants to sleep in; a wakeup that came after it
 * set that state makes schedule() return at once, so none is lost.
 * Returns corefn's last value.
 */
static int kthread_core_loop(struct kthread_core *kc)
{
	int ret = 0;

	while (!kthread_should_stop()) {
		/* Started: nothing writes @started, not even a refused start. */
		ASSERT_EXCLUSIVE_WRITER(kc->started);
		if (kthread_should_park()) {
			__set_current_state(TASK_RUNNING);
			kthread_parkme();
			continue;
		}
		ret = kc->corefn(kc->data);
		if (ret < 0)
			break;
		/*
		 * Order corefn's task state before the stop and park tests:
		 * with the barrier in the requester's wake_up_process(), either
		 * the test sees the request or the wakeup sees the sleeping
		 * state.  corefn's own check for work is ordered by corefn.
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
 * The thread function that kthread() runs once the thread is first woken:
 * normally by kthread_core_start(), otherwise (a park before the start, a
 * stray wake_up_process()) it waits for the start here, as kthread() did.
 * Returns what the thread exits with.
 */
static int kthread_core_thread(void *data)
{
	struct kthread_core *kc;
	int ret;

	/* kthread_core_create() hashed it before anything could wake it. */
	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(current);
	spin_unlock(&kthread_core_lock);
	if (!kc)
		return -EINVAL;

	kthread_core_sleep(kc, TASK_UNINTERRUPTIBLE, true);
	if (kthread_should_stop())
		return -EINTR;
	ret = kc->initfn ? kc->initfn(data) : 0;
	/*
	 * A kthread_park() that came while a failing initfn ran is honoured
	 * before the start learns of the failure: it holds the start, which
	 * stops the thread, back until kthread_unpark(), as a park before
	 * the start does.
	 */
	if (ret < 0 && kthread_should_park() && !kthread_should_stop())
		kthread_parkme();
	ASSERT_EXCLUSIVE_WRITER(kc->init_ret);
	kc->init_ret = ret;
	complete_all(&kc->init_done);
	if (ret >= 0)
		ret = kc->corefn ? kthread_core_loop(kc) : 0;
	/*
	 * initfn or corefn failed, or there is no corefn: sleep until the
	 * start that reaps a failed initfn, or a destroy, stops the thread.
	 * In TASK_IDLE, so that a signal that initfn allowed does not make
	 * the sleep a busy loop; freezable if initfn made the thread so.
	 */
	kthread_core_sleep(kc, TASK_IDLE | TASK_FREEZABLE, false);
	return ret;
}

/*
 * What kthreadd's children inherit from kthreadd, and a thread that its
 * creator forked inherits from the creator instead: no signals, no
 * freezing until the thread asks for it, no allocation scope
 * (memalloc_noio_save() and its kind), nice 0.  kthread() resets the
 * policy and the affinity; the memory nodes are kthreadd's already, which
 * the creator, a child of kthreadd, inherited.
 */
static void kthread_core_clean(struct task_struct *k)
{
	/*
	 * Asleep in kthread(), which nothing else can wake yet: once off
	 * its CPU, its flags are ours to set, as kthread_bind() sets them.
	 */
	if (wait_task_inactive(k, TASK_UNINTERRUPTIBLE)) {
		k->flags |= PF_NOFREEZE;
		k->flags &= ~(PF_MEMALLOC | PF_MEMALLOC_NOFS |
			      PF_MEMALLOC_NOIO | PF_MEMALLOC_PIN);
	}
	ignore_signals(k);
	set_user_nice(k, 0);
}

/* The caller forks only before keventd_up(), and a child of kthreadd only. */
static bool kthread_core_forks_direct(void)
{
	if (keventd_up())
		return false;
	return rcu_access_pointer(current->real_parent) == kthreadd_task;
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
 * The thread is a kthread made as kthread_create() makes one: kthreadd
 * forks it, it has kthreadd's clean context (no signals, not freezable,
 * the default policy and affinity) and runs kthread(), and it sleeps in
 * %TASK_UNINTERRUPTIBLE until started, as a new kthread does.  So
 * kthread_bind(), kthread_bind_mask(), kthread_affine_preferred() and
 * sched_set_fifo() take effect on it until then, and the hung-task
 * detector reports it if it is left unstarted for longer than its
 * timeout.  kthread_data() returns @data; kthread_func() returns
 * kthread_core's own thread function, not @corefn.
 *
 * Before keventd_up() (in Linux 7.3, before workqueue_init(): init, and the
 * kthreads that exist then), a caller that is kthreadd's child forks the
 * thread itself through the same create path, as kthreadd's sibling: it
 * gets the caller's fs and files (kthreadd's, unless the caller unshared
 * them), and kthreadd as its parent, which reaps it; before this returns,
 * the thread drops the signal handlers, freezability, allocation scope and
 * nice value that it inherited from the caller.  Any other caller, init
 * (PID 1) among them, goes through kthreadd, which is up by then.
 *
 * After a successful start, the thread calls @corefn.  It then sleeps in
 * the task state that @corefn left, unless it is being stopped or parked:
 * a @corefn that wants to wait for the next wake_up_process() sets
 * %TASK_INTERRUPTIBLE (with %TASK_FREEZABLE if @initfn made the thread
 * freezable) with set_current_state() before its last check for work, and
 * one that returns in %TASK_RUNNING is called again at once.  The loop
 * orders that state only before its own tests of a stop or a park, not
 * before @corefn's check for work: __set_current_state() is enough only
 * where that check and the waker's update of the work are under one lock;
 * a lockless check after __set_current_state() can miss the work and the
 * wakeup both.  Once @corefn returns a negative value it is not called
 * again, and the thread sleeps until destroyed.  @initfn and @corefn may
 * end the thread themselves with kthread_exit(); it stays a kthread_core
 * thread until a destroy, which returns the code it exited with.  The
 * thread's exit hook is a task_work, so neither function may run
 * task_work_run().
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
	bool direct = kthread_core_forks_direct();
	va_list args;
	int ret;

	kc = kthread_core_alloc();
	if (!kc)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&kthread_core_live);
	/* The table's, from here on, and the thread's once forked. */
	refcount_set(&kc->refs, 1);
	INIT_HLIST_NODE(&kc->node);
	kc->initfn = initfn;
	kc->corefn = corefn;
	kc->data = data;
	kc->init_ret = -EINTR;
	init_task_work(&kc->exit_work, kthread_core_exit_work);
	init_completion(&kc->init_done);
	init_completion(&kc->exited);

	ret = kthread_core_fork_fault();
	if (ret) {
		task = ERR_PTR(ret);
	} else {
		/* kthread.c's create path: through kthreadd, or direct. */
		va_start(args, namefmt);
		task = __kthread_create_on_node(kthread_core_thread, data,
						NUMA_NO_NODE, direct,
						namefmt, args);
		va_end(args);
	}
	if (IS_ERR(task)) {
		kthread_core_put(kc);
		/* A fork in a caller with a signal pending: it was killed. */
		return PTR_ERR(task) == -ERESTARTNOINTR ? ERR_PTR(-EINTR) : task;
	}
	kc->task = get_task_struct(task);
	if (direct)
		kthread_core_clean(task);

	/*
	 * The thread sleeps in kthread() until woken, and nothing else has
	 * it yet: its exit hook is in place before it can run or exit.
	 */
	refcount_inc(&kc->refs);
	ret = task_work_add(task, &kc->exit_work, TWA_NONE);
	if (ret) {
		kthread_stop(task);
		kthread_core_put(kc);
		kthread_core_put(kc);
		return ERR_PTR(ret);
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
 * Wake @k and wait while it calls its initfn.  If initfn fails, or the
 * thread ends before initfn returns (a kthread_exit() or an oops in it, or
 * a stop that came first), @k has exited when this returns, and must not
 * be used again.  A kthread_park() before initfn, or while a failing
 * initfn runs, holds the start back until kthread_unpark().
 *
 * A thread created without an initfn has nothing to report, so its start
 * does not wait for it: it returns @k at once, and @k calls corefn as soon
 * as it runs, unless kthread_core_destroy() comes first.
 *
 * Context: Process context.  Sleeps.  Not from @k itself.
 * Return: @k if initfn returned a value >= 0 or is %NULL.  Otherwise
 * ERR_PTR() of initfn's negative return; ERR_PTR(-EINTR) if @k exited
 * before its initfn returned, as when a destroy or a kthread_stop() of @k
 * came first; ERR_PTR(-EBUSY) if @k was already started; ERR_PTR(-EINVAL)
 * if @k is not a kthread_core thread (any more).
 */
struct task_struct *kthread_core_start(struct task_struct *k)
{
	struct kthread_core *kc;
	int ret = 0;

	if (IS_ERR_OR_NULL(k))
		return ERR_PTR(-EINVAL);

	spin_lock(&kthread_core_lock);
	kc = kthread_core_find(k);
	if (!kc) {
		ret = -EINVAL;
	} else if (kc->started) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(kc->started, true);
		refcount_inc(&kc->refs);
	}
	spin_unlock(&kthread_core_lock);
	if (ret)
		return ERR_PTR(ret);

	wake_up_process(k);
	if (kc->initfn) {
		wait_for_completion(&kc->init_done);
		ret = kc->init_ret;
	}
	if (ret < 0) {
		/* The thread waits for this stop, or has exited already. */
		kthread_request_stop(k);
		wait_for_completion(&kc->exited);
		kthread_core_reap(kc);
	}
	kthread_core_put(kc);
	return ret < 0 ? ERR_PTR(ret) : k;
}
EXPORT_SYMBOL_GPL(kthread_core_start);

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
 * any more, whoever else stops it at the same time (another destroy, a
 * kthread_stop(), a start whose initfn failed), and its state is released:
 * @k must not be used again.  kthreadd reaps it, as it reaps every kthread,
 * a moment later.  Destroying a thread that was never started runs
 * neither of its functions.  The sched_kthread_stop and
 * sched_kthread_stop_ret tracepoints report it as they report
 * kthread_stop().
 *
 * kthread_stop() of @k does what this does, and returns the same value,
 * but only once, and not after @k exited: as for any kthread, its wait is
 * for one caller, on a thread that is still there.
 *
 * Context: Process context.  Sleeps.  Not from @k itself.
 * Return: corefn's last return value (its error, if it failed); 0 without
 * a corefn, or if the stop came after initfn returned but before the
 * first corefn call; initfn's error if it failed and the destroy came
 * before the start reaped @k; the value @k passed to kthread_exit(); or
 * -EINTR if the stop came before @k could run initfn (as kthread_stop()
 * returns for a thread never woken).  Without an initfn, a destroy right
 * after the start returns 0 or -EINTR, as @k had left its wait for the
 * start or not.  -EDEADLK if called by @k itself; -EINVAL if @k is not a
 * kthread_core thread, or was destroyed or stopped already.
 */
int kthread_core_destroy(struct task_struct *k)
{
	struct kthread_core *kc;
	int ret;

	kc = kthread_core_get(k);
	if (!kc)
		return -EINVAL;
	if (k == current) {
		kthread_core_put(kc);
		return -EDEADLK;
	}
	trace_sched_kthread_stop(k);
	kthread_request_stop(k);
	wait_for_completion(&kc->exited);
	kthread_core_reap(kc);
	ret = kc->result;
	trace_sched_kthread_stop_ret(ret);
	kthread_core_put(kc);
	return ret;
}
EXPORT_SYMBOL_GPL(kthread_core_destroy);
