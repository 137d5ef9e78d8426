// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the kthread_core primitives in kernel/kthread_core.c.
 *
 * Every case that does not depend on how a thread is forked runs twice:
 * through keventd, and with keventd_up() stubbed false so that the test
 * thread forks it directly, as in early boot.  Every wait is bounded; a
 * thread that does not do what is expected in time fails the case.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fs_struct.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/isolation.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kthread_core.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* How long any wait may take before the case fails. */
#define KTC_TIMEOUT	(2 * HZ)
/* A window in which nothing must happen. */
#define KTC_QUIET_MS	20

/* Evaluate @cond every jiffy until it holds; false if it never did. */
#define ktc_poll(cond)							\
({									\
	unsigned long __end = jiffies + KTC_TIMEOUT;			\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		schedule_timeout_uninterruptible(1);			\
	__ok;								\
})

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
	int poll_until;		/* return in TASK_RUNNING before this call */
	bool block_init;	/* initfn waits for @release */
	bool block_core;	/* the first corefn call waits for @release */
	bool self_wake;		/* the first corefn call wakes itself when armed */
	bool self_destroy;	/* callbacks try to destroy their own thread */
	bool wait_stop;		/* the first corefn call waits for kthread_should_stop() */

	atomic_t init_calls;
	atomic_t core_calls;
	atomic_t pending;	/* work posted for corefn */
	struct task_struct *init_current;
	int init_destroy_ret;	/* what self-destroy gave initfn */
	int core_destroy_ret;	/* and corefn */
	bool core_finished;	/* the blocking corefn call returned */
	int cpu;		/* where corefn last ran */
	bool init_should_stop;	/* kthread_should_stop() in initfn */
	bool core_should_stop;	/* in corefn, before its wait_stop wait */
	struct completion entered;
	struct completion release;
	wait_queue_head_t wq;	/* woken after every callback */
};

struct ktc_helper;

struct ktc_ctx {
	int nr_live;		/* kthread_core_nr_live() at the start */
	u64 start;		/* ktime_get_ns() at the start */
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
	if (p->block_init) {
		complete(&p->entered);
		wait_for_completion_timeout(&p->release, KTC_TIMEOUT);
	}
	if (p->self_destroy)
		p->init_destroy_ret = kthread_core_destroy(current);
	atomic_inc(&p->init_calls);
	wake_up(&p->wq);
	return p->init_ret;
}

static int ktc_corefn(void *data)
{
	struct ktc_probe *p = data;
	int n = atomic_read(&p->core_calls) + 1;

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
	if (p->self_destroy)
		p->core_destroy_ret = kthread_core_destroy(current);
	WRITE_ONCE(p->cpu, raw_smp_processor_id());
	atomic_set(&p->core_calls, n);
	wake_up(&p->wq);

	if (n == p->fail_at)
		return p->fail_ret;
	if (n < p->poll_until)
		return p->core_ret;

	/* Sleep until woken, unless work came in: the documented pattern. */
	set_current_state(TASK_INTERRUPTIBLE);
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

static pid_t ktc_fork_fails(struct kthread_core *kc)
{
	return -EAGAIN;
}

/*
 * Tasks forked since @since, other than workqueue workers, which come and
 * go on their own.  Counting only the tasks born during the case keeps the
 * count exact while the previous case's threads are still exiting.
 */
static int ktc_nr_tasks(u64 since)
{
	struct task_struct *g, *t;
	int n = 0;

	rcu_read_lock();
	for_each_process_thread(g, t)
		if (!(t->flags & PF_WQ_WORKER) && t->start_time > since)
			n++;
	rcu_read_unlock();
	return n;
}

static struct ktc_probe *ktc_probe_new(struct kunit *test)
{
	struct ktc_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
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

/* kthread_core_start() of a live thread, watched. */
static struct task_struct *ktc_start(struct kunit *test, struct task_struct *k)
{
	struct task_struct *ret;
	struct ktc_watch w;

	ktc_watch_begin(&w, k);
	ret = kthread_core_start(k);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_watch_end(&w),
			      "start only returned once the watchdog woke the thread: a lost wakeup");
	return ret;
}

/* kthread_core_destroy() of a live thread, watched. */
static int ktc_destroy(struct kunit *test, struct task_struct *k)
{
	struct ktc_watch w;
	int ret;

	ktc_watch_begin(&w, k);
	ret = kthread_core_destroy(k);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_watch_end(&w),
			      "destroy only returned once the watchdog woke the thread: a lost wakeup");
	return ret;
}

