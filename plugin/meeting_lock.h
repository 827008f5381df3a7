/*
 * meeting_lock.h - the lock of a meeting family: a meeting and its
 * connected meetings (breakout rooms) share one, named by the family's
 * root (the parent meeting's id, rtk_room_connected_root()).
 *
 * Why a family and not each meeting: connected-meeting requests read and
 * change the rooms of the whole family (moves, broadcasts, the host's
 * view of every room), and one lock for all of them needs no ordering
 * between meetings. Meetings of different families never wait on each
 * other: signalling, REST calls and companion events of one family take
 * only its lock.
 *
 * What a family lock guards: the live meetings of the family (room,
 * router, speakers), the sessions in them (role, peer, slots, views), and
 * the captures' effects on them. Order (plugin.c has the whole list):
 * a meeting lock comes first, then capture.c's lock, then the relay's
 * pub_mutex and subs_mutex; the tables of sessions and of live meetings
 * have leaf locks of their own.
 *
 * Locks exist while referenced: rtk_meeting_lock_get() creates one on
 * demand (a meeting need not be live to be locked: a join locks before it
 * creates the live meeting); the last rtk_meeting_lock_put() frees it.
 */
#ifndef RTK_MEETING_LOCK_H
#define RTK_MEETING_LOCK_H

#include <glib.h>

typedef struct rtk_meeting_lock rtk_meeting_lock;

void rtk_meeting_locks_init(void);
void rtk_meeting_locks_destroy(void);

/* The lock of the family whose root is `root_id`, with a reference the
 * caller puts back. Not locked. */
rtk_meeting_lock *rtk_meeting_lock_get(const char *root_id);
/* Another reference to `lock`. */
rtk_meeting_lock *rtk_meeting_lock_ref(rtk_meeting_lock *lock);
void rtk_meeting_lock_put(rtk_meeting_lock *lock);

void rtk_meeting_lock_acquire(rtk_meeting_lock *lock);
/* Acquires unless another thread holds it: FALSE then. */
gboolean rtk_meeting_lock_try_acquire(rtk_meeting_lock *lock);
void rtk_meeting_lock_release(rtk_meeting_lock *lock);
/* Releases and puts back the caller's reference; NULL: nothing. */
void rtk_meeting_lock_done(rtk_meeting_lock *lock);

/* How many family locks exist now (tests). */
guint rtk_meeting_locks_count(void);

/* The family's root id (borrowed, lives as long as the lock). */
const char *rtk_meeting_lock_root(const rtk_meeting_lock *lock);

/* The lock of the family of `meeting` (a store meeting object: its
 * parent_meeting_id, else its id), acquired, with a reference:
 * rtk_meeting_lock_done() when finished. */
rtk_meeting_lock *rtk_meeting_lock_meeting(const char *meeting_id, const char *parent_meeting_id);

#endif
