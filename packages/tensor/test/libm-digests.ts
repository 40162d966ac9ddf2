// The values behind libm.test.ts's and libm.browser.ts's engine check: seeded normals (Box-Muller:
// log, sin, cos), a softmax (exp), sigmoid, tanh, log and pow, each hashed with SHA-256 over its
// float64 bytes. Node 20 computed DIGESTS; every engine must give the same bits.
import { randn, type Tensor } from "../src/index.js";

async function sha256(t: Tensor): Promise<string> {
  const d = t.data;
  const bytes = new Uint8Array(d.byteLength); // a copy: digest() takes no view of a SharedArrayBuffer
  bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The tensors hashed, by name (float64, cpu backend). */
export function libmTensors(): Record<string, Tensor> {
  const z = randn([64, 100], { seed: 7 });
  const logits = z.mul(10);
  const e = logits.sub(logits.max(1, true)).exp();
  return {
    randn: randn([4096], { seed: 42 }),
    softmax: e.div(e.sum(1, true)),
    sigmoid: logits.sigmoid(),
    tanh: z.mul(3).tanh(),
    log: z.abs().log(),
    pow: z.abs().pow(randn([64, 100], { seed: 8 }).mul(4)),
  };
}

export async function libmDigests(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, t] of Object.entries(libmTensors())) out[name] = await sha256(t);
  return out;
}

/** Node 20.20 (V8 11.3)'s digests of libmTensors(), the same before bp had its own libm (Math.*).
 * Measured before it, with Math.*: Deno 2.9.6 and Bun 1.4.5 differed in all six. */
export const DIGESTS: Record<string, string> = {
  randn: "9dfc00d3831594c9778cf4a3da42c5cc8aaaa5bba99a669ca5f35b49a53253fc",
  softmax: "dc015b3a9e423cbe4b645c32056a2a85a87605b9ce7a3bc43fc6e0d2203431a0",
  sigmoid: "65245c31a62633f2ce8732436d6a39ff186ead7210d8632e20a8123da611a4d0",
  tanh: "0f3483f947cf0f6b14a518615d78da6915f285e89c5efaf1001ea36c8f7c5220",
  log: "391fb693846f3402fdef512f92eb07687e2f124022e2e3f7694f6d3cbfefc83f",
  pow: "ebd2b6cf54ec7fcb6033bdf2ed5da855358df398c1f0b68c27b88df6747c5091",
};
