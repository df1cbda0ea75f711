#!/usr/bin/env python3
"""Proves, independently of the gateway's own resolver, that checking hostile documents opens no
file outside the configuration (schema folder, EDIFACT grammars, trust folder, partner registry
and the certificates it names) and the documents themselves, and makes no network connection.

Runs `swg check` on every file of tests/fixtures/xml/hostile under strace and reads every
open/openat/connect/socket call it made. Usage: no_external_access.py SWG_BINARY SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

swg, source = sys.argv[1], os.path.realpath(sys.argv[2])
hostile = os.path.join(source, "tests/fixtures/xml/hostile")
xsd = os.path.join(source, "xsd")
trust = os.path.join(source, "certs-sample")
partners = os.path.join(source, "config/partners.toml")
grammars = os.path.join(source, "adapters/edifact/grammars")
configuration = (xsd, trust, grammars)
files = sorted(os.path.join(hostile, f) for f in os.listdir(hostile) if f.endswith(".xml"))
assert files, "no hostile fixtures"

# What a process may open without reading anything of the document's choosing: the dynamic
# loader's files and the C/C++ runtime's locale and character-set data.
system = ("/etc/ld.so.cache", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/etc/ssl/openssl.cnf",
          "/usr/share/locale/", "/usr/lib/locale/", "/etc/localtime", "/proc/self/", "/sys/devices/system/cpu")

with tempfile.TemporaryDirectory() as tmp:
    log = os.path.join(tmp, "trace")
    result = subprocess.run(
        ["strace", "-f", "-qq", "-o", log, "-e", "trace=open,openat,openat2,connect,socket",
         swg, "check", "--xsd", xsd, "--trust", trust, "--partners", partners,
         "--grammars", grammars] + files,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 1:
        print(result.stdout, result.stderr)
        sys.exit(f"swg check exited {result.returncode}, expected 1 (every hostile file rejected)")
    rejected = result.stdout.count('"status":"rejected"')
    if rejected != len(files):
        print(result.stdout)
        sys.exit(f"{rejected} of {len(files)} hostile files rejected")
    trace = open(log).read().splitlines()

failures = []
opened = 0
for line in trace:
    if re.search(r"\b(connect|socket)\(", line):
        failures.append("network call: " + line)
        continue
    m = re.search(r'open(?:at2?)?\((?:[^,]+, )?"([^"]*)"', line)
    if not m:
        continue
    opened += 1
    written = m.group(1)
    path = os.path.realpath(written) if written.startswith("/") else written
    if path in files or path == partners or any(
            path == c or path.startswith(c + "/") for c in configuration):
        continue
    # As written (/proc/self/… resolves to /proc/<pid>/…) and as resolved.
    if any(c.startswith(p) or c == p.rstrip("/") for p in system for c in (written, path)):
        continue
    failures.append("opened outside the allowed set: " + line)

for f in failures:
    print(f)
print(f"{len(files)} hostile files, {opened} open calls, {len(failures)} violations")
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
