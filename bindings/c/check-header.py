#!/usr/bin/env python3
"""Checks include/lkqc.h against what the library really is, so the two cannot drift apart.

1. The functions the header declares are exactly the lkq_* symbols liblkqc.so exports.
2. Each prototype matches the one the Swift compiler derives from Sources/LKQC (its generated
   C header, -emit-clang-header-path), once the header's handle types are read as the void
   pointers Swift sees and size_t as the pointer-sized integer Swift calls NSInteger.

Usage: check-header.py LIBRARY [MODULES_DIR]   (MODULES_DIR: where LKQ.swiftmodule is,
by default next to LIBRARY). Exit status 1 with every difference listed.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def prototypes(text):
    """{name: (return type, [parameter types])} for every lkq_ function declared in C text."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    found = {}
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(lkq_\w+)\s*\(([^;{]*?)\)[^;{]*;", text):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        args = [] if params.strip() in ("", "void") else [strip_name(p) for p in params.split(",")]
        found[name] = (canonical(ret), [canonical(a) for a in args])
    return found


def strip_name(param):
    """The type of a parameter declaration, without its name."""
    param = param.strip()
    m = re.match(r"(.*?[\s\*])([A-Za-z_]\w*)$", param)
    if m and m.group(2) not in ("void", "int", "double", "char", "size_t", "int64_t", "int32_t", "NSInteger"):
        return m.group(1)
    return param


def canonical(t):
    """One spelling per C type, whichever side wrote it."""
    t = re.sub(r"\b(SWIFT_EXTERN|SWIFT_NOEXCEPT|SWIFT_WARN_UNUSED_RESULT|_Nullable|_Nonnull)\b", " ", t)
    t = t.replace("*", " * ")
    words = t.split()
    const = "const" in words
    words = [w for w in words if w != "const"]
    stars = words.count("*")
    base = " ".join(w for w in words if w != "*")
    base = {"int": "int32_t", "size_t": "NSInteger", "lkq_engine": "void", "lkq_session": "void",
            "lkq_run": "void", "lkq_result": "void", "lkq_error": "void"}.get(base, base)
    return ("const " if const else "") + base + " " + "*" * stars


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if re.search(r" T lkq_\w+$", line)}


def swift_header(modules):
    sources = sorted(glob.glob(os.path.join(ROOT, "Sources/LKQC/*.swift")))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "LKQC-Swift.h")
        # The LKQ module imports the C target CLKQScan, whose module map is in its include folder.
        subprocess.run(["swiftc", "-parse-as-library", "-typecheck", "-module-name", "LKQC", *sources,
                        "-I", modules, "-I", os.path.join(ROOT, "Sources/CLKQScan/include"),
                        "-emit-clang-header-path", path], check=True)
        with open(path) as f:
            return f.read()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    library = sys.argv[1]
    modules = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(library), "Modules")
    with open(os.path.join(ROOT, "include/lkqc.h")) as f:
        declared = prototypes(f.read())
    symbols = exported(library)
    swift = prototypes(swift_header(modules))
    problems = []
    for name in sorted(symbols - declared.keys()):
        problems.append(f"{name}: exported by {library} but not declared in include/lkqc.h; declare it")
    for name in sorted(declared.keys() - symbols):
        problems.append(f"{name}: declared in include/lkqc.h but not exported; add it to Sources/LKQC or remove it")
    for name in sorted(declared.keys() & swift.keys()):
        if declared[name] != swift[name]:
            problems.append(f"{name}: include/lkqc.h says {declared[name]}, Sources/LKQC says {swift[name]}")
    for p in problems:
        print("check-header:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check-header: include/lkqc.h matches the {len(symbols)} functions liblkqc.so exports")


if __name__ == "__main__":
    main()
