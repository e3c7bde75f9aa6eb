#!/usr/bin/python3
"""Parse Prometheus text (stdin) with prometheus_client's own parser and
print one sample a line, labels sorted: name{k="v",...} value. Exits 1 if
the text does not parse or a family has no TYPE."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser raises ValueError and others
    print("parse error: %s" % e, file=sys.stderr)
    sys.exit(1)
for f in families:
    if f.type == "unknown":
        print("no TYPE for %s" % f.name, file=sys.stderr)
        sys.exit(1)
    for s in f.samples:
        labels = ",".join('%s="%s"' % (k, s.labels[k])
                          for k in sorted(s.labels))
        value = s.value
        if value == int(value):
            value = int(value)
        if labels:
            print("%s{%s} %s" % (s.name, labels, value))
        else:
            print("%s %s" % (s.name, value))