static struct task_struct *ktc_create_on(struct kunit *test,
					 enum ktc_path path,
					 struct ktc_probe *p, const char *name)
{
	struct task_struct *k;

	ktc_path_begin(test, path);
	k = kthread_core_create(ktc_initfn, ktc_corefn, p, "%s", name);
	ktc_path_end(test, path);
	return k;
}

/* Destroy @k if the case did not (that then fails harmlessly), drop it. */
static void ktc_release(void *data)
{
	struct task_struct *k = data;

	kthread_core_destroy(k);
	put_task_struct(k);
}

/*
 * Create a thread on the case's path.  The case keeps a reference to the
 * task, so that the pointer stays valid and it can watch the task exit.
 */
static struct task_struct *ktc_create(struct kunit *test, struct ktc_probe *p)
{
	struct task_struct *k = ktc_create_on(test, ktc_path(test), p, "ktc");

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(k), "create: %pe", k);
	get_task_struct(k);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ktc_release, k));
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

/* Nothing changes @v for a while. */
static bool ktc_stays(atomic_t *v, int n)
{
	msleep(KTC_QUIET_MS);
	return atomic_read(v) == n;
}

static bool ktc_sleeping(struct task_struct *k)
{
	return READ_ONCE(k->__state) == TASK_INTERRUPTIBLE;
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

/* @k sleeps and uses no CPU time, even across a quiet window. */
static void ktc_expect_idle(struct kunit *test, struct task_struct *k)
{
	u64 before;

	ktc_expect_sleeping(test, k);
	/* Let it finish switching out. */
	KUNIT_EXPECT_TRUE(test, ktc_poll(({
		before = ktc_runtime(k);
		schedule_timeout_uninterruptible(1);
		ktc_runtime(k) == before; })));
	msleep(KTC_QUIET_MS);
	KUNIT_EXPECT_EQ_MSG(test, ktc_runtime(k), before,
			    "an idle thread used CPU time");
	KUNIT_EXPECT_TRUE(test, ktc_sleeping(k));
}

/* @k exited, was reaped (no zombie), and nothing holds it but the case. */
static void ktc_expect_released(struct kunit *test, struct task_struct *k)
{
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(READ_ONCE(k->exit_state) == EXIT_DEAD),
			      "exit_state %#x", READ_ONCE(k->exit_state));
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(({
		rcu_barrier();
		refcount_read(&k->usage) == 1; })),
		"task usage %u, expected only the test's reference",
		refcount_read(&k->usage));
}

static void ktc_expect_no_leaks(struct kunit *test)
{
	struct ktc_ctx *ctx = test->priv;

	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(kthread_core_nr_live() == ctx->nr_live),
			      "%d kthread_core threads alive, %d before",
			      kthread_core_nr_live(), ctx->nr_live);
	KUNIT_EXPECT_TRUE_MSG(test, ktc_poll(ktc_nr_tasks(ctx->start) == 0),
			      "%d tasks forked by the case are still there",
			      ktc_nr_tasks(ctx->start));
}

/* Run a function in an upstream kthread, to call into the API concurrently. */
struct ktc_helper {
	int (*fn)(struct ktc_helper *h);
	struct task_struct *task;	/* valid until woken */
	struct task_struct *k;
	struct ktc_probe *p;
	long ret;
	bool seen;
	int rounds;		/* stress lifecycles done */
	ktime_t deadline;	/* stress: no new round after this */
	struct completion done;
};

static int ktc_helper_thread(void *data)
{
	struct ktc_helper *h = data;

	h->ret = h->fn(h);
	complete(&h->done);
	return 0;
}

