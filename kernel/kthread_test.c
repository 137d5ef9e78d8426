// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the kthread_core primitives in kernel/kthread_core.c.
 *
 * Every case that does not depend on how a thread is forked runs twice:
 * through keventd, and with keventd_up() stubbed false so that the test
 * thread forks it directly, as in early boot.  Every wait is bounded; a
 * thread that does not do what is expected in time fails the case.
 * Memory that a thread, a helper or a work item may still touch is freed
 * only after it has been joined, and never if a join timed out: a hang
 * becomes a failure, not a corruption.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/freezer.h>
#include <linux/fs_struct.h>
#include <linux/jiffies.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/kthread_core.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/isolation.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <trace/events/sched.h>

#include "kthread_core.h"
#include "workqueue_internal.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/*
 * How long a wait may take before the case fails: only a hang comes near
 * it.  A wait for a call that a watchdog may have to unblock after
 * KTC_TIMEOUT, and the joins at the end of a case, take KTC_JOIN.  Both
 * stay under the debug profile's 10 s hung-task check, as these waits,
 * and KUnit's for the case, are uninterruptible.
 */
#define KTC_TIMEOUT	(5 * HZ)
#define KTC_JOIN	(KTC_TIMEOUT * 3 / 2)
/* Asleep in corefn's sleep (interruptible) or the wait for a stop (idle). */
#define KTC_ASLEEP	(TASK_INTERRUPTIBLE | TASK_NOLOAD)
/* kthreadd's pid: the parent of every kthread. */
#define KTC_KTHREADD_PID	2

/*
 * Evaluate @cond until it holds, sleeping 20 to 50 us between tries (a
 * tick without high-resolution timers, as on UML); false if it never did
 * within @timeout jiffies.
 */
#define ktc_poll_for(cond, timeout)					\
({									\
	unsigned long __end = jiffies + (timeout);			\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(20, 50);					\
	__ok;								\
})

#define ktc_poll(cond)	ktc_poll_for(cond, KTC_TIMEOUT)

enum ktc_path {
	KTC_KEVENTD,	/* forked by keventd */
	KTC_DIRECT,	/* keventd_up() stubbed false: forked by the caller */
};

static const enum ktc_path ktc_paths[] = { KTC_KEVENTD, KTC_DIRECT };

static void ktc_path_desc(const enum ktc_path *path, char *desc)
{
	strscpy(desc, *path == KTC_DIRECT ? "direct" : "keventd",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ktc_path, ktc_paths, ktc_path_desc);

/* What the thread's callbacks do, and what they saw. */
struct ktc_probe {
	int init_ret;		/* initfn's return */
	int core_ret;		/* corefn's usual return */
	int fail_at;		/* corefn returns fail_ret on this call */
	int fail_ret;
	int exit_at;		/* corefn calls kthread_exit(exit_ret) on this call */
	int exit_ret;
	int poll_until;		/* return in TASK_RUNNING before this call */
	bool block_init;	/* initfn waits for @release */
	bool init_exits;	/* initfn calls kthread_exit(exit_ret) */
	bool block_core;	/* the first corefn call waits for @release */
	bool self_wake;		/* the first corefn call wakes itself when armed */
	bool self_destroy;	/* callbacks try to destroy their own thread */
	bool wait_stop;		/* the first corefn call waits for kthread_should_stop() */
	bool wait_intr;		/* the first corefn call sleeps interruptibly */
	bool plain_state;	/* corefn sets its sleep state with __set_current_state() */
	bool freezable;		/* initfn calls set_freezable() */
	bool allow_usr1;	/* initfn calls allow_signal(SIGUSR1) */
	bool core_freezable;	/* corefn sleeps with TASK_FREEZABLE */

	atomic_t init_calls;
	atomic_t core_calls;
	atomic_t stopped_calls;	/* corefn calls begun after a stop request */
	atomic_t pending;	/* work posted for corefn */
	struct task_struct *init_current;
	int init_destroy_ret;	/* what self-destroy gave initfn */
	int core_destroy_ret;	/* and corefn */
	bool core_finished;	/* the blocking corefn call returned */
	long intr_ret;		/* what the wait_intr sleep returned */
	int cpu;		/* where corefn last ran */
	int policy;		/* corefn's scheduling policy */
	bool init_should_stop;	/* kthread_should_stop() in initfn */
	bool core_should_stop;	/* in corefn, before its wait_stop wait */
	struct completion entered;
	struct completion release;
	wait_queue_head_t wq;	/* woken after every callback */
};

struct ktc_helper;

struct ktc_ctx {
	struct kunit *test;
	int nr_live;		/* kthread_core_nr_live() at the start */
	u64 start;		/* ktime_get_ns() at the start */
	/* A join timed out: leak what might still be touched. */
	bool wedged;
	/* The next request to let into the wait seam's window. */
	struct ktc_helper *window;
	unsigned int windows;	/* how many were let in */
	struct completion in_window;	/* the thread is held there */
};

static int ktc_initfn(void *data)
{
	struct ktc_probe *p = data;

	p->init_current = current;
	WRITE_ONCE(p->init_should_stop, kthread_should_stop());
	if (p->freezable)
		set_freezable();
	if (p->allow_usr1)
		allow_signal(SIGUSR1);
	if (p->block_init) {
		complete(&p->entered);
		wait_for_completion_timeout(&p->release, KTC_TIMEOUT);
	}
	if (p->self_destroy)
		p->init_destroy_ret = kthread_core_destroy(current);
	atomic_inc(&p->init_calls);
	if (p->init_exits) {
		/* Dies in initfn, as an oops would end it in do_exit(). */
		wake_up(&p->wq);
		kthread_exit(p->exit_ret);
	}
	wake_up(&p->wq);
	return p->init_ret;
}

static int ktc_corefn(void *data)
{
	struct ktc_probe *p = data;
	int n = atomic_read(&p->core_calls) + 1;
	unsigned int sleep = TASK_INTERRUPTIBLE;

	if (kthread_should_stop())
		atomic_inc(&p->stopped_calls);

	if (p->block_core && n == 1) {
		complete(&p->entered);
		wait_for_completion_timeout(&p->release, KTC_TIMEOUT);
		WRITE_ONCE(p->core_finished, true);
	}
	if (p->wait_stop && n == 1) {
		/* Upstream's idiom: sleep until the thread should stop. */
		WRITE_ONCE(p->core_should_stop, kthread_should_stop());
		complete(&p->entered);
		wait_event_interruptible_timeout(p->wq, kthread_should_stop(),
						 KTC_TIMEOUT);
		WRITE_ONCE(p->core_finished, kthread_should_stop());
	}
	if (p->wait_intr && n == 1) {
		/* Nothing completes @release: only a stop can end this early. */
		complete(&p->entered);
		WRITE_ONCE(p->intr_ret,
			   wait_for_completion_interruptible_timeout(&p->release,
								     KTC_TIMEOUT));
		WRITE_ONCE(p->core_finished, true);
	}
	if (p->self_destroy)
		p->core_destroy_ret = kthread_core_destroy(current);
	WRITE_ONCE(p->cpu, raw_smp_processor_id());
	WRITE_ONCE(p->policy, current->policy);
	atomic_set(&p->core_calls, n);
	wake_up(&p->wq);

	if (n == p->exit_at)
		kthread_exit(p->exit_ret);
	if (n == p->fail_at)
		return p->fail_ret;
	if (n < p->poll_until)
		return p->core_ret;

	/* Sleep until woken, unless work came in: the documented pattern. */
	if (p->core_freezable)
		sleep |= TASK_FREEZABLE;
	if (p->plain_state)
		__set_current_state(sleep);
	else
		set_current_state(sleep);
	if (p->self_wake && n == 1)
		wake_up_process(current);
	if (atomic_add_unless(&p->pending, -1, 0)) {
		__set_current_state(TASK_RUNNING);
		wake_up(&p->wq);
	}
	return p->core_ret;
}

static bool ktc_keventd_down(void)
{
	return false;
}

static struct kthread_core *ktc_alloc_fails(void)
{
	return NULL;
}

static int ktc_fork_fails(void)
{
	return -EAGAIN;
}

static struct ktc_ctx *ktc_ctx(struct kunit *test)
{
	return test->priv;
}

/*
 * Tasks named "ktc-" that the case forked and that are still there, reaped
 * or not: the case's threads must all be gone, without zombies.  Helpers
 * are named "ktch-", so that they do not count.
 */
static int ktc_nr_tasks(u64 since)
{
	struct task_struct *g, *t;
	int n = 0;

	rcu_read_lock();
	for_each_process_thread(g, t)
		if (t->start_time > since && !strncmp(t->comm, "ktc-", 4))
			n++;
	rcu_read_unlock();
	return n;
}

static void ktc_probe_free(void *data)
{
	struct ktc_probe *p = data;
	struct ktc_ctx *ctx = kunit_get_current_test()->priv;

	if (!ctx->wedged)
		kfree(p);
}

/* A probe, freed at the end unless something that may use it is wedged. */
static struct ktc_probe *ktc_probe_new(struct kunit *test)
{
	struct ktc_probe *p = kzalloc(sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ktc_probe_free, p));
	init_completion(&p->entered);
	init_completion(&p->release);
	init_waitqueue_head(&p->wq);
	return p;
}

static enum ktc_path ktc_path(struct kunit *test)
{
	const enum ktc_path *path = test->param_value;

	return path ? *path : KTC_KEVENTD;
}

/* Creations until ktc_path_end() take @path. */
static void ktc_path_begin(struct kunit *test, enum ktc_path path)
{
	if (path == KTC_DIRECT)
		kunit_activate_static_stub(test, keventd_up, ktc_keventd_down);
}

static void ktc_path_end(struct kunit *test, enum ktc_path path)
{
	if (path == KTC_DIRECT)
		kunit_deactivate_static_stub(test, keventd_up);
}

/*
 * A watchdog on a call that waits for thread @k: if the call has not
 * returned within KTC_TIMEOUT, it wakes @k again every tick until it does,
 * so that a lost wakeup fails the case instead of hanging the run.
 */
struct ktc_watch {
	struct delayed_work dwork;
	struct task_struct *k;
	bool fired;
};

static void ktc_watch_fn(struct work_struct *work)
{
	struct ktc_watch *w = container_of(to_delayed_work(work),
					   struct ktc_watch, dwork);

	WRITE_ONCE(w->fired, true);
	wake_up_process(w->k);
	schedule_delayed_work(&w->dwork, 1);
}

static void ktc_watch_begin(struct ktc_watch *w, struct task_struct *k)
{
	w->k = get_task_struct(k);
	w->fired = false;
	INIT_DELAYED_WORK_ONSTACK(&w->dwork, ktc_watch_fn);
	schedule_delayed_work(&w->dwork, KTC_TIMEOUT);
}

/* False if the watchdog had to wake the thread. */
static bool ktc_watch_end(struct ktc_watch *w)
{
	cancel_delayed_work_sync(&w->dwork);
	destroy_delayed_work_on_stack(&w->dwork);
	put_task_struct(w->k);
	return !READ_ONCE(w->fired);
}

/* Run a function in an upstream kthread, to call into the API concurrently. */
struct ktc_helper {
	int (*fn)(struct ktc_helper *h);
	struct kunit *test;
	struct task_struct *task;	/* a reference is held */
	struct task_struct *k;
	struct ktc_probe *p;
	long ret;
	bool called;		/* fn was called */
	bool exiting;		/* a destroy's thread had PF_EXITING on return */
	bool seen;
	int rounds;		/* stress lifecycles, or wakeups that woke */
	ktime_t deadline;	/* stress: no new round after this */
	struct completion done;
};

static int ktc_helper_thread(void *data)
{
	struct ktc_helper *h = data;

	WRITE_ONCE(h->called, true);
	h->ret = h->fn(h);
	/* For every wait: the case's and the join's. */
	complete_all(&h->done);
	return 0;
}

static bool ktc_helper_done(struct ktc_helper *h, unsigned long timeout)
{
	return wait_for_completion_timeout(&h->done, timeout);
}

/*
 * The end of a case joins each helper: once it is done, kthread_stop()
 * waits for its exit, and its memory goes.  One that is still running
 * after a bound is left running, and it and everything it may touch are
 * leaked rather than freed under it.
 */
static void ktc_helper_join(void *data)
{
	struct ktc_helper *h = data;
	struct ktc_ctx *ctx = h->test->priv;

	if (!ktc_helper_done(h, KTC_JOIN)) {
		kunit_err(h->test, "helper still running at the end of the case: leaking it\n");
		ctx->wedged = true;
		return;
	}
	kthread_stop_put(h->task);
	kfree(h);
}

/* A helper thread, created but not woken yet. */
static struct ktc_helper *ktc_helper_new(struct kunit *test,
					 int (*fn)(struct ktc_helper *h),
					 struct task_struct *k,
					 struct ktc_probe *p)
{
	struct ktc_helper *h = kzalloc(sizeof(*h), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->fn = fn;
	h->test = test;
	h->k = k;
	h->p = p;
	init_completion(&h->done);
	task = kthread_create(ktc_helper_thread, h, "ktch-helper");
	if (IS_ERR(task)) {
		kfree(h);
		KUNIT_FAIL_AND_ABORT(test, "helper: %pe", task);
	}
	h->task = get_task_struct(task);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ktc_helper_join, h));
	return h;
}

static struct ktc_helper *ktc_helper_run(struct kunit *test,
					 int (*fn)(struct ktc_helper *h),
					 struct task_struct *k,
					 struct ktc_probe *p)
{
	struct ktc_helper *h = ktc_helper_new(test, fn, k, p);

	wake_up_process(h->task);
	return h;
}

