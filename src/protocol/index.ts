/**
 * Everything the server and its clients (the page, the smoke bots, the
 * tests, the bench) must agree on, defined once. It imports nothing from
 * Node, Express, ws or peer, so the page's bundle can take it whole.
 */
export * from "./client-config.ts";
export * from "./frames.ts";
export * from "./refusals.ts";
export * from "./relay-payload.ts";
export * from "./safety.ts";
export * from "./languages.ts";
export * from "./wish.ts";
