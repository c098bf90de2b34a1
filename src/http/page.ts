/**
 * The visitor's page: the HTML shell with the client config inline, and the
 * Preact island bundled from ui/ with esbuild when the server starts (no
 * build step for the operator), kept in memory with a gzipped copy; beside
 * it, the proof-of-work Web Worker, bundled on its own.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import express from "express";
import type { ClientConfig } from "../protocol/index.ts";
import { pageHeaders } from "./headers.ts";

const UI_DIR = fileURLToPath(new URL("../../ui/", import.meta.url));

export interface Asset {
  readonly path: string;
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  /** Entity tags of the two representations, computed once. */
  readonly etag: { readonly body: string; readonly gzip: string };
}

export interface Page {
  readonly router: express.Router;
  /** Reads and bundles the UI; requests wait for it. Call once, from listen(). */
  build(): Promise<void>;
}

/**
 * Bundles ui/main.tsx (and its CSS) and the worker ui/pow-worker.ts into
 * hashed, minified assets, once per process: the sources do not change while
 * it runs, and esbuild's service is shared by the whole process, so one
 * server's `stop()` would strand another server's build in flight (two
 * servers in one test process hung so).
 */
export function bundleUi(): Promise<Asset[]> {
  bundled ??= bundle();
  bundled.catch(() => bundled = undefined);
  return bundled;
}

let bundled: Promise<Asset[]> | undefined;

async function bundle(): Promise<Asset[]> {
  const { build, stop } = await import("esbuild");
  const common = { bundle: true, write: false, target: "es2022", minify: true, legalComments: "none", outdir: "/assets", logLevel: "silent" } as const;
  try {
    // A classic worker script: module workers are newer than the rest of what the page needs.
    const worker = await build({ ...common, entryPoints: [`${UI_DIR}pow-worker.ts`], format: "iife", entryNames: "pow-worker-[hash]" });
    const app = await build({
      ...common,
      entryPoints: [`${UI_DIR}main.tsx`],
      format: "esm",
      jsx: "automatic",
      jsxImportSource: "preact",
      entryNames: "app-[hash]",
      define: { POW_WORKER_URL: JSON.stringify(worker.outputFiles[0].path) },
      // peerjs only reads browserDetails from webrtc-adapter; see ui/webrtc-adapter.ts.
      alias: { "webrtc-adapter": `${UI_DIR}webrtc-adapter.ts` },
    });
    return [...app.outputFiles, ...worker.outputFiles].map((file) => {
      const type = file.path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
      return asset(file.path, type, Buffer.from(file.contents));
    });
  } finally {
    await stop(); // esbuild's service process would otherwise idle beside the server (~21 MB RSS)
  }
}

export function createPage(clientConfig: ClientConfig, allowOrigin: readonly string[] = []): Page {
  let ready: Promise<{ html: Asset; assets: Map<string, Asset>; headers: Record<string, string> }> | undefined;
  const router = express.Router();

  router.get(["/", "/index.html"], async (req, res, next) => {
    try {
      const { html, headers } = await built();
      res.set(headers);
      send(req, res, html, "no-cache");
    } catch (error) {
      next(error);
    }
  });
  router.get("/assets/:file", async (req, res, next) => {
    try {
      const asset = (await built()).assets.get(req.path);
      if (!asset) return next();
      send(req, res, asset, "public, max-age=31536000, immutable");
    } catch (error) {
      next(error);
    }
  });

  function built() {
    ready ??= load(clientConfig, allowOrigin);
    return ready;
  }

  return {
    router,
    async build() {
      await built();
    },
  };
}

async function load(clientConfig: ClientConfig, allowOrigin: readonly string[]) {
  const [shell, bundle] = await Promise.all([readFile(`${UI_DIR}index.html`, "utf8"), bundleUi()]);
  const assets = new Map(bundle.map((asset) => [asset.path, asset]));
  const script = bundle.find((a) => a.path.startsWith("/assets/app-") && a.path.endsWith(".js"))!.path;
  const style = bundle.find((a) => a.path.endsWith(".css"))?.path;
  // JSON in a script element: escape "<" so no message or config can close it.
  const config = JSON.stringify(clientConfig).replaceAll("<", "\\u003c");
  const html = shell
    .replace("<!--config-->", `<script id="config" type="application/json">${config}</script>`)
    .replace("<!--assets-->", [
      style ? `<link rel="stylesheet" href="${style}">` : "",
      `<script type="module" src="${script}"></script>`,
    ].join(""));
  const body = Buffer.from(html);
  // The shell's own inline scripts (not the JSON data block) are allowed by hash.
  const inline = [...shell.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const headers = pageHeaders(allowOrigin, inline);
  return { html: asset("/", "text/html; charset=utf-8", body), assets, headers };
}

function asset(path: string, type: string, body: Buffer): Asset {
  const hash = createHash("sha1").update(body).digest("base64url");
  return { path, type, body, gzip: gzipSync(body, { level: 9 }), etag: { body: `"${hash}"`, gzip: `"${hash}-gz"` } };
}

/** Express negotiates the encoding and answers 304 itself when the ETag is fresh. */
function send(req: express.Request, res: express.Response, asset: Asset, cacheControl: string): void {
  const gzip = req.acceptsEncodings("gzip", "identity") === "gzip";
  res.vary("Accept-Encoding");
  res.set({ "Content-Type": asset.type, "Cache-Control": cacheControl, ETag: gzip ? asset.etag.gzip : asset.etag.body });
  if (gzip) res.set("Content-Encoding", "gzip");
  res.send(gzip ? asset.gzip : asset.body);
}
