/*
 * turn_rest.h - time-limited TURN credentials, as coturn checks them with
 * `use-auth-secret` and `static-auth-secret` (the "TURN REST API"
 * convention, draft-uberti-behave-turn-rest): the username is
 * "<expiry>:<user>", the expiry in seconds since the epoch, and the
 * password is base64(HMAC-SHA1(secret, username)). The TURN server holds
 * the same secret, recomputes the password and refuses a username whose
 * expiry has passed. So a credential is minted per participant with no
 * call to the TURN server, and stops working by itself.
 *
 * Pure functions: no state, no I/O; every string returned is g_malloc'd
 * and the caller g_free()s it.
 */
#ifndef RTK_TURN_REST_H
#define RTK_TURN_REST_H

/* "<expires>:<user>". `user` must not be NULL. */
char *rtk_turn_username(long long expires, const char *user);
/* base64(HMAC-SHA1(secret, username)); NULL when either is NULL. */
char *rtk_turn_password(const char *secret, const char *username);

#endif
