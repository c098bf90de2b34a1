const t00 = performance.now();
const { createClient } = await import("@redis/client");
console.log("import", performance.now() - t00);
import { startRedis } from "../dev/redis.ts";
const redis = await startRedis();
for (let i = 0; i < 3; i++) {
const t0 = performance.now();
const c = createClient({ url: redis.url });
c.on("error", () => {});
await c.connect();
console.log("connect", performance.now() - t0);
await c.close();
}
const c2 = createClient({ url: redis.url, disableOfflineQueue: true, socket: { socketTimeout: 3000, reconnectStrategy: () => 100 } });
const t1 = performance.now();
await c2.connect();
console.log("connect2", performance.now() - t1);
await c2.close();
await redis.stop();
