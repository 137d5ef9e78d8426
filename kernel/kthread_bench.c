// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark: the kthread_core primitives against upstream's
 * kthread_run()/kthread_stop(), in the same boot.
 *
 * Each metric is measured in rounds.  Within a round both APIs run the
 * same work back to back, in an order that alternates between rounds, and
 * each gives its mean cost per operation.  Every round's figures are
 * printed, so that harness/runs/bench.py can give each ratio a confidence
 * interval (a bootstrap over the rounds):
 *
 *   bench: <metric> core_ns=<n>,<n>,... upstream_ns=<n>,<n>,...
 *
 * One metric has a single column, the floor: kernel_thread() of a function
 * that completes and exits, and the wait for it, the least that a thread
 * lifecycle costs (only when built in, as kernel_thread() is not exported):
 *
 *   bench: floor floor_ns=<n>,<n>,...
 *
 * The burst metric adds how many kworkers were forked while it ran:
 *
 *   bench: burst_16 ... kworkers=<core>,<upstream>
 *
 * Every wait is bounded (KTB_TIMEOUT): a thread that does not do what is
 * expected fails the case instead of hanging the boot, and what it may
 * still touch is leaked rather than freed.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/kthread_core.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sprintf.h>

#include "workqueue_internal.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define KTB_ROUNDS	51
#define KTB_OPS		128
#define KTB_CALLERS	4
#define KTB_BURST	16
#define KTB_TIMEOUT	(5 * HZ)

enum { KTB_CORE, KTB_UPSTREAM, KTB_APIS };

/* One measurement: mean ns per operation over @ops operations. */
typedef s64 (*ktb_fn)(struct kunit *test, int api, int ops);

/* "<name>=<v0>,<v1>,...": every round's figure, for the bootstrap. */
static int ktb_list(char *buf, size_t size, const char *name, const s64 *v,
		    int rounds)
{
	int n = scnprintf(buf, size, " %s=", name), r;

	for (r = 0; r < rounds; r++)
		n += scnprintf(buf + n, size - n, "%s%lld", r ? "," : "", v[r]);
	return n;
}

static void ktb_print(struct kunit *test, const char *metric,
		      s64 (*v)[KTB_ROUNDS], int rounds, const char *extra)
{
	char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	if (!buf) {
		KUNIT_FAIL(test, "no memory for the report");
		return;
	}
	/* A line each, to stay well within printk's record. */
	ktb_list(buf, PAGE_SIZE, "core_ns", v[KTB_CORE], rounds);
	kunit_info(test, "bench: %s%s\n", metric, buf);
	ktb_list(buf, PAGE_SIZE, "upstream_ns", v[KTB_UPSTREAM], rounds);
	kunit_info(test, "bench: %s%s%s\n", metric, buf, extra);
	kfree(buf);
}

/* @rounds of @fn for both APIs, in alternating order; false on a failure. */
static bool ktb_rounds(struct kunit *test, ktb_fn fn, int rounds, int ops,
		       s64 (*v)[KTB_ROUNDS])
{
	int r, i, api;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < KTB_APIS; i++) {
			api = (r + i) % KTB_APIS;
			v[api][r] = fn(test, api, ops);
			if (test->status == KUNIT_FAILURE)
				return false;
		}
	return true;
}

static void ktb_report(struct kunit *test, const char *metric, ktb_fn fn,
		       int rounds, int ops)
{
	s64 v[KTB_APIS][KTB_ROUNDS];

	if (ktb_rounds(test, fn, rounds, ops, v))
		ktb_print(test, metric, v, rounds, "");
}

static s64 ktb_since(ktime_t start, int ops)
{
	return div_s64(ktime_to_ns(ktime_sub(ktime_get(), start)), ops);
}

/* The same job for both APIs: sleep until woken, record the wakeup. */
struct ktb_wake {
	ktime_t woke;
	struct completion done;
};

