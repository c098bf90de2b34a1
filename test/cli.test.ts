/**
 * The real command line under Node (tsx): start on port 0, print the URL,
 * serve, stop on SIGTERM; bad input exits 2 with one line.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { runCli } from "./support/cli.ts";
import { waitFor } from "./support/wait.ts";
import { ADDRESS } from "./support/server.ts";

describe("chatroulette serve (Node)", () => {
  test("when started on port 0, then it prints its URL, serves /healthz and exits 0 on SIGTERM", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"]);
    const url = await run.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(new URL(url).port, "0");
    const res = await fetch(`${url}healthz`);
    assert.equal(res.status, 200);
    const started = Date.now();
    run.child.kill("SIGTERM");
    const { code } = await run.exit;
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5000);
  });

  test("when PeerServer's own routes are asked for, then the build (which gives PeerServer our Express 5) answers as peerjs expects", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"]);
    const url = await run.url;
    const info = await fetch(`${url}signaling/`);
    assert.equal(info.status, 200);
    assert.equal((await info.json()).name, "PeerJS Server");
    const id = await fetch(`${url}signaling/peerjs/id`);
    assert.equal(id.status, 200);
    assert.match(await id.text(), /^[0-9a-f-]{36}$/);
    assert.equal((await fetch(`${url}signaling/peerjs/peers`)).status, 401, "peer listing stays off");
  });

  test("when --metrics-port is given, then the metrics URL follows the main URL on a line of its own", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--metrics-port", "0"]);
    await run.url;
    await waitFor(() => run.output().stdout.split("\n").length >= 3);
    const lines = run.output().stdout.split("\n");
    assert.match(lines[0], /^chatroulette \S+ listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(lines[1], /^metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scrape = await fetch(lines[1].slice("metrics on ".length));
    assert.match(await scrape.text(), /^chatroulette_visitors_online 0$/m);
    run.child.kill("SIGTERM");
    assert.equal((await run.exit).code, 0);
  });

  test("when started from another directory, as a service manager would, then it still starts", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"], "node", {}, tmpdir());
    assert.equal((await fetch(`${await run.url}healthz`)).status, 200);
    run.child.kill("SIGTERM");
    assert.equal((await run.exit).code, 0);
  });

  test("when SIGINT arrives with sockets open, then they are closed and it exits 0", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"]);
    const url = await run.url;
    const { id, token } = await (await fetch(`${url}api/identity`, { method: "POST" })).json();
    const ws = new WebSocket(`${url.replace("http", "ws")}signaling/peerjs?key=peerjs&id=${id}&token=${token}`);
    const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
    await new Promise((resolve) => ws.addEventListener("message", resolve, { once: true }));
    run.child.kill("SIGINT");
    assert.equal(await closed, 1001);
    assert.equal((await run.exit).code, 0);
  });

  test("when the environment sets an option, then it is used", async (t) => {
    const run = runCli(t, ["serve", "--host", "127.0.0.1"], "node", { CHATROULETTE_PORT: "0", CHATROULETTE_PATH: "/rtc" });
    const url = await run.url;
    assert.equal((await (await fetch(`${url}api/config`)).json()).path, "/rtc/");
    run.child.kill("SIGTERM");
    await run.exit;
  });

  test("when --country is repeated, then every listed country is admitted and the rest refused", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--country", "IN", "--country", "GB,np", "--trust-proxy", "loopback"]);
    const url = await run.url;
    const status = async (ip: string) => (await fetch(`${url}api/stats`, { headers: { "X-Forwarded-For": ip } })).status;
    assert.equal(await status(ADDRESS.IN), 200);
    assert.equal(await status(ADDRESS.GB), 200);
    assert.equal(await status(ADDRESS.US), 403);
    run.child.kill("SIGTERM");
    await run.exit;
  });

  for (const [args, pattern] of [
    [["serve", "--country", "INDIA"], /^chatroulette: Invalid --country "INDIA": expected ISO 3166-1 alpha-2 codes such as "IN"/],
    [["serve", "--port", "70000"], /^chatroulette: Invalid --port "70000": expected an integer from 0 to 65535$/],
    [["serve", "--prot", "80"], /^chatroulette: unknown option '--prot' \(Did you mean --port\?\); see --help$/],
    [["serve", "--config", "/nonexistent.json"], /^chatroulette: Cannot read --config "\/nonexistent.json": file not found$/],
    [["serve", "--port", "0", "--rules", "/nonexistent.md"], /^chatroulette: Cannot read --rules "\/nonexistent.md": file not found$/],
    [["serve", "--ban-duration", "forever"], /^chatroulette: Invalid --ban-duration "forever": expected a duration from 60 s to 720 h/],
    [["serve", "--port"], /^chatroulette: option '--port <number>' argument missing; see --help$/],
    [["launch"], /^chatroulette: unknown command 'launch'; see --help$/],
    [["serve", "--turn-url", "turn:turn.example.org:3478"], /^chatroulette: Missing --turn-secret \(env CHATROULETTE_TURN_SECRET\)/],
    [["serve", "--relay-only"], /^chatroulette: Invalid --relay-only without a TURN server/],
    [["serve", "--turn-url", "turn:t.example", "--turn-secret", "short"], /^chatroulette: Invalid --turn-secret \(5 characters, not shown\)/],
  ] as const) {
    test(`when run with ${args.join(" ")}, then it exits 2 with one line naming the problem`, async (t) => {
      const { code, stderr, stdout } = await runCli(t, [...args]).exit;
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
      assert.match(stderr.trimEnd(), pattern);
    });
  }

  test("when the port is taken, then it exits 1 naming the address", async (t) => {
    const first = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"]);
    const port = new URL(await first.url).port;
    const { code, stderr } = await runCli(t, ["serve", "--port", port, "--host", "127.0.0.1"]).exit;
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`Cannot listen on 127.0.0.1:${port}: address already in use`));
  });

  test("when asked for help, then every option is shown with its env name and used in an example", async (t) => {
    const { code, stdout } = await runCli(t, ["serve", "--help"]).exit;
    assert.equal(code, 0);
    const [options, examples] = stdout.split("Examples:");
    const flags = ["--port", "--host", "--path", "--country", "--block-country", "--unknown-country", "--trust-proxy", "--max-clients", "--log-level", "--redis"];
    const safety = ["--min-age", "--rules", "--ban-reports", "--ban-window", "--ban-duration", "--max-per-address", "--identities-per-minute"];
    flags.push(...safety, "--next-burst", "--next-per-minute", "--challenge", "--challenge-above", "--admin-token");
    for (const flag of [...flags, "--tls-cert", "--tls-key", "--stun-url", "--turn-url", "--turn-ttl", "--relay-only", "--metrics-port", "--metrics-host"]) {
      assert.ok(options.includes(flag), flag);
      assert.match(examples, new RegExp(`\\$ chatroulette serve .*${flag} `), `an example with ${flag}`);
    }
    assert.ok(options.replace(/\s+/g, " ").includes("(default: every country; env CHATROULETTE_COUNTRY)"));
    assert.match(examples, /--config chatroulette\.json/);
  });

  test("when asked for the version, then it prints package.json's", async (t) => {
    const { code, stdout } = await runCli(t, ["--version"]).exit;
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
