// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark: the kthread_core primitives against upstream's
 * kthread_run()/kthread_stop(), in the same boot.
 *
 * Each metric is measured in rounds.  Within a round both APIs run the
 * same work back to back, in an order that alternates between rounds, and
 * each gives its mean cost per operation.  The report is the median over
 * the rounds and the interquartile range, as lines that harness/bench.py
 * parses:
 *
 *   bench: <metric> core_ns=<n> core_iqr=<n>% upstream_ns=<n> upstream_iqr=<n>%
 *
 * One metric has a single column, the floor: kernel_thread() of a function
 * that completes and exits, and the wait for it, the least that a thread
 * lifecycle costs (only when built in, as kernel_thread() is not exported):
 *
 *   bench: floor floor_ns=<n> floor_iqr=<n>%
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#define KTB_ROUNDS	51
#define KTB_OPS		128
#define KTB_CALLERS	4

enum { KTB_CORE, KTB_UPSTREAM, KTB_APIS };

/* One measurement: mean ns per operation over @ops operations. */
typedef s64 (*ktb_fn)(struct kunit *test, int api, int ops);

static int ktb_cmp(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

static void ktb_stats(s64 *v, int rounds, s64 *med, s64 *iqr)
{
	sort(v, rounds, sizeof(s64), ktb_cmp, NULL);
	*med = v[rounds / 2];
	*iqr = *med ? div64_s64(100 * (v[rounds * 3 / 4] - v[rounds / 4]), *med) : 0;
}

static void ktb_report(struct kunit *test, const char *metric, ktb_fn fn,
		       int rounds, int ops)
{
	s64 v[KTB_APIS][KTB_ROUNDS], med[KTB_APIS], iqr[KTB_APIS];
	int r, i, api;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < KTB_APIS; i++) {
			api = (r + i) % KTB_APIS;
			v[api][r] = fn(test, api, ops);
		}
	for (api = 0; api < KTB_APIS; api++)
		ktb_stats(v[api], rounds, &med[api], &iqr[api]);
	kunit_info(test,
		   "bench: %s core_ns=%lld core_iqr=%lld%% upstream_ns=%lld upstream_iqr=%lld%%\n",
		   metric, med[KTB_CORE], iqr[KTB_CORE], med[KTB_UPSTREAM],
		   iqr[KTB_UPSTREAM]);
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
	ktime_t start = ktime_get();
	struct task_struct *k;
	struct ktb_wake w;
	int i;

	init_completion(&w.done);
	for (i = 0; i < ops; i++) {
		if (nowait)
			k = ktb_run(api, NULL);
		else if (api == KTB_CORE)
			k = ktb_run(api, &w);
		else
			k = kthread_run(ktb_upstream_body, &w.done, "ktb-upstream");
		if (IS_ERR(k)) {
			KUNIT_FAIL(test, "run: %pe", k);
			return 0;
		}
		if (!nowait)
			wait_for_completion(&w.done);
		ktb_stop(api, k);
	}
	return ktb_since(start, ops);
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
	DECLARE_COMPLETION_ONSTACK(done);
	s64 v[KTB_ROUNDS], med, iqr;
	ktime_t start;
	int r, i;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
						   cpumask_of(raw_smp_processor_id())), 0);
	for (r = 0; r < KTB_ROUNDS; r++) {
		start = ktime_get();
		for (i = 0; i < KTB_OPS; i++) {
			reinit_completion(&done);
			if (kernel_thread(ktb_floor_fn, &done, "ktb-floor",
					  CLONE_FS | CLONE_FILES | SIGCHLD) < 0) {
				set_cpus_allowed_ptr(current, cpu_possible_mask);
				KUNIT_FAIL_AND_ABORT(test, "kernel_thread() failed");
			}
			wait_for_completion(&done);
		}
		v[r] = ktb_since(start, KTB_OPS);
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	ktb_stats(v, KTB_ROUNDS, &med, &iqr);
	kunit_info(test, "bench: floor floor_ns=%lld floor_iqr=%lld%%\n", med, iqr);
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
	struct task_struct *k;
	struct ktb_wake w;
	ktime_t t0, t1, t2;
	int i;

	init_completion(&w.done);
	memset(phase, 0, KTB_PHASES * sizeof(*phase));
	for (i = 0; i < ops; i++) {
		reinit_completion(&w.done);
		t0 = ktime_get();
		if (api == KTB_CORE)
			k = kthread_core_create(NULL, ktb_core_fn, &w, "ktb-core");
		else
			k = kthread_create(ktb_upstream_body, &w.done, "ktb-upstream");
		if (IS_ERR(k)) {
			KUNIT_FAIL(test, "create: %pe", k);
			return;
		}
		t1 = ktime_get();
		kthread_bind(k, cpu);
		if (api == KTB_CORE)
			kthread_core_start(k);
		else
			wake_up_process(k);
		wait_for_completion(&w.done);
		t2 = ktime_get();
		ktb_stop(api, k);
		phase[KTB_CREATE] += ktime_to_ns(ktime_sub(t1, t0));
		phase[KTB_START] += ktime_to_ns(ktime_sub(t2, t1));
		phase[KTB_STOP] += ktime_to_ns(ktime_sub(ktime_get(), t2));
	}
	for (i = 0; i < KTB_PHASES; i++)
		phase[i] = div_s64(phase[i], ops);
}