/* A helper thread, created but not woken yet. */
static struct ktc_helper *ktc_helper_new(struct kunit *test,
					 int (*fn)(struct ktc_helper *h),
					 struct task_struct *k,
					 struct ktc_probe *p)
{
	struct ktc_helper *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->fn = fn;
	h->k = k;
	h->p = p;
	init_completion(&h->done);
	h->task = kthread_create(ktc_helper_thread, h, "ktc-helper");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
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

static bool ktc_helper_done(struct ktc_helper *h, unsigned long timeout)
{
	return wait_for_completion_timeout(&h->done, timeout);
}

static int ktc_init(struct kunit *test)
{
	struct ktc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->nr_live = kthread_core_nr_live();
	ctx->start = ktime_get_ns();
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

/* Pre-keventd creation: the caller forks the thread itself. */
static void kthread_core_test_create_direct(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	k = ktc_create_on(test, KTC_DIRECT, p, "ktc-direct");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, rcu_dereference(k->real_parent), current);
	rcu_read_unlock();

	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_no_leaks(test);
}

/* keventd forks the thread, so it shares nothing with the caller. */
static void kthread_core_test_create_keventd(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k, *parent;
	bool shares_fs;

	KUNIT_ASSERT_EQ(test, unshare_fs_struct(), 0);
	k = ktc_run(test, p);

	rcu_read_lock();
	parent = rcu_dereference(k->real_parent);
	KUNIT_EXPECT_PTR_NE(test, parent, current);
	KUNIT_EXPECT_TRUE_MSG(test, parent->flags & PF_WQ_WORKER,
			      "parent %s is not a workqueue worker", parent->comm);
	rcu_read_unlock();

	task_lock(k);
	shares_fs = k->fs == current->fs;
	task_unlock(k);
	KUNIT_EXPECT_FALSE(test, shares_fs);

	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
}

/* Whatever the caller's policy and nice, the thread is an ordinary kthread. */
static void kthread_core_test_sched_reset(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *fifo, *nice;

	sched_set_fifo_low(current);
	fifo = ktc_run(test, p);
	sched_set_normal(current, 10);
	nice = ktc_run(test, p);
	sched_set_normal(current, 0);

	KUNIT_EXPECT_EQ(test, fifo->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(fifo), 0);
	KUNIT_EXPECT_EQ(test, nice->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(nice), 0);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(fifo->cpus_ptr,
					      housekeeping_cpumask(HK_TYPE_KTHREAD)));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, fifo), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, nice), 0);
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
 * The thread does not keep its forker's CPU affinity.  A keventd worker is
 * bound to its CPU, and so, here, is the direct path's caller: the thread
 * runs on the housekeeping CPUs, and is seen running on another CPU while
 * its forker's is busy.  On one CPU, only the mask can be checked.
 */
static void kthread_core_test_affinity(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(hogging);
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k, *parent, *hog;
	unsigned int cpu = raw_smp_processor_id();
	unsigned int ran_on;
	bool bound;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	k = ktc_run(test, p);
	rcu_read_lock();
	parent = rcu_dereference(k->real_parent);
	bound = cpumask_equal(parent->cpus_ptr, cpumask_of(cpu));
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE_MSG(test, bound, "the forker is not bound to CPU %u", cpu);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
						   cpumask_of(ktc_other_cpu(cpu))), 0);
	KUNIT_EXPECT_TRUE_MSG(test, cpumask_equal(k->cpus_ptr,
						  housekeeping_cpumask(HK_TYPE_KTHREAD)),
			      "the thread runs on CPUs %*pbl, its forker on %u",
			      cpumask_pr_args(k->cpus_ptr), cpu);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));

	if (num_online_cpus() > 1) {
		hog = kthread_create(ktc_hog_fn, &hogging, "ktc-hog");
		KUNIT_ASSERT_FALSE(test, IS_ERR(hog));
		get_task_struct(hog);
		kthread_bind(hog, cpu);
		wake_up_process(hog);
		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&hogging,
								    KTC_TIMEOUT));
		wake_up_process(k);
		KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 2));
		kthread_stop(hog);
		put_task_struct(hog);
		ran_on = READ_ONCE(p->cpu);
		KUNIT_EXPECT_NE_MSG(test, ran_on, cpu,
				    "corefn ran on its forker's busy CPU");
	} else {
		kunit_info(test, "one CPU: the thread cannot run elsewhere\n");
	}
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	set_cpus_allowed_ptr(current, housekeeping_cpumask(HK_TYPE_KTHREAD));
}

/* initfn runs only when started, in the thread; corefn right after it. */
static void kthread_core_test_start_runs_initfn(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->init_ret = 1;
	k = ktc_create(test, p);
	ktc_expect_sleeping(test, k);
	KUNIT_EXPECT_TRUE(test, ktc_stays(&p->init_calls, 0));

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
	ktc_expect_released(test, k);
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(k), -EINVAL);

	k = ktc_create_on(test, ktc_path(test), p, "ktc-run");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), ERR_PTR(-ENOSPC));
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

	for (i = 0; i < 3; i++)
		wake_up_process(k);
	ktc_expect_idle(test, k);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_no_leaks(test);
}

