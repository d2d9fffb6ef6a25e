#!/usr/bin/env python3
"""Checks the Swift package as far as a machine without a Swift compiler can.

- Layout: every path Package.swift names exists, the generated files are
  where its targets expect them, and the modulemap's module is the system
  library target's name and what the generated Swift imports.
- Linking: every C function the header declares is exported by the native
  library Package.swift links (`nm -D`), and every FFI function the
  generated Swift calls is declared in the header.
- Redeclarations: no generated type has a property and a zero-argument
  method of one name (Swift refuses it; see uniffi-swift.toml).
- Names: the hand-written Swift (Sources, Tests) uses only members the
  generated API, its own files, or the standard library, Foundation and
  XCTest have; calls to generated functions use their argument labels in
  order; classes implementing a generated protocol declare each of its
  requirements with the same labels, types and effects; the tests' switch
  over AuthError names exactly its cases.
- Syntax: every hand-written file parses with tree-sitter-swift (when the
  `tree_sitter_swift` module is importable).

Usage: check_package.py PACKAGE_DIR   (exits 1 on any problem)
"""
import pathlib
import platform
import re
import subprocess
import sys

PKG = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent).resolve()
problems = []


def problem(msg):
    problems.append(msg)


def ok(msg):
    print(f"check: {msg}")


