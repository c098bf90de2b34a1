/**
 * identityRequester (ui/peer-client.ts): the page's identity, from the request
 * the HTML started early or from a new one, and a refusal as Blocked.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Blocked, identityRequester } from "../ui/peer-client.ts";

describe("page identity requests", () => {
  /** The browser's fetch, faked: answers each POST with the next identity, or with `status`. */
  function fakeFetch(t: { after(fn: () => void): void }, status = 201) {
    const real = globalThis.fetch;
    const calls: string[] = [];
    globalThis.fetch = (async (url: string) => {
      calls.push(url);
      const body = status === 201 ? { id: `id-${calls.length}`, token: "t" } : { error: "country_blocked", message: "Not here." };
      return new Response(JSON.stringify(body), { status });
    }) as typeof fetch;
    t.after(() => globalThis.fetch = real);
    return calls;
  }

  test("when the page asked before its script loaded, then that answer is used first and reconnects ask anew", async (t) => {
    const calls = fakeFetch(t);
    const early = Promise.resolve(new Response(JSON.stringify({ id: "early", token: "t" }), { status: 201 }));
    const request = identityRequester("", early);
    assert.equal((await request()).id, "early");
    assert.equal((await request()).id, "id-1");
    assert.deepEqual(calls, ["/api/identity"]);
  });

  test("when the early answer is a refusal, then the visitor is blocked with the server's words", async (t) => {
    fakeFetch(t);
    const early = Promise.resolve(new Response(JSON.stringify({ error: "country_blocked", message: "Not in your country." }), { status: 403 }));
    await assert.rejects(identityRequester("", early)(), (e) => e instanceof Blocked && e.message === "Not in your country.");
  });
});