/* A helper bound to @cpu, running. */
static struct ktc_helper *ktc_helper_on(struct kunit *test, unsigned int cpu,
					int (*fn)(struct ktc_helper *h),
					struct task_struct *k,
					struct ktc_probe *p)
{
	struct ktc_helper *h = ktc_helper_new(test, fn, k, p);

	kthread_bind(h->task, cpu);
	wake_up_process(h->task);
	return h;
}

/* An online CPU other than @cpu; @cpu itself on a uniprocessor. */
static unsigned int ktc_other_cpu(unsigned int cpu)
{
	unsigned int other = cpumask_any_but(cpu_online_mask, cpu);

	return other < nr_cpu_ids ? other : cpu;
}

static int ktc_destroy_helper(struct ktc_helper *h)
{
	int ret = kthread_core_destroy(h->k);

	/* Only a destroy that found the thread gone needs to know. */
	if (ret == -EINVAL) {
		/* Races with do_exit()'s later flags; PF_EXITING never clears. */
		bool exiting = data_race(h->k->flags) & PF_EXITING;

		WRITE_ONCE(h->exiting, exiting);
	}
	if (h->p)
		WRITE_ONCE(h->seen, READ_ONCE(h->p->core_finished));
	return ret;
}

/* Destroy @k in a helper and wait for it at most @timeout; -ETIMEDOUT if so. */
static long ktc_destroy_within(struct kunit *test, struct task_struct *k,
			       struct ktc_probe *p, unsigned long timeout)
{
	struct ktc_helper *h = ktc_helper_run(test, ktc_destroy_helper, k, p);

	return ktc_helper_done(h, timeout) ? h->ret : -ETIMEDOUT;
}

static int ktc_start_helper(struct ktc_helper *h)
{
	return PTR_ERR_OR_ZERO(kthread_core_start(h->k));
}

/* One call into the API, made by a worker for a case's own thread. */
struct ktc_call {
	struct work_struct work;
	struct completion done;
	long (*fn)(struct task_struct *k);
	struct task_struct *k;
	long ret;
};

static void ktc_call_fn(struct work_struct *work)
{
	struct ktc_call *c = container_of(work, struct ktc_call, work);

	c->ret = c->fn(c->k);
	complete(&c->done);
}

/*
 * @fn(@k) on a worker, waited for at most KTC_JOIN, watched: if it has not
 * returned within KTC_TIMEOUT, the watchdog wakes @k again, and the case
 * fails on the lost wakeup.  A call that never returns fails the case,
 * and returns -ETIMEDOUT, instead of holding the case's thread, which
 * KUnit's timeout could not end (its kthread_stop() would wait for the
 * call too); the call is leaked, not freed under the worker.  A work item
 * is cheaper than a helper thread for each call.  No abort here: the
 * caller may have to undo something first.
 */
static long ktc_call(struct kunit *test, const char *what,
		     long (*fn)(struct task_struct *k), struct task_struct *k)
{
	struct ktc_call *c = kmalloc(sizeof(*c), GFP_KERNEL);
	struct ktc_watch w;
	bool done, quiet;
	long ret;

	if (!c) {
		KUNIT_FAIL(test, "%s: no memory for the call", what);
		return -ENOMEM;
	}
	INIT_WORK(&c->work, ktc_call_fn);
	init_completion(&c->done);
	c->fn = fn;
	c->k = k;
	ktc_watch_begin(&w, k);
	queue_work(system_dfl_wq, &c->work);
	done = wait_for_completion_timeout(&c->done, KTC_JOIN);
	quiet = ktc_watch_end(&w);
	if (!done) {
		ktc_ctx(test)->wedged = true;
		kmemleak_not_leak(c);
		KUNIT_FAIL(test, "%s did not return in %d s: leaking it",
			   what, KTC_JOIN / HZ);
		return -ETIMEDOUT;
	}
	KUNIT_EXPECT_TRUE_MSG(test, quiet,
			      "%s only returned once the watchdog woke the thread: a lost wakeup",
			      what);
	ret = c->ret;
	kfree(c);
	return ret;
}

/* The start's own return, a pointer, passes through the long unchanged. */
static long ktc_call_start(struct task_struct *k)
{
	return (long)kthread_core_start(k);
}

static long ktc_call_destroy(struct task_struct *k)
{
	return kthread_core_destroy(k);
}

/* kthread_core_start() of a live thread, bounded and watched. */
static struct task_struct *ktc_start(struct kunit *test, struct task_struct *k)
{
	return (struct task_struct *)ktc_call(test, "start", ktc_call_start, k);
}

/* kthread_core_destroy() of a live thread, bounded and watched. */
static int ktc_destroy(struct kunit *test, struct task_struct *k)
{
	return ktc_call(test, "destroy", ktc_call_destroy, k);
}

/*
 * The threads of the cases that ran, each with the suite's reference, for
 * kthread_core_test_tasks_released().  The cases run one at a time.
 */
struct ktc_retired {
	struct list_head node;
	struct task_struct *k;
	const char *test;	/* the case's name: static, as the case is */
};

static LIST_HEAD(ktc_retired);

/* Keep @k's reference for the last case's check, or drop it if out of memory. */
static void ktc_retire(struct kunit *test, struct task_struct *k)
{
	struct ktc_retired *r = kmalloc(sizeof(*r), GFP_KERNEL);

	if (!r) {
		put_task_struct(k);
		return;
	}
	r->k = k;
	r->test = test->name;
	list_add_tail(&r->node, &ktc_retired);
}

static void ktc_unretire(struct ktc_retired *r)
{
	list_del(&r->node);
	put_task_struct(r->k);
	kfree(r);
}

/*
 * The end of a case destroys a thread the case did not destroy itself
 * (which then fails harmlessly with -EINVAL), in a helper with a bound,
 * and drops the case's reference.
 */
static void ktc_release(void *data)
{
	struct task_struct *k = data;
	struct kunit *test = kunit_get_current_test();

	/* A call of the case's is stuck: a destroy would wait behind it. */
	if (ktc_ctx(test)->wedged) {
		kunit_err(test, "a call is stuck: leaking its thread\n");
		return;
	}
	/* Destroyed and reaped already: nothing that could hang. */
	if (kthread_core_owns(k) &&
	    ktc_destroy_within(test, k, NULL, KTC_JOIN) == -ETIMEDOUT) {
		kunit_err(test, "a thread could not be destroyed at the end of the case: leaking it\n");
		ktc_ctx(test)->wedged = true;
		return;
	}
	ktc_retire(test, k);
}

/* Keep a reference to @k, and destroy it at the end if the case did not. */
static void ktc_track(struct kunit *test, struct task_struct *k)
{
	get_task_struct(k);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ktc_release, k));
}

static struct task_struct *ktc_create_on(struct kunit *test,
					 enum ktc_path path,
					 struct ktc_probe *p, const char *name)
{
	struct task_struct *k;

	ktc_path_begin(test, path);
	k = kthread_core_create(ktc_initfn, ktc_corefn, p, "ktc-%s", name);
	ktc_path_end(test, path);
	if (!IS_ERR(k))
		ktc_track(test, k);
	return k;
}

/* Create a thread on the case's path; the case keeps a reference to it. */
static struct task_struct *ktc_create(struct kunit *test, struct ktc_probe *p)
{
	struct task_struct *k = ktc_create_on(test, ktc_path(test), p, "t");

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(k), "create: %pe", k);
	return k;
}

static struct task_struct *ktc_run(struct kunit *test, struct ktc_probe *p)
{
	struct task_struct *k = ktc_create(test, p);

	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	return k;
}

static bool ktc_wait_calls(struct ktc_probe *p, int n)
{
	return wait_event_timeout(p->wq, atomic_read(&p->core_calls) >= n,
				  KTC_TIMEOUT);
}

/* Asleep: in corefn's interruptible sleep, or waiting to be started. */
static bool ktc_sleeping(struct task_struct *k)
{
	unsigned int state = READ_ONCE(k->__state);

	return state == TASK_INTERRUPTIBLE || state == TASK_IDLE ||
	       state == (TASK_INTERRUPTIBLE | TASK_FREEZABLE) ||
	       state == (TASK_IDLE | TASK_FREEZABLE);
}

struct ktc_snap {
	unsigned int states;
	unsigned long ncsw;
};

static int ktc_snap_fn(struct task_struct *k, void *arg)
{
	struct ktc_snap *s = arg;

	/* Blocked: off its CPU, and dequeued or left for a delayed dequeue. */
	if ((READ_ONCE(k->__state) & s->states) && !k->on_cpu &&
	    !task_is_runnable(k))
		s->ncsw = k->nvcsw | LONG_MIN;
	return 0;
}

/*
 * One look at @k under its locks: its switch count, with the top bit set
 * as wait_task_inactive() sets it, if @k sleeps in one of @states off its
 * CPU; else 0.  Two equal counts mean that it did not run in between.
 * Unlike wait_task_inactive() it never waits for @k to block, so a thread
 * that spins in a sleeping state cannot hang the case.
 */
static unsigned long ktc_snapshot(struct task_struct *k, unsigned int states)
{
	struct ktc_snap s = { .states = states };

	task_call_func(k, ktc_snap_fn, &s);
	return s.ncsw;
}

/*
 * Wait until @k sleeps in one of @states and is off its CPU, and return
 * its switch count; 0 if it did not within the bound.
 */
static unsigned long ktc_inactive(struct task_struct *k, unsigned int states)
{
	unsigned long ncsw = 0;

	ktc_poll((ncsw = ktc_snapshot(k, states)));
	return ncsw;
}

/*
 * @k is asleep, off its CPU, with @v at @n: nothing changes @v until
 * something wakes @k.  @states are those @k may sleep in.
 */
static bool ktc_stays(struct task_struct *k, unsigned int states,
		      atomic_t *v, int n)
{
	return ktc_inactive(k, states) && atomic_read(v) == n;
}

static void ktc_expect_sleeping(struct kunit *test, struct task_struct *k)
{
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(ktc_sleeping(k)),
			      "state %#x", READ_ONCE(k->__state));
}

static u64 ktc_runtime(struct task_struct *k)
{
	return READ_ONCE(k->se.sum_exec_runtime);
}

/*
 * Wake @k, asleep in one of @states: it runs (its switch count moves) and
 * sleeps again there, with @v still at @n.
 */
static void ktc_expect_wake_ignored(struct kunit *test, struct task_struct *k,
				    unsigned int states, atomic_t *v, int n)
{
	unsigned long before, after;

	before = ktc_inactive(k, states);
	KUNIT_ASSERT_NE_MSG(test, before, 0, "not asleep: state %#x",
			    READ_ONCE(k->__state));
	wake_up_process(k);
	after = ktc_inactive(k, states);
	KUNIT_EXPECT_NE_MSG(test, after, 0, "not asleep again after a wakeup: state %#x",
			    READ_ONCE(k->__state));
	KUNIT_EXPECT_NE_MSG(test, after, before, "the wakeup did not reach the thread");
	KUNIT_EXPECT_EQ(test, atomic_read(v), n);
}

static void ktc_nop_work(struct work_struct *work)
{
}

/*
 * @k sleeps off its CPU, and stays so while the CPU runs a work item and,
 * with @ticks, while @ticks ticks go by, so that a timer would have fired.
 */
static void ktc_expect_idle_for(struct kunit *test, struct task_struct *k,
				unsigned long ticks)
{
	struct work_struct work;
	unsigned long ncsw, end;
	u64 runtime;

	ncsw = ktc_inactive(k, KTC_ASLEEP);
	runtime = ktc_runtime(k);
	end = jiffies + ticks;
	KUNIT_ASSERT_NE_MSG(test, ncsw, 0, "not asleep: state %#x",
			    READ_ONCE(k->__state));
	INIT_WORK_ONSTACK(&work, ktc_nop_work);
	schedule_work_on(task_cpu(k), &work);
	flush_work(&work);
	destroy_work_on_stack(&work);
	if (ticks)
		KUNIT_EXPECT_TRUE(test, ktc_poll(time_after(jiffies, end)));
	KUNIT_EXPECT_EQ_MSG(test, ktc_snapshot(k, KTC_ASLEEP), ncsw,
			    "an idle thread ran again: state %#x, %lu switches, %lu before",
			    READ_ONCE(k->__state), READ_ONCE(k->nvcsw),
			    ncsw & LONG_MAX);
	KUNIT_EXPECT_EQ_MSG(test, ktc_runtime(k), runtime,
			    "an idle thread used CPU time");
}

static void ktc_expect_idle(struct kunit *test, struct task_struct *k)
{
	ktc_expect_idle_for(test, k, 0);
}

/* The pid of @k's parent. */
static pid_t ktc_ppid(struct task_struct *k)
{
	guard(rcu)();
	return task_tgid_nr(rcu_dereference(k->real_parent));
}

/*
 * @k exited and was reaped, no zombie of anybody's: its pid is gone, and
 * it has switched out for the last time.  That nothing else holds the
 * task is checked by kthread_core_test_tasks_released(), as the task's
 * own reference only goes after a grace period.
 */
static void ktc_expect_released(struct kunit *test, struct task_struct *k)
{
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(!pid_alive(k)),
			      "pid %d (parent %d) still there %d s after the thread exited: a zombie, exit_state %#x",
			      task_pid_nr(k), ktc_ppid(k), KTC_TIMEOUT / HZ,
			      READ_ONCE(k->exit_state));
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(!refcount_read(&k->rcu_users)),
			      "pid %d: %u RCU users left after its exit",
			      task_pid_nr(k), refcount_read(&k->rcu_users));
}

static void ktc_expect_no_leaks(struct kunit *test)
{
	struct ktc_ctx *ctx = test->priv;

	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(kthread_core_nr_live() == ctx->nr_live),
			      "%d kthread_core threads alive, %d before",
			      kthread_core_nr_live(), ctx->nr_live);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(ktc_nr_tasks(ctx->start) == 0),
			      "%d threads forked by the case are still there, zombies or not",
			      ktc_nr_tasks(ctx->start));
}

