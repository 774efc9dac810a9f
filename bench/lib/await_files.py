#!/usr/bin/env python3
# bench/fleet.sh's poller: waits until every given target file holds the
# expected certificate, and prints, one line per file, the wall time (unix
# seconds, microseconds) at which it first did, or "timeout".
#   await_files.py READY_FILE EXPECTED_PEM TIMEOUT_S FILE...
# It compares the first PEM block of each file with EXPECTED_PEM's (the
# leaf), whitespace ignored, every 2 ms, and touches READY_FILE once it has
# read its arguments, so that the caller starts its clock only then.
import sys
import time


def first_block(text):
    begin = text.find("-----BEGIN CERTIFICATE-----")
    end = text.find("-----END CERTIFICATE-----", begin)
    if begin < 0 or end < 0:
        return None
    return "".join(text[begin:end].split())


def main():
    ready, expected_path, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    files = sys.argv[4:]
    with open(expected_path) as f:
        expected = first_block(f.read())
    seen = {}
    open(ready, "w").close()
    deadline = time.time() + timeout
    while len(seen) < len(files) and time.time() < deadline:
        for path in files:
            if path in seen:
                continue
            try:
                with open(path) as f:
                    if first_block(f.read()) == expected:
                        seen[path] = time.time()
            except OSError:
                pass
        time.sleep(0.002)
    for path in files:
        print("%.6f" % seen[path] if path in seen else "timeout")


main()
