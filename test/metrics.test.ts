/**
 * Prometheus metrics and readiness: a real server on port 0 with its metrics
 * listener, real WebSocket visitors doing what moves each counter, and the
 * scrape read line by line as the text exposition format (version 0.0.4).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveConfig } from "../src/config/load.ts";
import type { ConfigInput } from "../src/config/schema.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { createServer } from "../src/server.ts";
import { connect, pair, refusedUpgrade, socketUrl } from "./support/client.ts";
import { waitFor } from "./support/wait.ts";

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = ["counter", "gauge", "histogram", "summary", "untyped"];

/**
 * Reads the text exposition format strictly: every line is empty, HELP, TYPE
 * or a sample `name{label="value",…} number`, each family typed before its samples.
 */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  assert.ok(text.endsWith("\n"), "ends with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue; // the format ignores empty lines; prom-client puts one between families
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      assert.match(meta[2], NAME, line);
      if (meta[1] === "TYPE") {
        assert.ok(TYPES.includes(meta[3]), line);
        typed.add(meta[2]);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) labels[key] = value;
    const value = Number(sample[3].replace(/^\+Inf$/, "Infinity").replace(/^-Inf$/, "-Infinity"));
    // prom-client writes NaN as "Nan" (an event-loop gauge before its first sample); Prometheus reads either.
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(sample[3]), line);
    const family = sample[1].replace(/_(bucket|sum|count|created)$/, "");
    assert.ok(typed.has(sample[1]) || typed.has(family), `${sample[1]} has no TYPE line`);
    samples.push({ name: sample[1], labels, value });
  }
  return samples;
}