static int ktc_init(struct kunit *test)
{
	struct ktc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->nr_live = kthread_core_nr_live();
	/*
	 * Tasks that the case forks start after this: on a jiffies
	 * clocksource, which has no finer time than the tick, wait for the
	 * next one.  A task of an earlier case started before it.
	 */
	ctx->start = ktime_get_ns();
	while (ktime_get_ns() == ctx->start)
		cpu_relax();
	init_completion(&ctx->in_window);
	test->priv = ctx;
	return 0;
}

static void kthread_core_test_keventd_up(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, keventd_up());
	kunit_activate_static_stub(test, keventd_up, ktc_keventd_down);
	KUNIT_EXPECT_FALSE(test, keventd_up());
	kunit_deactivate_static_stub(test, keventd_up);
	KUNIT_EXPECT_TRUE(test, keventd_up());
}

/*
 * kthreadd is the parent, as of every kthread, on both paths: not the
 * keventd worker, which may be culled, nor the caller, which may exit.
 */
static void kthread_core_test_parent_is_kthreadd(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k = ktc_run(test, p);

	KUNIT_EXPECT_EQ_MSG(test, ktc_ppid(k), KTC_KTHREADD_PID,
			    "parent %d, not kthreadd", ktc_ppid(k));
	KUNIT_EXPECT_TRUE(test, k->flags & PF_KTHREAD);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
}

static int ktc_spawner_init(void *data)
{
	struct ktc_probe *p = data;

	/* keventd_up() is stubbed in this thread too: it forks itself. */
	p->init_current = kthread_core_create(ktc_initfn, ktc_corefn, p + 1,
					      "ktc-grandchild");
	return PTR_ERR_OR_ZERO(p->init_current);
}

/*
 * A thread forked by a forker that exited before the destroy is reaped
 * all the same: its pid is gone within a bound.  The forker is a direct
 * path thread, which forks a thread of its own on the direct path, then
 * is destroyed.
 */
static void kthread_core_test_no_zombie_after_forker_exits(struct kunit *test)
{
	struct ktc_probe *p = kunit_kcalloc(test, 2, sizeof(*p), GFP_KERNEL);
	struct task_struct *forker, *k;

	KUNIT_ASSERT_NOT_NULL(test, p);
	init_waitqueue_head(&p[1].wq);
	ktc_path_begin(test, KTC_DIRECT);
	forker = kthread_core_create(ktc_spawner_init, NULL, p, "ktc-forker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(forker));
	ktc_track(test, forker);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, forker), forker);
	ktc_path_end(test, KTC_DIRECT);
	k = p->init_current;
	ktc_track(test, k);

	KUNIT_EXPECT_EQ(test, ktc_destroy(test, forker), 0);
	ktc_expect_released(test, forker);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(&p[1], 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
	ktc_expect_no_leaks(test);
}

struct ktc_forker {
	struct ktc_probe *p;
	struct task_struct *k;
	bool keventd_was_up;
	struct completion done;
};

/* A task whose parent is the test thread, not kthreadd, as init's is not. */
static int ktc_forker_fn(void *data)
{
	struct ktc_forker *f = data;

	f->keventd_was_up = keventd_up();
	f->k = kthread_core_create(ktc_initfn, ktc_corefn, f->p, "ktc-indirect");
	complete(&f->done);
	kthread_exit(0);
}

/*
 * Before keventd_up(), a caller that is not kthreadd's child, as init is
 * not, has kthreadd fork the thread: forked by the caller with
 * CLONE_PARENT, it would be the caller's sibling, the test thread's child.
 */
static void kthread_core_test_not_kthreadd_child(struct kunit *test)
{
	struct ktc_forker *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	pid_t pid;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->p = ktc_probe_new(test);
	init_completion(&f->done);
	ktc_path_begin(test, KTC_DIRECT);
	pid = kernel_thread(ktc_forker_fn, f, "ktch-forker", SIGCHLD);
	KUNIT_ASSERT_GT(test, pid, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&f->done, KTC_TIMEOUT));
	ktc_path_end(test, KTC_DIRECT);
	KUNIT_EXPECT_FALSE(test, f->keventd_was_up);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->k));
	ktc_track(test, f->k);
	KUNIT_EXPECT_EQ_MSG(test, ktc_ppid(f->k), KTC_KTHREADD_PID,
			    "parent %d, not kthreadd", ktc_ppid(f->k));
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, f->k), f->k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(f->p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, f->k), 0);
	ktc_expect_released(test, f->k);
}

/* kthreadd forks the thread, so it shares nothing with the caller. */
static void kthread_core_test_kthreadd_shares_nothing(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	bool shares_fs;

	KUNIT_ASSERT_EQ(test, unshare_fs_struct(), 0);
	k = ktc_create_on(test, KTC_KEVENTD, p, "kthreadd");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	task_lock(k);
	shares_fs = k->fs == current->fs;
	task_unlock(k);
	KUNIT_EXPECT_FALSE(test, shares_fs);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
}

/*
 * The direct path's thread shares its caller's fs and files, as kthreadd's
 * children share kthreadd's: the caller forked it, not kthreadd.
 */
static void kthread_core_test_direct_shares_fs_and_files(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	bool shares_fs, shares_files;

	KUNIT_ASSERT_EQ(test, unshare_fs_struct(), 0);
	k = ktc_create_on(test, KTC_DIRECT, p, "direct");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	task_lock(k);
	shares_fs = k->fs == current->fs;
	shares_files = k->files == current->files;
	task_unlock(k);
	KUNIT_EXPECT_TRUE_MSG(test, shares_fs, "the thread has another fs than its forker");
	KUNIT_EXPECT_TRUE_MSG(test, shares_files, "the thread has other files than its forker");
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
}

/*
 * Whatever the caller's policy and nice, the thread is an ordinary kthread.
 * Only the direct path tests the reset: a keventd worker is an ordinary
 * kthread already, so there the thread would be one without it.
 */
static void kthread_core_test_sched_reset(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *fifo, *nice;

	sched_set_fifo_low(current);
	fifo = ktc_create_on(test, KTC_DIRECT, p, "fifo");
	sched_set_normal(current, 10);
	nice = ktc_create_on(test, KTC_DIRECT, p, "nice");
	sched_set_normal(current, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fifo));
	KUNIT_ASSERT_FALSE(test, IS_ERR(nice));

	KUNIT_EXPECT_EQ(test, fifo->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(fifo), 0);
	KUNIT_EXPECT_EQ(test, nice->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(nice), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, fifo), -EINTR);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, nice), -EINTR);
}

/*
 * A creator in a memalloc_noio_save() or memalloc_nofs_save() scope does
 * not pass the scope on: the thread allocates as any kthread does.
 */
static void kthread_core_test_no_alloc_scope(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int noio, nofs, scope;
	struct task_struct *k;

	noio = memalloc_noio_save();
	nofs = memalloc_nofs_save();
	k = ktc_create(test, p);
	memalloc_nofs_restore(nofs);
	memalloc_noio_restore(noio);
	scope = READ_ONCE(k->flags) & (PF_MEMALLOC_NOIO | PF_MEMALLOC_NOFS);
	KUNIT_EXPECT_EQ_MSG(test, scope, 0,
			    "the thread kept its creator's allocation scope");
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
}

#ifdef CONFIG_CGROUPS
static bool ktc_cgroup_pinned(struct task_struct *k)
{
	/* A bit-field: @k may write the other bits of its word meanwhile. */
	return data_race(!!k->no_cgroup_migration);
}
#endif

/*
 * Until it is started, userland cannot move the thread to another cgroup,
 * as it cannot move a new kthread of kthreadd's; once started, it can.
 * The forker's own setting is left as it was.  kthreadd's path only: the
 * direct path runs before workqueue_init(), when there is no userland.
 */
static void kthread_core_test_cgroup_pinned_until_start(struct kunit *test)
{
#ifdef CONFIG_CGROUPS
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k = ktc_create(test, p);

	KUNIT_EXPECT_TRUE_MSG(test, ktc_cgroup_pinned(k),
			      "userland may move the thread before it is started");
	KUNIT_EXPECT_FALSE(test, ktc_cgroup_pinned(current));
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_FALSE_MSG(test, ktc_cgroup_pinned(k),
			       "the started thread is still pinned to its cgroup");
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
#else
	kunit_skip(test, "needs CONFIG_CGROUPS");
#endif
}

/* @k may run on exactly the housekeeping CPUs. */
static bool ktc_on_housekeeping(struct task_struct *k)
{
	guard(rcu)();
	return cpumask_equal(k->cpus_ptr, housekeeping_cpumask(HK_TYPE_DOMAIN));
}

/* The last online housekeeping CPU: a mask set within them is kept. */
static unsigned int ktc_last_housekeeping_cpu(void)
{
	unsigned int cpu, last = raw_smp_processor_id();

	guard(rcu)();
	for_each_cpu_and(cpu, cpu_online_mask, housekeeping_cpumask(HK_TYPE_DOMAIN))
		last = cpu;
	return last;
}

/* Spin on one CPU, so that the scheduler places a waking thread elsewhere. */
static int ktc_hog_fn(void *data)
{
	unsigned long end = jiffies + KTC_TIMEOUT;

	complete(data);
	while (!kthread_should_stop() && time_before(jiffies, end))
		cpu_relax();
	return 0;
}

/*
 * The thread does not keep its forker's CPU affinity.  The direct path's
 * caller is bound to its CPU here, and a keventd worker to its pod's: the
 * thread runs on the housekeeping CPUs, and is seen running on another CPU
 * while its creator's is busy.  On one CPU, only the mask can be checked.
 */
static void kthread_core_test_affinity(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(hogging);
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int cpu = raw_smp_processor_id();
	struct task_struct *k, *hog;
	unsigned int ran_on;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	k = ktc_run(test, p);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
						   cpumask_of(ktc_other_cpu(cpu))), 0);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_on_housekeeping(k),
			      "the thread runs on CPUs %*pbl, its forker on %u",
			      cpumask_pr_args(k->cpus_ptr), cpu);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));

	if (num_online_cpus() > 1) {
		hog = kthread_create(ktc_hog_fn, &hogging, "ktch-hog");
		KUNIT_ASSERT_FALSE(test, IS_ERR(hog));
		get_task_struct(hog);
		kthread_bind(hog, cpu);
		wake_up_process(hog);
		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&hogging,
								    KTC_TIMEOUT));
		ktc_expect_sleeping(test, k);
		wake_up_process(k);
		KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 2));
		kthread_stop_put(hog);
		ran_on = READ_ONCE(p->cpu);
		KUNIT_EXPECT_NE_MSG(test, ran_on, cpu,
				    "corefn ran on its forker's busy CPU");
	} else {
		kunit_info(test, "one CPU: the thread cannot run elsewhere\n");
	}
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

/*
 * What a kthread user sets between create and start is what it is on a
 * new kthread of kthread_create(): a real-time policy holds, and a plain
 * CPU mask gives way to the default affinity when the thread is first
 * woken (kthread_bind() and kthread_affine_preferred() are the ways to
 * keep one, tested below).
 */
static void kthread_core_test_attrs_before_start(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int cpu = ktc_last_housekeeping_cpu();
	struct task_struct *k;

	k = ktc_create(test, p);
	sched_set_fifo_low(k);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(p->policy), SCHED_FIFO,
			    "the policy set between create and start was undone");
	scoped_guard(rcu)
		KUNIT_EXPECT_TRUE_MSG(test,
				      cpumask_equal(k->cpus_ptr,
						    housekeeping_cpumask(HK_TYPE_DOMAIN)),
				      "a plain affinity set before the start was kept: %*pbl",
				      cpumask_pr_args(k->cpus_ptr));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
}

/* kthread_bind() between create and start works, as on a new kthread. */
static void kthread_core_test_bind_before_start(struct kunit *test)
{
	struct cpumask *mask = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int cpu = cpumask_last(cpu_online_mask);
	struct task_struct *k = ktc_create(test, p);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, mask);
	kthread_bind(k, cpu);
	KUNIT_EXPECT_TRUE(test, k->flags & PF_NO_SETAFFINITY);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	for (i = 1; i <= 4; i++) {
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, i));
		KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(p->cpu), cpu,
				    "corefn ran on CPU %d, not the CPU it was bound to",
				    READ_ONCE(p->cpu));
		/* A wakeup before corefn's sleep would be a no-op: wait for it. */
		ktc_expect_sleeping(test, k);
		wake_up_process(k);
	}
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);

	/* kthread_bind_mask() too, to all online CPUs but the first. */
	p = ktc_probe_new(test);
	k = ktc_create(test, p);
	cpumask_copy(mask, cpu_online_mask);
	if (cpumask_weight(mask) > 1)
		cpumask_clear_cpu(cpumask_first(mask), mask);
	kthread_bind_mask(k, mask);
	KUNIT_EXPECT_TRUE(test, k->flags & PF_NO_SETAFFINITY);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_TRUE_MSG(test, cpumask_equal(k->cpus_ptr, mask),
			      "CPUs %*pbl, bound to %*pbl",
			      cpumask_pr_args(k->cpus_ptr), cpumask_pr_args(mask));
	KUNIT_EXPECT_TRUE(test, cpumask_test_cpu(READ_ONCE(p->cpu), mask));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
}