/*
 * Without an initfn, start returns at once, and corefn runs unless a
 * destroy comes first; destroy then reports whether it ran.
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
	KUNIT_EXPECT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(k), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 1));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 6);

	for (i = 0; i < 16; i++) {
		atomic_set(&p->core_calls, 0);
		k = kthread_core_run(NULL, ktc_corefn, p, "ktc-noinit");
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
		ret = ktc_destroy(test, k);
		calls = atomic_read(&p->core_calls);
		KUNIT_EXPECT_LE(test, calls, 1);
		KUNIT_EXPECT_EQ(test, ret, calls ? 6 : 0);
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
	for (i = 0; i < 5; i++)
		wake_up_process(k);
	KUNIT_EXPECT_TRUE(test, ktc_stays(&p->core_calls, 3));
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

static void kthread_core_test_destroy_before_start(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	p->core_ret = 5;
	k = ktc_create(test, p);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 0);
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
	KUNIT_EXPECT_TRUE(test, ktc_stays(&p->core_calls, 50));
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

static int ktc_start_helper(struct ktc_helper *h)
{
	return PTR_ERR_OR_ZERO(kthread_core_start(h->k));
}

static int ktc_destroy_helper(struct ktc_helper *h)
{
	int ret = kthread_core_destroy(h->k);

	h->seen = READ_ONCE(h->p->core_finished);
	return ret;
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
	KUNIT_EXPECT_FALSE(test, ktc_helper_done(h, msecs_to_jiffies(KTC_QUIET_MS)));
	complete(&p->release);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, h->seen);
	KUNIT_EXPECT_EQ(test, h->ret, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->core_calls), 1);
	ktc_expect_released(test, k);
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
	int calls;

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
	KUNIT_EXPECT_FALSE(test, ktc_helper_done(h, msecs_to_jiffies(KTC_QUIET_MS)));
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
	calls = atomic_read(&r->core_calls);
	KUNIT_EXPECT_TRUE(test, ktc_stays(&r->core_calls, calls));
	ktc_expect_released(test, k);
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
	init_completion(&ctx->in_window);
	ctx->window = s;

	kunit_activate_static_stub(test, kthread_core_wait_window, ktc_wait_window);
	k = ktc_create_on(test, KTC_DIRECT, p, "ktc-window");
	if (IS_ERR(k)) {
		KUNIT_FAIL(test, "create: %pe", k);
		k = NULL;
	}
	s->k = k;
	d->k = k;
	get_task_struct(s->task);
	get_task_struct(d->task);

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
	put_task_struct(s->task);
	put_task_struct(d->task);

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
	ktc_expect_idle(test, idle);
	ktc_expect_idle(test, failed);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, idle), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, failed), -EIO);
}

static void kthread_core_test_names(struct kunit *test)
{
	struct task_struct *k, *l;
	char comm[TASK_COMM_LEN];

	ktc_path_begin(test, ktc_path(test));
	k = kthread_core_create(NULL, NULL, NULL, "ktc-%d-%s", 42, "ab");
	l = kthread_core_create(NULL, NULL, NULL, "%s_%d",
				"kthread_core_long_name", 123456);
	ktc_path_end(test, ktc_path(test));
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_ASSERT_FALSE(test, IS_ERR(l));

	KUNIT_EXPECT_STREQ(test, get_task_comm(comm, k), "ktc-42-ab");
	KUNIT_EXPECT_STREQ(test, get_task_comm(comm, l), "kthread_core_lo");
	KUNIT_EXPECT_EQ(test, strlen(comm), (size_t)TASK_COMM_LEN - 1);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, l), 0);
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

/* Signals change nothing, before start or after. */
static void kthread_core_test_signals(struct kunit *test)
{
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;
	int i;

	/*
	 * Let the caller take signals, as an early-boot caller does: the
	 * direct path's thread must not inherit that.
	 */
	for (i = 0; i < ARRAY_SIZE(ktc_signals); i++)
		allow_signal(ktc_signals[i]);
	k = ktc_create(test, p);
	for (i = 0; i < ARRAY_SIZE(ktc_signals); i++)
		disallow_signal(ktc_signals[i]);
	ktc_send_signals(k);
	KUNIT_EXPECT_FALSE(test, signal_pending(k));
	KUNIT_ASSERT_PTR_EQ(test, ktc_start(test, k), k);
	KUNIT_ASSERT_TRUE(test, ktc_wait_calls(p, 1));
	ktc_expect_sleeping(test, k);

	ktc_send_signals(k);
	KUNIT_EXPECT_FALSE(test, signal_pending(k));
	KUNIT_EXPECT_TRUE(test, ktc_stays(&p->core_calls, 1));
	ktc_expect_sleeping(test, k);
	wake_up_process(k);
	KUNIT_EXPECT_TRUE(test, ktc_wait_calls(p, 2));
	KUNIT_EXPECT_EQ(test, READ_ONCE(k->exit_state), 0);
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_released(test, k);
}

