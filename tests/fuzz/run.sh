#!/bin/sh
# run.sh - builds every tests/fuzz/fuzz_*.c as a libFuzzer target and runs it
# for a bounded time on a copy of its seed corpus (tests/fuzz/corpus/<name>,
# <name> being the file name without "fuzz_" and ".c").
#
# Run by `make check` from the build directory with:
#   RTK_TOP_SRCDIR    the source tree (default: two levels above this script)
#   CLANG             clang with libFuzzer; empty: the test is skipped (77)
#   RTK_FUZZ_SECONDS  seconds per target (default 15; the long campaigns are run
#                     by hand, see each target)
#   RTK_FUZZ_JOBS     targets built and fuzzed at once (default: the number of
#                     CPUs; 22 targets on 2 CPUs take about 3.5 min)
# Any crash, sanitizer report, leak or timeout fails the script (exit 1) and
# prints the reproducer, which stays under tests/fuzz/artifacts/<name>/ in
# the build directory; rerun it with: tests/fuzz/bin/fuzz_<name> <reproducer>.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_src=${RTK_TOP_SRCDIR:-$(cd "$here/../.." && pwd)}
clang=${CLANG:-}
seconds=${RTK_FUZZ_SECONDS:-15}
jobs=${RTK_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
build=${RTK_TOP_BUILDDIR:-$(pwd)}/tests/fuzz

if [ -z "$clang" ]; then
	echo "SKIP: CLANG is empty (configure found no clang); install the Debian package clang to fuzz"
	exit 77
fi

# Sources each target links, by target name. Targets not listed
# here get every gateway source except the HTTP server, its static-file
# side and the gateway itself (which need libmicrohttpd and a data
# directory) and the PostgreSQL store (the targets' store is SQLite),
# plus the LL-HLS model (hls/hls.c, not its HTTP side).
sources_for() {
	case "$1" in
	jwt) echo "gateway/jwt.c gateway/util.c" ;;
	room) echo "plugin/model/room.c plugin/model/peer.c plugin/model/permissions.c plugin/model/waitlist.c plugin/model/stage.c plugin/model/controls.c plugin/model/spotlight.c plugin/model/plugins.c plugin/model/polls.c plugin/model/chat.c" ;;
	depack_h264|depack_vp8|depack_opus) echo "media/depack.c" ;;
	control) echo "media/control.c" ;;
	track_config) echo "plugin/model/track_config.c" ;;
	hls) echo "hls/hls.c" ;;
	static_path) echo "gateway/static_path.c" ;;
	json_out) echo "gateway/json_out.c" ;;
	webhook_url) echo "gateway/webhooks.c gateway/signed_url.c gateway/store.c gateway/store_sqlite.c gateway/store_resources.c gateway/store_migrations.c gateway/util.c" ;;
	requests) echo "plugin/model/request_parse.c plugin/model/view.c plugin/model/peer.c plugin/model/permissions.c plugin/model/speaker.c plugin/model/capture_config.c plugin/model/offer_plan.c" ;;
	offer) echo "plugin/model/offer_plan.c plugin/model/permissions.c" ;;
	sender_report) echo "plugin/sender_report.c" ;;
	rtcp_loss) echo "plugin/model/forwarding.c" ;;
	cascade_msg) echo "plugin/model/cascade_msg.c plugin/model/peer.c plugin/model/permissions.c" ;;
	load_rtp) echo "bench/load/rtp.c" ;;
	load_sdp) echo "bench/load/sdp.c" ;;
	load_event) echo "bench/load/event.c" ;;
	companion_events) echo "plugin/companion_events.c hls/hls.c" ;;
	rest) { ls "$top_src"/gateway/*.c | sed "s|^$top_src/||" | grep -v -e '^gateway/http\.c$' -e '^gateway/static\.c$' -e '^gateway/gateway\.c$' -e '^gateway/store_pg\.c$'; echo hls/hls.c; } ;;
	*) { ls "$top_src"/gateway/*.c | sed "s|^$top_src/||" | grep -v -e '^gateway/http\.c$' -e '^gateway/static\.c$' -e '^gateway/gateway\.c$' -e '^gateway/store_pg\.c$'; echo hls/hls.c; } ;;
	esac
}

if ! deps=$(pkg-config --cflags --libs glib-2.0 jansson sqlite3 libcrypto libssl libcurl); then
	echo "FAIL: pkg-config cannot find glib-2.0, jansson, sqlite3, libcrypto, libssl and libcurl"
	exit 1
fi

# Can this clang build a fuzzer at all?
probe_dir=$(mktemp -d)
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	> "$probe_dir/probe.c"
if ! "$clang" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" >/dev/null 2>&1; then
	rm -rf "$probe_dir"
	echo "SKIP: $clang cannot build with -fsanitize=fuzzer,address,undefined (libFuzzer missing)"
	exit 77
fi
rm -rf "$probe_dir"

# Scratch space for corpus copies and the targets' data directories; on
# tmpfs when there is one, so SQLite's fsyncs cost nothing.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	work=$(mktemp -d /dev/shm/rtk-fuzz-XXXXXX)
else
	work=$(mktemp -d)
fi
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$build/bin" || exit 1

# Builds and fuzzes one target; prints what it did (the caller keeps it in
# $work/<name>.out) and exits 0 (ok) or 1 (failed).
fuzz_one() {
	src=$1
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=$build/bin/$name
	artifacts=$build/artifacts/$short
	log=$build/$name.log
	mkdir -p "$artifacts"

	echo "== $name: building"
	# shellcheck disable=SC2046 # word splitting of the source list is wanted
	if ! (cd "$top_src" && "$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer \
		-Igateway -Ihls -Iplugin -Iplugin/model -Imedia -Itests/unit "tests/fuzz/$name.c" $(sources_for "$short") $deps -o "$bin" 2>&1); then
		echo "FAIL: $name does not build"
		return 1
	fi

	corpus=$work/corpus-$short
	mkdir -p "$corpus" "$work/data-$short"
	if [ -d "$top_src/tests/fuzz/corpus/$short" ]; then
		cp "$top_src/tests/fuzz/corpus/$short"/* "$corpus"/ 2>/dev/null
	fi

	echo "== $name: fuzzing for ${seconds}s (log: $log)"
	before=$(ls "$artifacts" | wc -l)
	RTK_FUZZ_TMPDIR=$work/data-$short "$bin" -max_total_time="$seconds" -max_len=65536 \
		-timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
	rc=$?
	after=$(ls "$artifacts" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
		echo "FAIL: $name exited with $rc; the end of its log:"
		tail -n 40 "$log"
		for f in $(ls -t "$artifacts"); do
			echo "reproducer: $artifacts/$f"
			echo "  rerun: $bin $artifacts/$f"
			break
		done
		return 1
	fi
	grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units)' "$log" | sed "s/^/   /"
	echo "ok: $name"
	return 0
}

# The targets run $jobs at a time (each is one process on one core), in
# batches; each batch's reports are printed in order once it is done.
failed=0
ran=0
batch=""
run_batch() {
	for name in $batch; do
		cat "$work/$name.out"
		[ "$(cat "$work/$name.rc")" = 0 ] || failed=1
		ran=$((ran + 1))
	done
	batch=""
}
in_batch=0
for src in "$top_src"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	(fuzz_one "$src" >"$work/$name.out" 2>&1; echo $? >"$work/$name.rc") &
	batch="$batch $name"
	in_batch=$((in_batch + 1))
	if [ "$in_batch" -ge "$jobs" ]; then
		wait
		run_batch
		in_batch=0
	fi
done
wait
run_batch

if [ "$ran" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "SKIP: no tests/fuzz/fuzz_*.c targets"
	exit 77
fi
exit $failed
