/**
 * Config resolution: precedence of flags, environment, file and defaults, and
 * the one-line error for every kind of bad input.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError, loadConfig, resolveConfig } from "../src/config/load.ts";
import { DEFAULTS } from "../src/config/schema.ts";

const dir = await mkdtemp(join(tmpdir(), "chatroulette-config-"));
after(() => rm(dir, { recursive: true, force: true }));
let files = 0;

async function file(content: string): Promise<string> {
  const path = join(dir, `${++files}`, "config.json");
  await mkdir(dirname(path));
  await writeFile(path, content);
  return path;
}

/** Asserts that resolving throws a ConfigError whose one-line message matches. */
async function rejects(sources: Parameters<typeof loadConfig>[0], pattern: RegExp) {
  await assert.rejects(loadConfig(sources), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

describe("config resolution", () => {
  test("when nothing is given, then the documented defaults apply", async () => {
    const config = await loadConfig({});
    assert.deepEqual(config, DEFAULTS);
    assert.equal(config.port, 8080);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.path, "/signaling");
    assert.deepEqual(config.country, []);
    assert.equal(config.unknownCountry, "allow");
    assert.equal(config.trustProxy, false);
    assert.ok(config.maxClients > 5000);
    assert.ok(Object.isFrozen(config));
  });

  test("when flags, environment and file all set a key, then flags beat env beat file", async () => {
    const path = await file(JSON.stringify({ port: 1001, host: "127.0.0.1", path: "/from-file", logLevel: "warn" }));
    const config = await loadConfig({
      flags: { config: path, port: "1003" },
      env: { CHATROULETTE_PORT: "1002", CHATROULETTE_PATH: "/from-env" },
    });
    assert.equal(config.port, 1003);
    assert.equal(config.path, "/from-env");
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.logLevel, "warn");
    assert.equal(config.maxClients, DEFAULTS.maxClients);
  });

  test("when the config file comes from CHATROULETTE_CONFIG, then it is read", async () => {
    const path = await file(JSON.stringify({ unknownCountry: "block" }));
    assert.equal((await loadConfig({ env: { CHATROULETTE_CONFIG: path } })).unknownCountry, "block");
  });

  test("when countries are comma-separated, repeated or lower case, then they become one upper-case list", () => {
    assert.deepEqual(resolveConfig({ flags: { country: "in, np,IN" } }).country, ["IN", "NP"]);
    assert.deepEqual(resolveConfig({ file: { blockCountry: ["kp", "IR"] } }).blockCountry, ["KP", "IR"]);
    assert.deepEqual(resolveConfig({ env: { CHATROULETTE_COUNTRY: "GB" } }).country, ["GB"]);
  });

  test("when trust-proxy is a name list, CIDR, hop count or boolean, then it is understood", () => {
    assert.deepEqual(resolveConfig({ flags: { trustProxy: "loopback, 10.0.0.0/8" } }).trustProxy, ["loopback", "10.0.0.0/8"]);
    assert.equal(resolveConfig({ flags: { trustProxy: "2" } }).trustProxy, 2);
    assert.equal(resolveConfig({ file: { trustProxy: 1 } }).trustProxy, 1);
    assert.equal(resolveConfig({ env: { CHATROULETTE_TRUST_PROXY: "true" } }).trustProxy, true);
    assert.equal(resolveConfig({ file: { trustProxy: false } }).trustProxy, false);
  });

  test("when the path has a trailing slash, then it is trimmed", () => {
    assert.equal(resolveConfig({ flags: { path: "/rtc/signal/" } }).path, "/rtc/signal");
  });

  test("when ICE servers come from the environment as JSON, then they are parsed", () => {
    const config = resolveConfig({ env: { CHATROULETTE_ICE_SERVERS: '[{"urls":["turn:t.example:3478"],"username":"u","credential":"c"}]' } });
    assert.deepEqual(config.iceServers, [{ urls: ["turn:t.example:3478"], username: "u", credential: "c" }]);
  });

  test("when durations are given with units, as seconds, or in a file, then they become milliseconds", () => {
    assert.equal(resolveConfig({ flags: { banWindow: "90s" } }).banWindow, 90_000);
    assert.equal(resolveConfig({ env: { CHATROULETTE_BAN_DURATION: "7d" } }).banDuration, 7 * 86_400_000);
    assert.equal(resolveConfig({ file: { banWindow: 3600 } }).banWindow, 3_600_000);
    assert.equal(resolveConfig({ file: { banWindow: "2h" } }).banWindow, 7_200_000);
  });

  test("when the admin token comes from the environment, then it turns the moderator API on", () => {
    assert.equal(resolveConfig({ env: { CHATROULETTE_ADMIN_TOKEN: "0123456789abcdef" } }).adminToken, "0123456789abcdef");
    assert.equal(DEFAULTS.adminToken, "", "off by default");
  });

  test("when keys start with //, then they are comments", () => {
    assert.equal(resolveConfig({ file: { "//port": "the port", port: 9 } }).port, 9);
  });
});

