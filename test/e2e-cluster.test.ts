/**
 * Two real `chatroulette serve` processes on one Redis, two Chromium pages,
 * and a load balancer in between (a TCP proxy here): a page whose network
 * changes mid-call comes back through the balancer on the other process, and
 * the call goes on.
 */
import assert from "node:assert/strict";
import { createServer, type Server, Socket } from "node:net";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { browserMissing, launch, playing, visitor } from "./support/browser.ts";
import { runCli } from "./support/cli.ts";
import { waitFor } from "./support/wait.ts";

const missing = browserMissing() ?? await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

const SECRET = "e2e-cluster-shares-this-secret-0123456789";

/** A serve process on `redis`; its origin. */
async function serve(t: TestContext, redis: RedisServer): Promise<string> {
  const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "error", "--min-age", "0"], "node", {
    CHATROULETTE_REDIS: redis.url,
    CHATROULETTE_SECRET: SECRET,
    CHATROULETTE_ICE_SERVERS: "[]",
  });
  return (await run.url).replace(/\/$/, "");
}

/**
 * A load balancer that sends each new connection to `target`. `lose()` is a
 * network change as the server sees it: the visitor's side of every
 * connection is cut, and the servers' sides are left open and silent.
 */
async function balancer(t: TestContext, target: { port: number }): Promise<{ origin: string; lose(): void }> {
  const visitors = new Set<Socket>();
  const server: Server = createServer((visitorSide) => {
    visitors.add(visitorSide);
    const serverSide = new Socket().connect(target.port, "127.0.0.1");
    visitorSide.pipe(serverSide);
    serverSide.pipe(visitorSide);
    const forget = () => visitors.delete(visitorSide);
    visitorSide.on("close", forget).on("error", () => visitorSide.destroy());
    serverSide.on("error", () => visitorSide.destroy());
    t.after(() => serverSide.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    lose() {
      for (const socket of visitors) {
        socket.unpipe();
        socket.destroy();
      }
    },
  };
}

const state = (page: Page) => page.$eval("#peerStatus", (el) => (el as HTMLElement).dataset.state);
const until = (page: Page, value: string, timeout = 15_000) =>
  page.waitForFunction((v) => document.getElementById("peerStatus")?.dataset.state === v, value, { timeout, polling: 20 });
const online = async (origin: string) => ((await (await fetch(`${origin}/api/stats`)).json()) as { process: { online: number } }).process.online;

let browser: Browser;
let redis: RedisServer;
before(async () => {
  if (missing) return;
  browser = await launch();
  redis = await startRedis();
});
after(async () => {
  await browser?.close();
  await redis?.stop();
});

describe("pages on two processes behind a load balancer", { skip: missing ?? false }, () => {
  test("when a page's network changes mid-call and it comes back on the other process, then the call goes on: the first process lets go of it at once, and its stranger is never told it left", async (t) => {
    const [one, two] = [await serve(t, redis), await serve(t, redis)];
    const route = { port: Number(new URL(one).port) };
    const lb = await balancer(t, route);
    const b = await visitor(t, browser, two);
    await until(b.page, "waiting");
    const a = await visitor(t, browser, lb.origin);
    await Promise.all([until(a.page, "connected"), until(b.page, "connected")]);
    await playing(b.page);
    assert.equal(await online(one), 1, "a's socket is on the first process");

    route.port = Number(new URL(two).port);
    lb.lose();
    // The page reconnects with the same identity; the balancer sends it to the second process.
    await waitFor(async () => await online(two) === 2, { timeout: 10_000, interval: 100 });
    // Its old socket there was never closed by the network: the first process closes it (not 30 s later, by heartbeat).
    await waitFor(async () => await online(one) === 0, { timeout: 5_000, interval: 100 });
    // That close takes a out of nothing (it is the second process's visitor now): b is not told it left.
    await playing(b.page);
    assert.deepEqual([await state(a.page), await state(b.page)], ["connected", "connected"], "the call went on");

    // The pair is the cluster's: Next on a's page reaches b through the second process.
    await a.page.click("#next");
    await until(b.page, "waiting");
  });
});
