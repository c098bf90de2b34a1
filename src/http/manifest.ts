/**
 * What makes the page installable: a web app manifest and its icon, so a
 * phone can put chatroulette on its home screen and open it full screen. No
 * service worker: the chat is live or nothing, there is no offline mode.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { packageRoot } from "../package-root.ts";

/** The manifest's colours are the page's (ui/style.css: --bg). */
const MANIFEST = JSON.stringify({
  name: "chatroulette",
  short_name: "chatroulette",
  description: "Random video chat with strangers",
  // Relative, so that the page works under any path a proxy puts it at.
  start_url: "./",
  scope: "./",
  display: "standalone",
  orientation: "portrait",
  background_color: "#0f1115",
  theme_color: "#0f1115",
  // One scalable icon serves every size; its die sits inside the maskable safe zone (the middle 80 %).
  icons: [
    { src: "icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    { src: "icon.svg", sizes: "any", type: "image/svg+xml", purpose: "maskable" },
  ],
});

/**
 * Serves /manifest.webmanifest and /icon.svg (cached for a day: they change
 * only with a new release).
 * @example
 * app.use(manifestRouter());
 */
export function manifestRouter(): express.Router {
  // From the package root: this module runs from src/ (tsx, Deno) and bundled into dist/ (Node).
  const icon = readFileSync(join(packageRoot(import.meta.url), "ui", "icons", "icon.svg"));
  const router = express.Router();
  router.get("/manifest.webmanifest", (_req, res) => {
    res.set({ "Content-Type": "application/manifest+json; charset=utf-8", "Cache-Control": "public, max-age=86400" }).send(MANIFEST);
  });
  router.get("/icon.svg", (_req, res) => {
    res.set({ "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" }).send(icon);
  });
  return router;
}
