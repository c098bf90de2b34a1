/**
 * Visitors from distinct addresses, for the safety tests: through a trusted
 * proxy (X-Forwarded-For, with the server on --trust-proxy loopback) or
 * from real loopback addresses (127.0.0.2, …: the whole 127/8 is loopback on
 * Linux); identity requests as the page makes them, challenge included; and
 * a server with the moderator API on.
 */
import { request } from "node:http";
import type { TestContext } from "node:test";
import { solveHere } from "../../ui/pow.ts";
import { type Challenge, decodeChallenge } from "../../src/protocol/index.ts";
import { createLogger } from "../../src/log.ts";
import { type Client, open, refusedUpgrade, socketUrl } from "./client.ts";
import { type RunningServer, withServer } from "./server.ts";

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

/** An HTTP request from `localAddress` (default 127.0.0.1), JSON in and out. */
export function http(
  server: RunningServer,
  method: string,
  path: string,
  { headers = {}, body, localAddress }: { headers?: Record<string, string>; body?: unknown; localAddress?: string } = {},
): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${server.origin}${path}`, { method, headers, localAddress }, (res) => {
      let text = "";
      res.on("data", (chunk) => text += chunk);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** The address a test visitor comes from: a proxied public address, or a loopback one it binds. */
export type From = { readonly forwardedFor: string } | { readonly local: string };

const options = (from: From) =>
  "local" in from ? { localAddress: from.local } : { headers: { "X-Forwarded-For": from.forwardedFor } };

/** POST /api/identity as the page does: solving a challenge when asked to. Resolves with the last answer. */
export async function askIdentity(server: RunningServer, from: From): Promise<Answer & { challenged: boolean }> {
  const first = await http(server, "POST", "/api/identity", options(from));
  if (first.status !== 428) return { ...first, challenged: false };
  const answer = await solveHere(decodeChallenge(first.body.challenge) as Challenge);
  const second = await http(server, "POST", "/api/identity", { ...options(from), body: answer });
  return { ...second, challenged: true };
}

/** A connected visitor from `from`, past OPEN; throws with the refusal otherwise. */
export async function visit(t: TestContext, server: RunningServer, from: From): Promise<Client> {
  const got = await askIdentity(server, from);
  if (got.status !== 201) throw new Error(`identity: ${got.status} ${JSON.stringify(got.body)}`);
  const { id, token } = got.body;
  return await open(t, socketUrl(server, id, token), id, options(from));
}

/** Pairs `a` (waiting) with `b`, in `pool`. */
export async function meet(a: Client, b: Client, pool = "public"): Promise<void> {
  a.find(pool);
  await a.next("WAITING");
  b.find(pool);
  const [ma, mb] = await Promise.all([a.next("MATCH"), b.next("MATCH")]);
  if (ma.payload.peer !== b.id || mb.payload.peer !== a.id) throw new Error("paired with someone else");
}

/** Opens an upgrade from `from` that must be refused: its status, Retry-After and JSON body. */
export function refusedSocket(url: string, from: From): Promise<Answer> {
  return "local" in from ? refusedUpgrade(url, {}, from.local) : refusedUpgrade(url, { "X-Forwarded-For": from.forwardedFor });
}

export const TOKEN = "moderator-token-0123456789";

/** A server with the moderator API on (token TOKEN, --trust-proxy loopback), an authorized caller, and what it logged. */
export async function moderated(t: TestContext) {
  const lines: string[] = [];
  const log = createLogger("debug", (line) => lines.push(line));
  const server = await withServer(t, { trustProxy: "loopback", adminToken: TOKEN }, { log });
  const headers = { Authorization: `Bearer ${TOKEN}` };
  const admin = (method: string, path: string, body?: unknown) => http(server, method, `/api/admin${path}`, { headers, body });
  return { server, admin, lines };
}