struct ktc_work {
	struct work_struct work;
	struct ktc_probe *p;
	bool ok;
	struct completion done;
};

static void ktc_work_fn(struct work_struct *work)
{
	struct ktc_work *w = container_of(work, struct ktc_work, work);
	struct task_struct *k;
	bool from_worker;

	k = kthread_core_run(ktc_initfn, ktc_corefn, w->p, "ktc-wq");
	if (!IS_ERR(k)) {
		rcu_read_lock();
		from_worker = rcu_dereference(k->real_parent)->flags & PF_WQ_WORKER;
		rcu_read_unlock();
		w->ok = from_worker && kthread_core_destroy(k) == 0;
	}
	complete(&w->done);
}

/* Work items on the system workqueue can create threads: no deadlock. */
static void kthread_core_test_from_work_item(struct kunit *test)
{
	struct ktc_work *w;
	int i, n = 4;

	w = kunit_kcalloc(test, n, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < n; i++) {
		w[i].p = ktc_probe_new(test);
		init_completion(&w[i].done);
		INIT_WORK(&w[i].work, ktc_work_fn);
		schedule_work(&w[i].work);
	}
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&w[i].done,
								    KTC_TIMEOUT));
		KUNIT_EXPECT_TRUE(test, w[i].ok);
	}
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
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h[i], 5 * KTC_TIMEOUT));
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
		KUNIT_EXPECT_EQ(test, d->ret, 0);
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
	KUNIT_EXPECT_TRUE(test, ktc_stays(&p->core_calls, 0));

	h = ktc_helper_run(test, ktc_destroy_helper, k, p);
	if (!ktc_helper_done(h, KTC_TIMEOUT / 2)) {
		KUNIT_FAIL(test, "destroy waited: corefn never saw kthread_should_stop()");
		/* corefn's wait times out, and destroy returns. */
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, 2 * KTC_TIMEOUT));
	}
	KUNIT_EXPECT_TRUE(test, h->seen);
	KUNIT_EXPECT_EQ(test, h->ret, 9);
	ktc_expect_released(test, k);

	/* Destroyed before start: neither function runs, nothing waits. */
	q->wait_stop = true;
	k = ktc_create(test, q);
	h = ktc_helper_run(test, ktc_destroy_helper, k, q);
	KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	KUNIT_EXPECT_EQ(test, h->ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->init_calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->core_calls), 0);
	ktc_expect_released(test, k);
}

static int ktc_kthread_stop_helper(struct ktc_helper *h)
{
	return kthread_stop(h->k);
}

/* kthread_stop(@k) in a helper; a hang fails the case, and destroy ends it. */
static long ktc_kthread_stop(struct kunit *test, struct task_struct *k,
			     struct ktc_probe *p)
{
	struct ktc_helper *h = ktc_helper_run(test, ktc_kthread_stop_helper, k, p);

	if (!ktc_helper_done(h, KTC_TIMEOUT)) {
		KUNIT_FAIL(test, "kthread_stop() on a kthread_core thread hangs");
		kthread_core_destroy(k);
		KUNIT_ASSERT_TRUE(test, ktc_helper_done(h, KTC_TIMEOUT));
	}
	return h->ret;
}

/*
 * The two APIs mixed up: upstream's kthread_stop() on a kthread_core
 * thread destroys it and returns what destroy would; kthread_core's
 * destroy refuses an upstream kthread, which kthread_stop() still stops.
 * Bounded: before kthread_stop() knew kthread_core threads, it hung.
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
	KUNIT_EXPECT_EQ(test, ktc_kthread_stop(test, k, q), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&q->init_calls), 0);
	ktc_expect_released(test, k);

	up = kthread_run(ktc_upstream_fn, NULL, "ktc-upstream");
	KUNIT_ASSERT_FALSE(test, IS_ERR(up));
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(up));
	KUNIT_EXPECT_EQ(test, kthread_core_destroy(up), -EINVAL);
	ret = kthread_stop(up);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINTR, "kthread_stop: %d", ret);
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
	up = kthread_run(ktc_upstream_fn, NULL, "ktc-upstream");
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

/* A thread that destroys itself gets -EDEADLK and carries on. */
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
	{ "alloc-keventd", KTC_KEVENTD, false, -ENOMEM },
	{ "alloc-direct", KTC_DIRECT, false, -ENOMEM },
	{ "fork-direct", KTC_DIRECT, true, -EAGAIN },
};