/* kthread_affine_preferred() before start works, as on a new kthread. */
static void kthread_core_test_affine_preferred(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int cpu = cpumask_first(cpu_online_mask);
	struct task_struct *k = ktc_create(test, p);
	int i;

	KUNIT_EXPECT_EQ(test, kthread_affine_preferred(k, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_TRUE_MSG(test, cpumask_equal(k->cpus_ptr, cpumask_of(cpu)),
			      "CPUs %*pbl, preferred %u", cpumask_pr_args(k->cpus_ptr), cpu);
	for (i = 1; i <= 4; i++) {
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, i));
		KUNIT_EXPECT_EQ(test, READ_ONCE(p->cpu), cpu);
		ktc_expect_sleeping(test, k);
		wake_up_process(k);
	}
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
}

/*
 * The thread's affinity is managed as a kthread's: once started, a change
 * of the housekeeping CPUs re-affines it.  kthreads_update_housekeeping()
 * stands in for cpuset's isolation change, which calls it.
 */
static void kthread_core_test_housekeeping_update(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	unsigned int cpu = cpumask_first(cpu_online_mask);
	struct task_struct *k, *bound;

	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
	bound = ktc_create(test, q);
	kthread_bind(bound, cpu);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, bound), bound);
	KUNIT_EXPECT_EQ(test, kthreads_update_housekeeping(), 0);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_on_housekeeping(k),
			      "not re-affined to the housekeeping CPUs: CPUs %*pbl",
			      cpumask_pr_args(k->cpus_ptr));
	KUNIT_EXPECT_TRUE_MSG(test, cpumask_equal(bound->cpus_ptr, cpumask_of(cpu)),
			      "a thread bound to CPU %u moved to CPUs %*pbl", cpu,
			      cpumask_pr_args(bound->cpus_ptr));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, bound), 0);
}

/* initfn runs only when started, in the thread; corefn right after it. */
static void kthread_core_test_start_runs_initfn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->init_ret = 1;
	k = ktc_create(test, p);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_stays(k, TASK_UNINTERRUPTIBLE, &p->init_calls, 0),
			      "state %#x, %d initfn calls", READ_ONCE(k->__state),
			      atomic_read(&p->init_calls));
	/* A stray wakeup does not start it. */
	ktc_expect_wake_ignored(test, k, TASK_UNINTERRUPTIBLE, &p->init_calls, 0);

	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, p->init_current, k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
	ktc_expect_no_leaks(test);
}

/* A failing initfn: start returns its error, and the thread is gone. */
static void kthread_core_test_initfn_failure(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->init_ret = -ENOSPC;
	k = ktc_create(test, p);
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), ERR_PTR(-ENOSPC));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
	KUNIT_EXPECT_FALSE_MSG(test, kthread_core_owns(k),
			       "a failed start returned before it reaped the thread");
	ktc_expect_released(test, k);
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(k), -EINVAL);

	k = ktc_create(test, p);
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), ERR_PTR(-ENOSPC));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);

	/* kthread_core_run() returns it too, and leaves nothing behind. */
	ktc_path_begin(test, ktc_path(test));
	k = kthread_core_run(ktc_initfn, ktc_corefn, p, "ktc-run");
	ktc_path_end(test, ktc_path(test));
	if (!IS_ERR(k))
		ktc_track(test, k);	/* a bug's: the case's end destroys it */
	KUNIT_EXPECT_PTR_EQ(test, k, ERR_PTR(-ENOSPC));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
	ktc_expect_no_leaks(test);
}

static void kthread_core_test_null_callbacks(struct kunit *test)
{
	struct task_struct *k;
	int i;

	ktc_path_begin(test, ktc_path(test));
	k = kthread_core_run(NULL, NULL, NULL, "ktc-null");
	ktc_path_end(test, ktc_path(test));
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	ktc_track(test, k);

	for (i = 0; i < 3; i++)
		wake_up_process(k);
	ktc_expect_idle(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_no_leaks(test);
}

/*
 * Without an initfn, start returns at once, and corefn runs unless a
 * destroy comes first; destroy then returns corefn's value if it ran.
 */
static void kthread_core_test_start_without_initfn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i, ret, calls;

	p->core_ret = 6;
	ktc_path_begin(test, ktc_path(test));
	k = kthread_core_create(NULL, ktc_corefn, p, "ktc-noinit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	ktc_track(test, k);
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(k), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 6);

	for (i = 0; i < 16; i++) {
		atomic_set(&p->core_calls, 0);
		k = kthread_core_run(NULL, ktc_corefn, p, "ktc-noinit");
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
		ktc_track(test, k);
		ret = ktc_destroy(test, k);
		calls = atomic_read(&p->core_calls);
		KUNIT_EXPECT_LE(test, calls, 1);
		/*
		 * corefn's value if it ran.  If not, -EINTR if the stop came
		 * before the thread began (as kthread_stop() has it), or 0 if
		 * it came between the start, where an initfn would have run,
		 * and the first corefn call: nothing here tells those apart.
		 */
		if (calls)
			KUNIT_EXPECT_EQ(test, ret, 6);
		else
			KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINTR,
					      "destroy: %d, no corefn call", ret);
	}
	ktc_path_end(test, ktc_path(test));
	ktc_expect_no_leaks(test);
}

/* Once corefn fails it is never called again, and destroy returns it. */
static void kthread_core_test_corefn_error_retained(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i;

	p->core_ret = 1;
	p->fail_at = 3;
	p->fail_ret = -EPROTO;
	k = ktc_run(test, p);
	for (i = 1; i < 3; i++) {
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, i));
		ktc_expect_sleeping(test, k);
		wake_up_process(k);
	}
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 3));
	ktc_expect_idle(test, k);
	for (i = 0; i < 3; i++)
		ktc_expect_wake_ignored(test, k, KTC_ASLEEP, &p->core_calls, 3);
	ktc_expect_idle(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EPROTO);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 3);
	ktc_expect_released(test, k);
}

static void kthread_core_test_positive_result(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->core_ret = 7;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 7);
}

/* A corefn that ends its thread with kthread_exit(): destroy returns its code. */
static void kthread_core_test_corefn_exits(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->exit_at = 2;
	p->exit_ret = 5;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	ktc_expect_sleeping(test, k);
	wake_up_process(k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 2));
	KUNIT_EXPECT_EQ_MSG(test, ktc_destroy_within(test, k, p, KTC_TIMEOUT), 5,
			    "destroy after corefn's kthread_exit(5) did not return 5 within %d s",
			    KTC_TIMEOUT / HZ);
	ktc_expect_released(test, k);
	ktc_expect_no_leaks(test);
}

static void kthread_core_test_destroy_before_start(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->core_ret = 5;
	k = ktc_create(test, p);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(k));
	ktc_expect_released(test, k);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(k), ERR_PTR(-EINVAL));
	ktc_expect_no_leaks(test);
}

/* A corefn that returns in TASK_RUNNING is called again at once. */
static void kthread_core_test_corefn_polls(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->poll_until = 50;
	p->core_ret = 2;
	k = ktc_run(test, p);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 50));
	KUNIT_EXPECT_TRUE(test, ktc_stays(k, KTC_ASLEEP, &p->core_calls, 50));
	ktc_expect_idle(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 50);
}

/* Each wakeup of the sleeping thread runs corefn once; destroy none. */
static void kthread_core_test_wake_runs_corefn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i;

	k = ktc_run(test, p);
	for (i = 1; i <= 10; i++) {
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, i));
		ktc_expect_sleeping(test, k);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), i);
		wake_up_process(k);
	}
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 11));
	ktc_expect_sleeping(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 11);
}

/*
 * @h made its call, and is blocked in it, asleep uninterruptibly: its
 * switch count, as ktc_snapshot() gives it, or 0.
 */
static unsigned long ktc_helper_blocked(struct ktc_helper *h)
{
	if (!READ_ONCE(h->called))
		return 0;
	return ktc_snapshot(h->task, TASK_UNINTERRUPTIBLE);
}

/* @h is blocked in its call, or has returned from it. */
static bool ktc_helper_waits(struct ktc_helper *h)
{
	return ktc_helper_blocked(h) || completion_done(&h->done);
}

/* @h is in the same sleep as at the last look (@last), or has returned. */
static bool ktc_helper_stays(struct ktc_helper *h, unsigned long *last)
{
	unsigned long ncsw = ktc_helper_blocked(h);
	bool same = ncsw && ncsw == *last;

	*last = ncsw;
	return same || completion_done(&h->done);
}

/* For messages: @h's return, or -EINPROGRESS while its call runs. */
static long ktc_helper_ret(struct ktc_helper *h)
{
	return completion_done(&h->done) ? h->ret : -EINPROGRESS;
}

/*
 * @h's call is seen blocked, not returned: in one sleep across two looks
 * a poll apart, so that a sleep that ends at once does not count.
 */
static bool ktc_helper_held(struct ktc_helper *h)
{
	unsigned long last = 0;

	return ktc_poll(ktc_helper_stays(h, &last)) &&
	       !completion_done(&h->done);
}

static int ktc_park_helper(struct ktc_helper *h)
{
	return kthread_park(h->k);
}

/* kthread_park() of @k in a helper, waited for at most KTC_TIMEOUT. */
static long ktc_park_within(struct kunit *test, struct task_struct *k,
			    struct ktc_probe *p)
{
	struct ktc_helper *h = ktc_helper_run(test, ktc_park_helper, k, p);

	return ktc_helper_done(h, KTC_TIMEOUT) ? h->ret : -ETIMEDOUT;
}

/*
 * Wake @h->k until told to stop, or for a bound, counting the wakeups
 * that found it asleep.
 */
static int ktc_hammer(struct ktc_helper *h)
{
	unsigned long end = jiffies + KTC_TIMEOUT;

	while (!READ_ONCE(h->seen) && time_before(jiffies, end)) {
		if (wake_up_process(h->k))
			WRITE_ONCE(h->rounds, h->rounds + 1);
		cond_resched();
	}
	return 0;
}

#define KTC_HAMMERED	32

/*
 * Stray wakeups from another CPU, before and during the start, start
 * nothing early and nothing twice: each thread runs initfn once, in its
 * start.  The wakeups keep the thread reading its requests while the start
 * makes them.
 */
static void kthread_core_test_start_under_wakeups(struct kunit *test)
{
	unsigned int other = ktc_other_cpu(raw_smp_processor_id());
	int i;

	for (i = 0; i < KTC_HAMMERED; i++) {
		struct ktc_probe *p = ktc_probe_new(test);
		struct task_struct *k = ktc_create(test, p);
		struct ktc_helper *h = ktc_helper_new(test, ktc_hammer, k, p);

		kthread_bind(h->task, other);
		wake_up_process(h->task);
		KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(READ_ONCE(h->rounds) >= KTC_HAMMERED),
				      "%d wakeups of the new thread woke it, of %d wanted",
				      READ_ONCE(h->rounds), KTC_HAMMERED);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
		KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
		WRITE_ONCE(h->seen, true);
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
		KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	}
	ktc_expect_no_leaks(test);
}

/*
 * A kthread_park() while initfn runs, and fails, parks the thread and
 * returns, and holds the start back until kthread_unpark(); the start then
 * fails with initfn's error and the thread is reaped.  Without the park
 * before the failure, the thread would exit under the parker.
 */
static void kthread_core_test_park_during_failing_initfn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_helper *start, *park;
	struct task_struct *k;

	p->block_init = true;
	p->init_ret = -EIO;
	k = ktc_create(test, p);
	start = ktc_helper_run(test, ktc_start_helper, k, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered, KTC_TIMEOUT));
	park = ktc_helper_run(test, ktc_park_helper, k, p);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_held(park),
			      "kthread_park() not held while initfn ran: %ld",
			      ktc_helper_ret(park));
	complete(&p->release);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(park, KTC_TIMEOUT),
			      "kthread_park() during a failing initfn did not return in %d s",
			      KTC_TIMEOUT / HZ);
	KUNIT_EXPECT_EQ(test, park->ret, 0);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_held(start),
			      "start not held while the thread was parked: %ld",
			      ktc_helper_ret(start));
	kthread_unpark(k);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(start, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, start->ret, -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
	ktc_expect_released(test, k);
}

#define KTC_RESTARTS		4096

/*
 * Starting a started thread is refused with -EBUSY however often, while
 * its corefn polls on another CPU, and changes nothing: initfn ran once,
 * and corefn goes on.  The refused starts write nothing either, as the
 * thread's loop tells KCSAN.
 */
static void kthread_core_test_restart_refused(struct kunit *test)
{
	unsigned int other = ktc_other_cpu(raw_smp_processor_id());
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i, busy = 0;

	p->poll_until = INT_MAX;
	p->core_ret = 7;
	k = ktc_create(test, p);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(other)), 0);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	for (i = 0; i < KTC_RESTARTS; i++)
		busy += kthread_core_start(k) == ERR_PTR(-EBUSY);
	KUNIT_EXPECT_EQ_MSG(test, busy, i, "%d of %d starts of a started thread not refused",
			    i - busy, i);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, atomic_read(&p->core_calls) + 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 7);
}

/* Destroy lets a corefn call in progress finish, and starts no other. */
static void kthread_core_test_destroy_waits_for_corefn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_helper *h;
	struct task_struct *k;

	p->block_core = true;
	p->core_ret = 3;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered,
							    KTC_TIMEOUT));
	h = ktc_helper_run(test, ktc_destroy_helper, k, p);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_held(h),
			      "destroy not held while corefn ran: %ld", ktc_helper_ret(h));
	complete(&p->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, h->seen);
	KUNIT_EXPECT_EQ(test, h->ret, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 1);
	ktc_expect_released(test, k);
}

/*
 * Destroy ends corefn's interruptible sleeps, as kthread_stop() does
 * (TIF_NOTIFY_SIGNAL), so that a corefn waiting on something else than
 * kthread_should_stop() returns, and destroy with it.
 */
