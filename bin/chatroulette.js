#!/usr/bin/env node
/**
 * The `chatroulette` command under Node. Node 20 cannot run TypeScript, so
 * this registers tsx — found from this file, whatever the working directory —
 * and runs the CLI in chatroulette.ts. Deno runs chatroulette.ts itself.
 */
import { register } from "tsx/esm/api";

register();
await import("./chatroulette.ts");