def clean(text):
    """The code without comments and with every string literal emptied
    (`""`), line breaks kept, in one pass (a `//` inside a string is no comment)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif text[i] == '"':
            j, depth = i + 1, 0
            while j < n:
                if text[j] == "\\" and text.startswith("\\(", j):
                    depth += 1
                    j += 2
                    continue
                if text[j] == "\\":
                    j += 2
                    continue
                if depth and text[j] == "(":
                    depth += 1
                elif depth and text[j] == ")":
                    depth -= 1
                elif not depth and text[j] in '"\n':
                    break
                j += 1
            out.append('""')
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def paren_body(text, open_index):
    """The text inside the parenthesis that opens at `open_index`."""
    depth = 0
    for j in range(open_index, len(text)):
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        if depth == 0:
            return text[open_index + 1 : j]
    return text[open_index + 1 :]


def block_after(text, start):
    """The text inside the braces that open at or after `start`."""
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    return text[i + 1 :]


def split_args(s, angles=False):
    out, depth, cur = [], 0, ""
    opens, closes = ("([{<", ")]}>") if angles else ("([{", ")]}")
    for ch in s:
        if ch in opens:
            depth += 1
        elif ch in closes:
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def norm_type(t):
    return re.sub(r"\s+", "", t).replace("MapsIndoorsAuth.", "")


# ---- layout -----------------------------------------------------------------
manifest = (PKG / "Package.swift").read_text()
ffi_target = re.search(r'\.systemLibrary\(name: "(\w+)", path: "([^"]+)"\)', manifest)
swift_target = re.search(r'\.target\(\s*name: "(\w+)",[^)]*?path: "([^"]+)"', manifest, re.S)
test_target = re.search(r'\.testTarget\(\s*name: "(\w+)",[^)]*?path: "([^"]+)"', manifest, re.S)
linked = re.search(r'\.linkedLibrary\("(\w+)"\)', manifest)
if not (ffi_target and swift_target and test_target and linked):
    sys.exit("check: cannot read the targets of Package.swift")
ffi_name, ffi_dir = ffi_target.group(1), PKG / ffi_target.group(2)
swift_dir, test_dir = PKG / swift_target.group(2), PKG / test_target.group(2)
libname = linked.group(1)
modulemap = ffi_dir / "module.modulemap"
generated = swift_dir / "MapsIndoorsAuth.swift"
lib = PKG / "native" / (f"lib{libname}.dylib" if platform.system() == "Darwin" else f"lib{libname}.so")
for path in (modulemap, generated, lib, test_dir):
    if not path.exists():
        problem(f"missing {path.relative_to(PKG)} (run scripts/gen-swift.sh)")
if problems:
    print("\n".join(f"check: PROBLEM {p}" for p in problems))
    sys.exit(1)
mm = modulemap.read_text()
mod = re.search(r"^\s*module (\w+)\s*\{", mm, re.M)
headers = re.findall(r'header "([^"]+)"', mm)
if not mod or mod.group(1) != ffi_name:
    problem(f"module.modulemap declares {mod.group(1) if mod else 'no module'}, Package.swift's system library is {ffi_name}")
if re.search(r"^\s*framework module", mm, re.M):
    problem("module.modulemap is a framework module (uniffi's --xcframework): a library target needs a plain module")
for h in headers:
    if not (ffi_dir / h).exists():
        problem(f"module.modulemap names header {h}, not in {ffi_dir.relative_to(PKG)}")
gen_text = generated.read_text()
if f"import {ffi_name}" not in gen_text:
    problem(f"the generated Swift does not import {ffi_name}")
ok(f"layout: system library {ffi_name} ({', '.join(headers)}), target {swift_target.group(1)}, tests {test_target.group(1)}, lib{libname}")

# ---- linking ----------------------------------------------------------------
header_text = "\n".join((ffi_dir / h).read_text() for h in headers)
declared = set(re.findall(r"\b((?:uniffi|ffi)_\w+)\s*\(", clean(header_text)))
try:
    nm = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True)
    if nm.returncode != 0:  # macOS nm
        nm = subprocess.run(["nm", "-gU", str(lib)], capture_output=True, text=True)
except FileNotFoundError:
    sys.exit("check: needs `nm` (binutils)")
exported = {line.split()[-1].lstrip("_") if platform.system() == "Darwin" else line.split()[-1]
            for line in nm.stdout.splitlines() if line.strip()}
missing = sorted(declared - exported)
if missing:
    problem(f"{len(missing)} header functions not exported by {lib.name}: {missing[:5]}")
called = set(re.findall(r"\b((?:uniffi|ffi)_mapsindoors\w+)\s*\(", clean(gen_text)))
undeclared = sorted(called - declared)
if undeclared:
    problem(f"the generated Swift calls undeclared C functions: {undeclared[:5]}")
ok(f"linking: {len(declared)} C functions declared, all exported by {lib.name}; {len(called)} called by the Swift")

# ---- the generated API ------------------------------------------------------
gen = clean(gen_text)
types = {}  # name -> {"kind", "body"}
for m in re.finditer(r"^(?:public |open )?\s*(?:final )?(class|struct|enum|protocol)\s+(\w+)\b[^{\n]*\{", gen, re.M):
    if m.group(2).startswith(("FfiConverter", "Uniffi", "uniffi")):
        continue
    types[m.group(2)] = {"kind": m.group(1), "body": block_after(gen, m.start())}
members = {}  # type -> set of member names
signatures = {}  # callable name -> list of [(label, has_default)]
statics = {}  # type -> static member names


def params_of(sig):
    out = []
    for p in split_args(sig, angles=True):
        m = re.match(r"\s*(\w+)(?:\s+\w+)?\s*:\s*(.*)$", p, re.S)
        if m:
            out.append((m.group(1), "=" in m.group(2), norm_type(m.group(2).split("=")[0])))
    return out


for name, t in types.items():
    body = t["body"]
    names = members.setdefault(name, set())
    for m in re.finditer(r"\b(static\s+)?func\s+(\w+)\s*\(", body):
        names.add(m.group(2))
        signatures.setdefault(m.group(2), []).append(params_of(paren_body(body, m.end() - 1)))
        if m.group(1):
            statics.setdefault(name, set()).add(m.group(2))
    for m in re.finditer(r"\b(?:var|let)\s+(\w+)\s*:", body):
        names.add(m.group(1))
    for m in re.finditer(r"\bcase\s+(\w+)", body):
        names.add(m.group(1))
    for m in re.finditer(r"\binit\s*\(", body):
        signatures.setdefault(name, []).append(params_of(paren_body(body, m.end() - 1)))
    # A property and a zero-argument method of one name: "invalid redeclaration".
    props = set(re.findall(r"\bvar\s+(\w+)\s*:", body))
    nullary = set(re.findall(r"\bfunc\s+(\w+)\s*\(\s*\)", body))
    for clash in sorted(props & nullary):
        problem(f"generated {name} has both `var {clash}` and `func {clash}()`: Swift refuses it (rename it in uniffi-swift.toml)")
for m in re.finditer(r"^public func (\w+)\s*\(", gen, re.M):
    signatures.setdefault(m.group(1), []).append(params_of(paren_body(gen, m.end() - 1)))
free_functions = set(re.findall(r"^public func (\w+)", gen, re.M))
# Extensions on generated types (e.g. AuthError's methods).
for m in re.finditer(r"^extension (\w+)\b[^{\n]*\{", gen, re.M):
    if m.group(1) in members:
        members[m.group(1)].update(re.findall(r"\bfunc\s+(\w+)", block_after(gen, m.start())))
api_members = set().union(*members.values())
ok(f"generated API: {len(types)} types, {len(api_members)} member names, {len(free_functions)} free functions")

# ---- hand-written Swift -----------------------------------------------------
hand_files = sorted(p for p in list(swift_dir.glob("*.swift")) + list(test_dir.rglob("*.swift")) if p != generated)
hand = {p: clean(p.read_text()) for p in hand_files}
own = set()
for text in hand.values():
    own.update(re.findall(r"\b(?:func|var|let|case|class|struct|enum|protocol|typealias)\s+(\w+)", text))
    own.update(re.findall(r"\b(\w+)\s*:\s*[\w\[(@]", text))  # parameter labels and tuple labels
# Members of the standard library, Foundation, Dispatch and XCTest the files use.
PLATFORM = set("""
    append appendingPathComponent arr asciiValue async asyncAfter availableData base bool compactMap contains
    contentsOfDirectory count customerId data dataTask deletingLastPathComponent description dropFirst empty
    enumerated environment ephemeral failure fileExists fileHandleForReading filter first firstIndex flatMap get
    global hasPrefix hasSuffix httpBody httpCookieStorage httpMethod httpShouldSetCookies int invalidateAndCancel
    isEmpty isExecutableFile isNull joined keys lastPathComponent localizedDescription lowercased map mapValues
    milliseconds now obj path port prefix processInfo random rawValue reloadIgnoringLocalCacheData removeFirst
    removeValue requestCachePolicy response resume rounded run setValue shared sleep sorted split statusCode
    str success taskIdentifier terminate trimmingCharacters union unicodeScalars update uptimeNanoseconds
    urlCache urlCredentialStorage utf8 whitespaces host addValue allHeaderFields cancel code code lock unlock
    allSatisfy insert value init cancelledError single set zip self timeIntervalSince1970 replacingOccurrences
    connect timedOut cannotConnectToHost cannotFindHost dnsLookupFailed notConnectedToInternet secureConnectionFailed
    serverCertificateUntrusted serverCertificateHasBadDate serverCertificateNotYetValid serverCertificateHasUnknownRoot
    clientCertificateRejected standardOutput executableURL arguments object string double array null of info
    ms allowed isCancelled failLoad Scalar ascii addTask maxConcurrentOperationCount
    makeStream yield Continuation