static void kthread_core_test_destroy_interrupts_sleep(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	long intr;

	p->wait_intr = true;
	p->core_ret = 8;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered,
							    KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, ktc_destroy_within(test, k, p, KTC_JOIN), 8);
	intr = READ_ONCE(p->intr_ret);
	KUNIT_EXPECT_EQ_MSG(test, intr, -ERESTARTSYS,
			    "corefn's interruptible sleep returned %ld: the destroy did not interrupt it",
			    intr);
}

/* A wakeup that lands while corefn runs is not lost. */
static void kthread_core_test_wake_not_lost(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct task_struct *k;

	/* Work posted, and the thread woken, while corefn is busy. */
	p->block_core = true;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered,
							    KTC_TIMEOUT));
	atomic_inc(&p->pending);
	wake_up_process(k);
	complete(&p->release);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 2));
	ktc_expect_sleeping(test, k);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->pending), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);

	/* A wakeup between corefn's set_current_state() and its return. */
	q->self_wake = true;
	k = ktc_run(test, q);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(q, 2));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
}

#define KTC_WAKES	1024

/* Post work and wake the thread; let it drain every eighth post. */
static int ktc_wake_storm_helper(struct ktc_helper *h)
{
	struct ktc_probe *p = h->p;
	int i;

	for (i = 0; i < KTC_WAKES; i++) {
		atomic_inc(&p->pending);
		wake_up_process(h->k);
		if (i % 8 == 7 &&
		    !wait_event_timeout(p->wq, !atomic_read(&p->pending),
					KTC_TIMEOUT))
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Wakeups and destroys from a task bound to another CPU than the thread's:
 * all posted work gets done, a destroy waits for the corefn call in
 * progress, and it stops a corefn that is called again and again.
 */
static void kthread_core_test_cross_cpu(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct ktc_probe *r = ktc_probe_new(test);
	unsigned int cpu = cpumask_first(cpu_online_mask);
	unsigned int other = ktc_other_cpu(cpu);
	struct task_struct *k;
	struct ktc_helper *h;

	if (other == cpu)
		kunit_info(test, "one CPU: the callers share it\n");

	k = ktc_run(test, p);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
	h = ktc_helper_on(test, other, ktc_wake_storm_helper, k, p);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, 10 * KTC_TIMEOUT));
	KUNIT_EXPECT_EQ_MSG(test, h->ret, 0, "posted work left undone: %d",
			    atomic_read(&p->pending));
	KUNIT_EXPECT_GE(test, atomic_read(&p->core_calls), KTC_WAKES);
	ktc_expect_sleeping(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);

	q->block_core = true;
	q->core_ret = 3;
	k = ktc_run(test, q);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&q->entered,
							    KTC_TIMEOUT));
	h = ktc_helper_on(test, other, ktc_destroy_helper, k, q);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_held(h),
			      "destroy not held while corefn ran: %ld", ktc_helper_ret(h));
	complete(&q->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, h->seen);
	KUNIT_EXPECT_EQ(test, h->ret, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->core_calls), 1);

	r->poll_until = INT_MAX;
	r->core_ret = 4;
	k = ktc_run(test, r);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(r, 100));
	h = ktc_helper_on(test, other, ktc_destroy_helper, k, r);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, h->ret, 4);
	/*
	 * The loop tests for a stop just before each call: a request that
	 * lands in between lets one call begin, no more.
	 */
	KUNIT_EXPECT_LE_MSG(test, atomic_read(&r->stopped_calls), 1,
			    "corefn called %d times after the stop request",
			    atomic_read(&r->stopped_calls));
	ktc_expect_released(test, k);
}

#define KTC_PLAIN_ROUNDS	64

/*
 * A corefn that sets its sleep state with __set_current_state(), without a
 * barrier, is destroyed from another CPU as soon as it sleeps: the loop's
 * own barrier orders the state before its stop test, against the one in
 * the destroyer's wake_up_process().
 */
static void kthread_core_test_corefn_plain_state(struct kunit *test)
{
	unsigned int cpu = cpumask_first(cpu_online_mask);
	unsigned int other = ktc_other_cpu(cpu);
	struct ktc_probe *p;
	struct task_struct *k;
	struct ktc_helper *h;
	int i;

	for (i = 0; i < KTC_PLAIN_ROUNDS; i++) {
		p = ktc_probe_new(test);
		p->plain_state = true;
		p->core_ret = i;
		k = ktc_run(test, p);
		KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(k, cpumask_of(cpu)), 0);
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
		wake_up_process(k);
		h = ktc_helper_on(test, other, ktc_destroy_helper, k, p);
		KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(h, KTC_TIMEOUT),
				      "round %d: destroy lost: the thread slept through it", i);
		KUNIT_EXPECT_EQ(test, h->ret, i);
	}
	ktc_expect_no_leaks(test);
}

static int ktc_window_start(struct ktc_helper *h)
{
	WRITE_ONCE(h->seen, true);
	return ktc_start_helper(h);
}

static int ktc_window_destroy(struct ktc_helper *h)
{
	WRITE_ONCE(h->seen, true);
	return kthread_core_destroy(h->k);
}

/*
 * Stub of the wait seam, run by the thread under test: once armed, hold it
 * between its read of its requests and its decision to sleep, until the
 * armed helper made its request and is blocked waiting for the thread.
 */
static void ktc_wait_window(void)
{
	struct ktc_ctx *ctx = kunit_get_current_test()->priv;
	struct ktc_helper *h = READ_ONCE(ctx->window);
	unsigned long end = jiffies + KTC_TIMEOUT;

	if (!h)
		return;
	WRITE_ONCE(ctx->window, NULL);
	ctx->windows++;
	complete(&ctx->in_window);
	while (!(READ_ONCE(h->seen) &&
		 READ_ONCE(h->task->__state) == TASK_UNINTERRUPTIBLE) &&
	       time_before(jiffies, end))
		cond_resched();
}

/*
 * A start, and (corefn having failed) a destroy, made while the thread is
 * between reading its requests and going to sleep: neither wakeup is lost.
 * The seam's stub acts in the thread, which only the direct path's fork
 * gives the case's KUnit context, as it inherits it from the caller.
 */
static void kthread_core_test_wait_window(struct kunit *test)
{
	struct ktc_ctx *ctx = test->priv;
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int other = ktc_other_cpu(raw_smp_processor_id());
	struct ktc_helper *s, *d;
	struct task_struct *k;

	p->block_core = true;
	p->fail_at = 1;
	p->fail_ret = -EPIPE;
	s = ktc_helper_new(test, ktc_window_start, NULL, p);
	d = ktc_helper_new(test, ktc_window_destroy, NULL, p);
	kthread_bind(s->task, other);
	kthread_bind(d->task, other);
	ctx->window = s;

	kunit_activate_static_stub(test, kthread_core_wait_window, ktc_wait_window);
	k = ktc_create_on(test, KTC_DIRECT, p, "window");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(k), "create: %pe", k);
	s->k = k;
	d->k = k;
	/* A stray wakeup: kthread() runs kthread_core's wait for the start. */
	wake_up_process(k);

	/* Each request comes once the thread is held, even on one CPU. */
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&ctx->in_window,
							    KTC_TIMEOUT));
	wake_up_process(s->task);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_done(s, KTC_TIMEOUT),
			      "start lost its wakeup: the thread sleeps on in its wait for start");
	/* corefn's first call blocks, then fails: the thread waits for destroy. */
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&p->entered,
							    KTC_TIMEOUT));
	WRITE_ONCE(ctx->window, d);
	complete(&p->release);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&ctx->in_window,
							    KTC_TIMEOUT));
	wake_up_process(d->task);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_done(d, KTC_TIMEOUT),
			      "destroy lost its wakeup: the thread sleeps on in its wait for destroy");
	kunit_deactivate_static_stub(test, kthread_core_wait_window);

	KUNIT_EXPECT_EQ(test, s->ret, 0);
	KUNIT_EXPECT_EQ(test, d->ret, -EPIPE);
	KUNIT_EXPECT_EQ(test, ctx->windows, 2U);
	ktc_expect_no_leaks(test);
}

/* Idle threads, and those whose corefn failed, use no CPU. */
static void kthread_core_test_idle_sleeps(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct task_struct *idle, *failed;

	q->fail_at = 1;
	q->fail_ret = -EIO;
	idle = ktc_run(test, p);
	failed = ktc_run(test, q);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(q, 1));
	ktc_expect_idle_for(test, idle, 2);
	ktc_expect_idle_for(test, failed, 2);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, idle), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, failed), -EIO);
}

/* The comm is truncated; kthread_func(), kthread_data() describe the thread. */
static void kthread_core_test_names_and_data(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k, *l;
	char comm[TASK_COMM_LEN], full[64];

	ktc_path_begin(test, ktc_path(test));
	k = kthread_core_create(NULL, ktc_corefn, p, "ktc-%d-%s", 42, "ab");
	l = kthread_core_create(NULL, NULL, NULL, "%s_%d",
				"ktc-kthread_core_long_name", 123456);
	ktc_path_end(test, ktc_path(test));
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	ktc_track(test, k);
	KUNIT_ASSERT_FALSE(test, IS_ERR(l));
	ktc_track(test, l);

	KUNIT_EXPECT_STREQ(test, get_task_comm(comm, k), "ktc-42-ab");
	KUNIT_EXPECT_STREQ(test, get_task_comm(comm, l), "ktc-kthread_cor");
	KUNIT_EXPECT_EQ(test, strlen(comm), (size_t)TASK_COMM_LEN - 1);
	get_kthread_comm(full, sizeof(full), l);
	KUNIT_EXPECT_STREQ(test, full, "ktc-kthread_core_long_name_123456");
	/* The data is the creator's; the function is kthread_core's own. */
	KUNIT_EXPECT_PTR_EQ(test, kthread_data(k), (void *)p);
	KUNIT_EXPECT_PTR_EQ(test, kthread_data(l), NULL);
	KUNIT_EXPECT_PTR_NE(test, kthread_func(k), (void *)ktc_corefn);
	KUNIT_EXPECT_PTR_EQ(test, kthread_func(k), kthread_func(l));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, l), -EINTR);
}

static const int ktc_signals[] = {
	SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGSTOP, SIGCHLD,
};

static void ktc_send_signals(struct task_struct *k)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ktc_signals); i++) {
		send_sig(ktc_signals[i], k, 0);
		send_sig(ktc_signals[i], k, 1);
	}
}

/*
 * Signals change nothing, before start or after.  The direct path's caller
 * takes signals, as an early-boot caller may: its thread must ignore them
 * all the same.  A keventd worker ignores them already.
 */
static void kthread_core_test_signals(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i;

	for (i = 0; i < ARRAY_SIZE(ktc_signals); i++)
		allow_signal(ktc_signals[i]);
	k = ktc_create_on(test, KTC_DIRECT, p, "signals");
	for (i = 0; i < ARRAY_SIZE(ktc_signals); i++)
		disallow_signal(ktc_signals[i]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	ktc_send_signals(k);
	KUNIT_EXPECT_FALSE(test, signal_pending(k));
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	ktc_expect_sleeping(test, k);

	ktc_send_signals(k);
	KUNIT_EXPECT_FALSE(test, signal_pending(k));
	KUNIT_EXPECT_TRUE(test, ktc_stays(k, KTC_ASLEEP, &p->core_calls, 1));
	wake_up_process(k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 2));
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->exit_state), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
}

/*
 * A thread whose initfn allowed a signal, and whose corefn failed, sleeps
 * until destroyed even with that signal pending: it does not spin.
 */
static void kthread_core_test_failed_sleeps_with_signal(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->allow_usr1 = true;
	p->fail_at = 1;
	p->fail_ret = -EIO;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	ktc_expect_sleeping(test, k);
	KUNIT_EXPECT_EQ(test, send_sig(SIGUSR1, k, 1), 0);
	KUNIT_EXPECT_TRUE(test, signal_pending(k));
	ktc_expect_idle(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EIO);
}

/* A work item that creates, starts and destroys a thread. */
struct ktc_work {
	struct work_struct work;
	struct ktc_probe *p;
	int ret;
	struct completion done;
};

static void ktc_work_fn(struct work_struct *work)
{
	struct ktc_work *w = container_of(work, struct ktc_work, work);
	struct task_struct *k;

	k = kthread_core_run(NULL, NULL, NULL, "ktc-wq");
	w->ret = IS_ERR(k) ? PTR_ERR(k) : kthread_core_destroy(k);
	/* Destroyed before it ran: -EINTR, as from kthread_stop(). */
	if (w->ret == -EINTR)
		w->ret = 0;
	complete_all(&w->done);
}

struct ktc_works {
	struct kunit *test;
	int n;
	struct ktc_work w[] __counted_by(n);
};

/* Join the work items; leak them if one is still running after a bound. */
static void ktc_works_join(void *data)
{
	struct ktc_works *ws = data;
	int i;

	for (i = 0; i < ws->n; i++) {
		if (!wait_for_completion_timeout(&ws->w[i].done, KTC_JOIN)) {
			kunit_err(ws->test, "work item %d still running: leaking them\n", i);
			ktc_ctx(ws->test)->wedged = true;
			return;
		}
		flush_work(&ws->w[i].work);
	}
	kfree(ws);
}

/* @n work items, queued on @wq on @cpu. */
static struct ktc_works *ktc_queue_works(struct kunit *test, int n,
					 struct workqueue_struct *wq, int cpu)
{
	struct ktc_works *ws = kzalloc(struct_size(ws, w, n), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ws);
	ws->test = test;
	ws->n = n;
	for (i = 0; i < n; i++) {
		init_completion(&ws->w[i].done);
		INIT_WORK(&ws->w[i].work, ktc_work_fn);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ktc_works_join, ws));
	for (i = 0; i < n; i++)
		queue_work_on(cpu, wq, &ws->w[i].work);
	return ws;
}

