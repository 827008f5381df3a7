/*
 * meeting_lock.c - one mutex per meeting family (meeting_lock.h), kept in
 * a table by root id for as long as someone holds a reference.
 */
#include "meeting_lock.h"

struct rtk_meeting_lock {
	GMutex mutex;
	char *root_id;
	guint refs;          /* under locks_mutex */
};

static GMutex locks_mutex;       /* guards `locks` and every lock's refs: a leaf */
static GHashTable *locks;        /* root id (borrowed from the lock) -> rtk_meeting_lock* */

void rtk_meeting_locks_init(void) {
	g_mutex_lock(&locks_mutex);
	if(locks == NULL)
		locks = g_hash_table_new(g_str_hash, g_str_equal);
	g_mutex_unlock(&locks_mutex);
}

/* At plugin shutdown, once nothing can take a lock any more. Locks still
 * referenced (a leak) stay allocated rather than be freed under a user. */
void rtk_meeting_locks_destroy(void) {
	g_mutex_lock(&locks_mutex);
	if(locks != NULL && g_hash_table_size(locks) == 0)
		g_clear_pointer(&locks, g_hash_table_destroy);
	g_mutex_unlock(&locks_mutex);
}

rtk_meeting_lock *rtk_meeting_lock_get(const char *root_id) {
	g_mutex_lock(&locks_mutex);
	rtk_meeting_lock *lock = g_hash_table_lookup(locks, root_id);
	if(lock == NULL) {
		lock = g_new0(rtk_meeting_lock, 1);
		g_mutex_init(&lock->mutex);
		lock->root_id = g_strdup(root_id);
		g_hash_table_insert(locks, lock->root_id, lock);
	}
	lock->refs++;
	g_mutex_unlock(&locks_mutex);
	return lock;
}

rtk_meeting_lock *rtk_meeting_lock_ref(rtk_meeting_lock *lock) {
	g_mutex_lock(&locks_mutex);
	lock->refs++;
	g_mutex_unlock(&locks_mutex);
	return lock;
}

void rtk_meeting_lock_put(rtk_meeting_lock *lock) {
	if(lock == NULL)
		return;
	g_mutex_lock(&locks_mutex);
	gboolean last = --lock->refs == 0;
	if(last)
		g_hash_table_remove(locks, lock->root_id);
	g_mutex_unlock(&locks_mutex);
	if(!last)
		return;
	g_mutex_clear(&lock->mutex);
	g_free(lock->root_id);
	g_free(lock);
}

void rtk_meeting_lock_acquire(rtk_meeting_lock *lock) {
	g_mutex_lock(&lock->mutex);
}

gboolean rtk_meeting_lock_try_acquire(rtk_meeting_lock *lock) {
	return g_mutex_trylock(&lock->mutex);
}

void rtk_meeting_lock_release(rtk_meeting_lock *lock) {
	g_mutex_unlock(&lock->mutex);
}

void rtk_meeting_lock_done(rtk_meeting_lock *lock) {
	if(lock == NULL)
		return;
	rtk_meeting_lock_release(lock);
	rtk_meeting_lock_put(lock);
}

guint rtk_meeting_locks_count(void) {
	g_mutex_lock(&locks_mutex);
	guint count = locks != NULL ? g_hash_table_size(locks) : 0;
	g_mutex_unlock(&locks_mutex);
	return count;
}

const char *rtk_meeting_lock_root(const rtk_meeting_lock *lock) {
	return lock->root_id;
}

rtk_meeting_lock *rtk_meeting_lock_meeting(const char *meeting_id, const char *parent_meeting_id) {
	rtk_meeting_lock *lock = rtk_meeting_lock_get(parent_meeting_id != NULL ? parent_meeting_id : meeting_id);
	rtk_meeting_lock_acquire(lock);
	return lock;
}