""".split())
unknown = {}
for p, text in hand.items():
    for m in re.finditer(r"(?<![\w.])(?:\w+|\)|\])?\.(\w+)\b", text):
        name = m.group(1)
        if name[0].isdigit() or name in api_members or name in types or name in own or name in PLATFORM:
            continue
        unknown.setdefault(name, p.name)
for name, where in sorted(unknown.items()):
    problem(f"{where}: `.{name}` is not in the generated API, the package's own files, or the known platform names")

# Calls to generated callables: labels in order, none missing without a default.
checked_calls = 0
for p, text in hand.items():
    for m in re.finditer(r"(?<![\w])(\w+)\s*\(", text):
        name = m.group(1)
        if name not in signatures or name in own and name not in types:
            continue
        if name in ("send", "load", "save", "sleep", "nowMs", "randomBytes", "onStep"):
            continue  # protocol methods: checked as conformances below
        args = split_args(paren_body(text, m.end() - 1))
        labels = [a.group(1) for a in (re.match(r"\s*(\w+)\s*:(?!:)", x) for x in args) if a]
        unlabeled = sum(1 for x in args if not re.match(r"\s*\w+\s*:(?!:)", x))
        fits = False
        for sig in signatures[name]:
            want = [(label, d) for label, d, _ in sig]
            if unlabeled and not all(label == "_" for label, _ in want[:unlabeled]):
                continue
            rest = [(label, d) for label, d in want if label != "_"]
            i = 0
            good = True
            for label in labels:
                while i < len(rest) and rest[i][0] != label:
                    if not rest[i][1]:
                        good = False
                    i += 1
                if i == len(rest):
                    good = False
                    break
                i += 1
            if good and all(d for _, d in rest[i:]):
                fits = True
                break
        checked_calls += 1
        if not fits:
            line = text[: m.start()].count("\n") + 1
            problem(f"{p.name}:{line}: {name}({', '.join(l + ':' for l in labels)}) fits no generated signature of {name}")
ok(f"labels: {checked_calls} calls to generated functions and initialisers checked")

# Conformances to the generated protocols.
protocols = {n: t["body"] for n, t in types.items() if t["kind"] == "protocol"}


def requirement_sigs(body):
    out = {}
    for m in re.finditer(r"func\s+(\w+)\s*\(", body):
        inner = paren_body(body, m.end() - 1)
        after = body[m.end() + len(inner) + 1 :]
        effects = re.sub(r"\s+", " ", re.match(r"[^{\n]*", after).group(0)).strip()
        out[m.group(1)] = ([(l, t) for l, _, t in params_of(inner)], effects)
    return out


conformances = 0
for p, text in hand.items():
    for m in re.finditer(r"\bclass\s+(\w+)\s*:\s*([^{]+)\{", text):
        adopted = [norm_type(x) for x in m.group(2).split(",")]
        body = block_after(text, m.start())
        have = requirement_sigs(body)
        for proto in adopted:
            if proto not in protocols:
                continue
            for fn, (params, effects) in requirement_sigs(protocols[proto]).items():
                conformances += 1
                got = have.get(fn)
                if got is None:
                    problem(f"{p.name}: {m.group(1)} adopts {proto} but has no func {fn}")
                    continue
                if got[0] != params or norm_type(got[1]) != norm_type(effects):
                    problem(f"{p.name}: {m.group(1)}.{fn}{got} does not match {proto}.{fn}{(params, effects)}")
ok(f"conformances: {conformances} protocol requirements implemented with matching signatures")

# The tests' switch over AuthError names exactly its cases.
auth_cases = set(re.findall(r"\bcase\s+(\w+)\(", types.get("AuthError", {}).get("body", "")))
for p, text in hand.items():
    sw = re.search(r"func variantName\(_ e: AuthError\)[^{]*\{", text)
    if sw:
        named = set(re.findall(r"case \.(\w+):", block_after(text, sw.start())))
        if named != auth_cases:
            problem(f"{p.name}: variantName names {sorted(named)}, AuthError has {sorted(auth_cases)}")
        else:
            ok(f"AuthError: the tests' switch names all {len(auth_cases)} cases")
for p, text in hand.items():
    for enum, case in re.findall(r"\b(AuthError|TransportError|StoreError|ProgressStep)\.(\w+)", text):
        if case not in members.get(enum, set()):
            problem(f"{p.name}: {enum}.{case} is not a case or member of {enum}")

# ---- syntax -----------------------------------------------------------------
try:
    import tree_sitter
    import tree_sitter_swift
except ImportError:
    print("check: syntax: skipped (no tree_sitter_swift module)")
else:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))

    def errors(src):
        out = []

        def walk(n):
            if n.type == "ERROR" or n.is_missing:
                out.append(n.start_point[0] + 1)
            elif n.has_error:
                for c in n.children:
                    walk(c)

        walk(parser.parse(src).root_node)
        return out

    for p in hand_files:
        for line in errors(p.read_bytes()):
            problem(f"{p.relative_to(PKG)}:{line}: tree-sitter-swift cannot parse this line")
    # The generated file: tree-sitter-swift does not know `@_documentation(...)` or
    # `{ () }`; anything else it cannot parse is reported (for information).
    src = re.sub(rb"@_documentation\(visibility: private\)", b"", generated.read_bytes())
    src = src.replace(b"{ () }", b"{ }")
    gen_errors = errors(src)
    ok(f"syntax: {len(hand_files)} hand-written files parse; the generated file has {len(gen_errors)} lines tree-sitter-swift cannot parse")
    if gen_errors:
        print(f"check: (generated lines tree-sitter-swift cannot parse: {gen_errors[:10]})")

for msg in problems:
    print(f"check: PROBLEM {msg}")
print(f"check: {len(problems)} problems")
sys.exit(1 if problems else 0)
