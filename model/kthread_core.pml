/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A Promela model of the kthread_core protocol of kernel/kthread_core.c:
 * one thread, its creation, a start, a destroy and a kthread_stop() that
 * race each other and the start (two stoppers at once, both waiting for
 * the same exit), a user that gives the thread work and wakes it, and a
 * parker.  Spin checks it (harness/checks/model.sh, make model).
 *
 * Each process mirrors C functions:
 *
 *   creator   kthread_core_create(): the state, with the table's
 *             reference; the fork through kthread.c
 *             (__kthread_create_on_node(), by kthreadd or directly: the
 *             same from here on) and its wait for the new thread's report;
 *             the thread's reference, task_work_add() of the exit hook,
 *             hash_add()
 *   thread    kthread(): its pre-start sleep (TASK_UNINTERRUPTIBLE,
 *             reported with preemption off), the test of
 *             KTHREAD_SHOULD_STOP at the first wakeup, __kthread_parkme();
 *             then kthread_core_thread(): kthread_core_find(current),
 *             kthread_core_sleep(start), the stop test, initfn, the park
 *             of a failed initfn, init_ret and complete_all(init_done),
 *             kthread_core_loop() with corefn, kthread_core_sleep(stop);
 *             then kthread_exit(): do_exit() with kthread_do_exit() (the
 *             result, the exit code), exit_mm()'s complete(vfork_done),
 *             and exit_task_work() running kthread_core_exit_work()
 *             (result, the reap after a stop, complete_all(init_done),
 *             complete_all(exited), the thread's put)
 *   starter   kthread_core_start(): the lookup under kthread_core_lock
 *             (-EINVAL, -EBUSY, or @started and a reference),
 *             wake_up_process(), with an initfn the wait for init_done
 *             and init_ret, and after a failure kthread_request_stop(),
 *             the wait for exited and kthread_core_reap();
 *             kthread_core_put()
 *   destroyer kthread_core_destroy(): kthread_core_get(),
 *             kthread_request_stop(), the wait for exited,
 *             kthread_core_reap(), the result, kthread_core_put()
 *   stopper   upstream kthread_stop(): kthread_request_stop(), the wait
 *             on vfork_done (kthread->exited, which do_exit() completes
 *             with complete(): for one waiter), kthread->result; it holds
 *             a task reference of its own and touches no kthread_core state
 *   waker     a user that gives corefn work: WRITE_ONCE(work, 1), then
 *             wake_up_process(); before the start, a stray wakeup
 *   parker    kthread_park() (wake_up_process(), the waits for parked and
 *             for TASK_PARKED), then kthread_unpark() or not (a stop
 *             unparks): __kthread_parkme() in the thread
 * and these inlines:
 *   request_stop()  kthread_request_stop(): set_bit(KTHREAD_SHOULD_STOP),
 *                   kthread_unpark(), wake_up_process()
 *   reap()          kthread_core_reap(): under the lock, the
 *                   hlist_unhashed() test and hlist_del_init(); then the
 *                   put of the table's reference by the caller that
 *                   unhashed it
 *   put()           kthread_core_put(): the last reference frees the state
 *   core_sleep()    kthread_core_sleep(), with kthread_core_wait_window()
 *   corefn()        corefn, see below
 *
 * The thread has an initfn or not (kthread_core_create()'s @initfn may be
 * NULL: the start then waits for nothing, and the thread goes on as if
 * initfn returned 0).  Either the stops race the start (a destroy and a
 * kthread_stop(), at any time after the creation), or a destroy follows
 * the start's return, as most users do (no kthread_stop() then): a start
 * that waited for a stop that never comes shows as a hang there.
 *
 * With -DKILL the creator may fail: killed while it waits for the fork
 * (or the fork fails): no thread then runs kthread_core_thread(), and the
 * creator frees the state; or task_work_add() refuses the hook: the
 * creator kthread_stop()s the thread, which exits from kthread() without
 * its thread function, and puts both references.  The others then never
 * get a thread.
 *
 * The task state and wake_up_process() follow the scheduler: the sleeper
 * sets its state and then tests its condition; schedule() blocks until the
 * state is TASK_RUNNING again; wake_up_process() sets TASK_RUNNING only if
 * the task is sleeping (try_to_wake_up() under p->pi_lock), not parked.
 * TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE and TASK_IDLE are one SLEEPING
 * state.  Completions count; complete_all() never runs out.
 * kthread_core_lock is an atomic block.  initfn and corefn succeed, fail
 * or call kthread_exit() themselves, at will.
 *
 * corefn, each time it succeeds, does one of:
 *   a. set_current_state(TASK_INTERRUPTIBLE), then a lockless check of its
 *      work (TASK_RUNNING again if there is some, which it takes);
 *   b. __set_current_state(TASK_INTERRUPTIBLE), a plain store that the
 *      store buffer may hold past later loads (TSO's store-to-load
 *      reordering), then the check under the lock that the waker also
 *      takes: taking it, a locked RMW, drains the store buffer;
 *   c. __set_current_state(TASK_INTERRUPTIBLE) with no work of its own
 *      (it waits for any wakeup): only the loop's smp_mb() drains the
 *      store.
 *
 * Properties (assertions, end states, and the LTL formula "returns"):
 *   every call returns: no process is left blocked (no lost wakeup), and,
 *     under weak fairness, every call eventually returns;
 *   no work is lost (issue 23): the core loop never goes to sleep after a
 *     corefn that checks its work (a, b) with the work pending and the
 *     waker's wake_up_process() done;
 *   the thread finds its state: kthread_core_find(current) never fails;
 *   initfn runs at most once, and no callback runs when a stop (a
 *     destroy, a kthread_stop()) came before the start;
 *   no callback (initfn, corefn) starts once a destroy, a kthread_stop()
 *     or a failed start returned, and none of these returns while the
 *     thread runs the caller's code, whoever else stops it at the same
 *     time;
 *   the state is freed exactly once, and never touched after: once every
 *     process is gone, it is freed;
 *   destroy and kthread_stop() return the same value: corefn's last value
 *     (0 if corefn never ran after a successful initfn), initfn's error,
 *     -EINTR if the stop came before initfn could run (before the thread
 *     saw its start), or the code that a callback passed to
 *     kthread_exit(); a start returns initfn's value,
 *     or -EINTR if the thread exited without one; a destroy or a start
 *     finds the thread gone (-EINVAL) only after a stop.
 *
 * Not modelled:
 *   - weak memory, but for the one relaxation that matters to the sleeps:
 *     __set_current_state() of a sleeping state, a plain store, may stay
 *     in the store buffer until a barrier (smp_mb(), a locked RMW,
 *     schedule()).  Every other access is sequentially consistent, the
 *     lockless loads of @started and of the stop flag among them, and the
 *     lock orders as on TSO, not only as acquire and release;
 *   - a park that races the thread's exit: upstream's kthread_park() is
 *     never answered if the thread exits with it pending, so a kthread
 *     user parks a thread only while it cannot exit: before its start,
 *     while its initfn runs (a failing one parks the thread before the
 *     start learns of the failure), or after a start that returned 0,
 *     before a stop, and the callbacks call kthread_exit() only when no
 *     park is pending.  The parker does so; the stops begin once it is
 *     done; it leaves the thread parked only if a stop can unpark it;
 *   - freezing, signals, more than one thread, the hash table beyond one
 *     entry, kthread_core_owns(), a thread without a corefn, a destroy by
 *     the thread itself (-EDEADLK), two kthread_stop()s (one waiter, by
 *     upstream's design), kthread_core_clean()'s wait_task_inactive();
 *   - task lifetime: kthread_stop() and the requests hold a task
 *     reference, their own or the state's;
 *   - time: bounded waits and the tests' watchdogs.
 *
 * Mutants, each a -D flag, each of which the checks must find:
 *   READ_BEFORE_STATE_A    kthread_core_sleep() reads its requests before
 *                          it sets its task state, with the wait seam
 *                          between the two
 *   READ_BEFORE_STATE_B    the same read, with the seam after both
 *   NO_LOOP_MB             the core loop tests kthread_should_stop() with
 *                          no smp_mb() after corefn's plain state store
 *   COREFN_PLAIN_LOCKLESS  corefn b checks its work without the lock,
 *                          after its plain __set_current_state() (issue
 *                          23): the store buffer hides the state from the
 *                          waker's wake_up_process()
 *   THREAD_NO_STOP_CHECK   kthread_core_thread() runs initfn without
 *                          testing for a stop after its pre-start sleep
 *   DESTROY_NO_WAIT        destroy reaps and returns without waiting for
 *                          exited
 *   STOP_ONE_WAITER        destroy waits on vfork_done, kthread_stop()'s
 *                          one-waiter completion, instead of exited
 *   HOOK_NO_COMPLETE_INIT  the exit hook does not complete init_done: a
 *                          start whose thread exited before it set
 *                          init_ret hangs
 *   HOOK_ALWAYS_REAP       the exit hook reaps a thread that ended by itself
 *   REAP_TWICE             kthread_core_reap() puts the table's reference
 *                          without testing that the state is hashed
 *   START_NO_STOP_ON_FAIL  a start whose initfn failed waits for the exit
 *                          without kthread_request_stop()
 *   FAIL_IGNORES_PARK      a thread whose initfn failed reports it without
 *                          honouring a park asked for meanwhile
 *
 * With -DTWO, two starters and two destroyers race instead of one each
 * (with the kthread_stop(), three stoppers), and nothing parks or wakes
 * the thread besides them: all of them together take much longer to
 * check.
 */

#define RUNNING		0
#define SLEEPING	1	/* woken by wake_up_process() */
#define PARKED		2	/* not woken by wake_up_process() */

#define OK		1	/* initfn or corefn succeeded */
#define FAIL		-5	/* they failed: -EIO */
#define EXITC		3	/* they called kthread_exit(3) */
#define EINTR		-4
#define EBUSY		-16
#define EINVAL		-22
#define NONE		99	/* initfn, or corefn, never ran */

#define ALL		9	/* complete_all(): never runs out */

/* The thread's task and its struct kthread. */
byte state = RUNNING;
bool buffered;			/* a plain store of SLEEPING waits in the store buffer */
bool should_stop;		/* KTHREAD_SHOULD_STOP */
bool should_park;		/* KTHREAD_SHOULD_PARK */
byte created;			/* create->done: the thread's report */
byte parked;			/* kthread->parked */
byte vfork;			/* vfork_done = &kthread->exited: complete() once */
short kresult;			/* kthread->result, and tsk->exit_code */
bool hook;			/* the exit hook is queued: task_work_add() */
bool work;			/* corefn's work, given by the waker */

/* struct kthread_core */
bool has_init;			/* @initfn is not NULL */
bool started;			/* @started */
bool hashed;			/* @node is in kthread_core_hash */
byte refs = 1;			/* the table's */
bool freed;
short init_ret = EINTR;
short result;
byte init_done, exited;		/* completions */

/* Ghosts, for the properties. */
bool racing;			/* the stops race the start, else a destroy follows it */
bool created_done;		/* kthread_core_create() returned the thread */
bool abandoned;			/* it failed: nobody gets a thread */
#ifdef TWO
bool park_done = true;		/* no parker */
#define NSTART	2
#define CALLS	6		/* creator, 2 starters, 2 destroyers, stopper */
#else
bool park_done;			/* the parker's calls returned */
#define NSTART	1
#define CALLS	6		/* creator, starter, destroyer, stopper, waker, parker */
#endif
short start_result = NONE;	/* what the start that set @started returned: OK if @k */
byte starts_back;		/* starters that returned */
bool stop_first;		/* a stop came before any start */
bool stop_returned;		/* a destroy, kthread_stop() or failed start returned */
bool exiting;			/* the thread is in do_exit(): no caller code any more */
byte init_runs;
bool in_init;			/* initfn runs */
short init_out = NONE;		/* what initfn did: OK, FAIL, EXITC */
short last_core = NONE;		/* what corefn did last: OK, FAIL, EXITC */
bool dying;			/* a callback called kthread_exit() */
bool checked;			/* the last corefn checked its work: a or b */
bool wake_done;			/* the waker's wake_up_process() returned */
byte returned;			/* calls that returned */

ltl returns { <> (returned == CALLS) }

#define touch()		assert(!freed)

inline put() {
	atomic {
		assert(refs > 0);
		refs--;
		if
		:: refs == 0 -> assert(!freed); freed = true
		:: else
		fi
	}
}

/* set_current_state(), and __set_current_state(TASK_RUNNING) */
inline set_state(s) {
	atomic { buffered = false; state = s }
}

/* __set_current_state() of a sleeping state: a plain store, buffered. */
inline plain_sleep() {
	atomic { state = RUNNING; buffered = true }
}

/* A barrier, or schedule() itself: the buffered store becomes visible. */
inline drain() {
	if
	:: buffered -> state = SLEEPING; buffered = false
	:: else
	fi
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
		buffered = false;
		state = PARKED;			/* set_special_state(TASK_PARKED) */
		if
		:: !should_park -> state = RUNNING; break
		:: else -> parked++		/* complete(&self->parked) */
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
		:: state == PARKED -> state = RUNNING	/* wake_up_state(TASK_PARKED) */
		:: else
		fi
	}
}

/* kthread_request_stop() */
inline request_stop() {
	atomic {
		should_stop = true;
		if
		:: !started -> stop_first = true
		:: else
		fi
	};
	unpark();
	wake()
}

/* kthread_core_reap(): out of the table once, then the table's put. */
inline reap() {
	atomic {			/* under kthread_core_lock */
		touch();
#ifdef REAP_TWICE
		mine = true;
#else
		mine = hashed;		/* !hlist_unhashed() */
#endif
		hashed = false
	};
	atomic {
		if
		:: mine -> put(); mine = false
		:: else
		fi
	}
}

/* What the thread exits with, from what its callbacks did. */
inline expected(e) {
	if
	:: init_out == NONE -> e = EINTR
	:: init_out != NONE && init_out != OK -> e = init_out
	:: init_out == OK && last_core == NONE -> e = 0
	:: init_out == OK && last_core != NONE -> e = last_core
	fi
}

/*
 * kthread_core_sleep(): sleep until a stop, or with start until
 * kthread_core_start(), parking when asked.
 */
inline read_requests(start) {
	atomic { touch(); req_start = start && started };	/* READ_ONCE(kc->started) */
	req_stop = should_stop
}

inline core_sleep(start) {
	do
	::
#if defined(READ_BEFORE_STATE_A) || defined(READ_BEFORE_STATE_B)
		read_requests(start);
#ifdef READ_BEFORE_STATE_A
		skip;				/* kthread_core_wait_window() */
#endif
		set_state(SLEEPING);
#ifdef READ_BEFORE_STATE_B
		skip;				/* kthread_core_wait_window() */
#endif
#else
		set_state(SLEEPING);
		read_requests(start);
		skip;				/* kthread_core_wait_window() */
#endif
		if
		:: req_stop || req_start -> break
		:: else ->
			if
			:: should_park -> set_state(RUNNING); parkme()
			:: else -> (state == RUNNING)	/* schedule() */
			fi
		fi
	od;
	atomic { set_state(RUNNING); req_start = false; req_stop = false }
}

/*
 * corefn: what it returns, and for OK how it leaves its task state (a, b
 * or c of the header); then a and b check for work.
 */
inline corefn() {
	atomic {
		assert(!stop_first);
		assert(!stop_returned);
		touch();			/* kc->corefn(kc->data) */
		if
		:: ret = FAIL
		:: !should_park -> ret = EXITC; dying = true	/* kthread_exit() */
		:: ret = OK; checked = true; set_state(SLEEPING)	/* a */
		:: ret = OK; checked = true; plain_sleep()		/* b */
		:: ret = OK; checked = false; plain_sleep()		/* c */
		fi;
		last_core = ret
	};
	if
	:: atomic {
		ret == OK && checked ->
#ifndef COREFN_PLAIN_LOCKLESS
		drain();			/* b: spin_lock() */
#endif
		if
		:: work -> work = false; set_state(RUNNING)
		:: else
		fi
	   }
	:: else
	fi
}

proctype creator()
{
	bool mine;

#ifdef KILL
	if
	:: atomic {	/* killed, or the fork failed */
		put();
		abandoned = true;
		returned++;
		goto out
	   }
	:: skip
	fi;
#endif
	/* The fork: kthread() runs from here on, and reports asleep. */
	run thread();
	atomic { created > 0 -> created-- };	/* wait_for_completion_killable() */
#ifdef KILL
	if
	:: /* task_work_add() refused the hook: kthread_stop(), two puts */
		atomic { touch(); refs++ };
		request_stop();
		atomic { vfork > 0 -> vfork-- };
		put();
		atomic { put(); abandoned = true; returned++ };
		goto out
	:: skip
	fi;
#endif
	/* The thread's reference, the exit hook, hash_add(). */
	atomic {
		touch();
		refs++;
		hook = true;
		hashed = true;
		created_done = true;
		returned++
	};
out:
}

proctype thread()
{
	short ret;
	bool req_start, req_stop, mine;

	/* kthread(): report, asleep, and wait for the first wakeup. */
	atomic { state = SLEEPING; created++ };
	(state == RUNNING);
	if
	:: should_stop -> ret = EINTR; goto out	/* stopped before it ran */
	:: else
	fi;
	parkme();				/* __kthread_parkme() */

	/* kthread_core_thread(): its state is in the table. */
	atomic { touch(); assert(hashed) };
	core_sleep(true);
#ifndef THREAD_NO_STOP_CHECK
	if
	:: should_stop -> ret = EINTR; goto out
	:: else
	fi;
#endif
	/* initfn */
	if
	:: atomic {
		has_init ->
		assert(!stop_first);
		assert(!stop_returned);
		touch();
		init_runs++;
		assert(init_runs == 1);
		in_init = true
	   };
	   atomic {	/* returns, or calls kthread_exit(), as it runs */
		in_init = false;
		if
		:: ret = OK
		:: ret = FAIL
		:: !should_park -> ret = EXITC; dying = true
		fi;
		init_out = ret
	   }
	:: atomic { !has_init -> ret = 0; init_out = OK }	/* as if it returned 0 */
	fi;
	if
	:: ret == EXITC -> goto out
#ifndef FAIL_IGNORES_PARK
	/* A park asked for while a failing initfn ran comes first. */
	:: ret == FAIL && should_park && !should_stop -> parkme()
#endif
	:: else
	fi;
	atomic { touch(); init_ret = ret; init_done = ALL };

	/* kthread_core_loop() */
	if
	:: ret >= 0 ->
		ret = 0;
		do
		:: should_stop -> break
		:: else ->
			if
			:: should_park -> set_state(RUNNING); parkme()
			:: else ->
				corefn();
				if
				:: ret == EXITC -> goto out
				:: ret == FAIL -> break
				:: atomic {
					ret == OK
#ifndef NO_LOOP_MB
					-> drain()		/* smp_mb() */
#endif
				   }
				fi;
				if
				:: should_stop || should_park -> skip	/* continue */
				:: else ->
					atomic {	/* schedule() */
						drain();
						/* no work lost with its wakeup */
						assert(!(checked && state == SLEEPING &&
							 work && wake_done))
					};
					(state == RUNNING)
				fi
			fi
		od;
		set_state(RUNNING)
	:: else
	fi;
	/* kthread_core_sleep(stop) */
	core_sleep(false);

out:
	/* kthread_exit(ret): do_exit() */
	atomic {
		set_state(RUNNING);
		exiting = true;
		work = false;			/* the core loop's ghosts */
		checked = false;
		kresult = ret;			/* kthread_do_exit(), exit_code */
		vfork++				/* exit_mm(): complete(vfork_done) */
	};
	if
	:: atomic {	/* exit_task_work(): kthread_core_exit_work() */
		hook ->
		touch();
		result = kresult;
#ifndef HOOK_ALWAYS_REAP
		req_stop = should_stop		/* kthread_should_stop() */
#else
		req_stop = true
#endif
	   };
		if
		:: req_stop -> req_stop = false; reap()
		:: else
		fi;
#ifndef HOOK_NO_COMPLETE_INIT
		atomic { touch(); init_done = ALL; exited = ALL };
#else
		atomic { touch(); exited = ALL };
#endif
		put()
	:: else
	fi
}

proctype starter()
{
	short ret;
	bool mine;

	if
	:: atomic { abandoned -> starts_back++; returned++ }
	:: created_done ->
		atomic {	/* under kthread_core_lock */
			if
			:: !hashed -> assert(should_stop); ret = EINVAL
			:: hashed && started -> ret = EBUSY
			:: hashed && !started -> touch(); started = true; refs++; ret = 0
			fi;
			if
			:: ret < 0 -> starts_back++; returned++; goto out
			:: else
			fi
		};
		wake();				/* wake_up_process(k) */
		if
		:: atomic {
			has_init && init_done > 0 ->	/* wait_for_completion(&kc->init_done) */
			touch();
			ret = init_ret;
			if
			:: init_out == OK -> assert(ret == OK)
			:: init_out == FAIL -> assert(ret == FAIL)
			:: else -> assert(ret == EINTR)
			fi
		   }
		:: !has_init			/* nothing to wait for */
		fi;
		if
		:: ret < 0 ->
#ifndef START_NO_STOP_ON_FAIL
			request_stop();
#endif
			exited > 0;		/* wait_for_completion(&kc->exited) */
			reap();
			atomic { assert(exiting); stop_returned = true }
		:: else
		fi;
		atomic {
			start_result = (ret >= 0 -> OK : ret);	/* @k, or ERR_PTR(ret) */
			put();
			starts_back++;
			returned++
		}
	fi;
out:
}

proctype destroyer()
{
	short ret, e;
	bool mine;

	if
	:: atomic { abandoned -> returned++; goto out }
	:: racing && created_done && park_done
	:: !racing && created_done && starts_back == NSTART && park_done
	fi;
	atomic {	/* kthread_core_get() */
		if
		:: !hashed ->		/* -EINVAL */
			assert(should_stop);
			assert(exiting);
			stop_returned = true;
			returned++;
			goto out
		:: else -> touch(); refs++
		fi
	};
	request_stop();
#if defined(STOP_ONE_WAITER)
	atomic { vfork > 0 -> vfork-- };	/* kthread_stop()'s wait */
#elif !defined(DESTROY_NO_WAIT)
	exited > 0;				/* wait_for_completion(&kc->exited) */
#endif
	reap();
	atomic { touch(); ret = result; expected(e); assert(ret == e); e = 0 };	/* kc->result */
	atomic { put(); assert(exiting); stop_returned = true; returned++ };
out:
}

proctype stopper()
{
	short ret, e;

	if
	:: atomic { abandoned || !racing -> returned++ }
	:: racing && created_done && park_done ->
		request_stop();
		atomic {
			vfork > 0 -> vfork--;	/* wait_for_completion(&kthread->exited) */
			ret = kresult;
			expected(e);
			assert(ret == e);
			assert(exiting);
			stop_returned = true;
			returned++
		}
	fi
}

proctype waker()
{
	if
	:: atomic { abandoned -> returned++ }
	:: created_done ->
		work = true;				/* WRITE_ONCE(work, 1) */
		atomic { wake(); wake_done = true; returned++ }	/* wake_up_process() */
	fi
}

/* kthread_park(), then kthread_unpark() or leave it to a stop. */
proctype parker()
{
	if
	:: atomic { abandoned -> park_done = true; returned++ }
	:: created_done ->
		if
		:: atomic { !started -> should_park = true }		/* before any start */
		:: atomic { in_init -> should_park = true }		/* while initfn runs */
		:: atomic { start_result == OK && !dying -> should_park = true }	/* after a good start */
		:: atomic {	/* after a failed start, or a callback's kthread_exit() */
			start_result != NONE && (start_result != OK || dying) ->
			park_done = true;
			returned++;
			goto out
		   }
		fi;
		wake();
		atomic {
			parked > 0 -> parked--;	/* wait_for_completion(parked) */
			state == PARKED		/* wait_task_inactive(TASK_PARKED) */
		};
		if
		:: atomic { unpark(); park_done = true; returned++ }
		:: atomic { racing || start_result != NONE ->	/* a stop unparks */
			park_done = true; returned++ }
		fi
	fi;
out:
}

init
{
	atomic {
		if
		:: racing = true
		:: racing = false
		fi;
		if
		:: has_init = true
		:: has_init = false
		fi;
		run creator();
		run starter();
		run destroyer();
		run stopper();
#ifdef TWO
		run starter();
		run destroyer()
#else
		run waker();
		run parker()
#endif
	};
	/* Everyone is gone: the state must be too. */
	_nr_pr == 1;
	assert(freed)
}
