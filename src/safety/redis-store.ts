/**
 * The Redis safety store: reports, bans and limits shared by every process
 * given the same --redis (and --secret, so that address keys agree). The
 * rules are rules.ts's, written again in Lua (redis/safety.lua), one script
 * call per command, so each is atomic whatever the other processes do; the
 * conformance suite (test/support/safety-store-conformance.ts) holds it and
 * the memory store to one behaviour.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ErrorReply } from "@redis/client";
import type { Logger } from "../log.ts";
import { createRedisLink, type RedisLink } from "../redis/connection.ts";
import { Refusal } from "../refusal.ts";
import type { Ban, Report, SafetyPolicy, SafetyStore } from "./store.ts";

const SOURCE = readFileSync(new URL("./redis/safety.lua", import.meta.url), "utf8");
const SHA = createHash("sha1").update(SOURCE).digest("hex");

export const DEFAULT_SAFETY_PREFIX = "chatroulette:s:";

export interface RedisSafetyStoreOptions {
  readonly url: string;
  readonly log: Logger;
  readonly policy: SafetyPolicy;
  /** Keys start with this; tests give each store its own. */
  readonly prefix?: string;
}

/**
 * Connects on open(); until Redis answers, every command is refused with
 * 503 "unavailable" (the page retries), never guessed.
 * @example
 * const store = createRedisSafetyStore({ url: "redis://127.0.0.1:6379", log, policy });
 * await store.open!();
 * await store.banOf(key, Date.now()); // null
 */
export function createRedisSafetyStore({ url, log, policy, prefix = DEFAULT_SAFETY_PREFIX }: RedisSafetyStoreOptions): SafetyStore {
  let link: RedisLink | undefined;
  const head = [prefix];
  const rules = [String(policy.ban.reports), String(policy.ban.windowMs), String(policy.ban.durationMs), String(policy.identitiesPerMinute)];

  async function run(op: string, now: number, args: readonly string[] = []): Promise<unknown> {
    if (!link?.up()) throw new Refusal("unavailable");
    const options = { arguments: [...head, op, String(now), ...rules, ...args] };
    try {
      try {
        return await link.client.evalSha(SHA, options);
      } catch (error) {
        if (!(error instanceof ErrorReply) || !error.message.startsWith("NOSCRIPT")) throw error;
        return await link.client.eval(SOURCE, options);
      }
    } catch (error) {
      if (error instanceof ErrorReply) throw error; // a bug in the script: not an outage
      log.debug(`safety store: ${(error as Error).message}`);
      throw new Refusal("unavailable");
    }
  }
  const ban = (raw: unknown): Ban | null => typeof raw === "string" ? JSON.parse(raw) as Ban : null;

  return {
    async admitIdentity(key, now) {
      const [kind, a, b] = await run("admit", now, [key]) as [string, string | number, number];
      if (kind === "banned") return { kind, ban: ban(a)! };
      if (kind === "limited") return { kind, retryAfterMs: Number(a) };
      return { kind: "admitted", suspect: Number(a) === 1, perMinute: Number(b) };
    },
    banOf: async (key, now) => ban(await run("banOf", now, [key])),
    async report({ reporter, reported, reason, peer }, now) {
      const [kind, detail] = await run("report", now, [reporter, reported, reason, peer]) as [string, string | undefined];
      if (kind === "refused") return { kind, code: detail as "already_reported" | "too_many_reports" };
      return { kind: "recorded", ban: ban(detail) };
    },
    ban: async (key, { durationMs, note }, now) => ban(await run("ban", now, [key, String(durationMs), note]))!,
    unban: async (key, now) => await run("unban", now, [key]) === 1,
    bans: async (now) => (await run("bans", now) as string[]).map((raw) => ban(raw)!),
    reports: async (now, limit) => (await run("reports", now, [String(limit)]) as string[]).map((raw) => JSON.parse(raw) as Report),
    flag: async (key, now) => void await run("flag", now, [key]),
    useOnce: async (token, until, now) => await run("useOnce", now, [token, String(until)]) === 1,
    ready: () => link?.up() ?? false,
    // Connects in the background: listen() already waits for Redis through the match store.
    async open() {
      // Commands only: no subscription (an idle one would time out), a ping keeps it from idling.
      link = createRedisLink({ url, log, subscribe: false });
    },
    async close() {
      await link?.close();
    },
  };
}
