/*
 * test_meeting_lock.c - unit tests of the meeting locks
 * (plugin/meeting_lock.c): a meeting and its connected meetings share one
 * lock, other meetings have their own and never wait on it, and a lock
 * lives exactly as long as it is referenced.
 */
#include <glib.h>

#include "meeting_lock.h"
#include "unit.h"

static void test_family_shares_one_lock(void) {
	rtk_meeting_lock *parent = rtk_meeting_lock_meeting("parent", NULL);
	rtk_meeting_lock_release(parent);
	rtk_meeting_lock *child = rtk_meeting_lock_meeting("child", "parent");
	CHECK(child == parent);
	CHECK_EQ_STR(rtk_meeting_lock_root(child), "parent");
	rtk_meeting_lock_release(child);
	rtk_meeting_lock *other = rtk_meeting_lock_meeting("other", NULL);
	CHECK(other != parent);
	CHECK_EQ_INT(rtk_meeting_locks_count(), 2);
	rtk_meeting_lock_done(other);
	rtk_meeting_lock_put(child);
	CHECK_EQ_INT(rtk_meeting_locks_count(), 1);   /* the parent's reference remains */
	rtk_meeting_lock_put(parent);
	CHECK_EQ_INT(rtk_meeting_locks_count(), 0);
}

typedef struct attempt {
	const char *meeting, *parent;
	GMutex mutex;
	GCond cond;
	gboolean acquired;
	gboolean release;    /* the main thread says: let go */
} attempt;

/* Takes the lock of attempt->meeting, says so, holds it until told. */
static gpointer take(gpointer data) {
	attempt *a = data;
	rtk_meeting_lock *lock = rtk_meeting_lock_meeting(a->meeting, a->parent);
	g_mutex_lock(&a->mutex);
	a->acquired = TRUE;
	g_cond_broadcast(&a->cond);
	while(!a->release)
		g_cond_wait(&a->cond, &a->mutex);
	g_mutex_unlock(&a->mutex);
	rtk_meeting_lock_done(lock);
	return NULL;
}

/* Whether the thread of `a` took its lock within `ms` milliseconds. */
static gboolean acquired_within(attempt *a, int ms) {
	gint64 until = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	g_mutex_lock(&a->mutex);
	while(!a->acquired && g_cond_wait_until(&a->cond, &a->mutex, until))
		;
	gboolean acquired = a->acquired;
	g_mutex_unlock(&a->mutex);
	return acquired;
}

static void let_go(attempt *a, GThread *thread) {
	g_mutex_lock(&a->mutex);
	a->release = TRUE;
	g_cond_broadcast(&a->cond);
	g_mutex_unlock(&a->mutex);
	g_thread_join(thread);
}

static void test_meetings_do_not_wait_on_each_other(void) {
	rtk_meeting_lock *held = rtk_meeting_lock_meeting("busy", NULL);
	attempt other = { .meeting = "quiet" }, breakout = { .meeting = "room-1", .parent = "busy" };
	GThread *t1 = g_thread_new("other", take, &other);
	GThread *t2 = g_thread_new("breakout", take, &breakout);
	CHECK(acquired_within(&other, 5000));         /* another meeting: at once */
	CHECK(!acquired_within(&breakout, 200));      /* a breakout room of the busy one: waits */
	rtk_meeting_lock_done(held);
	CHECK(acquired_within(&breakout, 5000));      /* ... until the busy meeting lets go */
	let_go(&other, t1);
	let_go(&breakout, t2);
	CHECK_EQ_INT(rtk_meeting_locks_count(), 0);
}

int main(void) {
	rtk_meeting_locks_init();
	UNIT_RUN(test_family_shares_one_lock);
	UNIT_RUN(test_meetings_do_not_wait_on_each_other);
	rtk_meeting_locks_destroy();
	return UNIT_DONE();
}