static int ktb_core_fn(void *data)
{
	struct ktb_wake *w = data;

	if (w) {
		w->woke = ktime_get();
		complete(&w->done);
	}
	set_current_state(TASK_INTERRUPTIBLE);
	return 0;
}

static int ktb_upstream_fn(void *data)
{
	struct ktb_wake *w = data;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
		if (w) {
			w->woke = ktime_get();
			complete(&w->done);
		}
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static struct task_struct *ktb_run(int api, struct ktb_wake *w)
{
	if (api == KTB_CORE)
		return kthread_core_run(NULL, ktb_core_fn, w, "ktb-core");
	return kthread_run(ktb_upstream_fn, w, "ktb-upstream");
}

static void ktb_stop(int api, struct task_struct *k)
{
	if (api == KTB_CORE)
		kthread_core_destroy(k);
	else
		kthread_stop(k);
}

/* An upstream body that says it runs, then waits for kthread_stop(). */
static int ktb_upstream_body(void *data)
{
	complete(data);
	return ktb_upstream_fn(NULL);
}

/*
 * One lifecycle after another.  Each waits until the thread's body runs,
 * as a caller that needs it set up would: corefn's first call, or
 * upstream's thread function.  With @nowait, each thread is stopped as
 * soon as the run call returns, which for both APIs (kthread_core_run()
 * without an initfn) is before the thread need have run at all.
 */
static s64 ktb_lifecycles(struct kunit *test, int api, int ops, bool nowait)
{
	struct ktb_wake *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *k;
	ktime_t start;
	int i;

	if (!w) {
		KUNIT_FAIL(test, "no memory");
		return 0;
	}
	init_completion(&w->done);
	start = ktime_get();
	for (i = 0; i < ops; i++) {
		if (nowait)
			k = ktb_run(api, NULL);
		else if (api == KTB_CORE)
			k = ktb_run(api, w);
		else
			k = kthread_run(ktb_upstream_body, &w->done, "ktb-upstream");
		if (IS_ERR(k)) {
			KUNIT_FAIL(test, "run: %pe", k);
			break;
		}
		if (!nowait && !wait_for_completion_timeout(&w->done, KTB_TIMEOUT)) {
			/* The thread may still complete @w: leak it. */
			KUNIT_FAIL(test, "the thread's body did not run within %d s",
				   KTB_TIMEOUT / HZ);
			return 0;
		}
		ktb_stop(api, k);
	}
	kfree(w);
	return i == ops ? ktb_since(start, ops) : 0;
}

static s64 ktb_lifecycle(struct kunit *test, int api, int ops)
{
	return ktb_lifecycles(test, api, ops, false);
}

static s64 ktb_lifecycle_nowait(struct kunit *test, int api, int ops)
{
	return ktb_lifecycles(test, api, ops, true);
}

/*
 * run + destroy, against kthread_run + kthread_stop of a thread whose
 * body has started; and against one stopped before it could start.
 */
static void kthread_core_bench_lifecycle(struct kunit *test)
{
	ktb_report(test, "lifecycle", ktb_lifecycle, KTB_ROUNDS, KTB_OPS);
	ktb_report(test, "lifecycle_nowait", ktb_lifecycle_nowait, KTB_ROUNDS,
		   KTB_OPS);
}

#if IS_BUILTIN(CONFIG_KTHREAD_KUNIT_BENCH)
/* A kernel_thread() function may not return: it ends with do_exit(). */
static int ktb_floor_fn(void *data)
{
	kthread_complete_and_exit(data, 0);
}

/*
 * The floor: fork a kthread that completes and exits, and wait for it.
 * The forker is the benchmark's own kthread, whose children are reaped as
 * they exit, since it ignores SIGCHLD as every kthread does.  It is bound
 * to its CPU, and so are its children, as fork gives them its mask: no
 * wakeup crosses CPUs, the cheapest a lifecycle can be.
 */
static void kthread_core_bench_floor(struct kunit *test)
{
	struct completion *done = kzalloc(sizeof(*done), GFP_KERNEL);
	char *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	s64 v[KTB_ROUNDS];
	ktime_t start;
	int r, i;

	KUNIT_ASSERT_NOT_NULL(test, done);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	init_completion(done);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
						   cpumask_of(raw_smp_processor_id())), 0);
	for (r = 0; r < KTB_ROUNDS; r++) {
		start = ktime_get();
		for (i = 0; i < KTB_OPS; i++) {
			reinit_completion(done);
			if (kernel_thread(ktb_floor_fn, done, "ktb-floor",
					  CLONE_FS | CLONE_FILES | SIGCHLD) < 0) {
				set_cpus_allowed_ptr(current, cpu_possible_mask);
				kfree(done);
				KUNIT_FAIL_AND_ABORT(test, "kernel_thread() failed");
			}
			if (!wait_for_completion_timeout(done, KTB_TIMEOUT)) {
				/* The thread may still complete it: leak it. */
				set_cpus_allowed_ptr(current, cpu_possible_mask);
				KUNIT_FAIL_AND_ABORT(test, "the floor's thread did not run");
			}
		}
		v[r] = ktb_since(start, KTB_OPS);
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	kfree(done);
	ktb_list(buf, PAGE_SIZE, "floor_ns", v, KTB_ROUNDS);
	kunit_info(test, "bench: floor%s\n", buf);
}
#else
static void kthread_core_bench_floor(struct kunit *test)
{
	kunit_skip(test, "needs the benchmark built in: kernel_thread() is not exported");
}
#endif

