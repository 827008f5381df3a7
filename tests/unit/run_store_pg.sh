#!/bin/sh
# run_store_pg.sh - the store's unit tests (tests/unit/test_store) run a
# second time, on the PostgreSQL backend: a PostgreSQL server of the test's
# own (Debian's postgresql package: initdb and postgres from
# /usr/lib/postgresql/<version>/bin) in a private temporary directory,
# listening on a Unix socket there only (no TCP port), run as the
# `postgres` user when this runs as root (the server refuses root), and
# stopped and removed at the end whatever happens.
#
#   tests/unit/run_store_pg.sh [PROGRAM [ARGS...]]
#
# runs PROGRAM (default: tests/unit/test_store) with RTK_TEST_PG set to the
# server's conninfo without a database name ("host=<socket dir> user=rtk");
# the program creates the databases it needs. Without the server binaries
# it skips (77).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "SKIP: no PostgreSQL server binaries (apt-get install postgresql)"
	exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/rtk-pg.XXXXXX")
chmod 0755 "$dir"
owner=
if [ "$(id -u)" = 0 ]; then
	owner=postgres
	id -u "$owner" >/dev/null 2>&1 || owner=nobody
	chown "$owner" "$dir"
fi
# as_owner COMMAND...: runs COMMAND as the server's owner.
as_owner() {
	if [ -n "$owner" ]; then
		runuser -u "$owner" -- "$@"
	else
		"$@"
	fi
}

stop() {
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT

as_owner "$bindir/initdb" -D "$dir/data" -U rtk -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log"; exit 1; }
# fsync stays on: the durability tests (kill -9 of a writer) read what the
# server acknowledged.
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses='' -k $dir -c max_connections=200" start >/dev/null ||
	{ cat "$dir/server.log"; exit 1; }

export RTK_TEST_PG="host=$dir user=rtk"
status=0
if [ $# -gt 0 ]; then
	"$@" || status=$?
else
	"$top/tests/unit/test_store" || status=$?
fi
if [ $status -ne 0 ] && [ $status -ne 77 ]; then
	echo "---- PostgreSQL server log ----"
	tail -n 50 "$dir/server.log"
fi
exit $status
