#!/usr/bin/python3
"""Check a Chromium NetLog (--log-net-log) for the requests a page made.

usage: netlog.py NETLOG ORIGIN

Requests the page started (those with an initiator, or for ORIGIN; the
browser's own background requests have none) are printed, one a line. Exits
1 when one went to another origin or failed with a network error.
"""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        log = json.load(f)
    origin = sys.argv[2].rstrip("/")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    page, failed = {}, set()
    for e in log["events"]:
        p = e.get("params") or {}
        src = e["source"]["id"]
        kind = types.get(e["type"], "")
        if kind == "URL_REQUEST_START_JOB" and "url" in p:
            if (p.get("initiator") != "not an origin" or
                    p["url"].startswith(origin + "/")):
                page[src] = p["url"]
        if p.get("net_error", 0) not in (0, -3):    # -3: aborted
            failed.add(src)
    bad = 0
    for src, url in sorted(page.items()):
        ok = url.startswith(origin + "/") and src not in failed
        print("%s %s" % ("ok  " if ok else "FAIL", url))
        bad += not ok
    if not page:
        print("no request from the page in the log", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
