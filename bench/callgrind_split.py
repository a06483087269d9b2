#!/usr/bin/env python3
"""Where the instructions of a callgrind profile went, by library.

usage: callgrind_split.py CALLGRIND_OUT [CALLGRIND_OUT...]

Sums each function's self cost (Ir) per object file. Code linked into snr-bench is split
further by name: snr::... (the library under test), bench::... (the harness), the allocator
hook (malloc, free, ...) and everything else inlined there (std:: templates and the like).
Prints one table per file and machine lines SPLIT,<file>,<group>,<Ir>,<share>.
"""
import os
import re
import sys

ALLOC = {"malloc", "free", "calloc", "realloc", "memalign", "aligned_alloc",
         "posix_memalign", "valloc", "pvalloc"}


def group(obj, fn):
    base = os.path.basename(obj)
    if base.startswith("libcrypto"):
        return "libcrypto"
    if base.startswith("libssl"):
        return "libssl"
    if base.startswith("libgnutls"):
        return "libgnutls"
    if base.startswith(("libnettle", "libhogweed", "libgmp")):
        return "nettle/hogweed/gmp"
    if base.startswith("libc.so") or base.startswith("libc-"):
        return "libc (malloc, memcpy, ...)"
    if base.startswith("libstdc++"):
        return "libstdc++"
    if base == "snr-bench":
        name = fn.split("(")[0]
        if name in ALLOC or name.startswith("bench::(anonymous namespace)::note_"):
            return "snr-bench: allocator hook"
        if "snr::" in fn:
            return "snr-bench: snr::"
        if "bench::" in fn:
            return "snr-bench: harness"
        return "snr-bench: other (std::, ...)"
    return base or "???"


DEF = re.compile(r"^(c?ob|c?fn|fl|fi|fe|cfi|cfl)=\((\d+)\)(?: (.*))?$")


def split(path):
    names = {"ob": {}, "fn": {}}
    ob = fn = ""
    costs = {}
    skip_next = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            m = DEF.match(line)
            if m:
                key, num, name = m.groups()
                kind = key[-2:]
                if kind in names:
                    table = names[kind]
                    if name is not None:
                        table[num] = name
                    if key == "ob":
                        ob = table.get(num, "?")
                    elif key == "fn":
                        fn = table.get(num, "?")
                continue
            if line.startswith("calls="):
                skip_next = True  # the next cost line is the call's inclusive cost
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    g = group(ob, fn)
                    costs[g] = costs.get(g, 0) + int(parts[1])
    return costs


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(1)
    for path in sys.argv[1:]:
        costs = split(path)
        total = sum(costs.values()) or 1
        print(f"\n{os.path.basename(path)}: {total:,} Ir")
        for g, v in sorted(costs.items(), key=lambda kv: -kv[1]):
            print(f"  {g:34s} {v:14,d}  {100.0 * v / total:5.1f}%")
        for g, v in sorted(costs.items(), key=lambda kv: -kv[1]):
            print(f"SPLIT,{os.path.basename(path)},{g},{v},{v / total:.4f}")


if __name__ == "__main__":
    main()