/* Work items on the system workqueue can create threads: no deadlock. */
static void kthread_core_test_from_work_item(struct kunit *test)
{
	struct ktc_works *ws;
	int i;

	ws = ktc_queue_works(test, 4, system_percpu_wq, raw_smp_processor_id());
	for (i = 0; i < ws->n; i++) {
		KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&ws->w[i].done,
								    KTC_TIMEOUT));
		KUNIT_EXPECT_EQ(test, ws->w[i].ret, 0);
	}
	ktc_expect_no_leaks(test);
}

/* As many as system_percpu_wq runs on one CPU at once (WQ_DFL_ACTIVE). */
#define KTC_SATURATE	1024

/*
 * So many work items of the system workqueue on one CPU wait for thread
 * creations that it runs no more of its items there: creation, which
 * does not depend on that workqueue, completes all the same.  For that
 * moment, other work items of system_percpu_wq on that CPU wait too.
 */
static void kthread_core_test_from_saturated_system_wq(struct kunit *test)
{
	unsigned int cpu = raw_smp_processor_id();
	struct ktc_works *ws;
	int i, done = 0, failed = 0;

	ws = ktc_queue_works(test, KTC_SATURATE, system_percpu_wq, cpu);
	for (i = 0; i < ws->n; i++) {
		if (!wait_for_completion_timeout(&ws->w[i].done, KTC_JOIN))
			break;
		done++;
		failed += ws->w[i].ret != 0;
	}
	KUNIT_EXPECT_EQ_MSG(test, done, KTC_SATURATE,
			    "%d of %d creations from system_percpu_wq items on CPU %u never finished: the creation work waits behind them",
			    KTC_SATURATE - done, KTC_SATURATE, cpu);
	KUNIT_EXPECT_EQ(test, failed, 0);
	ktc_expect_no_leaks(test);
}

/*
 * Create @n threads, each while a SIGKILL is pending or comes (@pending:
 * sent first): how many creates returned -EINTR, or -1000 if one failed
 * otherwise.  The others' threads are destroyed.
 */
static int ktc_create_killed(struct ktc_probe *p, int n, bool pending)
{
	struct task_struct *k;
	int i, eintr = 0;

	allow_signal(SIGKILL);
	for (i = 0; i < n; i++) {
		if (pending)
			send_sig(SIGKILL, current, 1);
		k = kthread_core_create(ktc_initfn, ktc_corefn, p, "ktc-killed");
		if (k == ERR_PTR(-EINTR))
			eintr++;
		else if (IS_ERR(k) || kthread_core_destroy(k) != -EINTR)
			eintr = -1000;
		flush_signals(current);
	}
	disallow_signal(SIGKILL);
	return eintr;
}

static int ktc_killed_creator(struct ktc_helper *h)
{
	return ktc_create_killed(h->p, 8, true);
}

/*
 * A creator killed while it waits gets -EINTR, and the thread, if it was
 * created after all, cleans up after itself: nothing leaks.  On the direct
 * path, fork itself sees the kill and fails with -EINTR.  Through
 * kthreadd, with the kill pending already, the fork may still win the
 * race: either result is right.
 */
static void kthread_core_test_create_killable(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_helper *h;
	int eintr;

	ktc_path_begin(test, KTC_DIRECT);
	eintr = ktc_create_killed(p, 4, true);
	ktc_path_end(test, KTC_DIRECT);
	KUNIT_EXPECT_EQ_MSG(test, eintr, 4,
			    "creates killed while they waited: %d of 4 returned -EINTR", eintr);

	h = ktc_helper_run(test, ktc_killed_creator, NULL, p);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	/*
	 * kthreadd's create waits killably, but kthreadd may finish first
	 * (always, on one CPU): any count is right, another error is not.
	 */
	KUNIT_EXPECT_GE_MSG(test, h->ret, 0,
			    "a create with SIGKILL pending failed other than with -EINTR");
	kunit_info(test, "keventd: %ld of 8 creates with SIGKILL pending returned -EINTR\n",
		   h->ret);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	ktc_expect_no_leaks(test);
}

static int ktc_lifecycles_helper(struct ktc_helper *h)
{
	struct ktc_probe *p = h->p;
	struct task_struct *k;
	int i, bad = 0;

	for (i = 0; i < 32; i++) {
		atomic_set(&p->core_calls, 0);
		p->core_ret = i;
		k = kthread_core_create(ktc_initfn, ktc_corefn, p, "ktc-c%d", i);
		if (IS_ERR(k) || kthread_core_start(k) != k) {
			bad++;
			continue;
		}
		if (!ktc_wait_calls(p, 1))
			bad++;
		wake_up_process(k);
		if (kthread_core_destroy(k) != i)
			bad++;
	}
	return bad;
}

/* Several callers create, start and destroy threads at the same time. */
static void kthread_core_test_concurrent_callers(struct kunit *test)
{
	struct ktc_helper *h[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = ktc_helper_run(test, ktc_lifecycles_helper, NULL,
				      ktc_probe_new(test));
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h[i], KTC_JOIN));
		KUNIT_EXPECT_EQ(test, h[i]->ret, 0);
	}
	ktc_expect_no_leaks(test);
}

#define KTC_MANY 64

static void kthread_core_test_many_alive(struct kunit *test)
{
	struct ktc_ctx *ctx = test->priv;
	struct task_struct **k;
	struct ktc_probe **p;
	int i;

	k = kunit_kcalloc(test, KTC_MANY, sizeof(*k), GFP_KERNEL);
	p = kunit_kcalloc(test, KTC_MANY, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < KTC_MANY; i++) {
		p[i] = ktc_probe_new(test);
		p[i]->core_ret = i;
		k[i] = ktc_run(test, p[i]);
	}
	/*
	 * Handles that are not threads at all, looked up while the table is
	 * full: -EINVAL, and the API never dereferences them.
	 */
	for (i = 0; i < KTC_MANY; i++)
		KUNIT_EXPECT_EQ(test, kthread_core_destroy((void *)p[i]), -EINVAL);
	KUNIT_EXPECT_EQ(test, kthread_core_nr_live(), ctx->nr_live + KTC_MANY);
	KUNIT_EXPECT_EQ(test, ktc_nr_tasks(ctx->start), KTC_MANY);
	for (i = 0; i < KTC_MANY; i++) {
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p[i], 1));
		ktc_expect_sleeping(test, k[i]);
		wake_up_process(k[i]);
	}
	/* In creation order, so that lookups walk past other entries. */
	for (i = 0; i < KTC_MANY; i++) {
		KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p[i], 2));
		KUNIT_EXPECT_EQ(test, ktc_destroy(test, k[i]), i);
	}
	ktc_expect_no_leaks(test);
}

/* One slow initfn holds up no other thread's control. */
static void kthread_core_test_slow_initfn(struct kunit *test)
{
	struct ktc_probe *slow = ktc_probe_new(test);
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *a, *b;
	struct ktc_helper *h;

	slow->block_init = true;
	a = ktc_create(test, slow);
	h = ktc_helper_run(test, ktc_start_helper, a, slow);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&slow->entered,
							    KTC_TIMEOUT));

	b = ktc_run(test, p);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, b), 0);
	KUNIT_EXPECT_FALSE(test, completion_done(&h->done));

	complete(&slow->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, h->ret, 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, a), 0);
}

/*
 * Start racing destroy, each from a real-time thread of its own.  On one
 * CPU the first runs until it blocks, then the second, and the thread
 * only after both: so either destroy comes first (start gets -EINVAL), or
 * both requests reach the thread at once (start gets -EINTR).  Neither
 * call may hang, initfn never runs, and nothing leaks.  On more CPUs
 * start may also win, which is fine too.
 */
static void kthread_core_test_start_races_destroy(struct kunit *test)
{
	int i, won[3] = { 0 };

	for (i = 0; i < 16; i++) {
		struct ktc_probe *p = ktc_probe_new(test);
		struct task_struct *k = ktc_create(test, p);
		struct ktc_helper *s, *d;

		s = ktc_helper_new(test, ktc_start_helper, k, p);
		d = ktc_helper_new(test, ktc_destroy_helper, k, p);
		sched_set_fifo_low(s->task);
		sched_set_fifo_low(d->task);
		wake_up_process(i % 2 ? d->task : s->task);
		wake_up_process(i % 2 ? s->task : d->task);
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(s, KTC_TIMEOUT));
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(d, KTC_TIMEOUT));
		/* -EINTR, as from kthread_stop(), unless initfn ran first. */
		KUNIT_EXPECT_EQ(test, d->ret, s->ret ? -EINTR : 0);
		if (!s->ret)
			won[0]++;
		else if (s->ret == -EINTR)
			won[1]++;
		else if (s->ret == -EINVAL)
			won[2]++;
		else
			KUNIT_FAIL(test, "start: %ld", s->ret);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), !s->ret);
	}
	kunit_info(test, "start won %d, both at once %d, destroy first %d\n",
		   won[0], won[1], won[2]);
	KUNIT_EXPECT_EQ(test, won[0] + won[1] + won[2], 16);
	ktc_expect_no_leaks(test);
}

static int ktc_upstream_fn(void *data)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * kthread_should_stop() is false in initfn and corefn until destroy
 * begins, and true from then on: a corefn that waits for it the way
 * upstream threads do returns, and destroy does not wait for a timeout.
 */
static void kthread_core_test_should_stop(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct task_struct *k;
	struct ktc_helper *h;

	p->wait_stop = true;
	p->core_ret = 9;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered,
							    KTC_TIMEOUT));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(p->init_should_stop));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(p->core_should_stop));
	KUNIT_EXPECT_TRUE(test, ktc_stays(k, TASK_INTERRUPTIBLE, &p->core_calls, 0));

	h = ktc_helper_run(test, ktc_destroy_helper, k, p);
	if (!ktc_helper_done(h, KTC_TIMEOUT / 2)) {
		KUNIT_FAIL(test, "destroy waited: corefn never saw kthread_should_stop()");
		/* corefn's wait times out, and destroy returns. */
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_JOIN));
	}
	KUNIT_EXPECT_TRUE(test, h->seen);
	KUNIT_EXPECT_EQ(test, h->ret, 9);
	ktc_expect_released(test, k);

	/* Destroyed before start: neither function runs, nothing waits. */
	q->wait_stop = true;
	k = ktc_create(test, q);
	h = ktc_helper_run(test, ktc_destroy_helper, k, q);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, h->ret, -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->init_calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->core_calls), 0);
	ktc_expect_released(test, k);
}

static int ktc_kthread_stop_helper(struct ktc_helper *h)
{
	return kthread_stop(h->k);
}

/* kthread_stop(@k) in a helper, bounded; -ETIMEDOUT if it hangs. */
static long ktc_kthread_stop(struct kunit *test, struct task_struct *k,
			     struct ktc_probe *p)
{
	struct ktc_helper *h = ktc_helper_run(test, ktc_kthread_stop_helper, k, p);

	if (!ktc_helper_done(h, KTC_TIMEOUT)) {
		KUNIT_FAIL(test, "kthread_stop() on a kthread_core thread hangs");
		return -ETIMEDOUT;
	}
	return h->ret;
}

/*
 * The two APIs mixed up: upstream's kthread_stop() on a kthread_core
 * thread destroys it and returns what destroy would; kthread_core's
 * destroy refuses an upstream kthread, which kthread_stop() still stops.
 */
static void kthread_core_test_kthread_stop(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct task_struct *k, *up;
	int ret;

	p->core_ret = 4;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_kthread_stop(test, k, p), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 1);
	ktc_expect_released(test, k);
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(k), -EINVAL);

	/* Never started: stopped without running either function. */
	k = ktc_create(test, q);
	KUNIT_EXPECT_EQ(test, ktc_kthread_stop(test, k, q), -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->init_calls), 0);
	ktc_expect_released(test, k);

	up = kthread_run(ktc_upstream_fn, NULL, "ktch-upstream");
	KUNIT_ASSERT_FALSE(test, IS_ERR(up));
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(up));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(up), -EINVAL);
	ret = kthread_stop(up);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINTR, "kthread_stop: %d", ret);
}

/*
 * Destroy never returns while the thread still runs the caller's code,
 * whoever else is stopping it: a kthread_stop(), a second destroy, or a
 * start whose initfn fails.  Each waits for the exit, and all return.
 */
static void kthread_core_test_destroy_waits_for_every_stopper(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_probe *q = ktc_probe_new(test);
	struct ktc_helper *ks, *d1, *d2, *s;
	struct task_struct *k;

	/* corefn blocks; kthread_stop() and two destroys come meanwhile. */
	p->block_core = true;
	p->core_ret = 7;
	k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p->entered, KTC_TIMEOUT));
	ks = ktc_helper_run(test, ktc_kthread_stop_helper, k, p);
	d1 = ktc_helper_run(test, ktc_window_destroy, k, p);
	d2 = ktc_helper_run(test, ktc_window_destroy, k, p);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_poll(ktc_helper_waits(d1)),
			      "the first destroy neither returned nor waited");
	KUNIT_ASSERT_TRUE_MSG(test, ktc_poll(ktc_helper_waits(d2)),
			      "the second destroy neither returned nor waited");
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&d1->done) || completion_done(&d2->done),
			       "a destroy returned (%ld, %ld) while corefn still ran",
			       ktc_helper_ret(d1), ktc_helper_ret(d2));
	KUNIT_EXPECT_TRUE_MSG(test, ktc_helper_held(ks),
			      "kthread_stop() not held during the destroys: %ld",
			      ktc_helper_ret(ks));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(p->core_finished));
	complete(&p->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(ks, KTC_TIMEOUT));
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(d1, KTC_TIMEOUT));
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(d2, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, ks->ret, 7);
	KUNIT_EXPECT_EQ(test, d1->ret, 7);
	KUNIT_EXPECT_EQ(test, d2->ret, 7);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 1);
	ktc_expect_released(test, k);

	/* initfn blocks, then fails; a destroy comes meanwhile. */
	q->block_init = true;
	q->init_ret = -EIO;
	k = ktc_create(test, q);
	s = ktc_helper_run(test, ktc_start_helper, k, q);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&q->entered, KTC_TIMEOUT));
	d1 = ktc_helper_run(test, ktc_window_destroy, k, q);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_poll(ktc_helper_waits(d1)),
			      "the destroy neither returned nor waited");
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&d1->done),
			       "destroy returned %ld while initfn still ran", d1->ret);
	complete(&q->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(s, KTC_TIMEOUT));
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(d1, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, s->ret, -EIO);
	KUNIT_EXPECT_EQ(test, d1->ret, -EIO);
	ktc_expect_released(test, k);
	ktc_expect_no_leaks(test);
}