/*
 * Where a lifecycle spends its time, like for like: both APIs' threads
 * bound, between creation and start, to the caller's CPU or to another,
 * with kthread_bind(), which works on both.  The phases: creation,
 * start (the wakeup until the body runs), and stop (until the exit).
 */
enum { KTB_CREATE, KTB_START, KTB_STOP, KTB_PHASES };

static void ktb_placed(struct kunit *test, int api, int ops, unsigned int cpu,
		       s64 phase[KTB_PHASES])
{
	struct ktb_wake *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *k;
	ktime_t t0, t1, t2;
	int i;

	memset(phase, 0, KTB_PHASES * sizeof(*phase));
	if (!w) {
		KUNIT_FAIL(test, "no memory");
		return;
	}
	init_completion(&w->done);
	for (i = 0; i < ops; i++) {
		reinit_completion(&w->done);
		t0 = ktime_get();
		if (api == KTB_CORE)
			k = kthread_core_create(NULL, ktb_core_fn, w, "ktb-core");
		else
			k = kthread_create(ktb_upstream_body, &w->done, "ktb-upstream");
		if (IS_ERR(k)) {
			KUNIT_FAIL(test, "create: %pe", k);
			kfree(w);
			return;
		}
		t1 = ktime_get();
		kthread_bind(k, cpu);
		if (api == KTB_CORE)
			kthread_core_start(k);
		else
			wake_up_process(k);
		if (!wait_for_completion_timeout(&w->done, KTB_TIMEOUT)) {
			/* The thread may still complete @w: leak it. */
			KUNIT_FAIL(test, "the thread's body did not run within %d s",
				   KTB_TIMEOUT / HZ);
			return;
		}
		t2 = ktime_get();
		ktb_stop(api, k);
		phase[KTB_CREATE] += ktime_to_ns(ktime_sub(t1, t0));
		phase[KTB_START] += ktime_to_ns(ktime_sub(t2, t1));
		phase[KTB_STOP] += ktime_to_ns(ktime_sub(ktime_get(), t2));
	}
	kfree(w);
	for (i = 0; i < KTB_PHASES; i++)
		phase[i] = div_s64(phase[i], ops);
}