/** A server with its metrics listener; closed after the test. */
async function withMetrics(t: { after(fn: () => unknown): void }, options: ConfigInput = {}) {
  const config = resolveConfig({ file: { host: "127.0.0.1", port: 0, logLevel: "silent", stunUrl: "none", metricsPort: 0, ...options } });
  const server = createServer(config);
  t.after(() => server.close());
  const { url, port, metricsUrl } = await server.listen();
  assert.ok(metricsUrl);
  const scrape = async () => {
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples = parseExposition(text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    return { text, samples, value };
  };
  return { server, url, metricsUrl, scrape, running: { url, port, origin: url.replace(/\/$/, "") } };
}

describe("metrics", () => {
  test("when visitors pair, press Next, leave and are refused, then the counters move and the scrape parses", async (t) => {
    const { scrape, running } = await withMetrics(t, { unknownCountry: "allow", turnUrl: "turn:127.0.0.1:3478", turnSecret: "s".repeat(32) });
    const start = await scrape();
    assert.equal(start.value("chatroulette_pairs_total", { pool: "public" }), 0, "series exist from the start");
    assert.equal(start.value("chatroulette_refusals_total", { code: "country_blocked" }), 0);
    assert.ok(start.value("process_cpu_user_seconds_total") !== undefined, "prom-client's process metrics");
    assert.ok(start.value("nodejs_eventloop_lag_seconds") !== undefined);

    const [a, b] = await pair(t, running);
    const c = await connect(t, running);
    c.find();
    await c.next("WAITING");
    a.find(); // Next: a leaves b for c
    await Promise.all([b.next("PARTNER-LEFT"), a.next("MATCH"), c.next("MATCH")]);
    c.send({ type: "STOP" });
    await a.next("PARTNER-LEFT");
    const [p, q] = await pair(t, running, "smoke-4f2a");
    p.ws.terminate();
    await q.next("PARTNER-LEFT");
    b.send("{not json");
    await b.next("REJECTED");
    b.send({ type: "OFFER", dst: c.id, payload: { type: "data" } });
    await b.next("REJECTED");
    // b and c share an address: its second report of a is refused after filing, and counted all the same.
    b.send({ type: "REPORT", payload: { peer: a.id, reason: "spam" } });
    await b.next("REPORTED");
    c.send({ type: "REPORT", payload: { peer: a.id, reason: "spam" } });
    assert.equal((await c.next("REJECTED")).payload.code, "already_reported");
    assert.equal((await refusedUpgrade(socketUrl(running, a.id, "forged"))).status, 401);
    assert.equal((await fetch(`${running.origin}/metrics`)).status, 404, "the main port has no /metrics");

    const end = await scrape();
    const v = end.value;
    assert.equal(v("chatroulette_pairs_total", { pool: "public" }), 2);
    assert.equal(v("chatroulette_pairs_total", { pool: "private" }), 1);
    assert.equal(v("chatroulette_next_total"), 1);
    assert.equal(v("chatroulette_partner_left_total", { reason: "next" }), 1);
    assert.equal(v("chatroulette_partner_left_total", { reason: "stop" }), 1);
    assert.equal(v("chatroulette_partner_left_total", { reason: "disconnect" }), 1);
    // Each visitor of a pair waited from its FIND to its MATCH: a and b, a and c (after Next).
    assert.equal(v("chatroulette_match_wait_seconds_count", { pool: "public" }), 4);
    assert.equal(v("chatroulette_match_wait_seconds_count", { pool: "private" }), 2);
    assert.ok(v("chatroulette_match_wait_seconds_sum", { pool: "public" })! > 0, "c waited");
    assert.equal(v("chatroulette_frames_rejected_total", { code: "invalid_json" }), 1);
    assert.equal(v("chatroulette_frames_rejected_total", { code: "invalid_payload" }), 1);
    assert.equal(v("chatroulette_frames_rejected_total", { code: "already_reported" }), 1);
    assert.equal(v("chatroulette_refusals_total", { code: "invalid_identity" }), 1);
    assert.equal(v("chatroulette_refusals_total", { code: "not_found" }), 1);
    assert.equal(v("chatroulette_identities_issued_total"), 5);
    assert.equal(v("chatroulette_turn_credentials_issued_total"), 5);
    assert.equal(v("chatroulette_visitors_online"), 4);
    assert.equal(v("chatroulette_visitors_waiting"), 0);
    assert.equal(v("chatroulette_cluster_visitors_online"), 4, "without --redis, the cluster is this process");
    assert.equal(v("chatroulette_cluster_processes"), 1);

    // Low, bounded cardinality: no visitor id, no pool a visitor named, no address.
    for (const secret of [a.id, b.id, c.id, p.id, q.id, "smoke-4f2a", "127.0.0.1"]) assert.ok(!end.text.includes(secret), secret);
    const ours = end.samples.filter((s) => s.name.startsWith("chatroulette_"));
    const labelValues = new Set(ours.flatMap((s) => Object.entries(s.labels).filter(([k]) => k !== "le").map(([k, val]) => `${k}=${val}`)));
    for (const value of labelValues) assert.match(value, /^(pool=(public|private)|reason=(next|stop|disconnect)|code=[a-z_]+)$/);
  });

  test("when visitors wait and pair, then the visitor gauges say what /api/stats says, this process's share being the whole without --redis", async (t) => {
    const { scrape, running } = await withMetrics(t);
    const start = (await scrape()).value;
    const gauges = ["visitors_online", "visitors_waiting", "cluster_visitors_online", "cluster_visitors_waiting"];
    assert.deepEqual(gauges.map((name) => start(`chatroulette_${name}`)), [0, 0, 0, 0], "every visitor gauge is there, at 0, before anyone comes");
    await pair(t, running);
    const waiting = await connect(t, running);
    waiting.find("private-7c1d");
    await waiting.next("WAITING");
    const stats = await (await fetch(`${running.origin}/api/stats`)).json();
    assert.deepEqual(stats, { online: 3, waiting: 1, processes: 1, process: { online: 3, waiting: 1 } });
    const v = (await scrape()).value;
    assert.deepEqual(
      {
        online: v("chatroulette_cluster_visitors_online"),
        waiting: v("chatroulette_cluster_visitors_waiting"),
        processes: v("chatroulette_cluster_processes"),
        process: { online: v("chatroulette_visitors_online"), waiting: v("chatroulette_visitors_waiting") },
      },
      stats,
    );
    waiting.close();
    await waiting.closed;
    await waitFor(async () => (await scrape()).value("chatroulette_visitors_waiting") === 0);
    const after = (await scrape()).value;
    assert.deepEqual(
      [after("chatroulette_visitors_online"), after("chatroulette_cluster_visitors_online")],
      [2, 2],
      "one who left is counted nowhere",
    );
  });

  test("when the store's figures do not come, or fail, then a scrape still answers within its bound with this process's own", async () => {
    const warnings: string[] = [];
    const log = { error() {}, warn: (line: string) => warnings.push(line), info() {}, debug() {} };
    let calls = 0;
    const hanging = createMetrics({ stats: () => (calls++, new Promise(() => {})), online: () => 3, log, timeoutMs: 200 });
    const started = Date.now();
    const text = await hanging.registry.metrics();
    assert.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms`);
    assert.equal(calls, 1, "one read of the store per scrape, for all five gauges");
    for (const name of ["chatroulette_visitors_online", "chatroulette_cluster_visitors_online"]) assert.match(text, new RegExp(`^${name} 3$`, "m"));
    assert.match(text, /^chatroulette_cluster_processes 1$/m);
    await hanging.registry.metrics();
    assert.equal(warnings.length, 1, "said once, not at every scrape");
    const failing = createMetrics({ stats: () => Promise.reject(new Error("Redis is away")), online: () => 2 });
    assert.match(await failing.registry.metrics(), /^chatroulette_cluster_visitors_online 2$/m);
  });

  test("when the country gate refuses, then refusals count the code; the metrics listener answers nothing but /metrics", async (t) => {
    const { scrape, running, metricsUrl } = await withMetrics(t, { unknownCountry: "block" });
    assert.equal((await fetch(`${running.origin}/api/identity`, { method: "POST" })).status, 403);
    assert.equal((await scrape()).value("chatroulette_refusals_total", { code: "country_blocked" }), 1);
    const base = metricsUrl.replace(/metrics$/, "");
    for (const path of ["", "metrics/x", "api/stats"]) assert.equal((await fetch(base + path)).status, 404, path);
    assert.equal((await fetch(metricsUrl, { method: "POST" })).status, 404);
  });

  test("when --metrics-host is 0.0.0.0 or the port is not given, then the URL says so, or there is no listener", async (t) => {
    const off = createServer(resolveConfig({ file: { host: "127.0.0.1", port: 0, logLevel: "silent" } }));
    t.after(() => off.close());
    assert.equal((await off.listen()).metricsUrl, undefined, "off by default");
    const { metricsUrl } = await withMetrics(t, { metricsHost: "0.0.0.0" });
    assert.match(metricsUrl, /^http:\/\/localhost:\d+\/metrics$/);
  });
});

describe("/readyz", () => {
  test("when the app is not built yet, then every request is 503 not_ready", async (t) => {
    const server = createServer(resolveConfig({ file: { host: "127.0.0.1", port: 0, logLevel: "silent" } }));
    // Bound by hand, as the listener is while listen() still builds: nothing answers but the fallback.
    await new Promise<void>((resolve) => server.httpServer.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise((resolve) => server.httpServer.close(resolve)));
    const { port } = server.httpServer.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error, "not_ready");
  });

  test("when the server admits visitors, then 200; when full, 503 server_full; while shutting down, 503 and upgrades are refused", async (t) => {
    const { server, running } = await withMetrics(t, { maxClients: 2 });
    const ready = async () => {
      const res = await fetch(`${running.origin}/readyz`);
      return { status: res.status, body: res.status === 200 ? await res.text() : (await res.json()).error };
    };
    assert.deepEqual(await ready(), { status: 200, body: "ready" });
    const a = await connect(t, running);
    const b = await connect(t, running);
    assert.deepEqual(await ready(), { status: 503, body: "server_full" });
    b.close();
    await waitFor(async () => (await ready()).status === 200);
    // A client that reads nothing holds the shutdown open for its grace: time to look.
    a.stall();
    const closing = server.close();
    assert.deepEqual(await ready(), { status: 503, body: "shutting_down" });
    const { id, token } = await (await fetch(`${running.origin}/api/identity`, { method: "POST" })).json();
    const refused = await refusedUpgrade(socketUrl(running, id, token));
    assert.deepEqual([refused.status, refused.body.error], [503, "shutting_down"]);
    await closing;
    await assert.rejects(fetch(`${running.origin}/readyz`), "and then nothing listens");
  });
});
