#!/usr/bin/python3
"""test_docs_examples.py - every curl example in docs/rest.md runs as written.

Owns the promise that the REST documentation can be pasted into a shell:
  * every endpoint heading of docs/rest.md (a heading naming an HTTP method
    and a path, e.g. "### POST /v2/meetings") has at least one fenced
    ```sh block below it, before the next heading of the same or a higher
    level, and that block runs curl;
  * every ```sh block, in document order, runs in ONE bash shell (set -e,
    so variables set by one block serve the next) against a fresh server,
    with BASE (the server's root URL, e.g. http://127.0.0.1:8080), ORG_ID and
    API_KEY exported, and exits 0;
  * every curl gets an HTTP answer, none is a 5xx, and a 4xx is only
    accepted in a block that documents it (the block's text names that
    status, e.g. "# 422: wrong type"): the doc shows error examples on
    purpose, any other error means the example is broken.
A failure names the block and its line in docs/rest.md.
"""

import os
import re
import subprocess

from rtk_harness import SRCDIR, Server, TestFailure, check, log, run_test

DOC = os.path.join(SRCDIR, "docs", "rest.md")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\s`]*)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ENDPOINT = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+`?(/[^\s`]*)")
MARKER = "@@rtk-doc-block"
SCRIPT_TIMEOUT = 120

# curl keeps the response headers of each call, per block, so the statuses
# can be checked after the run.
PREAMBLE = r"""
set -e
curl() {
    command curl -D "$(mktemp "$RTK_DOC_HEADERS/block-$RTK_DOC_BLOCK.XXXXXX")" "$@"
}
"""


def parse(text):
    """(blocks, headings): blocks are (line, info, code), headings are
    (line, level, title), both in document order; headings inside code
    blocks are not headings."""
    blocks, headings = [], []
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        stripped = line.strip()
        if fence is None and match:
            fence = (number, match.group(2), match.group(3).lower(), [])
        elif fence is not None and stripped.startswith(fence[1]) and set(stripped) == {fence[1][0]}:
            blocks.append((fence[0], fence[2], "\n".join(fence[3])))
            fence = None
        elif fence is not None:
            fence[3].append(line)
        else:
            heading = HEADING.match(line)
            if heading:
                headings.append((number, len(heading.group(1)), heading.group(2)))
    check(fence is None, "docs/rest.md: the code block opened at line %s is never closed"
          % (fence[0] if fence else None))
    return blocks, headings


def check_every_endpoint_has_an_example(blocks, headings):
    endpoints = [h for h in headings if ENDPOINT.search(h[2])]
    check(endpoints, "docs/rest.md has no endpoint heading (e.g. '### POST /v2/meetings')")
    missing = []
    for index, (line, level, title) in enumerate(headings):
        if not ENDPOINT.search(title):
            continue
        end = next((h[0] for h in headings[index + 1:] if h[1] <= level), float("inf"))
        examples = [code for (start, info, code) in blocks
                    if info == "sh" and line < start < end and "curl" in code]
        if not examples:
            missing.append("line %d: %s" % (line, title))
    check(not missing, "endpoint headings without a ```sh curl example in docs/rest.md:\n  "
          + "\n  ".join(missing))
    return endpoints


def script_of(sh_blocks):
    parts = [PREAMBLE]
    for number, (line, _, code) in enumerate(sh_blocks, 1):
        parts.append("echo '%s %d line %d'" % (MARKER, number, line))
        parts.append("export RTK_DOC_BLOCK=%d" % number)
        parts.append(code)
        parts.append("echo")
    return "\n".join(parts) + "\n"


def failing_block(output, sh_blocks):
    markers = re.findall(r"%s (\d+) line (\d+)" % MARKER, output)
    if not markers:
        return "before the first block"
    number, line = int(markers[-1][0]), int(markers[-1][1])
    code = sh_blocks[number - 1][2]
    return "block %d (docs/rest.md line %d):\n%s" % (number, line, code)


def run_examples(server, sh_blocks, headers_dir):
    env = dict(os.environ,
               BASE=server.rest_base,
               ORG_ID=server.credentials["org_id"],
               API_KEY=server.credentials["api_key"],
               RTK_DOC_HEADERS=headers_dir)
    try:
        result = subprocess.run(["bash", "-c", script_of(sh_blocks)], env=env, cwd=SRCDIR,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=SCRIPT_TIMEOUT)
    except subprocess.TimeoutExpired as expired:
        output = (expired.output or b"").decode(errors="replace")
        raise TestFailure("the examples did not finish within %ds, stuck in %s"
                          % (SCRIPT_TIMEOUT, failing_block(output, sh_blocks)))
    output = result.stdout.decode(errors="replace")
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-25:])
        raise TestFailure("a docs/rest.md example failed (exit %d) in %s\n--- output (tail) ---\n%s"
                          % (result.returncode, failing_block(output, sh_blocks), tail))
    return output


def statuses_by_block(headers_dir):
    """{block number: [final HTTP status of each curl call, or None]}"""
    found = {}
    for name in sorted(os.listdir(headers_dir)):
        block = int(name.split(".")[0].split("-")[1])
        with open(os.path.join(headers_dir, name), errors="replace") as f:
            codes = re.findall(r"^HTTP/[\d.]+ (\d{3})", f.read(), re.MULTILINE)
        found.setdefault(block, []).append(int(codes[-1]) if codes else None)
    return found


def check_statuses(sh_blocks, headers_dir):
    found = statuses_by_block(headers_dir)
    problems = []
    for number, (line, _, code) in enumerate(sh_blocks, 1):
        statuses = found.get(number, [])
        where = "block %d (docs/rest.md line %d)" % (number, line)
        if "curl" in code and not statuses:
            problems.append("%s runs no curl" % where)
        for status in statuses:
            if status is None:
                problems.append("%s: a curl got no HTTP answer" % where)
            elif status >= 500:
                problems.append("%s: a curl got HTTP %d" % (where, status))
            elif status >= 400 and not re.search(r"\b%d\b" % status, code):
                problems.append("%s: a curl got HTTP %d, which the block does not document"
                                % (where, status))
    check(not problems, "docs/rest.md examples:\n  " + "\n  ".join(problems))
    return sum(len(v) for v in found.values())


def main():
    check(os.path.exists(DOC), "docs/rest.md does not exist")
    with open(DOC, encoding="utf-8") as f:
        blocks, headings = parse(f.read())
    endpoints = check_every_endpoint_has_an_example(blocks, headings)
    sh_blocks = [b for b in blocks if b[1] == "sh"]
    log("docs/rest.md: %d endpoint headings, %d sh blocks" % (len(endpoints), len(sh_blocks)))

    server = Server().start()
    headers_dir = os.path.join(server.workdir, "doc-headers")
    os.mkdir(headers_dir)
    run_examples(server, sh_blocks, headers_dir)
    calls = check_statuses(sh_blocks, headers_dir)
    log("all %d sh blocks ran; %d curl calls, every error one the doc shows" % (len(sh_blocks), calls))
    server.stop()


if __name__ == "__main__":
    run_test(main)
