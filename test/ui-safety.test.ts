/**
 * The page's safety features, as models with fakes of the browser: reports
 * (ui/model/report.ts), the Next limit (next-limit.ts), a ban and a rate
 * limit met while connecting (connection.ts), the consent screen (consent.ts)
 * and identity requests that carry a challenge (ui/identity.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { REPORT_WINDOW_MS } from "../src/protocol/index.ts";
import { Banned, identityRequester, RateLimited } from "../ui/identity.ts";
import { CONSENT_KEY, createConsentModel } from "../ui/model/consent.ts";
import { RETRY_MARGIN_MS } from "../ui/model/connection.ts";
import { SAFETY_TEXT } from "../ui/model/safety-text.ts";
import { settle } from "./fakes/browser.ts";
import { NEXT_LIMIT, online, paired, setup, texts } from "./fakes/page.ts";

describe("page model: reports", () => {
  test("when the stranger is reported, then REPORT goes out, the pair ends without a FIND of ours, and the chat says so through the next match", async () => {
    const { page, client, data, timers } = await paired();
    assert.equal(page.canReport.value, true);
    page.report("harassment");
    assert.deepEqual(client().reports, [["p1", "harassment"]]);
    assert.equal(client().finds, 1, "the server finds the next stranger itself");
    assert.equal(page.peerState.value, "waiting");
    await timers.advance(0);
    assert.ok(data.closed);
    assert.deepEqual(texts(page), [`system:${SAFETY_TEXT.reported}`]);
    assert.equal(page.canReport.value, false, "reported once");
    client().on.match({ peer: "p2", role: "callee" });
    assert.deepEqual(texts(page), [`system:${SAFETY_TEXT.reported}`], "still shown as the next stranger comes");
    assert.equal(page.canReport.value, true, "the new stranger may be reported");
    client().on.match({ peer: "p3", role: "callee" });
    assert.deepEqual(texts(page), []);
  });

  test("when the stranger left, then they may be reported for a minute, not after", async () => {
    const { page, client, timers } = await paired();
    client().on.partnerLeft({ peer: "p1", reason: "next" });
    assert.equal(page.canReport.value, true);
    await timers.advance(REPORT_WINDOW_MS - 1);
    page.report("nudity");
    assert.deepEqual(client().reports, [["p1", "nudity"]]);
    assert.equal(client().finds, 2, "only the FIND after they left: reporting someone gone is no Next");
    assert.deepEqual(texts(page).at(-1), `system:${SAFETY_TEXT.reported}`);

    const again = await paired();
    again.client().on.partnerLeft({ peer: "p1", reason: "next" });
    await again.timers.advance(REPORT_WINDOW_MS);
    assert.equal(again.page.canReport.value, false);
    again.page.report("spam");
    assert.deepEqual(again.client().reports, []);
  });

  test("when the server would not count a report, then the chat says so", async () => {
    const { page, client } = await paired();
    page.report("spam");
    client().on.rejected({ code: "too_many_reports", msg: "…" });
    assert.deepEqual(texts(page).at(-1), `system:${SAFETY_TEXT.notCounted}`);
  });

  test("when nobody is there, then there is nothing to report", async () => {
    const { page, client } = await online();
    assert.equal(page.canReport.value, false);
    page.report("other");
    assert.deepEqual(client().reports, []);
  });
});

describe("page model: the Next limit", () => {
  test("when Next is pressed past the burst, then the button waits and a press says to slow down; it is ready again in time", async () => {
    const { page, client, timers } = await online();
    for (let i = 0; i < NEXT_LIMIT.burst; i++) {
      client().on.match({ peer: `p${i}`, role: "callee" });
      assert.equal(page.canNext.value, true);
      page.next();
    }
    assert.equal(client().finds, 1 + NEXT_LIMIT.burst);
    client().on.match({ peer: "px", role: "callee" });
    assert.equal(page.canNext.value, false);
    page.next();
    assert.equal(client().finds, 1 + NEXT_LIMIT.burst, "no FIND the server would refuse");
    assert.deepEqual(texts(page).at(-1), `system:${SAFETY_TEXT.slowDown}`);
    await timers.advance(60_000 / NEXT_LIMIT.perMinute);
    assert.equal(page.canNext.value, true);
  });

  test("when strangers are reported, then each report spends a Next on the page as on the server: past the burst the button waits", async () => {
    const { page, client } = await online();
    for (let i = 0; i < NEXT_LIMIT.burst; i++) {
      client().on.match({ peer: `p${i}`, role: "callee" });
      assert.equal(page.canNext.value, true);
      page.report("spam");
    }
    client().on.match({ peer: "last", role: "callee" });
    assert.equal(page.canNext.value, false, "no Next the server would refuse");
    page.next();
    assert.equal(client().finds, 1, "only the first FIND: the server looked on after each report");
  });

  test("when the server refuses a Next with rate_limited, then the page looks again after the wait it gave", async () => {
    const { page, client, timers } = await paired();
    page.next();
    client().on.rejected({ code: "rate_limited", msg: "…", retryAfter: 4 });
    await timers.advance(4000 + RETRY_MARGIN_MS - 1); // a little after the wait, which is rounded
    assert.equal(client().finds, 2);
    await timers.advance(1);
    assert.equal(client().finds, 3);
    assert.equal(page.peerState.value, "waiting");
  });
});

describe("page model: bans and rate limits", () => {
  test("when the visitor is banned, then the page says until when, and comes back by itself when it ends", async () => {
    let until = 0;
    const s = setup({
      identity: async () => {
        if (until > s.timers.now) throw new Banned("banned", until);
        return { id: "me", token: "t" };
      },
    });
    until = 3_600_000;
    s.page.start();
    await settle();
    assert.equal(s.page.serverState.value, "banned");
    assert.equal(s.page.bannedUntil.value, until);
    assert.equal(s.clients.length, 0);
    await s.timers.advance(until);
    assert.equal(s.clients.length, 0, "not before it ends");
    await s.timers.advance(1000);
    assert.equal(s.clients.length, 1);
    assert.equal(s.page.bannedUntil.value, null);
  });

  test("when the server is banning the socket it holds, then the page learns of the ban on reconnecting", async () => {
    let banned = false;
    const s = setup({
      identity: async () => {
        if (banned) throw new Banned("banned", s.timers.now + 86_400_000);
        return { id: "me", token: "t" };
      },
    });
    s.page.start();
    await settle();
    s.client().on.open();
    banned = true;
    s.client().on.closed(); // the server closed it (4003)
    await s.timers.advance(s.page.reconnectAt.value! - s.timers.now);
    assert.equal(s.page.serverState.value, "banned");
    assert.deepEqual(texts(s.page), []);
  });

  test("when identities are rate-limited, then the page waits at least Retry-After", async () => {
    let limited = true;
    const s = setup({
      identity: async () => {
        if (limited) throw new RateLimited("slow down", 20_000);
        return { id: "me", token: "t" };
      },
    });
    s.page.start();
    await settle();
    assert.equal(s.page.reconnectAt.value! - s.timers.now, 20_000);
    limited = false;
    await s.timers.advance(20_000);
    assert.equal(s.clients.length, 1);
    assert.equal(s.page.serverState.value, "connecting");
  });
});

describe("consent screen model", () => {
  /** localStorage, faked; `broken` throws as some private modes do. */
  function storage(broken = false) {
    const items = new Map<string, string>();
    return {
      items,
      getItem: (k: string) => {
        if (broken) throw new DOMException("denied", "SecurityError");
        return items.get(k) ?? null;
      },
      setItem: (k: string, v: string) => {
        if (broken) throw new DOMException("denied", "SecurityError");
        items.set(k, v);
      },
    };
  }

  test("when accepted once, then this browser is not asked again; a new age or new rules ask again", () => {
    const store = storage();
    const first = createConsentModel({ minAge: 18, rules: "Be kind.", storage: store });
    assert.equal(first.needed.value, true);
    first.accept();
    assert.equal(first.needed.value, false);
    assert.ok(store.items.has(CONSENT_KEY));
    assert.equal(createConsentModel({ minAge: 18, rules: "Be kind.", storage: store }).needed.value, false);
    assert.equal(createConsentModel({ minAge: 21, rules: "Be kind.", storage: store }).needed.value, true);
    assert.equal(createConsentModel({ minAge: 18, rules: "Be kinder.", storage: store }).needed.value, true);
  });

  test("when --min-age is 0, then there is no consent screen; when storage is blocked, then it asks and accepting still works", () => {
    assert.equal(createConsentModel({ minAge: 0, rules: "", storage: storage() }).needed.value, false);
    const blocked = createConsentModel({ minAge: 18, rules: "r", storage: storage(true) });
    assert.equal(blocked.needed.value, true);
    blocked.accept();
    assert.equal(blocked.needed.value, false);
  });
});

