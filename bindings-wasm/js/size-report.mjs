// Attributes the code size of the unoptimised cargo .wasm (which still has its
// name section) to crates, to see what each dependency costs before wasm-opt.
// Usage: node size-report.mjs FILE.wasm
import fs from "node:fs";

const buf = fs.readFileSync(process.argv[2]);
let pos = 8;
const u32 = () => { let r = 0, s = 0, b; do { b = buf[pos++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
let importedFuncs = 0, bodies = [], names = new Map(), dataBytes = 0;
while (pos < buf.length) {
  const id = buf[pos++], size = u32(), end = pos + size;
  if (id === 2) { // imports: count functions
    for (let n = u32(); n--;) {
      for (let k = 0; k < 2; k++) { const l = u32(); pos += l; }
      const kind = buf[pos++];
      if (kind === 0) { u32(); importedFuncs++; }
      else if (kind === 1) { pos++; const f = u32(); u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = u32(); u32(); if (f & 1) u32(); }
      else if (kind === 3) { pos += 2; }
      else if (kind === 4) { pos++; u32(); }
    }
  } else if (id === 10) {
    for (let n = u32(); n--;) { const s = u32(); bodies.push(s); pos += s; }
  } else if (id === 11) {
    dataBytes = size;
  } else if (id === 0) {
    const l = u32(); const name = buf.toString("utf8", pos, pos + l); pos += l;
    if (name === "name") while (pos < end) {
      const sub = buf[pos++], ss = u32(), se = pos + ss;
      if (sub === 1) for (let n = u32(); n--;) { const idx = u32(); const nl = u32(); names.set(idx, buf.toString("utf8", pos, pos + nl)); pos += nl; }
      pos = se;
    }
  }
  pos = end;
}
// v0-mangled names (_RNv...): the first crate root `C[s<hash>_]<len><name>` is where the function lives.
const crateOf = (n) => {
  const re = /C(?:s[0-9A-Za-z]*_)?(\d+)/g;
  for (let m; (m = re.exec(n));) {
    const len = Number(m[1]), name = n.slice(re.lastIndex, re.lastIndex + len);
    if (/^[a-z_][a-z0-9_]*$/.test(name)) return name;
  }
  return n.startsWith("_ZN") ? (/^_ZN\d+([a-z_0-9]+)/.exec(n)?.[1] ?? "other") : "other";
};
const by = new Map();
bodies.forEach((s, i) => { const c = crateOf(names.get(i + importedFuncs) ?? "?"); by.set(c, (by.get(c) ?? 0) + s); });
const total = bodies.reduce((a, b) => a + b, 0);
console.log(`code ${total} B in ${bodies.length} functions, data ${dataBytes} B (before wasm-opt)`);
for (const [c, s] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`  ${c.padEnd(28)} ${String(s).padStart(8)} B  ${(100 * s / total).toFixed(1)}%`);
