/** esbuild bundles CSS imported from TypeScript into the page's stylesheet. */
declare module "*.css";

/** The proof-of-work worker's hashed asset path; esbuild defines it when bundling the page (src/http/page.ts). */
declare const POW_WORKER_URL: string;
