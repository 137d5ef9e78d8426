// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of devtmpfs: a device with a dev_t gets its node, with the
 * right type and mode, and loses it with the device.  The nodes are made
 * by kdevtmpfs, a kthread_core thread, so several tasks creating and
 * removing devices at once exercise its wakeups.
 *
 * Every device operation runs in a helper thread that the case waits for
 * with a bound: a request that kdevtmpfs loses leaves its submitter
 * waiting for ever, and fails the case instead of hanging it.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/device/class.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kthread.h>
#include <linux/kthread_core.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/stat.h>

#define DEVTMPFS_TEST_MINORS	64
#define DEVTMPFS_TEST_TASKS	4
#define DEVTMPFS_TEST_ROUNDS	16
#define DEVTMPFS_TEST_MODE	0640
#define DEVTMPFS_TEST_TIMEOUT	(10 * HZ)

struct devtmpfs_test {
	struct vfsmount *mnt;	/* a kernel mount of devtmpfs */
	const struct class *class;
	dev_t base;		/* DEVTMPFS_TEST_MINORS char dev_t from here */
};

/* One task's share of the work: create, check and remove its devices. */
struct devtmpfs_test_task {
	struct devtmpfs_test *ctx;
	unsigned int first;	/* first minor */
	unsigned int rounds;
	int failures;
	char why[96];		/* the first failure */
	struct completion done;
};

static char *devtmpfs_test_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = DEVTMPFS_TEST_MODE;
	return NULL;
}

static int devtmpfs_test_init(struct kunit *test)
{
	struct devtmpfs_test *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct file_system_type *type;
	struct class *class;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	type = get_fs_type("devtmpfs");
	KUNIT_ASSERT_NOT_NULL_MSG(test, type, "devtmpfs is not registered");
	ctx->mnt = vfs_kern_mount(type, 0, "devtmpfs", NULL);
	put_filesystem(type);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ctx->mnt), "mount: %pe", ctx->mnt);

	KUNIT_ASSERT_EQ(test, alloc_chrdev_region(&ctx->base, 0,
						  DEVTMPFS_TEST_MINORS,
						  "devtmpfs-test"), 0);
	class = class_create("devtmpfs_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(class));
	class->devnode = devtmpfs_test_devnode;
	ctx->class = class;
	return 0;
}

static void devtmpfs_test_exit(struct kunit *test)
{
	struct devtmpfs_test *ctx = test->priv;

	if (!IS_ERR_OR_NULL(ctx->class))
		class_destroy(ctx->class);
	if (ctx->base)
		unregister_chrdev_region(ctx->base, DEVTMPFS_TEST_MINORS);
	if (!IS_ERR_OR_NULL(ctx->mnt))
		mntput(ctx->mnt);
}

/* The node @name in devtmpfs: its mode and dev_t, or -ENOENT. */
static int devtmpfs_test_lookup(struct devtmpfs_test *ctx, const char *name,
				umode_t *mode, dev_t *rdev)
{
	struct path path;
	int err;

	err = vfs_path_lookup(ctx->mnt->mnt_root, ctx->mnt, name, 0, &path);
	if (err)
		return err;
	*mode = d_inode(path.dentry)->i_mode;
	*rdev = d_inode(path.dentry)->i_rdev;
	path_put(&path);
	return 0;
}

static __printf(2, 3) void devtmpfs_test_fail(struct devtmpfs_test_task *t,
					      const char *fmt, ...)
{
	va_list args;

	if (t->failures++)
		return;
	va_start(args, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, args);
	va_end(args);
}