/*
 * A thread that dies in initfn (kthread_exit() stands in for an oops,
 * which ends in do_exit() as well) ends the start with -EINTR: the start
 * does not wait for ever on a report that never comes.
 */
static void kthread_core_test_initfn_dies(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct ktc_helper *s;
	struct task_struct *k;

	p->init_exits = true;
	p->exit_ret = -ENODEV;
	k = ktc_create(test, p);
	s = ktc_helper_run(test, ktc_start_helper, k, p);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(s, KTC_TIMEOUT),
			      "the start hangs on a thread that died in initfn");
	KUNIT_EXPECT_EQ(test, s->ret, -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
	ktc_expect_released(test, k);
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(k));
	ktc_expect_no_leaks(test);
}

/*
 * kthread_bind() right after create finds the thread off its CPU at once.
 * On the direct path the thread inherits its creator's CPU, here a single
 * one; kthread() reports with preemption off, so the creator runs again
 * only once the thread has switched out.  A bind that had to wait for it
 * would sleep a tick in wait_task_inactive(): a voluntary switch.
 */
static void kthread_core_test_bind_at_once(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	unsigned int cpu = ktc_last_housekeeping_cpu();
	int i, waited = 0;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	for (i = 0; i < 16; i++) {
		struct task_struct *k = ktc_create_on(test, KTC_DIRECT, p, "bind");
		unsigned long nvcsw;

		if (IS_ERR(k))
			break;
		nvcsw = READ_ONCE(current->nvcsw);
		kthread_bind(k, cpu);
		waited += READ_ONCE(current->nvcsw) != nvcsw;
		KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	KUNIT_EXPECT_EQ(test, i, 16);
	KUNIT_EXPECT_EQ_MSG(test, waited, 0,
			    "%d of 16 binds right after create waited for the thread to switch out",
			    waited);
}

#ifdef CONFIG_TRACEPOINTS
struct ktc_trace {
	struct task_struct *k;
	int stops;
	int ret;
};

static void ktc_trace_stop(void *data, struct task_struct *t)
{
	struct ktc_trace *tr = data;

	if (t == tr->k)
		WRITE_ONCE(tr->stops, tr->stops + 1);
}

static void ktc_trace_stop_ret(void *data, int ret)
{
	struct ktc_trace *tr = data;

	if (READ_ONCE(tr->stops))
		WRITE_ONCE(tr->ret, ret);
}
#endif

/* Destroy shows in the sched_kthread_stop tracepoints, as kthread_stop(). */
static void kthread_core_test_destroy_traced(struct kunit *test)
{
#ifdef CONFIG_TRACEPOINTS
	struct ktc_trace tr = { .ret = -1 };
	struct ktc_probe *p = ktc_probe_new(test);

	p->core_ret = 3;
	tr.k = ktc_run(test, p);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_ASSERT_EQ(test, register_trace_sched_kthread_stop(ktc_trace_stop, &tr), 0);
	KUNIT_ASSERT_EQ(test, register_trace_sched_kthread_stop_ret(ktc_trace_stop_ret, &tr), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, tr.k), 3);
	unregister_trace_sched_kthread_stop_ret(ktc_trace_stop_ret, &tr);
	unregister_trace_sched_kthread_stop(ktc_trace_stop, &tr);
	tracepoint_synchronize_unregister();
	KUNIT_EXPECT_EQ_MSG(test, tr.stops, 1, "sched_kthread_stop fired %d times", tr.stops);
	KUNIT_EXPECT_EQ(test, tr.ret, 3);
#else
	kunit_skip(test, "needs CONFIG_TRACEPOINTS: make debug");
#endif
}

/*
 * kthread_stop() and destroy at once, from two CPUs: one of them reaps
 * the thread, the other waits for it or is refused, and neither hangs or
 * touches freed memory (KASAN in the debug run).
 */
static void kthread_core_test_kthread_stop_races_destroy(struct kunit *test)
{
	unsigned int cpu = cpumask_first(cpu_online_mask);
	unsigned int other = ktc_other_cpu(cpu);
	int i, waited = 0;

	for (i = 0; i < 16; i++) {
		struct ktc_probe *p = ktc_probe_new(test);
		struct task_struct *k;
		struct ktc_helper *s, *d;

		p->core_ret = i;
		k = ktc_run(test, p);
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
		s = ktc_helper_new(test, ktc_kthread_stop_helper, k, p);
		d = ktc_helper_new(test, ktc_destroy_helper, k, p);
		kthread_bind(s->task, i % 2 ? cpu : other);
		kthread_bind(d->task, i % 2 ? other : cpu);
		wake_up_process(s->task);
		wake_up_process(d->task);
		KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(s, KTC_TIMEOUT),
				      "kthread_stop() racing a destroy hangs");
		KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(d, KTC_TIMEOUT),
				      "destroy racing kthread_stop() hangs");
		/*
		 * Whoever reaped returns corefn's value; kthread_stop() waits
		 * for a destroy under way, or finds the thread reaped.
		 */
		KUNIT_EXPECT_EQ(test, s->ret, i);
		/* -EINVAL only once kthread_stop()'s exit reaped the thread. */
		KUNIT_EXPECT_TRUE_MSG(test, d->ret == i || (d->ret == -EINVAL && d->exiting),
				      "destroy: %ld, the thread %s", d->ret,
				      d->exiting ? "exiting" : "still running");
		waited += d->ret == i;
	}
	kunit_info(test, "destroy reaped %d of 16, kthread_stop() the others\n", waited);
	ktc_expect_no_leaks(test);
}

/*
 * kthread_park() parks the thread between corefn calls, before start
 * too, and kthread_unpark() lets it go on; a parked thread is destroyed.
 */
static void kthread_core_test_park(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k = ktc_create(test, p);
	int calls;

	/* Before start: it parks without running initfn. */
	KUNIT_ASSERT_EQ(test, ktc_park_within(test, k, p), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->__state), TASK_PARKED);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	kthread_unpark(k);
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));

	/*
	 * Started: it parks once corefn returns, and corefn waits for the
	 * unpark.  ktc_wait_calls() waits for at least one call, and a
	 * fresh clone's run once saw one more before the park (cause not
	 * found yet): count the calls once the thread is parked.  No
	 * wakeup but the unpark's ends TASK_PARKED, so none is tried here.
	 */
	KUNIT_ASSERT_EQ(test, ktc_park_within(test, k, p), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->__state), TASK_PARKED);
	calls = atomic_read(&p->core_calls);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_stays(k, TASK_PARKED, &p->core_calls, calls),
			      "corefn ran while the thread was parked");
	kthread_unpark(k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, calls + 1));

	/* Parked, then destroyed: kthread_stop()'s unpark ends the park. */
	KUNIT_ASSERT_EQ(test, ktc_park_within(test, k, p), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy_within(test, k, p, KTC_TIMEOUT), 0);
	ktc_expect_released(test, k);
}

/*
 * A park before the start parks the thread in kthread(), as it parks a new
 * thread of kthread_create(): the start waits until the park ends, and a
 * destroy ends it without running either function.
 */
static void kthread_core_test_destroy_ends_park_at_start(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k = ktc_create(test, p);
	struct ktc_helper *pk, *s;

	pk = ktc_helper_run(test, ktc_park_helper, k, p);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_helper_done(pk, KTC_TIMEOUT),
			      "the thread did not park before its start");
	KUNIT_EXPECT_EQ(test, pk->ret, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->__state), TASK_PARKED);

	s = ktc_helper_run(test, ktc_window_start, k, p);
	KUNIT_ASSERT_TRUE_MSG(test, ktc_poll(ktc_helper_blocked(s)),
			      "the start did not wait for the parked thread");
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->__state), TASK_PARKED);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);

	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(s, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ_MSG(test, s->ret, -EINTR,
			    "the start returned %pe: initfn ran after the destroy began",
			    ERR_PTR(s->ret));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);

	/* A kthread_stop() that comes first ends the start with -EINTR too. */
	k = ktc_create(test, p);
	pk = ktc_helper_run(test, ktc_park_helper, k, p);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(pk, KTC_TIMEOUT));
	s = ktc_helper_run(test, ktc_window_start, k, p);
	KUNIT_ASSERT_TRUE(test, ktc_poll(ktc_helper_blocked(s)));
	KUNIT_EXPECT_EQ(test, ktc_kthread_stop(test, k, p), -EINTR);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(s, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, s->ret, -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	ktc_expect_released(test, k);
	ktc_expect_no_leaks(test);
}

/* kthread_core_owns() knows its threads, from create to destroy, and no other. */
static void kthread_core_test_owns(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k = ktc_create(test, p);

	KUNIT_EXPECT_TRUE(test, kthread_core_owns(k));
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_TRUE(test, kthread_core_owns(k));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_FALSE_MSG(test, kthread_core_owns(k),
			       "still owned once its destroy returned");
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(current));
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(NULL));
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(ERR_PTR(-ENOMEM)));
}

#ifdef CONFIG_FREEZER
/*
 * Make every freezable kthread freezing, as freeze_kernel_threads() does,
 * or undo that and thaw every kthread that froze.  This is system-wide:
 * meanwhile any freezable kthread may freeze, so the suite must not run
 * beside a real suspend or hibernation.
 */
static void ktc_freezing(bool on)
{
	struct task_struct *g, *t;

	if (on) {
		static_branch_inc(&freezer_active);
		WRITE_ONCE(pm_nosig_freezing, true);
		return;
	}
	WRITE_ONCE(pm_nosig_freezing, false);
	rcu_read_lock();
	for_each_process_thread(g, t)
		if (t->flags & PF_KTHREAD)
			__thaw_task(t);
	rcu_read_unlock();
	static_branch_dec(&freezer_active);
}

static bool ktc_frozen(struct task_struct *k)
{
	return READ_ONCE(k->__state) & TASK_FROZEN;
}
#endif

/*
 * A thread whose initfn calls set_freezable() freezes, and carries on when
 * thawed: in corefn's sleep with no corefn call if corefn sleeps with
 * TASK_FREEZABLE, after the freezer's wakeup if not, and in the wait after
 * corefn failed.  Without set_freezable() it never freezes.  Freezing and
 * thawing act as the system freezer's do on kthreads (freeze_task(),
 * __thaw_task()).
 */
static void kthread_core_test_freezable(struct kunit *test)
{
#ifdef CONFIG_FREEZER
	struct ktc_probe *p[4];
	struct task_struct *k[4];
	bool froze[4];
	int i, calls[4];

	for (i = 0; i < 4; i++) {
		p[i] = ktc_probe_new(test);
		p[i]->freezable = i < 3;
	}
	p[0]->core_freezable = true;
	p[2]->fail_at = 1;
	p[2]->fail_ret = -EIO;
	for (i = 0; i < 4; i++) {
		k[i] = ktc_run(test, p[i]);
		KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p[i], 1));
		ktc_expect_sleeping(test, k[i]);
	}
	KUNIT_EXPECT_FALSE(test, k[0]->flags & PF_NOFREEZE);
	KUNIT_EXPECT_TRUE(test, k[3]->flags & PF_NOFREEZE);

	ktc_freezing(true);
	for (i = 0; i < 4; i++)
		freeze_task(k[i]);
	for (i = 0; i < 3; i++)
		froze[i] = ktc_poll(ktc_frozen(k[i]));
	froze[3] = ktc_frozen(k[3]);
	for (i = 0; i < 4; i++)
		calls[i] = atomic_read(&p[i]->core_calls);
	ktc_freezing(false);

	KUNIT_EXPECT_TRUE_MSG(test, froze[0], "asleep with TASK_FREEZABLE, not frozen");
	KUNIT_EXPECT_TRUE_MSG(test, froze[1],
			      "asleep without TASK_FREEZABLE, not frozen once woken");
	KUNIT_EXPECT_TRUE_MSG(test, froze[2], "not frozen in the wait after corefn failed");
	KUNIT_EXPECT_FALSE_MSG(test, froze[3], "frozen without set_freezable()");
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ_MSG(test, calls[i], 1, "thread %d: corefn ran while freezing", i);
		KUNIT_EXPECT_TRUE(test, ktc_poll(!ktc_frozen(k[i])));
	}
	/* Woken by the freezer, the second thread calls corefn once thawed. */
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p[1], 2));
	KUNIT_EXPECT_TRUE(test, ktc_stays(k[0], KTC_ASLEEP, &p[0]->core_calls, 1));
	wake_up_process(k[0]);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p[0], 2));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k[0]), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k[1]), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k[2]), -EIO);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k[3]), 0);
#else
	kunit_skip(test, "needs CONFIG_FREEZER");
#endif
}

