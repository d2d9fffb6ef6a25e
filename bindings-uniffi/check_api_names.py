#!/usr/bin/env python3
"""Checks that the generated Swift bindings expose the same public API names
as the generated Kotlin ones: every type exported by src/lib.rs exists in
both, with the same methods, constructors, record fields and error variants.
(Swift cannot be compiled here; this is what can be checked.)

Usage: check_api_names.py KOTLIN_DIR SWIFT_DIR
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent


def exported_types():
    text = (HERE / "src" / "lib.rs").read_text()
    names = set()
    for group, single in re.findall(r"pub use \w+::(?:\{([^}]*)\}|(\w+));", text):
        names.update(n.strip() for n in (group or single).split(",") if n.strip())
    # Types only (functions such as error_codes are lowercase).
    return {n for n in names if n[0].isupper()}


def top_level_blocks(text):
    """(header line, body) for each top-level declaration, found by brace depth."""
    blocks, header, body, depth = [], None, [], 0
    for line in text.splitlines():
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line.split("//", 1)[0])
        if header is None and depth == 0 and re.match(r"(public |open |internal |sealed |data |final |enum |class |interface |protocol |struct |object )", line):
            header, body = line, []
        elif header is not None:
            body.append(line)
        depth += code.count("{") - code.count("}")
        if header is not None and depth == 0 and ("{" in code or "}" in code or body):
            if "{" in "".join([header] + body):
                blocks.append((header, "\n".join(body)))
                header = None
    return blocks


def norm(name):
    for suffix in ("Interface", "Protocol"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    if name.endswith("Exception"):
        name = name[: -len("Exception")] + "Error"
    return name


def kotlin_api(files):
    api = {}
    for f in files:
        for header, body in top_level_blocks(re.sub(r"^public *\n", "public ", f.read_text(), flags=re.M)):
            m = re.search(r"\b(?:interface|class|object)\s+(\w+)", header)
            if not m:
                continue
            name = norm(m.group(1))
            members = api.setdefault(name, set())
            if re.search(r"\binterface\b", header):
                members.update("fn:" + n for n in re.findall(r"^\s*(?:@Throws\(\w+::class\) )?(?:suspend )?fun `?(\w+)`?\(", body, re.M))
            elif "data class" in header:
                fields = re.findall(r"^\s*(?:var|val) `?(\w+)`?:", body, re.M) or re.findall(r"(?:var|val) `?(\w+)`?:", header)
                members.update("field:" + n for n in fields)
            elif "sealed class" in header:
                # Error variants are `class X(`; enum variants `data class X(` or `object X :`.
                cases = re.findall(r"^\s*(?:(?:data )?class `?(\w+)`?\(|object `?(\w+)`? :)", body, re.M)
                members.update("case:" + (cls or obj) for cls, obj in cases)
            elif "class" in header:
                comp = body.split("companion object", 1)
                if len(comp) == 2:
                    members.update("ctor:" + n for n in re.findall(r"^\s*(?:@Throws\(\w+::class\) )?(?:suspend )?fun `?(\w+)`?\(", comp[1], re.M))
                if re.search(r"^\s*constructor\((?!handle|noHandle|withHandle)`?\w", body, re.M):
                    members.add("ctor:init")
    return api


def swift_api(files):
    api = {}
    for f in files:
        for header, body in top_level_blocks(re.sub(r"^public *\n", "public ", f.read_text(), flags=re.M)):
            m = re.search(r"\b(?:protocol|class|struct|enum)\s+(\w+)", header)
            if not m:
                continue
            name = norm(m.group(1))
            members = api.setdefault(name, set())
            if "protocol" in header:
                members.update("fn:" + n for n in re.findall(r"^\s*func `?(\w+)`?\(", body, re.M))
            elif "struct" in header:
                members.update("field:" + n for n in re.findall(r"^\s*public (?:var|let) (\w+):", body, re.M))
            elif "enum" in header:
                members.update("case:" + n[0].upper() + n[1:] for n in re.findall(r"^\s*case (\w+)\b", body, re.M))
            elif "class" in header:
                members.update("ctor:" + n for n in re.findall(r"^\s*public static func `?(\w+)`?\(", body, re.M))
                if re.search(r"^\s*public convenience init\((?!unsafeFromHandle|noHandle)\w", body, re.M):
                    members.add("ctor:init")
    return api


def main():
    kdir, sdir = map(pathlib.Path, sys.argv[1:3])
    kfiles, sfiles = sorted(kdir.rglob("*.kt")), sorted(sdir.rglob("*.swift"))
    problems = []
    if not kfiles:
        problems.append(f"no Kotlin files under {kdir}")
    if not sfiles:
        problems.append(f"no Swift files under {sdir}")
    for extra in ("*.h", "*.modulemap"):
        if not list(sdir.rglob(extra)):
            problems.append(f"no {extra} under {sdir}")
    kotlin, swift = kotlin_api(kfiles), swift_api(sfiles)
    checked = 0
    for t in sorted(exported_types()):
        k, s = kotlin.get(t), swift.get(t)
        if k is None or s is None:
            problems.append(f"{t}: Kotlin {'has' if k is not None else 'lacks'} it, Swift {'has' if s is not None else 'lacks'} it")
            continue
        if not k and not s:
            problems.append(f"{t}: no members found in either (parser out of date?)")
        if k != s:
            problems.append(f"{t}: only Kotlin {sorted(k - s)}, only Swift {sorted(s - k)}")
        checked += len(k)
        print(f"  {t}: {len(k)} names match" if k == s else f"  {t}: MISMATCH")
    if problems:
        print("API name check FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"API name check: {len(exported_types())} types, {checked} member names identical in Kotlin and Swift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
