/**
 * The Lua scripts of the Redis store, each the shared records (common.lua)
 * and rules (rules.lua) followed by its own body, run with EVALSHA. A Redis that has never seen a
 * script (or restarted) answers NOSCRIPT: the script is loaded and run again.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ErrorReply } from "@redis/client";
import type { RedisClient } from "../../redis/connection.ts";

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
// Every script starts with the shared records, then the rules.
const COMMON = `${read("common.lua")}\n${read("rules.lua")}`;

export const SCRIPT_NAMES = ["commands", "relay", "beat"] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** What every script is told first: ARGV[1..4] of common.lua. */
export interface ScriptContext {
  readonly prefix: string;
  readonly visitorTtlMs: number;
  readonly presenceTtlMs: number;
}

export interface Scripts {
  /** Runs `name` for the process `caller` with the script's own arguments after the common four. */
  run(name: ScriptName, caller: string, args: readonly string[]): Promise<unknown>;
  /** Loads every script now (after a connect), so the first commands find them. */
  load(): Promise<void>;
}

/**
 * @example
 * const scripts = createScripts(client, { prefix: "chatroulette:", visitorTtlMs, presenceTtlMs });
 * await scripts.run("commands", proc, ["find", id, "public", String(Date.now())]);
 */
export function createScripts(client: RedisClient, context: ScriptContext): Scripts {
  const sources = Object.fromEntries(SCRIPT_NAMES.map((name) => [name, `${COMMON}\n${read(`${name}.lua`)}`])) as Record<ScriptName, string>;
  const shas = Object.fromEntries(SCRIPT_NAMES.map((name) => [name, createHash("sha1").update(sources[name]).digest("hex")]));
  const common = [context.prefix, String(context.visitorTtlMs), String(context.presenceTtlMs)];
  // One load per script however many calls found it missing at once.
  const loading = new Map<ScriptName, Promise<unknown>>();
  const load = (name: ScriptName) => {
    let pending = loading.get(name);
    if (!pending) {
      pending = client.scriptLoad(sources[name]).finally(() => loading.delete(name));
      loading.set(name, pending);
    }
    return pending;
  };
  return {
    async run(name, caller, args) {
      const options = { arguments: [...common, caller, ...args] };
      try {
        return await client.evalSha(shas[name], options);
      } catch (error) {
        if (!(error instanceof ErrorReply) || !error.message.startsWith("NOSCRIPT")) throw error;
        await load(name);
        return await client.evalSha(shas[name], options);
      }
    },
    async load() {
      await Promise.all(SCRIPT_NAMES.map(load));
    },
  };
}