static void ktc_fault_desc(const struct ktc_fault *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ktc_fault, ktc_faults, ktc_fault_desc);

/*
 * A failed allocation or fork returns ERR_PTR and leaks nothing.  The fork
 * stub only acts in the test's own thread, so a fork failure is injected
 * on the direct path; keventd's fork reports its result the same way.
 */
static void kthread_core_test_create_failure(struct kunit *test)
{
	const struct ktc_fault *f = test->param_value;
	struct ktc_probe *p = ktc_probe_new(test);
	struct task_struct *k;

	if (f->fork)
		kunit_activate_static_stub(test, kthread_core_clone, ktc_fork_fails);
	else
		kunit_activate_static_stub(test, kthread_core_alloc, ktc_alloc_fails);
	k = ktc_create_on(test, f->path, p, "ktc-fail");
	KUNIT_EXPECT_PTR_EQ(test, k, ERR_PTR(f->err));
	if (f->fork)
		kunit_deactivate_static_stub(test, kthread_core_clone);
	else
		kunit_deactivate_static_stub(test, kthread_core_alloc);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->init_calls), 0);
	ktc_expect_no_leaks(test);

	/* The seams are back to normal. */
	k = ktc_create_on(test, f->path, p, "ktc-ok");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_EXPECT_EQ(test, ktc_destroy(test, k), 0);
	ktc_expect_no_leaks(test);
}

#define KTC_STRESS_CALLERS	4
#define KTC_STRESS_ROUNDS	2560
/*
 * A slower machine (TCG, sanitizers) does fewer rounds; the log says how
 * many.  The case stays under the debug configs' 10 s hung-task timeout,
 * as KUnit's runner waits for it uninterruptibly.
 */
#define KTC_STRESS_BUDGET_MS	6000

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
		atomic_set(&p->core_calls, 0);
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
		if (IS_ERR(k) || kthread_core_destroy(k) != 0)
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

/*
 * Many lifecycles from concurrent callers, each bound to a CPU of its own
 * where there are enough; run in the debug and SMP configs.
 */
static void kthread_core_test_stress(struct kunit *test)
{
	struct ktc_helper *h[KTC_STRESS_CALLERS];
	unsigned int ncpus = num_online_cpus();
	ktime_t start = ktime_get();
	ktime_t deadline = ktime_add_ms(start, KTC_STRESS_BUDGET_MS);
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
}

static struct kunit_case kthread_core_test_cases[] = {
	KUNIT_CASE(kthread_core_test_keventd_up),
	KUNIT_CASE(kthread_core_test_create_direct),
	KUNIT_CASE(kthread_core_test_create_keventd),
	KUNIT_CASE_PARAM(kthread_core_test_sched_reset, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_affinity, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_start_runs_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_initfn_failure, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_null_callbacks, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_start_without_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_corefn_error_retained, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_positive_result, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_destroy_before_start, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_corefn_polls, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_wake_runs_corefn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_destroy_waits_for_corefn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_wake_not_lost, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_cross_cpu, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_wait_window),
	KUNIT_CASE_PARAM(kthread_core_test_idle_sleeps, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_names, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_signals, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_from_work_item),
	KUNIT_CASE(kthread_core_test_concurrent_callers),
	KUNIT_CASE_PARAM(kthread_core_test_many_alive, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_slow_initfn, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_start_races_destroy, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_should_stop, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_kthread_stop, ktc_path_gen_params),
	KUNIT_CASE(kthread_core_test_bad_handles),
	KUNIT_CASE_PARAM(kthread_core_test_self_destroy, ktc_path_gen_params),
	KUNIT_CASE_PARAM(kthread_core_test_create_failure, ktc_fault_gen_params),
	KUNIT_CASE_SLOW(kthread_core_test_stress),
	{}
};

static struct kunit_suite kthread_core_test_suite = {
	.name = "kthread_core",
	.init = ktc_init,
	.test_cases = kthread_core_test_cases,
};

kunit_test_suite(kthread_core_test_suite);

MODULE_DESCRIPTION("KUnit tests for the kthread_core thread primitives");
MODULE_LICENSE("GPL");
