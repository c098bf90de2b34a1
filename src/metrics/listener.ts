/**
 * The Prometheus listener: `GET /metrics` in the text exposition format, on
 * a port of its own (`--metrics-port`, bound to `--metrics-host`, loopback
 * by default), so that nothing about the server is public by accident and a
 * firewall rule or a scrape config names exactly one thing. The main port
 * answers 404 at /metrics.
 */
import type { Server } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "../log.ts";
import { Refusal } from "../refusal.ts";
import { createLimitedServer } from "../http/http-server.ts";

/**
 * @example
 * const server = createMetricsServer(metrics.registry, log);
 * server.listen(9464, "127.0.0.1"); // curl http://127.0.0.1:9464/metrics
 */
export function createMetricsServer(registry: Registry, log: Logger): Server {
  return createLimitedServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://metrics").pathname;
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      const refusal = new Refusal("not_found");
      res.writeHead(refusal.status, { "Content-Type": "application/json; charset=utf-8" }).end(refusal.body());
      return;
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text);
    }, (error: Error) => {
      log.error(`metrics failed: ${error.stack ?? error}`);
      const refusal = new Refusal("internal");
      res.writeHead(refusal.status, { "Content-Type": "application/json; charset=utf-8" }).end(refusal.body());
    });
  });
}
