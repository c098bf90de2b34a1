/**
 * The visitor's page: the HTML shell with the client config inline, and the
 * Preact island's assets and its proof-of-work Web Worker (page-bundle.ts:
 * prebuilt by `npm run build`, or bundled from ui/ when that build is not
 * current), kept in memory with a gzipped copy.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import express from "express";
import { packageRoot } from "../package-root.ts";
import { type ClientConfig, PAGE_LOCALES } from "../protocol/index.ts";
import { pageHeaders } from "./headers.ts";
import { loadPageFiles } from "./page-bundle.ts";

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
  /** Reads (or bundles) the UI; requests wait for it. Call once, from listen(). */
  build(): Promise<void>;
}

/**
 * The shell and the page's assets, loaded once per process: they do not
 * change while it runs, and esbuild's service, when ui/ has to be bundled, is
 * shared by the whole process, so one server's `stop()` would strand another
 * server's build in flight (two servers in one test process hung so).
 * @example
 * const { shell, assets } = await pageAssets();
 */
export function pageAssets(): Promise<{ shell: string; assets: Asset[] }> {
  loaded ??= loadPageFiles(packageRoot(import.meta.url)).then(({ shell, assets }) => ({
    shell,
    assets: assets.map((file) => asset(file.path, contentType(file.path), file.body)),
  }));
  loaded.catch(() => loaded = undefined);
  return loaded;
}

let loaded: Promise<{ shell: string; assets: Asset[] }> | undefined;

function contentType(path: string): string {
  return path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
}

export function createPage(clientConfig: ClientConfig, allowOrigin: readonly string[] = []): Page {
  let ready: Promise<{ html: Map<string, Asset>; assets: Map<string, Asset>; headers: Record<string, string> }> | undefined;
  const router = express.Router();

  router.get(["/", "/index.html"], async (req, res, next) => {
    try {
      const { html, headers } = await built();
      // The shell's <html lang> follows Accept-Language (the page then speaks it; see ui/i18n).
      const locale = req.acceptsLanguages(...PAGE_LOCALES) || PAGE_LOCALES[0];
      res.set(headers);
      res.vary("Accept-Language");
      send(req, res, html.get(locale)!, "no-cache");
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
  const { shell, assets: bundle } = await pageAssets();
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
  // The shell's own inline scripts (not the JSON data block) are allowed by hash.
  const inline = [...shell.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const headers = pageHeaders(allowOrigin, inline);
  const pages = new Map(PAGE_LOCALES.map((locale) => [
    locale as string,
    asset("/", "text/html; charset=utf-8", Buffer.from(html.replace('<html lang="en">', `<html lang="${locale}">`))),
  ]));
  return { html: pages, assets, headers };
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
