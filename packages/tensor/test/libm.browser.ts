// bp's own exp/log/sin/cos/tanh/pow in Chromium (vitest browser mode): seeded normals (Box-Muller),
// a softmax, sigmoid, tanh, log and pow give the SHA-256 digests that Node 20 gives (written in
// libm-digests.ts, checked under Node by libm.test.ts). Chromium's own Math.* differs from Node 20's
// in the last bit, so before bp carried its own functions these digests differed.
import { describe, expect, it } from "vitest";
import { DIGESTS, libmDigests } from "./libm-digests.js";

describe("libm in Chromium", () => {
  it("the same bits as Node 20: randn, softmax, sigmoid, tanh, log, pow", async () => {
    expect(await libmDigests()).toEqual(DIGESTS);
  });
});
