// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of aoe's threads: aoe_ktstart() reports its thread's
 * creation error, a thread does the work queued for it after each
 * aoe_ktwake(), and aoe_ktstop() ends it.  The threads are kthread_core
 * threads; the driver's own transmit and I/O threads are checked too.
 *
 * Each case runs a ktstate of its own, whose fn() takes items from a
 * counter under the test's lock, as ktio() and tx() take frames and skbs
 * from their queues.  Every wait has a bound, so that a wakeup that is
 * lost fails the case instead of hanging it (one that a race loses only
 * rarely may pass).
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/blk-mq.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hdreg.h>
#include <linux/kthread_core.h>
#include <linux/netdevice.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include "aoe.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define AOE_TEST_ITEMS		100
#define AOE_TEST_TIMEOUT	(10 * HZ)

/* One case's thread, and the work it is given; fn() has only an id. */
static struct aoe_test {
	struct ktstate k;
	spinlock_t lock;	/* k.lock: guards pending and done */
	int pending;		/* items queued, not yet done */
	int done;		/* items done */
	struct completion drained;
} aoe_test;

/* The ktstate's fn, under aoe_test.lock: one item, and whether more remain. */
static int aoe_test_fn(int id)
{
	if (!aoe_test.pending)
		return 0;
	aoe_test.pending--;
	aoe_test.done++;
	if (!aoe_test.pending)
		complete(&aoe_test.drained);
	return aoe_test.pending != 0;
}

static int aoe_test_init(struct kunit *test)
{
	memset(&aoe_test, 0, sizeof(aoe_test));
	spin_lock_init(&aoe_test.lock);
	init_completion(&aoe_test.drained);
	aoe_test.k.fn = aoe_test_fn;
	aoe_test.k.lock = &aoe_test.lock;
	strscpy(aoe_test.k.name, "aoe_test");
	return 0;
}

static void aoe_test_exit(struct kunit *test)
{
	/* A case that failed half-way leaves its thread: stop it. */
	if (aoe_test.k.task)
		aoe_ktstop(&aoe_test.k);
}

/* Queue @n items and wake the thread, as ktcomplete() and aoenet_xmit() do. */
static void aoe_test_queue(int n)
{
	spin_lock_irq(&aoe_test.lock);
	aoe_test.pending += n;
	aoe_ktwake(&aoe_test.k);
	spin_unlock_irq(&aoe_test.lock);
}

static int aoe_test_done(void)
{
	int done;

	spin_lock_irq(&aoe_test.lock);
	done = aoe_test.done;
	spin_unlock_irq(&aoe_test.lock);
	return done;
}

/*
 * The thread runs at nice -10, as a kthread_core thread; aoe_ktstop() ends
 * it, and a wakeup after the stop finds no thread to wake.
 */
static void aoe_test_start_stop(struct kunit *test)
{
	struct task_struct *task;

	KUNIT_ASSERT_EQ(test, aoe_ktstart(&aoe_test.k), 0);
	task = aoe_test.k.task;
	KUNIT_ASSERT_NOT_NULL(test, task);
	get_task_struct(task);
	KUNIT_EXPECT_TRUE(test, kthread_core_owns(task));
	KUNIT_EXPECT_EQ(test, task_nice(task), -10);

	aoe_ktstop(&aoe_test.k);
	KUNIT_EXPECT_FALSE(test, kthread_core_owns(task));
	KUNIT_EXPECT_TRUE_MSG(test, task->flags & PF_EXITING,
			      "the thread did not exit");
	put_task_struct(task);
	/* Only once the thread is withdrawn is a wakeup safe. */
	KUNIT_ASSERT_NULL(test, aoe_test.k.task);
	aoe_test_queue(1);
}

/*
 * Whether @task goes to sleep in %TASK_INTERRUPTIBLE within the bound:
 * polled, as nothing signals it.
 */
static bool aoe_test_sleeps(struct task_struct *task)
{
	unsigned long end = jiffies + AOE_TEST_TIMEOUT;

	do {
		if (wait_task_inactive(task, TASK_INTERRUPTIBLE))
			return true;
		usleep_range(100, 200);
	} while (time_before(jiffies, end));
	return false;
}

/*
 * Work queued after each wakeup is done, all of it, and the thread
 * sleeps once it is done.
 */
static void aoe_test_work_after_wakeup(struct kunit *test)
{
	int round;

	KUNIT_ASSERT_EQ(test, aoe_ktstart(&aoe_test.k), 0);
	for (round = 1; round <= 3; round++) {
		KUNIT_ASSERT_TRUE_MSG(test, aoe_test_sleeps(aoe_test.k.task),
				      "round %d: the thread does not sleep", round);
		reinit_completion(&aoe_test.drained);
		aoe_test_queue(AOE_TEST_ITEMS);
		KUNIT_ASSERT_GT_MSG(test,
				    wait_for_completion_timeout(&aoe_test.drained,
								AOE_TEST_TIMEOUT),
				    0, "round %d: %d of %d items done", round,
				    aoe_test_done(), round * AOE_TEST_ITEMS);
		KUNIT_EXPECT_EQ(test, aoe_test_done(), round * AOE_TEST_ITEMS);
	}
	KUNIT_EXPECT_TRUE_MSG(test, aoe_test_sleeps(aoe_test.k.task),
			      "the thread does not sleep");
	aoe_ktstop(&aoe_test.k);
}

static int aoe_test_fork_fails(void)
{
	return -EAGAIN;
}

/* The error of the thread's creation reaches aoe_ktstart()'s caller. */
static void aoe_test_start_error(struct kunit *test)
{
	kunit_activate_static_stub(test, kthread_core_fork_fault,
				   aoe_test_fork_fails);
	KUNIT_EXPECT_EQ(test, aoe_ktstart(&aoe_test.k), -EAGAIN);
	kunit_deactivate_static_stub(test, kthread_core_fork_fault);
	KUNIT_EXPECT_NULL(test, aoe_test.k.task);
}

/* The driver's own threads are kthread_core threads at nice -10. */
static void aoe_test_driver_threads(struct kunit *test)
{
	static const char * const names[] = { "aoe_tx0", "aoe_ktio0" };
	struct task_struct *g, *t, *found;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		found = NULL;
		rcu_read_lock();
		for_each_process_thread(g, t) {
			if (t->flags & PF_KTHREAD && !strcmp(t->comm, names[i])) {
				found = get_task_struct(t);
				break;
			}
		}
		rcu_read_unlock();
		KUNIT_ASSERT_NOT_NULL_MSG(test, found, "no %s thread", names[i]);
		KUNIT_EXPECT_TRUE_MSG(test, kthread_core_owns(found),
				      "%s is not a kthread_core thread", names[i]);
		KUNIT_EXPECT_EQ(test, task_nice(found), -10);
		put_task_struct(found);
	}
}

static struct kunit_case aoe_test_cases[] = {
	KUNIT_CASE(aoe_test_start_stop),
	KUNIT_CASE(aoe_test_work_after_wakeup),
	KUNIT_CASE(aoe_test_start_error),
	KUNIT_CASE(aoe_test_driver_threads),
	{}
};

static struct kunit_suite aoe_test_suite = {
	.name = "aoe",
	.init = aoe_test_init,
	.exit = aoe_test_exit,
	.test_cases = aoe_test_cases,
};

kunit_test_suite(aoe_test_suite);
