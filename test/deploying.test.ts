/**
 * The README's "Deploying" section, run rather than trusted: its coturn
 * config under Debian's `turnserver` (moved to loopback ports), its
 * Prometheus scrape config and alert rules under `promtool` (check, and a
 * unit test of each alert), and a real scrape linted by `promtool`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, test, type TestContext } from "node:test";
import { coturnMissing, startCoturn } from "../dev/coturn.ts";
import { ROOT } from "../dev/paths.ts";
import { resolveConfig } from "../src/config/load.ts";
import { createServer } from "../src/server.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";
import { relayCandidates, relayedPair } from "./support/wrtc.ts";

const README = readFileSync(`${ROOT}README.md`, "utf8");

/** The README's fenced block whose first line is `firstLine`. */
function block(firstLine: string): string {
  const start = README.indexOf(`\n${firstLine}\n`);
  assert.ok(start >= 0, `README has a block starting "${firstLine}"`);
  return README.slice(start + 1, README.indexOf("\n```", start) + 1);
}

function promtoolMissing(): string | null {
  if (spawnSync("promtool", ["--version"], { stdio: "ignore" }).error === undefined) return null;
  const why = "no promtool here (apt-get install prometheus)";
  if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
  return why;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "chatroulette-deploying-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs promtool; fails the test with its output unless it exits 0. */
function promtool(args: string[], input?: string): string {
  const run = spawnSync("promtool", args, { encoding: "utf8", input });
  assert.equal(run.status, 0, `promtool ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
  return run.stdout + run.stderr;
}

describe("the README's coturn config", { skip: coturnMissing() ?? false }, () => {
  test("when turnserver runs it, then every line is accepted, chatroulette's credentials get relays, and loopback peers are refused", async (t) => {
    // Where it listens, its certificate and its log are this machine's business; the rest is run as written.
    const moved = /^(static-auth-secret|listening-port|tls-listening-port|cert|pkey|log-file|external-ip)=/;
    const config = block("# /etc/turnserver.conf: coturn for chatroulette --turn-url/--turn-secret")
      .split("\n").filter((line) => !moved.test(line)).join("\n");
    assert.match(config, /^denied-peer-ip=127\.0\.0\.0-127\.255\.255\.255$/m);
    assert.doesNotMatch(config, /^allow-loopback-peers/m);
    const turn = await startCoturn({ config: `${config}\nno-tls` });
    t.after(() => turn.stop());
    assert.doesNotMatch(turn.log(), /Bad configuration format/);
    const server = await withServer(t, { turnUrl: turn.url, turnSecret: turn.secret });
    const { iceServers } = await (await fetch(`${server.origin}/api/identity`, { method: "POST" })).json();
    assert.ok((await relayCandidates(iceServers)).length > 0, "a relay is granted");
    // Both ends relay on 127.0.0.1 here: each is a loopback peer to the other, which coturn must not reach.
    const pair = await relayedPair(iceServers);
    t.after(() => pair.close());
    await waitFor(() => /CREATE_PERMISSION processed, error 403: Forbidden IP/.test(turn.log()), { timeout: 10_000 });
    assert.notEqual(pair.state(), "connected");
    assert.notEqual(pair.state(), "completed");
  });
});

describe("the README's Prometheus files", { skip: promtoolMissing() ?? false }, () => {
  test("when promtool checks the scrape config and the rules, then both are valid, and each alert fires when it should and only then", (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "prometheus.yml"), block("# /etc/prometheus/prometheus.yml (the part for chatroulette)"));
    writeFileSync(join(dir, "chatroulette-alerts.yml"), block("# /etc/prometheus/chatroulette-alerts.yml"));
    assert.match(promtool(["check", "config", join(dir, "prometheus.yml")]), /1 rule files found/);
    assert.match(promtool(["check", "rules", join(dir, "chatroulette-alerts.yml")]), /4 rules found/);
    writeFileSync(join(dir, "alerts.test.yml"), ALERT_TESTS);
    assert.match(promtool(["test", "rules", join(dir, "alerts.test.yml")]), /SUCCESS/);
  });

  test("when promtool lints a real scrape, then chatroulette's metrics pass (prom-client's own gauges named *_total are its business)", async (t) => {
    const server = createServer(resolveConfig({ file: { host: "127.0.0.1", port: 0, logLevel: "silent", metricsPort: 0 } }));
    t.after(() => server.close());
    const { metricsUrl } = await server.listen();
    const text = await (await fetch(metricsUrl!)).text();
    const run = spawnSync("promtool", ["check", "metrics"], { encoding: "utf8", input: text });
    const problems = `${run.stdout}${run.stderr}`.split("\n").filter((line) => line.trim() !== "");
    assert.deepEqual(problems.filter((line) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(line)), []);
    assert.ok(text.includes("chatroulette_pairs_total"));
  });
});

/** Series an operator would see, and what the README's alerts must make of them. */
const ALERT_TESTS = `
rule_files: [chatroulette-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # "stuck": six wait for half an hour and nobody is paired; "busy": six wait, pairs are made.
      - series: 'chatroulette_visitors_waiting{instance="stuck",job="chatroulette"}'
        values: '6x30'
      - series: 'chatroulette_pairs_total{instance="stuck",job="chatroulette",pool="public"}'
        values: '10x30'
      - series: 'chatroulette_visitors_waiting{instance="busy",job="chatroulette"}'
        values: '6x30'
      - series: 'chatroulette_pairs_total{instance="busy",job="chatroulette",pool="public"}'
        values: '0+5x30'
      # An hour of 0.1 refusals/s, then 3/s; scanners' 404s at 10/s all along.
      - series: 'chatroulette_refusals_total{instance="busy",job="chatroulette",code="country_blocked"}'
        values: '0+6x60 360+180x20'
      - series: 'chatroulette_refusals_total{instance="busy",job="chatroulette",code="not_found"}'
        values: '0+600x80'
      - series: 'chatroulette_refusals_total{instance="busy",job="chatroulette",code="server_full"}'
        values: '0x20 5x10'
      - series: 'up{instance="busy",job="chatroulette"}'
        values: '1x5 0x5'
    alert_rule_test:
      - eval_time: 9m
        alertname: ChatrouletteNotPairing
      - eval_time: 11m
        alertname: ChatrouletteNotPairing
        exp_alerts:
          - exp_labels: { instance: stuck }
            exp_annotations: { summary: "stuck: nobody paired for 10 minutes while 6 or more wait" }
      - eval_time: 60m
        alertname: ChatrouletteRefusalsSpiking
      - eval_time: 75m
        alertname: ChatrouletteRefusalsSpiking
        exp_alerts:
          - exp_labels: { instance: busy, code: country_blocked }
            exp_annotations: { summary: "busy: 3 refusals/s (country_blocked), 5 times the last hour's" }
      - eval_time: 20m
        alertname: ChatrouletteFull
      - eval_time: 22m
        alertname: ChatrouletteFull
        exp_alerts:
          - exp_labels: { instance: busy, job: chatroulette, code: server_full }
            exp_annotations: { summary: "busy refused visitors at --max-clients: add capacity" }
      - eval_time: 9m
        alertname: ChatrouletteDown
        exp_alerts:
          - exp_labels: { instance: busy, job: chatroulette }
            exp_annotations: { summary: "chatroulette on busy does not answer scrapes" }
`;
