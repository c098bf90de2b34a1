/** Server-issued identities: ids are random, and only this server's tokens verify. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createIdentities } from "../src/identity.ts";
import { isName } from "../src/protocol/index.ts";

test("when identities are issued, then each id is new, a valid peer id, and verifies only with its own token", () => {
  const identities = createIdentities();
  const a = identities.issue();
  const b = identities.issue();
  assert.notEqual(a.id, b.id);
  assert.ok(isName(a.id), "a peerjs-valid id the protocol accepts");
  assert.ok(identities.verify(a.id, a.token));
  assert.ok(!identities.verify(a.id, b.token), "another visitor's token");
  assert.ok(!identities.verify(a.id, a.token.slice(0, -1)), "a truncated token");
  assert.ok(!identities.verify(a.id, ""), "no token");
  assert.ok(!identities.verify("chosen-id", a.token), "an id the server did not issue");
});

test("when another server (another secret) issued the identity, then it does not verify here", () => {
  const here = createIdentities();
  const elsewhere = createIdentities();
  const { id, token } = elsewhere.issue();
  assert.ok(!here.verify(id, token));
  const shared = new Uint8Array(32).fill(7);
  const one = createIdentities(shared).issue();
  assert.ok(createIdentities(shared).verify(one.id, one.token), "the same secret verifies the same tokens");
});