static void ktb_report_placed(struct kunit *test, const char *where, bool other)
{
	static const char * const names[KTB_PHASES] = { "create", "start", "stop" };
	s64 (*v)[KTB_APIS][KTB_ROUNDS];
	s64 phase[KTB_PHASES];
	unsigned int cpu = raw_smp_processor_id();
	int rounds = KTB_ROUNDS, r, i, api, p;
	char metric[32];

	if (other)
		cpu = cpumask_any_but(cpu_online_mask, cpu);
	if (cpu >= nr_cpu_ids) {
		kunit_info(test, "one CPU: no %s placement\n", where);
		return;
	}
	v = kunit_kcalloc(test, KTB_PHASES + 1, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < KTB_APIS; i++) {
			api = (r + i) % KTB_APIS;
			ktb_placed(test, api, KTB_OPS / 2, cpu, phase);
			if (test->status == KUNIT_FAILURE)
				return;
			v[KTB_PHASES][api][r] = 0;
			for (p = 0; p < KTB_PHASES; p++) {
				v[p][api][r] = phase[p];
				v[KTB_PHASES][api][r] += phase[p];
			}
		}
	for (p = 0; p <= KTB_PHASES; p++) {
		snprintf(metric, sizeof(metric), "%s_%s",
			 p < KTB_PHASES ? names[p] : "lifecycle", where);
		ktb_print(test, metric, v[p], rounds, "");
	}
}

/* The caller is bound too, so that "its CPU" stays one. */
static void kthread_core_bench_placement(struct kunit *test)
{
	unsigned int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	ktb_report_placed(test, "same_cpu", false);
	ktb_report_placed(test, "other_cpu", true);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

static bool ktb_wait_asleep(struct task_struct *k)
{
	unsigned long end = jiffies + HZ;

	while (READ_ONCE(k->__state) != TASK_INTERRUPTIBLE) {
		if (time_after(jiffies, end))
			return false;
		cond_resched();
	}
	return true;
}

static s64 ktb_wake(struct kunit *test, int api, int ops)
{
	struct ktb_wake *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *k;
	s64 total = 0;
	ktime_t start;
	int i;

	if (!w) {
		KUNIT_FAIL(test, "no memory");
		return 0;
	}
	init_completion(&w->done);
	k = ktb_run(api, w);
	if (IS_ERR(k)) {
		KUNIT_FAIL(test, "run: %pe", k);
		kfree(w);
		return 0;
	}
	/* kthread_core calls corefn once at start. */
	if (api == KTB_CORE && !wait_for_completion_timeout(&w->done, KTB_TIMEOUT)) {
		KUNIT_FAIL(test, "corefn did not run at start");
		return 0;
	}
	for (i = 0; i < ops; i++) {
		if (!ktb_wait_asleep(k)) {
			KUNIT_FAIL(test, "thread did not go to sleep");
			break;
		}
		reinit_completion(&w->done);
		start = ktime_get();
		wake_up_process(k);
		if (!wait_for_completion_timeout(&w->done, KTB_TIMEOUT)) {
			/* The thread may still complete @w: leak it. */
			KUNIT_FAIL(test, "wakeup not seen");
			return 0;
		}
		total += ktime_to_ns(ktime_sub(w->woke, start));
	}
	ktb_stop(api, k);
	kfree(w);
	return div_s64(total, ops);
}

/* wake_up_process() to corefn entry, against it to the loop body. */
static void kthread_core_bench_wake_latency(struct kunit *test)
{
	ktb_report(test, "wake_latency", ktb_wake, KTB_ROUNDS, 4 * KTB_OPS);
}

struct ktb_churn {
	struct kunit *test;
	int api, ops;
	struct completion *go;
	struct completion done;
	int err;
	ktime_t created;	/* burst: when the creation returned */
};

static int ktb_churn_fn(void *data)
{
	struct ktb_churn *c = data;

	if (wait_for_completion_timeout(c->go, KTB_TIMEOUT))
		ktb_lifecycles(c->test, c->api, c->ops, false);
	complete(&c->done);
	return 0;
}

/*
 * Start @n callers of @fn, one per CPU where there are enough, each
 * waiting for @go.  Their state is on the heap, and leaked if a caller
 * never finishes, so that nothing writes to a freed frame.
 */
static struct ktb_churn *ktb_callers(struct kunit *test, int api, int ops,
				     int n, int (*fn)(void *data))
{
	struct ktb_churn *c = kcalloc(n + 1, sizeof(*c), GFP_KERNEL);
	struct completion *go;
	struct task_struct *t;
	int i;

	if (!c)
		return NULL;
	go = &c[n].done;
	init_completion(go);
	for (i = 0; i < n; i++) {
		c[i] = (struct ktb_churn){ .test = test, .api = api,
					   .ops = ops, .go = go };
		init_completion(&c[i].done);
		t = kthread_create(fn, &c[i], "ktb-caller%d", i);
		if (IS_ERR(t)) {
			c[i].err = PTR_ERR(t);
			complete(&c[i].done);
			continue;
		}
		kthread_bind(t, cpumask_nth(i % num_online_cpus(), cpu_online_mask));
		wake_up_process(t);
	}
	return c;
}

/* Wait for the @n callers; false, and @c leaked, if one never finished. */
static bool ktb_callers_done(struct kunit *test, struct ktb_churn *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!wait_for_completion_timeout(&c[i].done, 10 * KTB_TIMEOUT)) {
			KUNIT_FAIL(test, "caller %d did not finish", i);
			return false;
		}
	for (i = 0; i < n; i++)
		if (c[i].err)
			KUNIT_FAIL(test, "caller %d: %pe", i, ERR_PTR(c[i].err));
	return true;
}

