#!/usr/bin/python3
"""Check recorded replies against the OpenAPI document.

usage: contract.py SPEC LOG [--cover]

LOG holds records written by contract_record (tests/e2e/helpers.bash):
"\\x1e" METHOD " " TARGET " " STATUS "\\n" HEADERS "\\x1f" BODY "\\n".
Each reply must be one the document lists for its operation: the status,
the Content-Type, the required headers and the body's schema. An unknown
path must be a 404 and a method a path does not take a 405 with Allow, as
components.responses says. With --cover, every status the document lists
for an operation (but default, 507) must have been seen at least once.
"""
import json
import re
import sys
import urllib.parse

import jsonschema

# Answered by the HTTP edge before any route is known.
EDGE = {"400": "BadRequest", "413": "ContentTooLarge",
        "417": "ExpectationFailed", "422": "Unprocessable"}
# Of those, what libevent answers on any route, before invd sees it.
EDGE_ANY = ("413", "417")
UNCOVERED = {"default", "507"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def records(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8", "replace")
    for rec in data.split("\x1e")[1:]:
        first, _, rest = rec.partition("\n")
        method, target, status = first.split(" ", 2)
        headers, _, body = rest.partition("\x1f")
        if body.endswith("\n"):
            body = body[:-1]
        hdrs = {}
        for line in headers.splitlines():
            k, sep, v = line.partition(":")
            if sep and not line.startswith("HTTP/"):
                hdrs.setdefault(k.strip().lower(), v.strip())
        yield method, target, status, hdrs, body


class Contract:
    def __init__(self, spec):
        self.spec = spec
        self.resolver = jsonschema.RefResolver.from_schema(spec)
        self.routes = []
        for path in spec["paths"]:
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
            self.routes.append((re.compile(rx), path))
        self.seen = set()

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            obj = self.resolver.resolve(obj["$ref"])[1]
        return obj

    def component(self, name):
        return self.spec["components"]["responses"][name]

    def check(self, method, target, status, hdrs, body):
        """A list of what is wrong with one reply."""
        path = urllib.parse.unquote(target.split("?", 1)[0])
        item = None
        for rx, template in self.routes:
            if rx.match(path):
                item = self.spec["paths"][template]
                break
        if item is None:
            if status == "404":
                return self.reply(self.component("NotFound"), method, status,
                                  hdrs, body)
            if status in EDGE:
                return self.reply(self.component(EDGE[status]), method,
                                  status, hdrs, body)
            return ["unknown path answered %s, not 404" % status]
        # Methods are case-sensitive: "get" is not GET.
        op = item.get(method.lower()) if method.isupper() else None
        if op is None:
            if status == "405":
                return self.reply(self.component("MethodNotAllowed"), method,
                                  status, hdrs, body)
            if status in EDGE:
                return self.reply(self.component(EDGE[status]), method,
                                  status, hdrs, body)
            return ["method not in the document answered %s, not 405" %
                    status]
        responses = op["responses"]
        key = status
        if key not in responses:
            if status.startswith("5") and "default" in responses:
                key = "default"
            elif status in EDGE_ANY:
                return self.reply(self.component(EDGE[status]), method,
                                  status, hdrs, body)
            else:
                return ["status %s is not documented for %s (%s)" %
                        (status, op["operationId"],
                         ", ".join(sorted(responses)))]
        self.seen.add((op["operationId"], key))
        return self.reply(responses[key], method, status, hdrs, body)

    def reply(self, resp, method, status, hdrs, body):
        resp = self.deref(resp)
        errors = []
        for name, h in resp.get("headers", {}).items():
            h = self.deref(h)
            if h.get("required") and name.lower() not in hdrs:
                errors.append("header %s missing" % name)
        content = resp.get("content")
        if method == "HEAD":
            return errors
        if not content:
            if body != "":
                errors.append("a body where the document has none")
            return errors
        ct = hdrs.get("content-type", "")
        media = None
        for key in content:
            want = [p.strip() for p in key.lower().split(";")]
            got = [p.strip() for p in ct.lower().split(";")]
            if want[0] == got[0] and all(p in got for p in want[1:]):
                media = content[key]
        if media is None:
            return errors + ["Content-Type %r is not one of %s" %
                             (ct, ", ".join(content))]
        if not ct.lower().startswith("application/json"):
            if body == "":
                errors.append("empty %s body" % ct)
            return errors
        try:
            doc = json.loads(body)
        except ValueError as e:
            return errors + ["body is not JSON (%s): %.200s" % (e, body)]
        v = jsonschema.Draft202012Validator(media.get("schema", {}),
                                            resolver=self.resolver)
        for e in v.iter_errors(doc):
            errors.append("body at /%s: %s" %
                          ("/".join(str(p) for p in e.absolute_path),
                           e.message[:300]))
        return errors

    def uncovered(self):
        out = []
        for path, item in self.spec["paths"].items():
            for m, op in item.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                for code in op["responses"]:
                    if code in UNCOVERED:
                        continue
                    if (op["operationId"], code) not in self.seen:
                        out.append("%s %s (%s): %s never seen" %
                                   (m.upper(), path, op["operationId"],
                                    code))
        return out


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    c = Contract(load(sys.argv[1]))
    n = bad = 0
    for method, target, status, hdrs, body in records(sys.argv[2]):
        n += 1
        for e in c.check(method, target, status, hdrs, body):
            bad += 1
            print("%s %s -> %s: %s" % (method, target, status, e))
    if "--cover" in sys.argv[3:]:
        for e in c.uncovered():
            bad += 1
            print(e)
    print("contract: %d replies checked, %d problems" % (n, bad),
          file=sys.stderr)
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
