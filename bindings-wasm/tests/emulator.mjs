// Starts one emulator on port 0 for a test suite and reads its banner.
// The binary comes from MIA_EMULATOR_BIN (default <repo>/target/debug/mapsindoors-auth-emulator).
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export async function startEmulator(args = []) {
  const bin = process.env.MIA_EMULATOR_BIN ?? path.join(root, "target/debug/mapsindoors-auth-emulator");
  const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const banner = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("emulator did not start in 20 s")), 20000);
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    lines.on("line", (line) => {
      banner.push(line);
      const m = /^listening on (http:\/\/\S+)/.exec(banner[0]);
      if (!m) return reject(new Error(`unexpected banner: ${banner[0]}`));
      if (/^user /.test(line)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const secretOf = (client) => {
    const line = banner.find((l) => l.includes(`client_id ${client} `));
    return line && /client_secret (\S+)/.exec(line)[1];
  };
  const admin = async (method, route, body) => {
    const r = await fetch(`${url}/_emulator/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    url,
    demoSecret: secretOf("demo-client"),
    otherSecret: secretOf("other-client"),
    admin,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill("SIGTERM");
    }),
  };
}