describe("identity requests with challenges and refusals", () => {
  function serve(t: { after(fn: () => void): void }, answers: Array<(body: unknown) => Response>) {
    const real = globalThis.fetch;
    const bodies: unknown[] = [];
    globalThis.fetch = (async (_url: string, init: RequestInit) => {
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      bodies.push(body);
      return answers.shift()!(body);
    }) as typeof fetch;
    t.after(() => globalThis.fetch = real);
    return bodies;
  }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });
  const challenge = { parameters: { algorithm: "PBKDF2/SHA-256", nonce: "ab", salt: "cd", cost: 1, keyLength: 32, keyPrefix: "00" }, signature: "ef" };

  test("when the server asks for a challenge, then it is solved and the answer posted back for the identity", async (t) => {
    const bodies = serve(t, [
      () => json(428, { error: "challenge_required", message: "Solve it.", challenge }),
      () => json(201, { id: "me", token: "t" }),
    ]);
    const solved: unknown[] = [];
    const request = identityRequester("", undefined, async (c) => {
      solved.push(c);
      return { challenge: c, solution: { counter: 7, derivedKey: "00aa" } };
    });
    assert.deepEqual(await request(), { id: "me", token: "t" });
    assert.deepEqual(solved, [challenge]);
    assert.deepEqual(bodies, [undefined, { challenge, solution: { counter: 7, derivedKey: "00aa" } }]);
  });

  test("when the early request's challenge expired while the visitor read the rules, then a fresh one is asked for and solved", async (t) => {
    const bodies = serve(t, [
      () => json(403, { error: "challenge_expired", message: "Too late." }),
      () => json(428, { error: "challenge_required", message: "Solve it.", challenge: { ...challenge, signature: "aa" } }),
      () => json(201, { id: "me", token: "t" }),
      () => json(428, { error: "challenge_required", message: "Solve it.", challenge }),
      () => json(403, { error: "challenge_expired", message: "Too late." }),
    ]);
    const early = Promise.resolve(json(428, { error: "challenge_required", message: "Solve it.", challenge }));
    const request = identityRequester("", early, async (c) => ({ challenge: c, solution: { counter: 7, derivedKey: "00aa" } }));
    assert.deepEqual(await request(), { id: "me", token: "t" });
    assert.deepEqual(bodies.map((b) => (b as { challenge?: { signature: string } } | undefined)?.challenge?.signature), ["ef", undefined, "aa"]);
    // A later request's own challenge expiring is not retried at once: the page's backoff does.
    await assert.rejects(request(), /HTTP 403 challenge_expired/);
    assert.equal(bodies.length, 5);
  });

  test("when the server says banned or rate_limited, then the error says until when or how long to wait", async (t) => {
    serve(t, [
      () => json(403, { error: "banned", message: "Banned.", until: "2030-01-02T03:04:05.000Z" }),
      () => json(429, { error: "rate_limited", message: "Slow.", retryAfter: 20 }, { "Retry-After": "20" }),
    ]);
    const request = identityRequester("");
    await assert.rejects(request(), (e) => e instanceof Banned && e.until === Date.parse("2030-01-02T03:04:05.000Z"));
    await assert.rejects(request(), (e) => e instanceof RateLimited && e.retryAfterMs === 20_000);
  });

  test("when a challenge comes and the client cannot solve one, then it fails rather than loops", async (t) => {
    serve(t, [() => json(428, { error: "challenge_required", message: "Solve it.", challenge })]);
    await assert.rejects(identityRequester("")(), /cannot solve/);
  });
});
