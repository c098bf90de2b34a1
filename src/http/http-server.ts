/**
 * The HTTP server under everything, with connection limits that fit this
 * server's tiny requests, and its binding.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Logger } from "../log.ts";

/** Connection-level limits for plain HTTP; docs/PROTOCOL.md §1 states them. */
export const HTTP_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 20_000,
  /** A TLS handshake must finish within this (Node's default is 120 s). */
  handshakeTimeoutMs: 10_000,
} as const;

/**
 * Node's defaults let a slow client hold a connection 60–90 s before sending
 * its headers and 300 s for a request; a pipelined half-request escaped both
 * (measured), so any connection quiet for idleTimeoutMs is cut too. ws turns
 * that off for the sockets it upgrades.
 *
 * With `tls`, the server speaks HTTPS (and so WSS); it has no certificate
 * until `setSecureContext` gives it one, which may be called again at any
 * time: connections already open keep the certificate they began with.
 */
export function createLimitedServer(handler: RequestListener): Server;
export function createLimitedServer(handler: RequestListener, options: { tls: true }): HttpsServer;
export function createLimitedServer(handler: RequestListener, { tls = false }: { tls?: boolean } = {}): Server | HttpsServer {
  const options = {
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    // How often those are checked (default 30 s, which they would wait on top).
    connectionsCheckingInterval: 1_000,
  };
  const server = tls
    ? createHttpsServer({ ...options, handshakeTimeout: HTTP_LIMITS.handshakeTimeoutMs }, handler)
    : createServer(options, handler);
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  server.timeout = HTTP_LIMITS.idleTimeoutMs;
  server.on("timeout", (socket: Socket) => socket.destroy());
  return server;
}

/** Listens on `host:port`; rejects with one line an operator can act on, naming `flag` (the option that chose the port). */
export function bind(server: Server, { port, host }: { port: number; host: string }, log: Logger, flag = "--port"): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? `address already in use; choose another ${flag}` : error.message;
      reject(new Error(`Cannot listen on ${host}:${port}: ${why}`));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      // Accept errors (EMFILE when out of file descriptors) must not crash the server.
      server.on("error", (error) => log.warn(`http server: ${error.message}`));
      resolve();
    });
  });
}

/** A wildcard bind is reachable at localhost; IPv6 literals need brackets. */
export function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}
