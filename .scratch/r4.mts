import { startRedis } from "../dev/redis.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { createLogger } from "../src/log.ts";
const redis = await startRedis();
const log = createLogger("debug");
for (let i = 0; i < 3; i++) {
  const s = createRedisStore({ url: redis.url, log });
  s.attach({ deliver: () => {}, relayed: () => {}, resync: () => {}, online: () => 1 });
  let t = performance.now();
  await s.open();
  console.log("open", performance.now() - t);
  t = performance.now();
  await s.close();
  console.log("close", performance.now() - t);
}
await redis.stop();