/* Create, check and remove one device; record what went wrong. */
static void devtmpfs_test_cycle(struct devtmpfs_test_task *t, unsigned int minor)
{
	struct devtmpfs_test *ctx = t->ctx;
	dev_t devt = ctx->base + minor;
	struct device *dev;
	char name[32];
	umode_t mode;
	dev_t rdev;
	int err;

	snprintf(name, sizeof(name), "devtmpfs_test%u", minor);
	dev = device_create(ctx->class, NULL, devt, NULL, "%s", name);
	if (IS_ERR(dev)) {
		devtmpfs_test_fail(t, "minor %u: device_create: %pe", minor, dev);
		return;
	}
	err = devtmpfs_test_lookup(ctx, name, &mode, &rdev);
	if (err)
		devtmpfs_test_fail(t, "minor %u: no node after device_create: %d",
				   minor, err);
	else if (mode != (S_IFCHR | DEVTMPFS_TEST_MODE))
		devtmpfs_test_fail(t, "minor %u: node mode %#o", minor, mode);
	else if (rdev != devt)
		devtmpfs_test_fail(t, "minor %u: node dev_t %#x", minor, rdev);

	device_destroy(ctx->class, devt);
	err = devtmpfs_test_lookup(ctx, name, &mode, &rdev);
	if (err != -ENOENT)
		devtmpfs_test_fail(t, "minor %u: node still there after device_destroy: %d",
				   minor, err);
}

static int devtmpfs_test_thread(void *data)
{
	struct devtmpfs_test_task *t = data;
	unsigned int i;

	for (i = 0; i < t->rounds; i++)
		devtmpfs_test_cycle(t, t->first + i % (DEVTMPFS_TEST_MINORS /
						      DEVTMPFS_TEST_TASKS));
	complete(&t->done);
	return 0;
}

/* Run @n tasks of @rounds cycles each at once, and check them all. */
static void devtmpfs_test_run(struct kunit *test, unsigned int n,
			      unsigned int rounds)
{
	struct devtmpfs_test_task *t;
	struct task_struct *k;
	unsigned int i;

	t = kunit_kcalloc(test, n, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < n; i++) {
		t[i].ctx = test->priv;
		t[i].first = i * (DEVTMPFS_TEST_MINORS / DEVTMPFS_TEST_TASKS);
		t[i].rounds = rounds;
		init_completion(&t[i].done);
		k = kthread_run(devtmpfs_test_thread, &t[i], "devtmpfs-test%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	}
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&t[i].done,
									DEVTMPFS_TEST_TIMEOUT),
				      "task %u: a device request got no answer in %d s: kdevtmpfs lost it",
				      i, DEVTMPFS_TEST_TIMEOUT / HZ);
		KUNIT_EXPECT_EQ_MSG(test, t[i].failures, 0, "task %u: %s", i, t[i].why);
	}
}

/* A node appears with its device, with its type, mode and dev_t, and goes. */
static void devtmpfs_test_node(struct kunit *test)
{
	devtmpfs_test_run(test, 1, 1);
}

/* Several tasks at once, so that kdevtmpfs is woken while it works. */
static void devtmpfs_test_concurrent(struct kunit *test)
{
	devtmpfs_test_run(test, DEVTMPFS_TEST_TASKS, DEVTMPFS_TEST_ROUNDS);
}

/*
 * kdevtmpfs is a kthread_core thread, kthread_core_start() says it runs,
 * and kthreadd (pid 2) is its parent, as it is every kthread's.
 */
static void devtmpfs_test_thread_is_kthread_core(struct kunit *test)
{
	struct task_struct *g, *t, *found = NULL;
	pid_t ppid;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (t->flags & PF_KTHREAD && !strcmp(t->comm, "kdevtmpfs")) {
			found = get_task_struct(t);
			break;
		}
	}
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL_MSG(test, found, "no kdevtmpfs thread");
	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(found->real_parent));
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, kthread_core_owns(found));
	KUNIT_EXPECT_PTR_EQ(test, kthread_core_start(found), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_EQ_MSG(test, ppid, 2, "kdevtmpfs's parent is %d, not kthreadd", ppid);
	put_task_struct(found);
}

static struct kunit_case devtmpfs_test_cases[] = {
	KUNIT_CASE(devtmpfs_test_node),
	KUNIT_CASE(devtmpfs_test_concurrent),
	KUNIT_CASE(devtmpfs_test_thread_is_kthread_core),
	{}
};

static struct kunit_suite devtmpfs_test_suite = {
	.name = "devtmpfs",
	.init = devtmpfs_test_init,
	.exit = devtmpfs_test_exit,
	.test_cases = devtmpfs_test_cases,
};

kunit_test_suite(devtmpfs_test_suite);

MODULE_DESCRIPTION("KUnit test of devtmpfs and its kthread_core thread");
MODULE_LICENSE("GPL");
