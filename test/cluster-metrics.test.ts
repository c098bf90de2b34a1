/**
 * Prometheus metrics of a cluster: two real `chatroulette serve` processes on
 * one real Redis, each with its metrics listener. Either one's /metrics says
 * the whole cluster's figures (the same as /api/stats) and its own share; and
 * with Redis gone, a scrape still answers at once.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test, type TestContext } from "node:test";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { runCli } from "./support/cli.ts";
import { match } from "./support/client.ts";
import type { RunningServer } from "./support/server.ts";
import { visit } from "./support/visitors.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

const SECRET = "metrics-of-two-processes-share-this-0123456789";

interface Served extends RunningServer {
  readonly metricsUrl: string;
}

/** A `serve` process on `redis` with its metrics listener on a free port, as an operator runs it. */
async function serve(t: TestContext, redis: RedisServer): Promise<Served> {
  const args = ["serve", "--port", "0", "--host", "127.0.0.1", "--metrics-port", "0", "--log-level", "error"];
  const run = runCli(t, args, "node", { CHATROULETTE_REDIS: redis.url, CHATROULETTE_SECRET: SECRET, CHATROULETTE_STUN_URL: "none" });
  const url = await run.url;
  const metricsUrl = (await waitFor(() => /^metrics on (\S+)$/m.exec(run.output().stdout)))[1];
  return { url, port: Number(new URL(url).port), origin: url.replace(/\/$/, ""), metricsUrl };
}

/** One scrape: the visitor gauges, shaped as /api/stats is, and the public pairs this process counted. */
async function scrape(server: Served) {
  const res = await fetch(server.metricsUrl, { signal: AbortSignal.timeout(3000) });
  assert.equal(res.status, 200);
  const text = await res.text();
  const value = (name: string) => Number(new RegExp(`^chatroulette_${name} (\\S+)$`, "m").exec(text)?.[1]);
  return {
    figures: {
      online: value("cluster_visitors_online"),
      waiting: value("cluster_visitors_waiting"),
      processes: value("cluster_processes"),
      process: { online: value("visitors_online"), waiting: value("visitors_waiting") },
    },
    pairs: value('pairs_total{pool="public"}'),
    ready: value("ready"),
  };
}

const stats = async (server: Served) => await (await fetch(`${server.origin}/api/stats`)).json();

describe("metrics of two serve processes on one Redis", { skip: missing ?? false }, () => {
  test("when visitors are spread over two processes, then /metrics on either says the cluster's figures and its own share; with Redis gone, it still answers at once", async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const [one, two] = [await serve(t, redis), await serve(t, redis)];
    // Three people, each from an address of their own.
    const a = await visit(t, one, { local: "127.0.0.2" });
    const b = await visit(t, two, { local: "127.0.0.3" });
    const c = await visit(t, two, { local: "127.0.0.4" });
    await match(a, b);
    c.find();
    await c.next("WAITING");

    const cluster = { online: 3, waiting: 1, processes: 2 };
    const want = { one: { ...cluster, process: { online: 1, waiting: 0 } }, two: { ...cluster, process: { online: 2, waiting: 1 } } };
    // Each process hears the others' counts on their next beat (every 250 ms).
    const both = async () => [(await scrape(one)).figures, (await scrape(two)).figures];
    await waitFor(async () => JSON.stringify(await both()) === JSON.stringify([want.one, want.two]), { timeout: 5000 }).catch(() => {});
    assert.deepEqual(await both(), [want.one, want.two]);
    assert.deepEqual([await stats(one), await stats(two)], [want.one, want.two], "the same figures as /api/stats");
    assert.equal((await scrape(one)).pairs + (await scrape(two)).pairs, 1, "a pair across processes is counted once");
    assert.deepEqual([(await scrape(one)).ready, (await scrape(two)).ready], [1, 1]);

    await redis.stop();
    for (const server of [one, two]) {
      await waitFor(async () => (await fetch(`${server.origin}/readyz`)).status === 503);
      const started = Date.now();
      const { figures, ready } = await scrape(server);
      assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
      assert.equal(ready, 0, "chatroulette_ready says what /readyz says");
      assert.equal(figures.process.online, server === one ? 1 : 2, "its own sockets, still open, still counted");
    }
  });
});
