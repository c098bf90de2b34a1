/**
 * Three real `chatroulette serve` processes on one real Redis, as operators
 * run them: the smoke bots pair across them (data channel, video, Next); a
 * process killed with SIGKILL has its visitors' partners told within 2 s and
 * its visitors forgotten; and Redis stopping and starting again is recovered
 * from without restarting anything.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test, type TestContext } from "node:test";
import { WebSocket } from "ws";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { runCli } from "./support/cli.ts";
import { Client, identity, socketUrl } from "./support/client.ts";
import type { RunningServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

const SECRET = "three-processes-share-this-secret-0123456789";

interface Process extends RunningServer {
  readonly pid: number;
}

/** `count` serve processes on `redis`, the secret given in the environment as an operator would. */
async function serveAll(t: TestContext, redis: RedisServer, count = 3): Promise<Process[]> {
  return await Promise.all(Array.from({ length: count }, async () => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "error"], "node", {
      CHATROULETTE_REDIS: redis.url,
      CHATROULETTE_SECRET: SECRET,
      CHATROULETTE_ICE_SERVERS: "[]",
    });
    const url = await run.url;
    return { url, port: Number(new URL(url).port), origin: url.replace(/\/$/, ""), pid: run.child.pid! };
  }));
}

async function visitor(t: TestContext, server: RunningServer): Promise<Client> {
  const { id, token } = await identity(server);
  const client = new Client(new WebSocket(socketUrl(server, id, token)), id);
  t.after(() => client.ws.terminate());
  await client.next("OPEN", 10_000);
  return client;
}

async function pair(a: Client, b: Client, pool: string): Promise<void> {
  a.find(pool);
  await a.next("WAITING", 10_000);
  b.find(pool);
  await Promise.all([a.next("MATCH", 10_000), b.next("MATCH", 10_000)]);
}

const stats = async (server: RunningServer) => await (await fetch(`${server.origin}/api/stats`)).json();

async function withRedis(t: TestContext): Promise<RedisServer> {
  const redis = await startRedis();
  t.after(() => redis.stop());
  return redis;
}

describe("three serve processes on one Redis", { skip: missing ?? false }, () => {
  test("when smoke bots are spread over the three, then they pair across processes, exchange data and video, and Next re-pairs", async (t) => {
    const servers = await serveAll(t, await withRedis(t));
    const args = ["smoke", ...servers.map((s) => s.url), "--pairs", "3", "--media", "--json", "--timeout", "20"];
    const { code, stdout } = await runCli(t, args).exit;
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.equal(code, 0, JSON.stringify(report.steps.filter((s: { ok: boolean }) => !s.ok)));
    assert.deepEqual(report.urls, servers.map((s) => s.url));
    assert.ok(report.steps.some((s: { name: string }) => s.name === "press Next with a third bot waiting: matched again"));
  });

  test("when a process is killed with SIGKILL, then partners elsewhere are told within 2 s, stats recover, and nobody meets its visitors", async (t) => {
    const [one, two, victim] = await serveAll(t, await withRedis(t));
    const partners = [await visitor(t, one), await visitor(t, two)];
    const doomed = [await visitor(t, victim), await visitor(t, victim)];
    await pair(doomed[0], partners[0], "p1");
    await pair(partners[1], doomed[1], "p2");
    const stranded = await visitor(t, victim);
    stranded.find("left-behind");
    await stranded.next("WAITING");
    await waitFor(async () => (await stats(one)).online === 5, { timeout: 3000 });

    process.kill(victim.pid, "SIGKILL");
    const killedAt = Date.now();
    const told = await Promise.all(partners.map(async (p) => {
      const left = await p.next("PARTNER-LEFT", 5000);
      return { ms: Date.now() - killedAt, reason: left.payload.reason };
    }));
    t.diagnostic(`partners told ${told.map((x) => x.ms).join(" and ")} ms after the kill`);
    for (const { ms, reason } of told) {
      assert.equal(reason, "disconnect");
      assert.ok(ms <= 2000, `partner told ${ms} ms after the kill`);
    }
    await waitFor(async () => {
      const now = await stats(one);
      return now.processes === 2 && now.online === 2 && now.waiting === 0;
    }, { timeout: 3000 });
    const late = [await visitor(t, one), await visitor(t, two)];
    late[0].find("left-behind");
    await late[0].next("WAITING");
    late[1].find("left-behind");
    assert.equal((await late[1].next("MATCH")).payload.peer, late[0].id, "paired with the live one, not the dead one's visitor");
  });

  test("when Redis stops and starts again empty, then the three processes recover: waiting visitors are queued again and pair, across processes", async (t) => {
    const redis = await withRedis(t);
    const processes = await serveAll(t, redis, 3);
    const [one, two, three] = processes;
    const waiting = await visitor(t, one);
    waiting.find("again");
    await waiting.next("WAITING");
    await redis.stop();
    await waitFor(async () => (await fetch(`${one.origin}/readyz`)).status === 503);
    await redis.start();
    const ready = async () => (await Promise.all(processes.map((p) => fetch(`${p.origin}/readyz`)))).every((r) => r.status === 200);
    await waitFor(ready, { timeout: 10_000 });
    const newcomer = await visitor(t, two);
    newcomer.find("again");
    assert.equal((await newcomer.next("MATCH", 10_000)).payload.peer, waiting.id, "the visitor waiting before the outage");
    assert.equal((await waiting.next("MATCH")).payload.peer, newcomer.id);
    // The third process pairs too, across processes.
    const [c, d] = [await visitor(t, three), await visitor(t, one)];
    c.find("after");
    await c.next("WAITING");
    d.find("after");
    assert.equal((await d.next("MATCH", 10_000)).payload.peer, c.id);
  });
});