static void kthread_core_test_bad_handles(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k, *up;
	int ret;

	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(NULL), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(ERR_PTR(-ENOMEM)),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(ERR_PTR(-EIO)), -EINVAL);

	/* Tasks not made by kthread_core_create(). */
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(current), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(current), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(&init_task), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(&init_task), -EINVAL);
	up = kthread_run(ktc_upstream_fn, NULL, "ktch-upstream");
	KUNIT_ASSERT_FALSE(test, IS_ERR(up));
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(up), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(up), -EINVAL);
	ret = kthread_stop(up);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINTR, "kthread_stop: %d", ret);

	/* A second start, and a second destroy. */
	k = ktc_run(test, p);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(k), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 1);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(k), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(k), ERR_PTR(-EINVAL));
	ktc_expect_no_leaks(test);
}

/* A thread that destroys or stops itself gets -EDEADLK and carries on. */
static void kthread_core_test_self_destroy(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	struct ktc_helper *h;

	p->self_destroy = true;
	k = ktc_create(test, p);
	/* A self-destroy that deadlocked would hang start: bound it. */
	h = ktc_helper_run(test, ktc_start_helper, k, p);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, h->ret, 0);
	KUNIT_EXPECT_EQ(test, p->init_destroy_ret, -EDEADLK);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, p->core_destroy_ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
}

struct ktc_fault {
	const char *name;
	enum ktc_path path;
	bool fork;	/* fail the fork rather than the allocation */
	int err;
};

static const struct ktc_fault ktc_faults[] = {
	{ "alloc", KTC_KEVENTD, false, -ENOMEM },
	{ "fork-kthreadd", KTC_KEVENTD, true, -EAGAIN },
	{ "fork-direct", KTC_DIRECT, true, -EAGAIN },
};

static void ktc_fault_desc(const struct ktc_fault *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ktc_fault, ktc_faults, ktc_fault_desc);

/*
 * A failed allocation or fork returns ERR_PTR and leaks nothing.  The
 * allocation comes before the path is chosen, so it is tested once; the
 * fork fails on each path.
 */
static void kthread_core_test_create_failure(struct kunit *test)
{
	const struct ktc_fault *f = test->param_value;
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	if (f->fork)
		kunit_activate_static_stub(test, kthread_core_fork_fault, ktc_fork_fails);
	else
		kunit_activate_static_stub(test, kthread_core_alloc, ktc_alloc_fails);
	k = ktc_create_on(test, f->path, p, "fail");
	KUNIT_EXPECT_PTR_EQ(test, k, ERR_PTR(f->err));
	if (f->fork)
		kunit_deactivate_static_stub(test, kthread_core_fork_fault);
	else
		kunit_deactivate_static_stub(test, kthread_core_alloc);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	ktc_expect_no_leaks(test);

	/* The seams are back to normal. */
	k = ktc_create_on(test, f->path, p, "ok");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	ktc_expect_no_leaks(test);
}

#define KTC_STRESS_CALLERS	4
#define KTC_STRESS_ROUNDS	2560
/*
 * A slower machine (TCG, sanitizers, SMP between host threads) does fewer
 * rounds; the log says how many.  The case stays under the debug configs'
 * 10 s hung-task timeout, as KUnit's runner waits for it uninterruptibly.
 */
#define KTC_STRESS_BUDGET_MS	4000

/*
 * Full lifecycles with a wake storm and a destroy racing the corefn calls
 * it set off; every eighth round also a destroy before start and an initfn
 * failure.  Counts what went wrong.
 */
static int ktc_stress_helper(struct ktc_helper *h)
{
	struct ktc_probe *p = h->p;
	struct task_struct *k;
	int i, j, ret, last = 0, bad = 0;

	for (i = 0; i < KTC_STRESS_ROUNDS && ktime_before(ktime_get(), h->deadline);
	     i++) {
		/* No callback ran after the last destroy returned. */
		if (atomic_read(&p->core_calls) != last)
			bad++;
		/* At most one call begun after the stop request, in the race. */
		if (atomic_read(&p->stopped_calls) > 1)
			bad++;
		atomic_set(&p->core_calls, 0);
		atomic_set(&p->stopped_calls, 0);
		p->core_ret = i & 7;
		p->poll_until = i % 3;
		p->fail_at = i % 5 ? 0 : 2;
		p->fail_ret = -EIO;

		k = kthread_core_run(ktc_initfn, ktc_corefn, p, "ktc-s%d", i);
		if (IS_ERR(k)) {
			bad++;
			continue;
		}
		for (j = 0; j < 8; j++)
			wake_up_process(k);
		ret = kthread_core_destroy(k);
		last = atomic_read(&p->core_calls);
		/* corefn may not have run yet when destroy stopped it. */
		if (ret != (!last ? 0 : p->fail_at && last >= p->fail_at ?
			    p->fail_ret : p->core_ret))
			bad++;

		if (i % 8)
			continue;
		k = kthread_core_create(ktc_initfn, ktc_corefn, p, "ktc-s");
		if (IS_ERR(k) || kthread_core_destroy(k) != -EINTR)
			bad++;
		p->init_ret = -EIO;
		k = kthread_core_run(ktc_initfn, ktc_corefn, p, "ktc-s");
		if (k != ERR_PTR(-EIO))
			bad++;
		p->init_ret = 0;
	}
	h->rounds = i;
	return bad;
}

#define KTC_PS_MAX	16

struct ktc_ps_line {
	pid_t pid, ppid;
	char state;
	char comm[TASK_COMM_LEN];
	bool zombie;
};

/*
 * ps(1) for the log: kdevtmpfs and each task named as the suite names its
 * threads, with its parent and state.  Returns how many are zombies.
 */
static int ktc_ps(struct kunit *test)
{
	struct ktc_ps_line *l = kunit_kcalloc(test, KTC_PS_MAX, sizeof(*l), GFP_KERNEL);
	struct task_struct *t;
	int i, n = 0, zombies = 0;

	KUNIT_ASSERT_NOT_NULL(test, l);
	rcu_read_lock();
	for_each_process(t) {
		if (strcmp(t->comm, "kdevtmpfs") && strncmp(t->comm, "ktc-", 4))
			continue;
		if (n == KTC_PS_MAX)
			break;
		l[n].pid = task_pid_nr(t);
		l[n].ppid = task_tgid_nr(rcu_dereference(t->real_parent));
		l[n].state = task_state_to_char(t);
		l[n].zombie = READ_ONCE(t->exit_state);
		strscpy(l[n].comm, t->comm);
		n++;
	}
	rcu_read_unlock();
	kunit_info(test, "ps:   PID  PPID S COMM\n");
	for (i = 0; i < n; i++) {
		kunit_info(test, "ps: %5d %5d %c %s\n", l[i].pid, l[i].ppid,
			   l[i].state, l[i].comm);
		zombies += l[i].zombie;
	}
	return zombies;
}

/*
 * Many lifecycles from concurrent callers, each bound to a CPU of its own
 * where there are enough; run in the debug and SMP configs.  At the end,
 * no thread is left, reaped or not, and the log has a ps of kdevtmpfs and
 * a new thread: kthreadd's children, and no zombie among them.
 */
static void kthread_core_test_stress(struct kunit *test)
{
	struct ktc_helper *h[KTC_STRESS_CALLERS];
	unsigned int ncpus = num_online_cpus();
	ktime_t start = ktime_get();
	ktime_t deadline = ktime_add_ms(start, KTC_STRESS_BUDGET_MS);
	struct task_struct *k;
	int i, rounds = 0;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = ktc_helper_new(test, ktc_stress_helper, NULL,
				      ktc_probe_new(test));
		h[i]->deadline = deadline;
		kthread_bind(h[i]->task, cpumask_nth(i % ncpus, cpu_online_mask));
	}
	for (i = 0; i < ARRAY_SIZE(h); i++)
		wake_up_process(h[i]->task);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h[i],
							msecs_to_jiffies(KTC_STRESS_BUDGET_MS) +
							10 * KTC_TIMEOUT));
		KUNIT_EXPECT_EQ(test, h[i]->ret, 0);
		rounds += h[i]->rounds;
	}
	kunit_info(test, "stress: %d full lifecycles by %d callers on %u CPUs in %lld ms\n",
		   rounds, KTC_STRESS_CALLERS, ncpus,
		   ktime_ms_delta(ktime_get(), start));
	ktc_expect_no_leaks(test);

	/* What ps shows now: one thread of ours, kthreadd's child, no zombie. */
	k = ktc_create_on(test, KTC_KEVENTD, ktc_probe_new(test), "ps");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_EXPECT_EQ_MSG(test, ktc_ps(test), 0, "zombies after the stress (ps above)");
	KUNIT_EXPECT_EQ(test, ktc_ppid(k), KTC_KTHREADD_PID);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), -EINTR);
	ktc_expect_released(test, k);
}

/* A retired task is held by more than the suite's reference. */
static bool ktc_retired_held(void)
{
	struct ktc_retired *r;

	list_for_each_entry(r, &ktc_retired, node)
		if (refcount_read(&r->k->usage) != 1)
			return true;
	return false;
}

/*
 * Run last: every thread that the cases before it made and tracked is
 * gone, and held by nothing but the suite.  Each task drops its own
 * reference after a grace period: one rcu_barrier() waits for them all,
 * lazy callbacks too.
 */
static void kthread_core_test_tasks_released(struct kunit *test)
{
	struct ktc_retired *r, *tmp;
	int n = 0;

	if (list_empty(&ktc_retired))
		kunit_skip(test, "no thread to check: the cases that make them did not run");
	list_for_each_entry(r, &ktc_retired, node)
		KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(!pid_alive(r->k)),
				      "a thread of %s (pid %d) is alive",
				      r->test, task_pid_nr(r->k));
	/* The tasks' own references go after a grace period. */
	rcu_barrier();
	KUNIT_EXPECT_TRUE(test, ktc_poll(!ktc_retired_held()));
	list_for_each_entry_safe(r, tmp, &ktc_retired, node) {
		KUNIT_EXPECT_EQ_MSG(test, refcount_read(&r->k->usage), 1,
				    "a thread of %s (pid %d) is still held",
				    r->test, task_pid_nr(r->k));
		ktc_unretire(r);
		n++;
	}
	kunit_info(test, "%d threads checked\n", n);
}

/* A filtered run may leave out the last case: drop what it would check. */
static void ktc_suite_exit(struct kunit_suite *suite)
{
	struct ktc_retired *r, *tmp;

	list_for_each_entry_safe(r, tmp, &ktc_retired, node)
		ktc_unretire(r);
}

static struct kunit_case kthread_core_test_cases[] = {
	KUNIT_CASE(kthread_core_test_keventd_up),
	KUNIT_CASE_PARAM(kthread_core_test_parent_is_kthreadd, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_no_zombie_after_forker_exits),
	KUNIT_CASE(kthread_core_test_not_kthreadd_child),
	KUNIT_CASE(kthread_core_test_kthreadd_shares_nothing),
	KUNIT_CASE(kthread_core_test_direct_shares_fs_and_files),
	KUNIT_CASE(kthread_core_test_sched_reset),
	KUNIT_CASE_PARAM(kthread_core_test_no_alloc_scope, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_cgroup_pinned_until_start),
	KUNIT_CASE_PARAM(kthread_core_test_affinity, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_attrs_before_start, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_bind_before_start, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_affine_preferred, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_housekeeping_update),
	KUNIT_CASE_PARAM(kthread_core_test_start_runs_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_initfn_failure, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_null_callbacks, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_start_without_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_corefn_error_retained, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_positive_result, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_corefn_exits, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_destroy_before_start, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_corefn_polls, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_wake_runs_corefn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_destroy_waits_for_corefn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_destroy_interrupts_sleep, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_wake_not_lost, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_cross_cpu, ktc_path_gen_params),
	KUNIT_CASE_SLOW(kthread_core_test_corefn_plain_state),
	KUNIT_CASE(kthread_core_test_wait_window),
	KUNIT_CASE_PARAM(kthread_core_test_idle_sleeps, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_names_and_data, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_signals),
	KUNIT_CASE_PARAM(kthread_core_test_failed_sleeps_with_signal, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_from_work_item),
	KUNIT_CASE_SLOW(kthread_core_test_from_saturated_system_wq),
	KUNIT_CASE(kthread_core_test_create_killable),
	KUNIT_CASE(kthread_core_test_concurrent_callers),
	KUNIT_CASE_PARAM(kthread_core_test_many_alive, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_slow_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_start_races_destroy, ktc_path_gen_params),
	KUNIT_CASE_PARAM_ATTR(kthread_core_test_start_under_wakeups, ktc_path_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM(kthread_core_test_restart_refused, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_park_during_failing_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_should_stop, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_kthread_stop, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_kthread_stop_races_destroy),
	KUNIT_CASE(kthread_core_test_destroy_waits_for_every_stopper),
	KUNIT_CASE(kthread_core_test_initfn_dies),
	KUNIT_CASE(kthread_core_test_bind_at_once),
	KUNIT_CASE(kthread_core_test_destroy_traced),
	KUNIT_CASE_PARAM(kthread_core_test_park, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_destroy_ends_park_at_start),
	KUNIT_CASE(kthread_core_test_owns),
	KUNIT_CASE(kthread_core_test_freezable),
	KUNIT_CASE(kthread_core_test_bad_handles),
	KUNIT_CASE_PARAM(kthread_core_test_self_destroy, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_create_failure, ktc_fault_gen_params),
	KUNIT_CASE_SLOW(kthread_core_test_stress),
	KUNIT_CASE(kthread_core_test_tasks_released),
	{}
};

static struct kunit_suite kthread_core_test_suite = {
	.name = "kthread_core",
	.init = ktc_init,
	.suite_exit = ktc_suite_exit,
	.test_cases = kthread_core_test_cases,
};

kunit_test_suite(kthread_core_test_suite);

MODULE_DESCRIPTION("KUnit tests for the kthread_core thread primitives");
MODULE_LICENSE("GPL");
