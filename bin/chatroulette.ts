/**
 * The command line: parse, resolve config, start, print, handle signals and
 * exit codes. Everything else lives in src/. Run by chatroulette.js under
 * Node, or directly by Deno (`deno run -A bin/chatroulette.ts`).
 */
import process from "node:process";
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ADMIN_ACTIONS, type AdminAction, type AdminFlags } from "../src/admin/command.ts";
import { CONFIG_ENV, ConfigError, loadConfig } from "../src/config/load.ts";
import { CONFIG_KEYS, DEFAULTS, field } from "../src/config/schema.ts";
import { createServer } from "../src/server.ts";
import type { SmokeFlags } from "../src/smoke/command.ts";
import { VERSION } from "../src/version.ts";

/** Servers one smoke run may spread its bots over. */
const MAX_SMOKE_URLS = 20;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function buildProgram(): Command {
  const program = new Command("chatroulette")
    .description("Self-hosted random video chat: pairs visitors for peer-to-peer video and text.")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput({ writeErr: () => {} });

  // Subcommands inherit exitOverride and configureOutput from here.
  const serve = program.command("serve")
    .description("Run the chat server: the page, the signaling server, the matchmaker.");
  for (const key of CONFIG_KEYS) {
    const { flag, description, defaultText, env, repeatable } = field(key);
    if (!flag) continue;
    const option = new Option(flag, `${description} (default: ${defaultText ?? show(DEFAULTS[key])}; env ${env})`);
    if (repeatable) option.argParser((value: string, previous?: string) => previous ? `${previous},${value}` : value);
    serve.addOption(option);
  }
  serve.addOption(new Option("--config <file>", `JSON file of options, see config.example.json (env ${CONFIG_ENV})`));
  serve.addHelpText("after", `
Options are read from flags, then CHATROULETTE_* environment variables, then the --config file, then defaults.

Examples:
  $ chatroulette serve                                  # http://localhost:8080/, every country
  $ chatroulette serve --port 0 --host 127.0.0.1        # a free port on this machine only
  $ chatroulette serve --country IN --country NP        # only India and Nepal
  $ chatroulette serve --block-country KP --unknown-country block
  $ chatroulette serve --trust-proxy loopback           # behind nginx/caddy on this machine
  $ chatroulette serve --path /rtc                      # signaling at /rtc/peerjs
  $ chatroulette serve --allow-origin https://blog.example.org   # that site may embed the page
  $ chatroulette serve --max-clients 10000 --log-level warn
  $ chatroulette serve --redis redis://10.0.0.5:6379 --config cluster.json   # one of several processes; secret in the file
  $ chatroulette serve --port 443 --tls-cert fullchain.pem --tls-key privkey.pem   # HTTPS itself; SIGHUP reloads
  $ chatroulette serve --turn-url turn:turn.example.org:3478 --relay-only   # secret in CHATROULETTE_TURN_SECRET
  $ chatroulette serve --stun-url stun:stun.example.org:3478 --turn-ttl 30m
  $ chatroulette serve --metrics-port 9464 --metrics-host 127.0.0.1   # Prometheus at /metrics
  $ chatroulette serve --min-age 21 --rules rules.md      # the consent screen's age and rules
  $ chatroulette serve --min-age 0                        # no consent screen
  $ chatroulette serve --ban-reports 5 --ban-window 30m --ban-duration 12h
  $ chatroulette serve --max-per-address 200 --identities-per-minute 120   # a big shared NAT
  $ chatroulette serve --next-burst 20 --next-per-minute 60
  $ chatroulette serve --challenge always               # proof of work for every identity
  $ chatroulette serve --challenge auto --challenge-above 1200
  $ CHATROULETTE_ADMIN_TOKEN=$(openssl rand -hex 24) chatroulette serve   # moderator API on
  $ chatroulette serve --admin-token "$TOKEN" --log-level warn
  $ chatroulette serve --interest-wait 10 --preferences   # wait longer for shared interests; gender filters
  $ CHATROULETTE_PORT=9000 chatroulette serve --config chatroulette.json`);
  serve.action(async (flags: Record<string, string | boolean>) => {
    const config = await loadConfig({ flags, env: process.env });
    const server = createServer(config);
    const { url, metricsUrl } = await server.listen();
    process.stdout.write(`chatroulette ${VERSION} listening on ${url}\n`);
    if (metricsUrl) process.stdout.write(`metrics on ${metricsUrl}\n`);
    onShutdown(() => server.close());
    // Certificate renewals (certbot's deploy hook, systemd's ExecReload): new connections get the new files.
    process.on("SIGHUP", () => void server.reloadTls());
  });
  program.command("smoke")
    .description("Check a live deployment end to end with bot visitors (WebRTC in Node), then PASS or FAIL.")
    .argument("<urls...>", "the deployment, e.g. https://chat.example.org/; or each process of a cluster", httpUrls)
    .option("--pairs <n>", "pairs of bots; 2 or more also checks leaving and Next", positiveInteger(20), 1)
    .option("--timeout <s>", "seconds each step may take", positiveInteger(600), 10)
    .option("--json", "print one JSON object with per-step timings instead of lines")
    .option("--path <path>", "signaling path, when not what the server's /api/config says")
    .option("--insecure", "accept a self-signed HTTPS certificate")
    .option("--media", "send a synthetic camera and check video frames arrive both ways")
    .addHelpText("after", `
Bots wait in a private pool, so they only ever meet each other, never real visitors.
Given several URLs (the processes of one cluster), the bots take them in turn, so every pair spans two.
Exit codes: 0 passed; 1 a check failed (the line says which and why); 2 usage error or unreachable URL.

Examples:
  $ chatroulette smoke http://127.0.0.1:8080 --pairs 3
  $ chatroulette smoke https://chat.example.org --json --timeout 20 --media
  $ chatroulette smoke http://10.0.0.1:8080 http://10.0.0.2:8080 http://10.0.0.3:8080 --pairs 3`)
    .action(async (urls: string[], flags: SmokeFlags) => {
      // Loaded only here: WebRTC for Node is heavy, and serve never needs it.
      const { smokeCommand } = await import("../src/smoke/command.ts");
      const code = await smokeCommand(urls, flags, (text) => process.stdout.write(text));
      // WebRTC's native threads would keep a finished run alive.
      process.exit(code);
    });
  program.command("admin")
    .description("Moderate a running server through its moderator API (needs its --admin-token).")
    .argument("<url>", "the server, e.g. https://chat.example.org/", httpUrl)
    .addArgument(new Argument("<action>", "bans, reports, ban or unban").choices(ADMIN_ACTIONS))
    .argument("[target]", "ban: an address key, a connected visitor's id or an IP address; unban: an address key")
    .addOption(new Option("--token <secret>", "the moderator token").env("CHATROULETTE_ADMIN_TOKEN"))
    .option("--duration <duration>", "how long a ban lasts: 90s, 30m, 24h, 7d, up to 365d", "24h")
    .option("--note <text>", "why, for the other moderators (at most 500 characters)")
    .option("--limit <n>", "reports to list", positiveInteger(1000), 100)
    .option("--json", "print the server's JSON instead of lines")
    .addHelpText("after", `
Exit codes: 0 done; 1 the server refused (the line says why); 2 usage error or unreachable server.

Examples:
  $ export CHATROULETTE_ADMIN_TOKEN=…                  # the server's --admin-token
  $ chatroulette admin https://chat.example.org reports
  $ chatroulette admin https://chat.example.org bans --json
  $ chatroulette admin https://chat.example.org ban 6f1c0f2e-… --duration 7d --note "spam links"
  $ chatroulette admin https://chat.example.org ban 203.0.113.7 --duration 2h
  $ chatroulette admin https://chat.example.org unban 9c1e4b…`)
    .action(async (url: string, action: AdminAction, target: string | undefined, flags: AdminFlags) => {
      const { adminCommand } = await import("../src/admin/command.ts");
      const fail = (text: string) => process.stderr.write(`chatroulette admin: ${text}\n`);
      process.exitCode = await adminCommand(url, action, target, flags, (text) => process.stdout.write(text), fail);
    });
  return program;
}