static s64 ktb_churn(struct kunit *test, int api, int ops)
{
	struct ktb_churn *c = ktb_callers(test, api, ops, KTB_CALLERS, ktb_churn_fn);
	ktime_t start;

	if (!c) {
		KUNIT_FAIL(test, "no memory");
		return 0;
	}
	start = ktime_get();
	complete_all(&c[KTB_CALLERS].done);
	if (!ktb_callers_done(test, c, KTB_CALLERS))
		return 0;
	kfree(c);
	return ktb_since(start, KTB_CALLERS * ops);
}

static int ktb_burst_fn(void *data)
{
	struct ktb_churn *c = data;
	struct task_struct *k;

	if (!wait_for_completion_timeout(c->go, KTB_TIMEOUT)) {
		c->err = -ETIMEDOUT;
	} else {
		if (c->api == KTB_CORE)
			k = kthread_core_create(NULL, ktb_core_fn, NULL, "ktb-burst");
		else
			k = kthread_create(ktb_upstream_fn, NULL, "ktb-burst");
		c->created = ktime_get();
		if (IS_ERR(k))
			c->err = PTR_ERR(k);
		else
			ktb_stop(c->api, k);
	}
	complete(&c->done);
	return 0;
}

/* kworkers forked since @since, a ktime_get_ns() as a task's start_time. */
static int ktb_kworkers_since(u64 since)
{
	struct task_struct *g, *t;
	int n = 0;

	rcu_read_lock();
	for_each_process_thread(g, t)
		if (t->start_time > since && !strncmp(t->comm, "kworker", 7))
			n++;
	rcu_read_unlock();
	return n;
}

static int ktb_kworkers[KTB_APIS];

/*
 * KTB_BURST creators at once, spread over the CPUs: the time until the
 * last creation returned, per creation, and the kworkers forked meanwhile.
 */
static s64 ktb_burst(struct kunit *test, int api, int ops)
{
	struct ktb_churn *c = ktb_callers(test, api, 0, ops, ktb_burst_fn);
	ktime_t start, last;
	u64 since;
	int i;

	if (!c) {
		KUNIT_FAIL(test, "no memory");
		return 0;
	}
	since = ktime_get_ns();
	start = ktime_get();
	complete_all(&c[ops].done);
	if (!ktb_callers_done(test, c, ops))
		return 0;
	ktb_kworkers[api] += ktb_kworkers_since(since);
	last = start;
	for (i = 0; i < ops; i++)
		if (ktime_after(c[i].created, last))
			last = c[i].created;
	kfree(c);
	return div_s64(ktime_to_ns(ktime_sub(last, start)), ops);
}

