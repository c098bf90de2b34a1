/** How many clients a process may hold, from its open-file limit. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clientCapacity, openFileLimit } from "../src/fd-limit.ts";

describe("open-file limit", () => {
  test("when the limit is known, then clients are capped below it with room to spare", () => {
    const limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n";
    assert.equal(openFileLimit(() => limits), 20000);
    assert.equal(clientCapacity(20000), 19000);
    assert.equal(clientCapacity(1024), 924);
  });

  test("when the limit is unknown or unlimited, then nothing is capped", () => {
    assert.equal(openFileLimit(() => { throw new Error("no /proc"); }), null);
    assert.equal(openFileLimit(() => "Max open files            unlimited            unlimited            files\n"), null);
    assert.equal(clientCapacity(null), Infinity);
  });
});