function httpUrl(value: string): string {
  if (!URL.canParse(value) || !["http:", "https:"].includes(new URL(value).protocol)) {
    throw new InvalidArgumentError("Expected an http:// or https:// URL with a host.");
  }
  return value;
}

function httpUrls(value: string, previous: string[] = []): string[] {
  httpUrl(value);
  if (previous.length >= MAX_SMOKE_URLS) throw new InvalidArgumentError(`Expected at most ${MAX_SMOKE_URLS} URLs.`);
  return [...previous, value];
}

function positiveInteger(max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) {
      throw new InvalidArgumentError(`Expected an integer from 1 to ${max}.`);
    }
    return n;
  };
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : JSON.stringify(value);
  return String(value);
}

/** SIGINT/SIGTERM: close gracefully, but never take longer than ~4 s; a second signal exits at once. */
function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(EXIT.ok);
    closing = true;
    process.stderr.write(`chatroulette: ${signal}, closing connections\n`);
    setTimeout(() => {
      process.stderr.write("chatroulette: connections did not close within 4 s, exiting anyway\n");
      process.exit(EXIT.ok);
    }, 4000).unref();
    // PeerServer keeps timers of its own, so exit explicitly once closed.
    close().then(() => process.exit(EXIT.ok), (error) => {
      process.stderr.write(`chatroulette: error while closing: ${error}\n`);
      process.exit(EXIT.failure);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
      if (error.code === "commander.help") return EXIT.ok;
      process.stderr.write(`chatroulette: ${error.message.replace(/^error: /, "").replace(/\n+/g, " ").replace(/\.$/, "")}; see --help\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`chatroulette: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`chatroulette: ${error instanceof Error ? error.message : error}\n`);
    return EXIT.failure;
  }
}

const code = await main(process.argv);
// On success the server keeps the process alive; errors exit now.
if (code !== EXIT.ok) process.exit(code);
