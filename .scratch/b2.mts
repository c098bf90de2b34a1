import { startRedis } from "../dev/redis.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { createLogger } from "../src/log.ts";
const redis = await startRedis();
const store = createRedisStore({ url: redis.url, log: createLogger("warn") });
store.attach({ deliver: () => {}, relayed: () => {}, resync: () => {}, online: () => 0 });
await store.open();
const ids = Array.from({ length: 10000 }, () => crypto.randomUUID());
for (let r = 0; r < 10; r++) {
  const t = performance.now();
  await Promise.all(ids.map((id) => store.find(id, "public", 1)));
  console.log("burst", Math.round(5000 / ((performance.now() - t) / 1000)), "pairs/s");
}
await store.close();
await redis.stop();
