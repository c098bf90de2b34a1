/**
 * A real chatroulette server for a test: createServer in this process on
 * 127.0.0.1:0, closed when the test ends; and public addresses by country,
 * for X-Forwarded-For through a trusted proxy.
 */
import type { TestContext } from "node:test";
import { resolveConfig } from "../../src/config/load.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { createServer, type ServerDeps } from "../../src/server.ts";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly origin: string;
}

/** Starts `createServer` on 127.0.0.1:0 with `options` as a config file would give them. */
export async function withServer(
  t: TestContext,
  options: ConfigInput = {},
  deps: ServerDeps = {},
): Promise<RunningServer> {
  const config = resolveConfig({
    file: { host: "127.0.0.1", port: 0, logLevel: "silent", stunUrl: "none", ...options },
  });
  const server = createServer(config, deps);
  t.after(() => server.close());
  const { url, port } = await server.listen();
  return { url, port, origin: url.replace(/\/$/, "") };
}

/** A public address per country for X-Forwarded-For (geoip-lite's own test fixtures). */
export const ADDRESS = { GB: "81.2.69.160", US: "8.8.8.8", IN: "49.44.0.1" } as const;
