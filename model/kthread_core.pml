/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A Promela model of the kthread_core protocol of kernel/kthread_core.c:
 * one thread, its creation, a start, a destroy and a kthread_stop() that
 * race each other, and a task that wakes the thread.  Spin checks it
 * (harness/model.sh, make model).
 *
 * Each process mirrors C functions:
 *
 *   creator   kthread_core_create(): the keventd worker's fork is folded
 *             in; it waits for the report, then makes the handle valid
 *             (hash_add)
 *   thread    kthread_core_thread(): kthread_core_report_asleep(),
 *             kthread_core_wait_start(), kthread_begin_core(), initfn,
 *             kthread_core_loop() with corefn, kthread_core_wait_stop(),
 *             kthread_exit() (do_exit() completing vfork_done, and
 *             kthread_do_exit() setting the result)
 *   starter   kthread_core_start(), and kthread_core_reap() when initfn
 *             failed and the start claims the exit
 *   destroyer kthread_core_destroy(): kthread_core_claim(), then
 *             kthread_core_reap(), which is __kthread_stop() (set
 *             kthread_should_stop(), wake_up_process(), wait for the
 *             exit), the result, hash_del(), complete_all(destroyed),
 *             kthread_core_put()
 *   stopper   kthread_stop() -> kthread_core_stop(): claims and reaps,
 *             or waits for another claimer, or finds the thread reaped
 *   waker     wake_up_process() from a kthread user, twice
 *   parker    kthread_park(), then kthread_unpark() or not (a destroy
 *             unparks): __kthread_parkme() in the thread
 *
 * The creator may be killed while it waits for the fork (-DKILL): it
 * gives up, and the thread, finding itself unwanted when it reports,
 * frees the state and exits (kthread_core_report()).  The others then
 * never get a handle.
 *
 * The task state and wake_up_process() follow the scheduler: the sleeper
 * sets its state and then tests its condition; schedule() blocks until the
 * state is TASK_RUNNING again; wake_up_process() sets TASK_RUNNING only if
 * the task is sleeping (try_to_wake_up() under p->pi_lock).  Completions
 * count; complete_all() never runs out.  kthread_core_lock is an atomic
 * block.  initfn and corefn succeed or fail at will; corefn may leave the
 * task sleeping or running.
 *
 * Properties (assertions, end states, and the LTL formula "returns"):
 *   every call returns: no process is left blocked (no lost wakeup), and,
 *     under weak fairness, every call eventually returns;
 *   initfn runs at most once, and never when destroy came before start;
 *   no callback starts after destroy returned;
 *   the state is freed exactly once, and never touched after: once every
 *     process is gone, it is freed;
 *   destroy, and kthread_stop(), return corefn's last value (0 if it never
 *     ran).
 *
 * Not modelled:
 *   - weak memory, but for the one relaxation that matters to the core
 *     loop: corefn may set its state with __set_current_state(), a plain
 *     store that a store buffer may hold past the loop's later loads
 *     (TSO's store-to-load reordering); smp_mb() drains it.  Every other
 *     access is sequentially consistent;
 *   - a park that races the thread's exit: upstream's kthread_park() is
 *     never answered if the thread exits with it pending, so a kthread
 *     user parks a thread only while it cannot exit: before its start,
 *     while its initfn runs (a failing one parks the thread before the
 *     start learns of the failure), or after a start that returned 0, and
 *     before a destroy or a stop.  The parker does so; the destroy and
 *     the stop begin once it is done;
 *   - freezing, signals, fork and allocation failures, more than one
 *     thread, the hash table beyond one entry, a corefn that calls
 *     kthread_exit() itself, and a start without an initfn;
 *   - task lifetime: kthread_stop() of a reaped thread reads its exit
 *     code, which the C caller may do only with a task reference;
 *   - time: bounded waits and the tests' watchdogs.
 *
 * Mutants, each a -D flag, each of which the checks must find:
 *   READ_BEFORE_STATE_A  the wait reads its requests before it sets its
 *                        task state, with the wait seam between the two
 *   READ_BEFORE_STATE_B  the same read, with the seam after both
 *   EARLY_FREE           the reaper frees the state as soon as it has
 *                        asked the thread to stop, before the thread's exit
 *                        (a failed start's thread touches nothing after
 *                        publishing initfn's error: it is the destroy path
 *                        that this breaks)
 *   NO_LOOP_MB           the core loop tests kthread_should_stop() with no
 *                        smp_mb() after corefn's plain state store
 *   START_IGNORES_CLAIM  kthread_core_start() sets START without looking
 *                        whether a destroy claimed the thread first
 *   PARK_NO_RECHECK      the thread runs initfn without testing for a stop
 *                        again after kthread_begin_core() parked it
 *   UNWANTED_LEAKS       a thread whose creator gave up exits without
 *                        freeing the state (with -DKILL)
 *   FAIL_IGNORES_PARK    a thread whose initfn failed reports it without
 *                        honouring a park asked for meanwhile
 *
 * With -DTWO, two starters and two destroyers race instead of one each,
 * and nothing parks or wakes the thread besides them (the parker and the
 * waker race one of each: all of them together take minutes to check).  With -DKILL, the creator may be killed.
 */

#define RUNNING		0
#define SLEEPING	1
#define PARKED		2	/* not woken by wake_up_process() */

#define OK		1	/* initfn or corefn succeeded */
#define FAIL		-5	/* they failed: -EIO */
#define EINTR		-4
#define EINVAL		-22
#define NONE		99	/* corefn never ran */

#define ALL		9	/* complete_all(): never runs out */

/* The thread's task. */
byte state = RUNNING;
bool buffered;			/* a plain store of SLEEPING waits in the store buffer */
bool should_stop;		/* KTHREAD_SHOULD_STOP */
bool should_park;		/* KTHREAD_SHOULD_PARK */
byte parked;			/* kthread->parked: completed when parking */
byte exited;			/* vfork_done: completed once, by the exit */
int exit_code;			/* kthread->result */

/* struct kthread_core */
bool reported, start_flag, claimed, hashed;
byte refs = 1;			/* the handle's */
bool freed;
int init_ret;
int result;
byte created, started, destroyed;	/* completions */

/* Ghosts, for the properties. */
bool created_done;		/* kthread_core_create() returned the handle */
bool abandoned;			/* the creator was killed and gave up */
#ifdef TWO
bool park_done = true;		/* no parker */
#else
bool park_done;			/* the parker's calls returned */
#endif
bool start_called, destroy_called;
int start_result = NONE;	/* what the start that ran initfn returned */
bool destroy_first;		/* destroy began before any start */
bool destroy_returned;
byte init_runs;
bool in_init;			/* initfn is running */
int last_core = NONE;
byte returned;			/* calls that returned */
#ifdef TWO
#define CALLS	6		/* creator, 2 starters, 2 destroyers, stopper */
#else
#define CALLS	6		/* creator, starter, destroyer, stopper, waker, parker */
#endif

ltl returns { <> (returned == CALLS) }

#define touch()		assert(!freed)

inline free_state() {
	assert(!freed);
	freed = true
}

inline put() {
	atomic {
		assert(refs > 0);
		refs--;
		if
		:: refs == 0 -> free_state()
		:: else
		fi
	}
}

/* set_current_state(): a full barrier, so nothing stays buffered. */
inline set_state(s) {
	atomic { buffered = false; state = s }
}

/* The store buffer drains by itself, at any time. */
inline drain() {
	atomic { buffered -> state = SLEEPING; buffered = false }
}

/* schedule(): return once the task is running. */
inline schedule() {
	(state == RUNNING && !buffered)
}

/* wake_up_process() */
inline wake() {
	atomic {
		if
		:: state == SLEEPING -> state = RUNNING
		:: else
		fi
	}
}

/* __kthread_parkme(): park while asked to, telling the parker. */
inline parkme() {
	do
	:: atomic {
		state = PARKED;			/* set_special_state(TASK_PARKED) */
		if
		:: !should_park -> state = RUNNING; break
		:: else -> parked++
		fi
	   };
	   (state == RUNNING)			/* until kthread_unpark() wakes it */
	od
}

/* kthread_unpark() */
inline unpark() {
	atomic {
		should_park = false;
		if
		:: state == PARKED -> state = RUNNING
		:: else
		fi
	}
}

/* kthread_core_reap(), by the one caller that claimed the exit. */
inline reap(ret) {
	should_stop = true;			/* __kthread_stop() */
	unpark();
	wake();
#ifdef EARLY_FREE
	atomic { touch(); hashed = false };
	destroyed = ALL;
	put();
#endif
	atomic { exited > 0 -> exited-- };	/* wait_for_completion(exited) */
	ret = exit_code;
#ifndef EARLY_FREE
	touch();
	result = ret;
	atomic { touch(); hashed = false };	/* hash_del() */
	destroyed = ALL;
	put()
#endif
}

proctype creator()
{
	/* The fork: the thread runs from here on. */
	run thread();
	if
	:: atomic { created > 0 -> created-- };
	   atomic { touch(); hashed = true; created_done = true }
#ifdef KILL
	:: atomic { !reported -> reported = true; abandoned = true }	/* killed: -EINTR */
#endif
	fi;
	returned++
}

proctype thread()
{
	bool req_start, req_stop;
	int ret;

	/* kthread_core_report_asleep() */
	set_state(SLEEPING);
	atomic {
		touch();
		if
		:: !reported -> reported = true; created++
#ifndef UNWANTED_LEAKS
		:: else -> set_state(RUNNING); put(); goto gone	/* unwanted */
#else
		:: else -> set_state(RUNNING); goto gone
#endif
		fi
	};

	/* kthread_core_wait_start() */
	do
	::
#if defined(READ_BEFORE_STATE_A) || defined(READ_BEFORE_STATE_B)
		atomic { touch(); req_start = start_flag };
		req_stop = should_stop;
#ifdef READ_BEFORE_STATE_A
		skip;				/* kthread_core_wait_window() */
#endif
		set_state(SLEEPING);
#ifdef READ_BEFORE_STATE_B
		skip;				/* kthread_core_wait_window() */
#endif
#else
		set_state(SLEEPING);
		atomic { touch(); req_start = start_flag };
		req_stop = should_stop;
		skip;				/* kthread_core_wait_window() */
#endif
		if
		:: req_stop || req_start -> break
		:: should_park -> set_state(RUNNING); parkme()
		:: else -> schedule()
		fi
	od;
	set_state(RUNNING);

	/* kthread_begin_core(): a stop, else a park asked for before the start */
	if
	:: req_stop || should_stop -> ret = EINTR
	:: else -> parkme(); ret = OK
	fi;
	/* then initfn, unless a stop came meanwhile (the test right before it) */
	atomic {
		if
#ifndef PARK_NO_RECHECK
		:: ret == OK && should_stop -> ret = EINTR
		:: ret == OK && !should_stop ->
#else
		:: ret == OK ->
#endif
			assert(!should_stop);
			assert(!destroy_returned);
			assert(!destroy_first);
			init_runs++;
			assert(init_runs == 1);
			in_init = true
		:: else
		fi
	};
	/* initfn runs, and a parker may ask meanwhile */
	atomic {
		if
		:: in_init ->
			if
			:: ret = OK
			:: ret = FAIL
			fi;
			in_init = false
		:: else
		fi
	};
	atomic { touch(); init_ret = ret };
	/* a park asked for while a failing initfn ran comes first */
#ifndef FAIL_IGNORES_PARK
	if
	:: ret != OK && should_park && !should_stop -> parkme()
	:: else
	fi;
#endif
	started = ALL;
	if
	:: ret != OK -> goto wait_stop	/* until the start or a destroy reaps it */
	:: else
	fi;

	/* kthread_core_loop() */
	ret = 0;
	do
	:: should_stop -> break
	:: !should_stop && should_park -> parkme()
	:: !should_stop && !should_park ->
		touch();
		assert(!destroy_returned);
		if
		:: ret = OK
		:: ret = FAIL
		fi;
		last_core = ret;
		if
		:: ret == FAIL -> break
		:: else
		fi;
		/* corefn leaves its sleeping state, or returns running */
		if
		:: set_state(SLEEPING)
		:: atomic { state = RUNNING; buffered = true }	/* __set_current_state() */
		:: skip
		fi;
#ifndef NO_LOOP_MB
		atomic { if :: buffered -> state = SLEEPING; buffered = false :: else fi };
#endif
		if
		:: should_stop -> break
		:: should_park -> skip			/* parks at the top */
		:: else ->
			if
			:: buffered -> drain()
			:: else
			fi;
			schedule()
		fi
	od;
	if
	:: buffered -> drain()
	:: else
	fi;
	set_state(RUNNING);

	/* kthread_core_wait_stop(): corefn or initfn failed, or not stopped yet */
wait_stop:
	do
	:: set_state(SLEEPING);
		if
		:: should_stop -> break
		:: should_park -> set_state(RUNNING); parkme()
		:: else -> schedule()
		fi
	od;
	set_state(RUNNING);
	if
	:: last_core == NONE -> exit_code = 0
	:: else -> exit_code = last_core
	fi;
out:
	/* kthread_exit(): the last touch, then complete(vfork_done) */
	atomic { exited++ };
gone:
	skip
}

proctype starter()
{
	int ret;
	bool mine;

	created_done || abandoned;
	if
	:: abandoned -> goto out
	:: else
	fi;
	/* kthread_core_get_unstarted(), under kthread_core_lock */
	atomic {
		start_called = true;
		if
		:: !hashed -> ret = EINVAL; goto out
#ifndef START_IGNORES_CLAIM
		:: claimed -> ret = EINTR; goto out
#endif
		:: start_flag -> ret = -16; goto out		/* -EBUSY */
		:: else -> touch(); refs++; start_flag = true
		fi
	};
	wake();
	started > 0;
	touch();
	ret = init_ret;
	start_result = ret;
	if
	:: ret != OK ->
		atomic { touch(); if :: !claimed -> claimed = true; mine = true :: else fi };
		if
		:: mine -> reap(ret)
		:: else -> destroyed > 0	/* the claimer's reap */
		fi
	:: else
	fi;
	put();
out:
	returned++
}

proctype destroyer()
{
	int ret;

	(created_done && park_done) || abandoned;
	if
	:: abandoned -> goto out
	:: else
	fi;
	atomic {
		if
		:: !hashed || claimed -> ret = EINVAL; goto out
		:: else -> touch(); claimed = true
		fi;
		destroy_called = true;
		if
		:: !start_called -> destroy_first = true
		:: else
		fi
	};
	reap(ret);
	if
	:: last_core == NONE -> assert(ret == 0)
	:: else -> assert(ret == last_core)
	fi;
	destroy_returned = true;
out:
	returned++
}

proctype stopper()
{
	int ret;
	bool owner;

	(created_done && park_done) || abandoned;
	if
	:: abandoned -> returned++; goto end
	:: else
	fi;
	atomic {
		if
		:: !hashed -> goto reaped
		:: !claimed -> touch(); claimed = true; owner = true
		:: else -> touch(); refs++
		fi
	};
	if
	:: owner -> reap(ret)
	:: else ->
		destroyed > 0;
		touch();
		ret = result;
		put()
	fi;
	goto check;
reaped:
	ret = exit_code;		/* reaped: the thread has exited */
check:
	if
	:: last_core == NONE -> assert(ret == 0)
	:: else -> assert(ret == last_core)
	fi;
	returned++;
end:
	skip
}

proctype waker()
{
	created_done || abandoned;
	wake();
	wake();
	returned++
}

/* kthread_park(), then kthread_unpark() or leave it to a destroy. */
proctype parker()
{
	created_done || abandoned;
	if
	:: abandoned -> goto out
	:: else
	fi;
	if
	:: atomic { !start_called -> should_park = true }	/* before any start */
	:: atomic { in_init -> should_park = true }		/* while initfn runs */
	:: start_result == OK -> should_park = true		/* after a good start */
	:: start_result != OK && start_result != NONE -> goto out	/* it exits */
	fi;
	wake();
	atomic { parked > 0 -> parked-- };	/* wait_for_completion(parked) */
	(state == PARKED);			/* wait_task_inactive(TASK_PARKED) */
	if
	:: unpark()
	:: skip
	fi;
out:
	park_done = true;
	returned++
}

init
{
	atomic {
		run creator();
		run starter();
		run destroyer();
#ifdef TWO
		run starter();
		run destroyer();
#endif
		run stopper()
#ifndef TWO
		;
		run waker();
		run parker()
#endif
	};
	/* Everyone is gone: the state must be too. */
	_nr_pr == 1;
	assert(freed)
}
