import { startRedis } from "../dev/redis.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";
import { createLogger } from "../src/log.ts";
const redis = await startRedis();
for (const kind of ["memory", "redis"]) {
  const store = kind === "redis" ? createRedisStore({ url: redis.url, log: createLogger("warn") }) : createMemoryStore();
  store.attach({ deliver: () => {}, relayed: () => {}, resync: () => {}, online: () => 0 });
  await store.open();
  const ids = Array.from({ length: 10000 }, () => crypto.randomUUID());
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await Promise.all(ids.map((id) => store.find(id, "public", 1)));
    const s = (performance.now() - t) / 1000;
    console.log(kind, "burst", Math.round(5000 / s), "pairs/s");
  }
  await store.close();
  if (kind === "redis") {
    const { createClient } = await import("@redis/client");
    const c = createClient({ url: redis.url }); await c.connect();
    console.log((await c.info("commandstats")).split("\n").filter((l) => /evalsha|publish/.test(l)).join("\n"));
    console.log((await c.info("cpu")));
    await c.close();
  }
}
await redis.stop();