static void ktb_report_placed(struct kunit *test, const char *where, bool other)
{
	static const char * const names[KTB_PHASES] = { "create", "start", "stop" };
	s64 (*v)[KTB_APIS][KTB_ROUNDS / 2];
	s64 med[KTB_APIS], iqr[KTB_APIS], phase[KTB_PHASES];
	unsigned int cpu = raw_smp_processor_id();
	int rounds = KTB_ROUNDS / 2, r, i, api, p;

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
			v[KTB_PHASES][api][r] = 0;
			for (p = 0; p < KTB_PHASES; p++) {
				v[p][api][r] = phase[p];
				v[KTB_PHASES][api][r] += phase[p];
			}
		}
	for (p = 0; p <= KTB_PHASES; p++) {
		for (api = 0; api < KTB_APIS; api++)
			ktb_stats(v[p][api], rounds, &med[api], &iqr[api]);
		kunit_info(test,
			   "bench: %s_%s core_ns=%lld core_iqr=%lld%% upstream_ns=%lld upstream_iqr=%lld%%\n",
			   p < KTB_PHASES ? names[p] : "lifecycle", where,
			   med[KTB_CORE], iqr[KTB_CORE], med[KTB_UPSTREAM], iqr[KTB_UPSTREAM]);
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
	struct ktb_wake w;
	struct task_struct *k;
	s64 total = 0;
	ktime_t start;
	int i;

	init_completion(&w.done);
	k = ktb_run(api, &w);
	if (IS_ERR(k)) {
		KUNIT_FAIL(test, "run: %pe", k);
		return 0;
	}
	/* kthread_core calls corefn once at start. */
	if (api == KTB_CORE)
		wait_for_completion(&w.done);
	for (i = 0; i < ops; i++) {
		if (!ktb_wait_asleep(k)) {
			KUNIT_FAIL(test, "thread did not go to sleep");
			break;
		}
		reinit_completion(&w.done);
		start = ktime_get();
		wake_up_process(k);
		if (!wait_for_completion_timeout(&w.done, HZ)) {
			KUNIT_FAIL(test, "wakeup not seen");
			break;
		}
		total += ktime_to_ns(ktime_sub(w.woke, start));
	}
	ktb_stop(api, k);
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
};

static int ktb_churn_fn(void *data)
{
	struct ktb_churn *c = data;

	wait_for_completion(c->go);
	ktb_lifecycles(c->test, c->api, c->ops, false);
	complete(&c->done);
	return 0;
}

static s64 ktb_churn(struct kunit *test, int api, int ops)
{
	struct ktb_churn c[KTB_CALLERS];
	DECLARE_COMPLETION_ONSTACK(go);
	struct task_struct *t;
	ktime_t start;
	int i;

	for (i = 0; i < KTB_CALLERS; i++) {
		c[i] = (struct ktb_churn){ .test = test, .api = api,
					   .ops = ops, .go = &go };
		init_completion(&c[i].done);
		t = kthread_create(ktb_churn_fn, &c[i], "ktb-churn%d", i);
		if (IS_ERR(t)) {
			complete(&c[i].done);
			continue;
		}
		/* One caller per CPU, where there are enough. */
		kthread_bind(t, cpumask_nth(i % num_online_cpus(), cpu_online_mask));
		wake_up_process(t);
	}
	start = ktime_get();
	complete_all(&go);
	for (i = 0; i < KTB_CALLERS; i++)
		wait_for_completion(&c[i].done);
	return ktb_since(start, KTB_CALLERS * ops);
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

static s64 ktb_create_keventd(struct kunit *test, int api, int ops)
{
	return ktb_create(test, api, ops, false);
}

static s64 ktb_create_direct(struct kunit *test, int api, int ops)
{
	return ktb_create(test, api, ops, true);
}

/* Creation alone, through keventd and directly, against kthread_create. */
static void kthread_core_bench_create(struct kunit *test)
{
	ktb_report(test, "create_keventd", ktb_create_keventd, KTB_ROUNDS, KTB_OPS);
	ktb_report(test, "create_direct", ktb_create_direct, KTB_ROUNDS, KTB_OPS);
}

static struct kunit_case kthread_core_bench_cases[] = {
	KUNIT_CASE_SLOW(kthread_core_bench_floor),
	KUNIT_CASE_SLOW(kthread_core_bench_lifecycle),
	KUNIT_CASE_SLOW(kthread_core_bench_placement),
	KUNIT_CASE_SLOW(kthread_core_bench_wake_latency),
	KUNIT_CASE_SLOW(kthread_core_bench_churn),
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