const SECRET = "0123456789abcdef0123456789abcdef";

describe("config errors name the option, the bad value and what is expected", () => {
  const cases: Array<[string, Parameters<typeof loadConfig>[0], RegExp]> = [
    ["--country INDIA", { flags: { country: "INDIA" } }, /^Invalid --country "INDIA": expected ISO 3166-1 alpha-2 codes such as "IN"/],
    ["--country XX", { flags: { country: "IN,XX" } }, /--country "IN,XX".*"XX" is not one/],
    ["--port 70000", { flags: { port: "70000" } }, /^Invalid --port "70000": expected an integer from 0 to 65535$/],
    ["--port abc", { flags: { port: "abc" } }, /^Invalid --port "abc": expected an integer/],
    ["--port -1", { flags: { port: "-1" } }, /^Invalid --port "-1"/],
    ["--unknown-country maybe", { flags: { unknownCountry: "maybe" } }, /^Invalid --unknown-country "maybe": expected one of allow, block$/],
    ["--trust-proxy bogus", { flags: { trustProxy: "10.0.0.0/99" } }, /^Invalid --trust-proxy "10.0.0.0\/99": expected .*invalid/],
    ["--max-clients 0", { flags: { maxClients: "0" } }, /^Invalid --max-clients "0": expected an integer from 1/],
    ["--log-level loud", { flags: { logLevel: "loud" } }, /^Invalid --log-level "loud": expected one of silent, error, warn, info, debug$/],
    ["--path /", { flags: { path: "/" } }, /^Invalid --path "\/": expected a URL path/],
    ["--path /api", { flags: { path: "/api" } }, /^Invalid --path "\/api"/],
    ["--host bad host", { flags: { host: "bad host" } }, /^Invalid --host "bad host": expected an IP address or host name/],
    ["env port", { env: { CHATROULETTE_PORT: "http" } }, /^Invalid CHATROULETTE_PORT "http": expected an integer/],
    ["env ICE", { env: { CHATROULETTE_ICE_SERVERS: "stun:x" } }, /^Invalid CHATROULETTE_ICE_SERVERS "stun:x": expected a JSON array/],
    ["both lists", { flags: { country: "IN", blockCountry: "IN" } }, /IN both allowed \(--country\) and blocked \(--block-country\)/],
    ["--ban-window forever", { flags: { banWindow: "forever" } }, /^Invalid --ban-window "forever": expected a duration from 60 s to 720 h, in seconds or as "90m", "1h", "1d"$/],
    ["--ban-duration 31d", { flags: { banDuration: "31d" } }, /^Invalid --ban-duration "31d": expected a duration from 60 s to 720 h/],
    ["--ban-reports 1", { flags: { banReports: "1" } }, /^Invalid --ban-reports "1": expected an integer from 2 to 1000$/],
    ["--min-age 100", { flags: { minAge: "100" } }, /^Invalid --min-age "100": expected an integer from 0 to 99$/],
    ["--challenge sometimes", { flags: { challenge: "sometimes" } }, /^Invalid --challenge "sometimes": expected one of off, auto, always$/],
    ["--admin-token short", { flags: { adminToken: "short" } }, /^Invalid --admin-token \(5 characters, not shown\): expected at least 16 visible ASCII characters/],
    ["--max-per-address -1", { flags: { maxPerAddress: "-1" } }, /^Invalid --max-per-address "-1": expected an integer from 0/],
    ["--turn-url without a secret", { flags: { turnUrl: "turn:t.example:3478" } }, /^Missing --turn-secret \(env CHATROULETTE_TURN_SECRET\): --turn-url needs/],
    ["a secret without --turn-url", { env: { CHATROULETTE_TURN_SECRET: SECRET } }, /^Invalid --turn-secret without --turn-url: expected both/],
    ["--relay-only without TURN", { flags: { relayOnly: true } }, /^Invalid --relay-only without a TURN server: expected --turn-url and --turn-secret/],
    ["--tls-cert alone", { flags: { tlsCert: "cert.pem" } }, /^Invalid --tls-cert without --tls-key: expected both files$/],
    ["--tls-key alone", { env: { CHATROULETTE_TLS_KEY: "key.pem" } }, /^Invalid --tls-key without --tls-cert/],
    ["--turn-url http", { flags: { turnUrl: "http://t.example" } }, /^Invalid --turn-url "http:\/\/t.example": expected turn: or turns: URLs/],
    ["--stun-url turn", { flags: { stunUrl: "turn:t.example" } }, /^Invalid --stun-url "turn:t.example": expected stun: URLs .* or "none"/],
    ["--turn-ttl 10", { flags: { turnTtl: "10" } }, /^Invalid --turn-ttl "10": expected a duration from 60 s/],
    ["--metrics-port = --port", { flags: { port: "9000", metricsPort: "9000" } }, /^Invalid --metrics-port 9000: the same as --port/],
    ["--metrics-port x", { flags: { metricsPort: "x" } }, /^Invalid --metrics-port "x": expected "off", or an integer/],
    ["--relay-only maybe", { env: { CHATROULETTE_RELAY_ONLY: "maybe" } }, /^Invalid CHATROULETTE_RELAY_ONLY "maybe": expected true or false$/],
  ];
  for (const [name, sources, pattern] of cases) {
    test(`when ${name}, then the message says so`, () => rejects(sources, pattern));
  }

  test("when the config file is missing, then it is named", async () => {
    await rejects({ flags: { config: "/nonexistent/chatroulette.json" } }, /^Cannot read --config "\/nonexistent\/chatroulette.json": file not found$/);
  });

  test("when the config file is not JSON, then it says so", async () => {
    const path = await file("{ port: 8080 ");
    await rejects({ flags: { config: path } }, /^Invalid --config ".*config.json": not valid JSON/);
  });

  test("when the config file is not an object, then it says so", async () => {
    const path = await file("[1, 2]");
    await rejects({ flags: { config: path } }, /expected a JSON object of options, got \[1,2\]/);
  });

  test("when the config file has an unknown key, then the key and the known ones are named", async () => {
    const path = await file(JSON.stringify({ prot: 80 }));
    await rejects({ flags: { config: path } }, /^Unknown key "prot" in .*config.json: expected one of port, host, path/);
  });

  test("when a config file value has the wrong type, then key, value and expectation are named", async () => {
    const path = await file(JSON.stringify({ port: "eighty" }));
    await rejects({ flags: { config: path } }, /^Invalid "port" "eighty" in .*config.json: expected an integer from 0 to 65535$/);
    const path2 = await file(JSON.stringify({ country: 91 }));
    await rejects({ flags: { config: path2 } }, /^Invalid "country" 91 in .*config.json: expected a comma-separated string or an array/);
    const path3 = await file(JSON.stringify({ iceServers: [{ url: "stun:x" }] }));
    await rejects({ flags: { config: path3 } }, /^Invalid "iceServers" \[\{"url":"stun:x"\}\] in .*: expected an array of \{"urls"/);
  });
});

describe("--redis and --secret", () => {
  const secret = "0123456789abcdefghijklmnopqrstuv";

  test("when a Redis URL and a secret are given, then both are kept as given", async () => {
    const url = "rediss://user:p%40ss@redis.example.org:6380/2";
    const config = await loadConfig({ flags: { redis: url }, env: { CHATROULETTE_SECRET: secret } });
    assert.equal(config.redis, url);
    assert.equal(config.secret, secret);
    const file = await loadConfig({ env: { CHATROULETTE_REDIS: "redis://127.0.0.1", CHATROULETTE_SECRET: secret } });
    assert.equal(file.redis, "redis://127.0.0.1");
  });

  test("when the Redis URL is wrong, then the message says what is expected and never shows the password", async () => {
    const withSecret = { CHATROULETTE_SECRET: secret };
    await rejects({ flags: { redis: "http://redis:6379" }, env: withSecret }, /^Invalid --redis "http:\/\/redis:6379\/?": expected a URL such as redis:/);
    await rejects({ flags: { redis: "redis://:hunter2@host/zero" }, env: withSecret }, /^Invalid --redis "redis:\/\/:\*\*\*@host\/zero": .*database number/);
    await assert.rejects(loadConfig({ flags: { redis: "redis://:hunter2@host/x" }, env: withSecret }), (error: Error) => !error.message.includes("hunter2"));
    await rejects({ env: { ...withSecret, CHATROULETTE_REDIS: "redis://:hunter2@/" } }, /^Invalid CHATROULETTE_REDIS \(not a URL; not shown, as it may hold a password\): expected/);
  });

  test("when the secret is short or repetitive, then it is refused by its length, never printed", async () => {
    for (const bad of ["too-short", "a".repeat(40), "abababababababababababababababababab"]) {
      await assert.rejects(loadConfig({ env: { CHATROULETTE_SECRET: bad } }), (error: Error) => {
        assert.match(error.message, /^Invalid CHATROULETTE_SECRET \(\d+ characters, not shown\): expected 32 to 1024 characters with at least 8 different ones/);
        assert.ok(!error.message.includes(bad));
        return true;
      });
    }
  });

  test("when --redis is given without a secret, then the server does not start: each process would refuse the others' visitors", async () => {
    await rejects({ flags: { redis: "redis://127.0.0.1" } }, /^--redis needs --secret \(env CHATROULETTE_SECRET\), the same for every process/);
  });
});

describe("TURN, TLS and metrics options", () => {
  test("when TURN is configured, then URLs, secret, lifetime and relay-only resolve from any source", () => {
    const config = resolveConfig({
      flags: { turnUrl: "turn:a.example:3478?transport=udp,turns:[2001:db8::1]:5349", relayOnly: true },
      env: { CHATROULETTE_TURN_SECRET: SECRET, CHATROULETTE_TURN_TTL: "30m" },
      file: { stunUrl: "none", metricsPort: "off" },
    });
    assert.deepEqual(config.turnUrl, ["turn:a.example:3478?transport=udp", "turns:[2001:db8::1]:5349"]);
    assert.equal(config.turnSecret, SECRET);
    assert.equal(config.turnTtl, 1800);
    assert.equal(config.relayOnly, true);
    assert.deepEqual(config.stunUrl, []);
    assert.equal(config.metricsPort, null);
  });

  test("when the secret is too short, then the error gives its length and never its value", async () => {
    const short = "hunter2-correct-horse-battery";
    for (const sources of [{ flags: { turnSecret: short } }, { env: { CHATROULETTE_TURN_SECRET: short } }]) {
      const error = await loadConfig(sources).then(() => assert.fail("accepted"), (e: Error) => e);
      assert.match(error.message, /^Invalid (--turn-secret|CHATROULETTE_TURN_SECRET) \(29 characters, not shown\): expected at least 32 characters/);
      assert.ok(!error.message.includes(short));
    }
  });
});

describe("config.example.json", () => {
  test("when loaded, then it is valid, documents every key, and equals the defaults", async () => {
    const path = new URL("../config.example.json", import.meta.url).pathname;
    assert.deepEqual({ ...await loadConfig({ flags: { config: path } }) }, { ...DEFAULTS });
    const json = JSON.parse(await readFile(path, "utf8"));
    for (const key of Object.keys(DEFAULTS)) {
      assert.ok(key in json, `${key} is shown`);
      assert.ok(`//${key}` in json, `${key} has a comment`);
    }
  });
});