/* Burst creation: no kworker is forked for it, by either API. */
static void kthread_core_bench_burst(struct kunit *test)
{
	char extra[48], metric[16];
	s64 v[KTB_APIS][KTB_ROUNDS];

	memset(ktb_kworkers, 0, sizeof(ktb_kworkers));
	if (!ktb_rounds(test, ktb_burst, KTB_ROUNDS, KTB_BURST, v))
		return;
	snprintf(metric, sizeof(metric), "burst_%d", KTB_BURST);
	snprintf(extra, sizeof(extra), " kworkers=%d,%d",
		 ktb_kworkers[KTB_CORE], ktb_kworkers[KTB_UPSTREAM]);
	ktb_print(test, metric, v, KTB_ROUNDS, extra);
}

/* KTB_CALLERS callers at once; cost per lifecycle of the whole batch. */
static void kthread_core_bench_churn(struct kunit *test)
{
	ktb_report(test, "churn_4x", ktb_churn, KTB_ROUNDS / 2, 2 * KTB_OPS);
}

static bool ktb_keventd_down(void)
{
	return false;
}

static s64 ktb_create(struct kunit *test, int api, int ops, bool direct)
{
	struct task_struct *k;
	s64 total = 0;
	ktime_t start;
	int i;

	for (i = 0; i < ops; i++) {
		if (api == KTB_CORE && direct)
			kunit_activate_static_stub(test, keventd_up, ktb_keventd_down);
		start = ktime_get();
		if (api == KTB_CORE)
			k = kthread_core_create(NULL, ktb_core_fn, NULL, "ktb-core");
		else
			k = kthread_create(ktb_upstream_fn, NULL, "ktb-upstream");
		total += ktime_to_ns(ktime_sub(ktime_get(), start));
		if (api == KTB_CORE && direct)
			kunit_deactivate_static_stub(test, keventd_up);
		if (IS_ERR(k)) {
			KUNIT_FAIL(test, "create: %pe", k);
			return 0;
		}
		ktb_stop(api, k);
	}
	return div_s64(total, ops);
}

static s64 ktb_create_kthreadd(struct kunit *test, int api, int ops)
{
	return ktb_create(test, api, ops, false);
}

static s64 ktb_create_direct(struct kunit *test, int api, int ops)
{
	return ktb_create(test, api, ops, true);
}

/* Creation alone, through kthreadd and directly, against kthread_create. */
static void kthread_core_bench_create(struct kunit *test)
{
	ktb_report(test, "create_kthreadd", ktb_create_kthreadd, KTB_ROUNDS, KTB_OPS);
	ktb_report(test, "create_direct", ktb_create_direct, KTB_ROUNDS, KTB_OPS);
}

static struct kunit_case kthread_core_bench_cases[] = {
	KUNIT_CASE_SLOW(kthread_core_bench_floor),
	KUNIT_CASE_SLOW(kthread_core_bench_lifecycle),
	KUNIT_CASE_SLOW(kthread_core_bench_placement),
	KUNIT_CASE_SLOW(kthread_core_bench_wake_latency),
	KUNIT_CASE_SLOW(kthread_core_bench_churn),
	KUNIT_CASE_SLOW(kthread_core_bench_burst),
	KUNIT_CASE_SLOW(kthread_core_bench_create),
	{}
};

static struct kunit_suite kthread_core_bench_suite = {
	.name = "kthread_core_bench",
	.test_cases = kthread_core_bench_cases,
};

kunit_test_suite(kthread_core_bench_suite);

MODULE_DESCRIPTION("KUnit benchmark of kthread_core against upstream kthreads");
MODULE_LICENSE("GPL");
