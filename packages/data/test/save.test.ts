// Saving (issue 13, defects 2 and 6): the destination is checked before any work, with the right
// reason; the temporary file never outlives a failed save or a SIGINT/SIGTERM, and stale ones left
// by a SIGKILLed process are removed by the next save to the same place.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tensor } from "@bp/tensor";
import { checkSaveTarget, decodeSafetensors, saveSafetensors, writeFileAtomic } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-save-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, "regular-file");
writeFileSync(file, "not a folder");
const folder = join(dir, "existing-dir");
mkdirSync(folder);

describe("checkSaveTarget", () => {
  const cases: [string, string, string][] = [
    ["a path inside a regular file", join(file, "m.safetensors"), `${file} is a file, not a folder`],
    [
      "a path below a regular file",
      join(file, "sub", "m.safetensors"),
      `a part of the folder path ${join(file, "sub")} is a file, not a folder`,
    ],
    ["an existing folder", folder, "is a folder; expected a file name inside it, such as model.safetensors"],
    ["a path ending with a slash", `${folder}/`, "names a folder (it ends with a slash); expected a file path"],
    ["a missing folder", join(dir, "no", "m.safetensors"), "the folder does not exist"],
    ["an empty path", "", "expected a file path"],
  ];
  for (const [what, path, reason] of cases) {
    it(`refuses ${what}, naming the reason`, () => {
      expect(errorOf(() => checkSaveTarget(path)).message).toBe(`checkSaveTarget: ${path}: ${reason}`);
      // saveSafetensors reports the same reason under its own name, and writes nothing.
      expect(errorOf(() => saveSafetensors(path, { W: tensor([1]) })).message).toBe(
        `saveSafetensors: ${path}: ${reason}`,
      );
    });
  }

  it("refuses devices and FIFOs, which a rename would replace with a regular file", () => {
    // checkSaveTarget only looks: asking it about /dev/null is safe with or without the check.
    expect(errorOf(() => checkSaveTarget("/dev/null")).message).toBe(
      "checkSaveTarget: /dev/null: is a device, not a regular file; save to a file",
    );
    const fifo = join(dir, "a-fifo");
    execFileSync("mkfifo", [fifo]);
    expect(errorOf(() => saveSafetensors(fifo, { W: tensor([1]) })).message).toBe(
      `saveSafetensors: ${fifo}: is a FIFO, not a regular file; save to a file`,
    );
    expect(statSync(fifo).isFIFO()).toBe(true);
    rmSync(fifo);
  });

  it("accepts a new file in a writable folder, and an existing file", () => {
    const path = join(folder, "m.safetensors");
    expect(() => checkSaveTarget(path)).not.toThrow();
    writeFileSync(path, "old");
    expect(() => checkSaveTarget(path)).not.toThrow();
    expect(readdirSync(folder)).toEqual(["m.safetensors"]);
  });
});

describe("temporary files", () => {
  it("removes stale temp files of its own naming whose process is gone, and nothing else", () => {
    const d = mkdtempSync(join(dir, "stale-"));
    const path = join(d, "m.safetensors");
    // 2147483646 is above Linux's largest pid (2^22), so no process has it.
    const stale = [".m.safetensors.2147483646.lx3k2a.tmp", ".m.safetensors.2147483645.0.tmp"];
    const kept = [
      `.m.safetensors.${process.ppid}.lx3k2a.tmp`, // a live process, maybe saving right now
      ".other.safetensors.2147483646.lx3k2a.tmp", // another file's temp
      ".m.safetensors.notapid.tmp", // not our naming
      "notes.txt",
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(d, name), "partial");
    saveSafetensors(path, { W: tensor([1.5]) });
    expect(readdirSync(d).sort()).toEqual([...kept, "m.safetensors"].sort());
    expect(decodeSafetensors(readFileSync(path)).tensors.W!.item()).toBe(1.5);
  });

  it("writes strings and bytes atomically and refuses to write through a folder", () => {
    const d = mkdtempSync(join(dir, "atomic-"));
    writeFileAtomic(join(d, "a.json"), '{"a":1}');
    writeFileAtomic(join(d, "b.bin"), Uint8Array.of(1, 2, 3), "saveThing");
    expect(readFileSync(join(d, "a.json"), "utf8")).toBe('{"a":1}');
    expect([...readFileSync(join(d, "b.bin"))]).toEqual([1, 2, 3]);
    expect(errorOf(() => writeFileAtomic(d, "x", "saveThing")).message).toBe(
      `saveThing: ${d}: is a folder; expected a file name inside it, such as model.safetensors`,
    );
    expect(readdirSync(d).sort()).toEqual(["a.json", "b.bin"]);
  });

  /** Runs fixtures/save-loop.ts (10 saves of 8 MB) and sends `signal` once it is saving. */
  function interruptSaves(signal: NodeJS.Signals, path: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--conditions=@bp/source",
          "--import",
          "tsx",
          join(import.meta.dirname, "fixtures", "save-loop.ts"),
          path,
          "10",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += String(d);
      });
      child.stdout.on("data", (d) => {
        // The first save starts right after "ready"; each takes tens of milliseconds.
        if (String(d).includes("ready")) setTimeout(() => child.kill(signal), 100);
      });
      child.on("error", reject);
      child.on("exit", (code) => resolve({ code, stderr }));
    });
  }

  it("after a SIGKILL during saves, the next save leaves only the target", async () => {
    const d = mkdtempSync(join(dir, "kill-"));
    const path = join(d, "m.safetensors");
    const r = await interruptSaves("SIGKILL", path);
    expect(r.code).toBe(null);
    // About one run in four leaves a partial temp file here (when the kill lands inside a write);
    // the stale-name test above covers that case every time.
    saveSafetensors(path, { W: tensor([2.5]) });
    expect(readdirSync(d)).toEqual(["m.safetensors"]);
    expect(decodeSafetensors(readFileSync(path)).tensors.W!.item()).toBe(2.5);
  });

  for (const [signal, status] of [
    ["SIGHUP", 129],
    ["SIGINT", 130],
    ["SIGQUIT", 131],
    ["SIGTERM", 143],
  ] as const) {
    it(`on ${signal} during a save leaves no temp file, a whole target, and exits ${status}`, async () => {
      const d = mkdtempSync(join(dir, "signal-"));
      const path = join(d, "m.safetensors");
      const r = await interruptSaves(signal, path);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(status);
      expect(readdirSync(d)).toEqual(["m.safetensors"]);
      const back = decodeSafetensors(readFileSync(path));
      expect(back.tensors.W!.shape).toEqual([1024, 1024]);
    });
  }
});
