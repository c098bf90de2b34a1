/**
 * `chatroulette admin <url> bans|reports|ban|unban` as a function: one call
 * to the server's moderator API (docs/PROTOCOL.md §9), printed as lines (or
 * the server's JSON), and the exit code.
 */
import { isIP } from "node:net";
import { decodeRefusal } from "../protocol/index.ts";

export const ADMIN_ACTIONS = ["bans", "reports", "ban", "unban"] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export interface AdminFlags {
  /** The moderator token (--token, or CHATROULETTE_ADMIN_TOKEN). */
  readonly token?: string;
  readonly duration?: string;
  readonly note?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

/** 0 done; 1 the server refused (the line says why); 2 usage error or unreachable server. */
export const ADMIN_EXIT = { ok: 0, refused: 1, usage: 2 } as const;

const KEY = /^[0-9a-f]{32}$/;

/**
 * @example
 * await adminCommand("https://chat.example.org", "ban", "6f1c…", { token, duration: "7d", note: "spam" }, write); // 0
 */
export async function adminCommand(
  url: string,
  action: AdminAction,
  target: string | undefined,
  flags: AdminFlags,
  write: (text: string) => void,
  fail: (text: string) => void,
): Promise<number> {
  if (!flags.token) return (fail("the moderator token is missing: pass --token or set CHATROULETTE_ADMIN_TOKEN"), ADMIN_EXIT.usage);
  const needs = action === "ban" || action === "unban";
  if (needs && !target) return (fail(`${action} needs a target: ${action === "ban" ? "an address key, a visitor's id or an IP address" : "an address key"}`), ADMIN_EXIT.usage);
  if (!needs && target) return (fail(`${action} takes no target`), ADMIN_EXIT.usage);
  if (action === "unban" && !KEY.test(target!)) return (fail(`unban needs an address key (32 hex digits), not "${target}"`), ADMIN_EXIT.usage);
  const api = new URL("/api/admin/", url);
  const request = {
    bans: () => call(new URL("bans", api), "GET"),
    reports: () => call(new URL(`reports?limit=${flags.limit ?? 100}`, api), "GET"),
    ban: () => call(new URL("bans", api), "POST", { ...banTarget(target!), duration: flags.duration ?? "24h", note: flags.note ?? "" }),
    unban: () => call(new URL(`bans/${target}`, api), "DELETE"),
  }[action];
  async function call(where: URL, method: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${flags.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return await fetch(where, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  }
  let res: Response;
  try {
    res = await request();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return (fail(`cannot reach ${api.origin}: ${cause}`), ADMIN_EXIT.usage);
  }
  const json = await res.json().catch(() => null) as Record<string, unknown> | null;
  if (!res.ok) {
    const refusal = decodeRefusal(json);
    const why = res.status === 404 && !refusal?.message.startsWith("No ban") && !refusal?.message.startsWith("peer:")
      ? "no moderator API there (is --admin-token set on the server?)"
      : refusal?.message ?? `HTTP ${res.status}`;
    return (fail(`${why} (HTTP ${res.status}${refusal ? ` ${refusal.error}` : ""})`), ADMIN_EXIT.refused);
  }
  write(flags.json ? `${JSON.stringify(json)}\n` : lines(action, json ?? {}));
  return ADMIN_EXIT.ok;
}

/** What a ban target names: an address key, an IP address, or a connected visitor's id. */
function banTarget(target: string): Record<string, string> {
  if (KEY.test(target)) return { key: target };
  if (isIP(target)) return { address: target };
  return { peer: target };
}

interface BanJson {
  key: string;
  until: string;
  by: string;
  nth: number;
  reporters?: number;
  reasons?: string[];
  note?: string;
}

function lines(action: AdminAction, json: Record<string, unknown>): string {
  const ban = (b: BanJson) => {
    const why = b.by === "reports" ? `${b.reporters} reporters: ${b.reasons?.join(", ")}` : `by a moderator${b.note ? `: ${b.note}` : ""}`;
    return `${b.key}  until ${b.until}  (ban #${b.nth}, ${why})\n`;
  };
  switch (action) {
    case "bans": {
      const bans = json.bans as BanJson[];
      return bans.length === 0 ? "no bans\n" : bans.map(ban).join("");
    }
    case "reports": {
      const reports = json.reports as Array<{ at: string; reporter: string; reported: string; reason: string; peer: string }>;
      if (reports.length === 0) return "no reports\n";
      return reports.map((r) => `${r.at}  ${r.reported} reported by ${r.reporter} for ${r.reason} (visitor ${r.peer})\n`).join("");
    }
    case "ban":
      return `banned ${ban(json.ban as BanJson)}`;
    case "unban":
      return `unbanned ${json.unbanned}\n`;
  }
}
