/**
 * The page's signals model with fakes of what the browser provides: media
 * devices and tracks, the peerjs client, timers.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Device, Kind, MediaAdapter } from "../ui/media.ts";
import { Blocked, type CallLink, type DataLink, type Identity, identityRequester, type SignalingEvents } from "../ui/peer-client.ts";
import { createPageModel as createChat } from "../ui/state.ts";
import { CLOSE_GRACE_MS, CONNECT_TIMEOUT_MS } from "../ui/model/stranger.ts";
import { TEXT } from "../ui/model/text.ts";
import { TYPING_IDLE_MS, TYPING_SHOW_MS } from "../ui/model/chat.ts";

class FakeTrack {
  enabled = true;
  stopped = false;
  readonly kind: Kind;
  readonly deviceId: string;
  readonly placeholder: boolean;
  constructor(kind: Kind, deviceId = "", placeholder = false) {
    this.kind = kind;
    this.deviceId = deviceId;
    this.placeholder = placeholder;
  }
  stop() {
    this.stopped = true;
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

class FakeStream {
  tracks: FakeTrack[];
  constructor(tracks: FakeTrack[]) {
    this.tracks = tracks;
  }
  getTracks() {
    return [...this.tracks];
  }
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  removeTrack(t: FakeTrack) {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

/** navigator.mediaDevices as the model sees it; `fail` makes capture reject with a DOMException name. */
class FakeMedia implements MediaAdapter {
  fail: Partial<Record<Kind | "both", string>> = {};
  list: Device[] = [
    { kind: "audioinput", deviceId: "mic-1", label: "Mic One" },
    { kind: "audioinput", deviceId: "mic-2", label: "Mic Two" },
    { kind: "videoinput", deviceId: "cam-1", label: "Cam One" },
    { kind: "videoinput", deviceId: "cam-2", label: "Cam Two" },
  ];
  captured: Array<Partial<Record<Kind, true | string>>> = [];
  onChange?: () => void;

  async capture(wanted: Partial<Record<Kind, true | string>>) {
    this.captured.push(wanted);
    const kinds = Object.keys(wanted) as Kind[];
    const failure = kinds.length === 2 ? this.fail.both ?? this.fail.audio ?? this.fail.video : this.fail[kinds[0]];
    if (failure) throw Object.assign(new Error(failure), { name: failure });
    return kinds.map((k) => {
      const want = wanted[k]!;
      const id = want === true ? (k === "audio" ? "mic-1" : "cam-1") : want;
      return new FakeTrack(k, id) as unknown as MediaStreamTrack;
    });
  }
  async devices() {
    return this.list;
  }
  watchDevices(onChange: () => void) {
    this.onChange = onChange;
    return () => this.onChange = undefined;
  }
  placeholder(kind: Kind) {
    return new FakeTrack(kind, "", true) as unknown as MediaStreamTrack;
  }
  stream(tracks: MediaStreamTrack[]) {
    return new FakeStream(tracks as unknown as FakeTrack[]) as unknown as MediaStream;
  }
}

class FakeData implements DataLink {
  sent: unknown[] = [];
  closed = false;
  h: Parameters<DataLink["handle"]>[0] = {};
  readonly peer: string;
  constructor(peer: string) {
    this.peer = peer;
  }
  handle(h: Parameters<DataLink["handle"]>[0]) {
    this.h = { ...this.h, ...h };
  }
  send(data: unknown) {
    if (!this.closed) this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
}

class FakeCall implements CallLink {
  answered: MediaStream | null = null;
  replaced: FakeTrack[] = [];
  closed = false;
  h: Parameters<CallLink["handle"]>[0] = {};
  readonly peer: string;
  readonly stream: MediaStream | null;
  constructor(peer: string, stream: MediaStream | null = null) {
    this.peer = peer;
    this.stream = stream;
  }
  handle(h: Parameters<CallLink["handle"]>[0]) {
    this.h = { ...this.h, ...h };
  }
  answer(stream: MediaStream) {
    this.answered = stream;
  }
  replaceTrack(track: MediaStreamTrack) {
    this.replaced.push(track as unknown as FakeTrack);
  }
  close() {
    this.closed = true;
  }
}

/** One peerjs client per signaling session, as peerSignaling() would open it. */
class FakeClient {
  finds = 0;
  destroyed = false;
  data: FakeData[] = [];
  calls: FakeCall[] = [];
  readonly identity: Identity;
  readonly on: SignalingEvents;
  constructor(identity: Identity, on: SignalingEvents) {
    this.identity = identity;
    this.on = on;
  }
  find() {
    this.finds++;
  }
  connect(peer: string) {
    const d = new FakeData(peer);
    this.data.push(d);
    return d;
  }
  call(peer: string, stream: MediaStream) {
    const c = new FakeCall(peer, stream);
    this.calls.push(c);
    return c;
  }
  destroy() {
    this.destroyed = true;
  }
}

class FakeTimers {
  now = 0;
  #queue: Array<{ at: number; fn: () => void; id: number }> = [];
  #id = 0;
  set = (fn: () => void, ms: number) => {
    const id = ++this.#id;
    this.#queue.push({ at: this.now + ms, fn, id });
    return id;
  };
  clear = (id: unknown) => {
    this.#queue = this.#queue.filter((t) => t.id !== id);
  };
  /** Moves the clock, running what falls due in order. */
  async advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      this.#queue.sort((a, b) => a.at - b.at);
      const next = this.#queue[0];
      if (!next || next.at > until) break;
      this.#queue.shift();
      this.now = next.at;
      next.fn();
      await settle();
    }
    this.now = until;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup({ identity = async (): Promise<Identity> => ({ id: "me", token: "t" }) } = {}) {
  const media = new FakeMedia();
  const timers = new FakeTimers();
  const clients: FakeClient[] = [];
  const chat = createChat({
    requestIdentity: identity,
    openSignaling: (id, events) => {
      const c = new FakeClient(id, events);
      clients.push(c);
      return c;
    },
    media,
    maxMessageLength: 40,
    timers,
    now: () => timers.now,
    random: () => 0.5,
  });
  const client = () => clients.at(-1)!;
  return { chat, media, timers, clients, client };
}

/** Started, signaling open, media acquired. */
async function online() {
  const s = setup();
  s.chat.start();
  await settle();
  s.client().on.open();
  await settle();
  return s;
}

/** Matched as `role` with `peer`, the data channel open, the call streaming. */
async function paired(role: "caller" | "callee" = "caller", peer = "p1") {
  const s = await online();
  s.client().on.match({ peer, role });
  let data: FakeData, call: FakeCall;
  if (role === "caller") {
    data = s.client().data.at(-1)!;
    call = s.client().calls.at(-1)!;
  } else {
    data = new FakeData(peer);
    call = new FakeCall(peer);
    s.client().on.connection(data);
    s.client().on.call(call);
  }
  data.h.open!();
  call.h.stream!({ id: "remote" } as unknown as MediaStream);
  return { ...s, data, call };
}

const texts = (chat: ReturnType<typeof setup>["chat"]) => chat.messages.value.map((m) => `${m.from}:${m.text}`);

describe("page model: signaling and matching", () => {
  test("when started, then it gets media and an identity, connects, and looks for a stranger without a click", async () => {
    const { chat, media, client } = setup();
    assert.equal(chat.serverState.value, "connecting");
    chat.start();
    await settle();
    assert.deepEqual(media.captured[0], { audio: true, video: true });
    assert.equal(client().identity.id, "me");
    client().on.open();
    assert.equal(chat.serverState.value, "connected");
    assert.equal(chat.peerState.value, "waiting");
    assert.equal(client().finds, 1);
  });

  test("when matched as caller, then it connects and calls that stranger, and is connected once the channel opens", async () => {
    const { chat, client } = await online();
    client().on.match({ peer: "p1", role: "caller" });
    assert.equal(chat.peerState.value, "connecting");
    assert.deepEqual(client().data.map((d) => d.peer), ["p1"]);
    assert.deepEqual(client().calls.map((c) => c.peer), ["p1"]);
    assert.equal(client().calls[0].stream, chat.localStream, "calls with the local stream");
    client().data[0].h.open!();
    assert.equal(chat.peerState.value, "connected");
    assert.deepEqual(texts(chat), [`system:${TEXT.connected}`]);
    assert.deepEqual(client().data[0].sent, [{ t: "media", camera: true, video: true, microphone: true, audio: true }]);
  });

  test("when matched as callee, then only the partner's connection and call are accepted", async () => {
    const { chat, client } = await online();
    client().on.match({ peer: "p1", role: "callee" });
    assert.equal(client().data.length, 0, "the callee waits");
    const intruder = new FakeData("x9");
    const intruderCall = new FakeCall("x9");
    client().on.connection(intruder);
    client().on.call(intruderCall);
    assert.ok(intruder.closed && intruderCall.closed, "a non-partner is refused");
    const data = new FakeData("p1");
    const call = new FakeCall("p1");
    client().on.connection(data);
    client().on.call(call);
    assert.equal(call.answered, chat.localStream);
    assert.ok(!data.closed && !call.closed);
    const second = new FakeData("p1");
    client().on.connection(second);
    assert.ok(second.closed, "one connection per partner");
    data.h.open!();
    call.h.stream!({ id: "remote" } as unknown as MediaStream);
    assert.equal(chat.peerState.value, "connected");
    assert.deepEqual(chat.remoteStream.value, { id: "remote" });
  });

  test("when the partner leaves, then a system line says so and it looks for another stranger", async () => {
    const { chat, client, data, call, timers } = await paired();
    client().on.partnerLeft({ peer: "someone-else", reason: "next" });
    assert.equal(chat.peerState.value, "connected", "a stale notice is ignored");
    client().on.partnerLeft({ peer: "p1", reason: "disconnect" });
    await timers.advance(0);
    assert.ok(data.closed && call.closed);
    assert.equal(chat.remoteStream.value, null);
    assert.equal(chat.peerState.value, "waiting");
    assert.equal(client().finds, 2);
    assert.deepEqual(texts(chat).at(-1), `system:${TEXT.left}`);
  });

  test("when a new stranger is matched, then the messages of the last one are cleared", async () => {
    const { chat, client, data } = await paired();
    data.h.data!({ t: "msg", text: "bye" });
    client().on.partnerLeft({ peer: "p1", reason: "next" });
    assert.equal(chat.messages.value.length, 3);
    client().on.match({ peer: "p2", role: "callee" });
    assert.deepEqual(chat.messages.value, []);
  });

  test("when Next is pressed, then the stranger's links close, the chat clears and a new stranger is sought", async () => {
    const { chat, client, data, call, timers } = await paired();
    chat.send("hi");
    chat.next();
    assert.equal(client().finds, 2);
    assert.equal(chat.send("too late"), false, "the old stranger is gone at once");
    await timers.advance(0);
    assert.ok(data.closed && call.closed);
    assert.deepEqual(chat.messages.value, []);
    assert.equal(chat.peerState.value, "waiting");
    assert.equal(chat.send("after"), false, "nothing more goes to the old stranger");
    assert.deepEqual(data.sent.filter((m) => (m as { t: string }).t === "msg"), [{ t: "msg", text: "hi" }]);
    data.h.data!({ t: "msg", text: "late" });
    assert.deepEqual(chat.messages.value, [], "and nothing of theirs shows up");
  });

  test("when the data channel closes without word from the server, then the stranger counts as gone after a grace period", async () => {
    const { chat, timers, data, client } = await paired();
    data.h.close!();
    assert.equal(chat.peerState.value, "connected");
    await timers.advance(CLOSE_GRACE_MS);
    assert.equal(chat.peerState.value, "waiting");
    assert.equal(client().finds, 2);
  });

  test("when a matched stranger never connects, then it moves on after the timeout", async () => {
    const { chat, timers, client } = await online();
    client().on.match({ peer: "p1", role: "caller" });
    await timers.advance(CONNECT_TIMEOUT_MS);
    assert.ok(client().data[0].closed);
    assert.equal(chat.peerState.value, "waiting");
    assert.deepEqual(texts(chat), [`system:${TEXT.noConnect}`]);
  });

  test("when the server refuses the country, then the page shows blocked with the server's words and stops", async () => {
    const { chat, clients, timers } = setup({
      identity: () => Promise.reject(new Blocked("Chatroulette is not available in your country (Narnia).")),
    });
    chat.start();
    await settle();
    assert.equal(chat.serverState.value, "blocked");
    assert.equal(chat.blockedMessage.value, "Chatroulette is not available in your country (Narnia).");
    await timers.advance(60_000);
    assert.equal(clients.length, 0, "no retries");
  });

  test("when the signaling socket drops, then it reconnects with growing delays and looks for a stranger again", async () => {
    let failures = 0;
    const s = setup({
      identity: async () => {
        if (failures-- > 0) throw new TypeError("Failed to fetch");
        return { id: "me", token: "t" };
      },
    });
    s.chat.start();
    await settle();
    s.client().on.open();
    s.client().on.match({ peer: "p1", role: "caller" });
    s.client().data[0].h.open!();
    failures = 2; // the server is away for two attempts
    s.client().on.closed();
    assert.equal(s.chat.serverState.value, "disconnected");
    assert.equal(s.chat.peerState.value, "idle");
    await s.timers.advance(0);
    assert.ok(s.clients[0].destroyed && s.clients[0].data[0].closed);
    assert.deepEqual(texts(s.chat).at(-1), `system:${TEXT.lost}`);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(s.chat.reconnectAt.value! - s.timers.now);
      await s.timers.advance(delays.at(-1)!);
    }
    assert.deepEqual(delays, [500, 1000, 2000], "backoff doubles (jitter fixed at the middle)");
    assert.equal(s.clients.length, 2);
    s.client().on.open();
    assert.equal(s.chat.serverState.value, "connected");
    assert.equal(s.client().finds, 1);
  });
});

describe("page model: chat", () => {
  test("when the stranger sends text, then it shows as theirs, cut to the limit; anything else is ignored", async () => {
    const { chat, data } = await paired();
    data.h.data!({ t: "msg", text: "<img src=x onerror=alert(1)>" });
    data.h.data!({ t: "msg", text: "x".repeat(60) });
    data.h.data!("raw string");
    data.h.data!({ t: "msg", text: 42 });
    data.h.data!({ t: "eval", code: "1" });
    assert.deepEqual(texts(chat).slice(1), ["stranger:<img src=x onerror=alert(1)>", `stranger:${"x".repeat(40)}`]);
  });

  test("when I send, then it goes to the stranger and shows as mine; blank or unconnected sends do nothing", async () => {
    const { chat, data } = await paired();
    assert.equal(chat.send("  hello  "), true);
    assert.equal(chat.send("   "), false);
    assert.deepEqual(data.sent.at(-1), { t: "msg", text: "hello" });
    assert.deepEqual(texts(chat).at(-1), "me:hello");
    const idle = await online();
    assert.equal(idle.chat.send("hello?"), false);
  });

  test("when I type, then the stranger is told at most every 2 s, and told I stopped after 3 s idle", async () => {
    const { chat, data, timers } = await paired();
    const typing = () => data.sent.filter((m) => (m as { t: string }).t === "typing");
    timers.now = 10_000;
    chat.typing();
    chat.typing();
    assert.deepEqual(typing(), [{ t: "typing", on: true }]);
    await timers.advance(TYPING_IDLE_MS);
    assert.deepEqual(typing(), [{ t: "typing", on: true }, { t: "typing", on: false }]);
  });

  test("when the stranger types, then the indicator shows until their message or a timeout", async () => {
    const { chat, data, timers } = await paired();
    data.h.data!({ t: "typing", on: true });
    assert.equal(chat.strangerTyping.value, true);
    data.h.data!({ t: "msg", text: "yo" });
    assert.equal(chat.strangerTyping.value, false);
    data.h.data!({ t: "typing", on: true });
    await timers.advance(TYPING_SHOW_MS);
    assert.equal(chat.strangerTyping.value, false);
  });

  test("when the stranger says what media they send, then the model knows it", async () => {
    const { chat, data } = await paired();
    data.h.data!({ t: "media", camera: false, video: false, microphone: true, audio: true });
    assert.deepEqual(chat.strangerMedia.value, { camera: false, video: false, microphone: true, audio: true });
  });
});

describe("page model: media", () => {
  test("when camera and microphone are granted, then real tracks replace the placeholders and devices are listed", async () => {
    const { chat } = await online();
    const tracks = chat.localStream.getTracks() as unknown as FakeTrack[];
    assert.deepEqual(tracks.map((t) => [t.kind, t.deviceId, t.placeholder]), [["audio", "mic-1", false], ["video", "cam-1", false]]);
    assert.deepEqual(chat.inputs.audio.value.map((d) => d.label), ["Mic One", "Mic Two"]);
    assert.deepEqual(chat.inputs.video.value.map((d) => d.label), ["Cam One", "Cam Two"]);
    assert.equal(chat.selected.video.value, "cam-1");
    assert.equal(chat.mediaProblem.value, null);
  });

  test("when permission is denied, then it says so, keeps placeholders, is still matched, and a retry installs real tracks live", async () => {
    const media = new FakeMedia();
    media.fail = { both: "NotAllowedError" };
    const s = setup();
    Object.assign(s.media, { fail: media.fail });
    s.chat.start();
    await settle();
    assert.equal(s.chat.mediaProblem.value, TEXT.denied);
    assert.equal(s.chat.hasDevice.video.value, false);
    assert.equal(s.media.captured.length, 1, "no point asking again per device after a denial");
    s.client().on.open();
    s.client().on.match({ peer: "p1", role: "caller" });
    const call = s.client().calls[0];
    const data = s.client().data[0];
    assert.ok((call.stream!.getTracks() as unknown as FakeTrack[]).every((t) => t.placeholder), "placeholders carry the call");
    data.h.open!();
    assert.deepEqual(data.sent[0], { t: "media", camera: false, video: false, microphone: false, audio: false });
    s.media.fail = {};
    await s.chat.retryMedia();
    assert.equal(s.chat.mediaProblem.value, null);
    assert.deepEqual(call.replaced.map((t) => t.kind), ["audio", "video"], "swapped into the live call");
    assert.equal(s.client().calls.length, 1, "no new call");
    assert.deepEqual(data.sent.at(-1), { t: "media", camera: true, video: true, microphone: true, audio: true });
  });

  test("when there is a microphone but no camera, then the microphone is used and the missing camera reported", async () => {
    const s = setup();
    s.media.fail = { video: "NotFoundError" };
    s.chat.start();
    await settle();
    assert.equal(s.chat.hasDevice.audio.value, true);
    assert.equal(s.chat.hasDevice.video.value, false);
    assert.equal(s.chat.mediaProblem.value, TEXT.noCamera);
  });

  test("when there is a camera but no microphone, or neither, then the message names what is missing", async () => {
    for (const [fail, text] of [[{ audio: "NotFoundError" }, TEXT.noMicrophone], [{ audio: "NotFoundError", video: "NotFoundError" }, TEXT.notFound]] as const) {
      const s = setup();
      s.media.fail = { ...fail };
      s.chat.start();
      await settle();
      assert.equal(s.chat.mediaProblem.value, text);
    }
  });

  test("when toggles are flipped, then the local tracks pause and resume, the stranger is told, and the state survives Next", async () => {
    const { chat, data, client } = await paired();
    const [audio, video] = chat.localStream.getTracks() as unknown as FakeTrack[];
    chat.toggle("video");
    assert.equal(video.enabled, false);
    assert.deepEqual(data.sent.at(-1), { t: "media", camera: true, video: false, microphone: true, audio: true });
    chat.toggle("audio");
    assert.equal(audio.enabled, false);
    chat.next();
    client().on.match({ peer: "p2", role: "caller" });
    assert.equal(chat.enabled.video.value, false);
    assert.equal(video.enabled, false);
    client().data.at(-1)!.h.open!();
    assert.deepEqual(client().data.at(-1)!.sent[0], { t: "media", camera: true, video: false, microphone: true, audio: false });
  });

  test("when another camera is picked during a call, then its track replaces the old one live, keeping the toggle", async () => {
    const { chat, call, client } = await paired();
    chat.toggle("video");
    const old = (chat.localStream.getTracks() as unknown as FakeTrack[]).find((t) => t.kind === "video")!;
    await chat.selectDevice("video", "cam-2");
    const now = (chat.localStream.getTracks() as unknown as FakeTrack[]).find((t) => t.kind === "video")!;
    assert.equal(now.deviceId, "cam-2");
    assert.equal(now.enabled, false, "a paused camera stays paused");
    assert.ok(old.stopped);
    assert.deepEqual(call.replaced, [now]);
    assert.equal(chat.selected.video.value, "cam-2");
    assert.equal(client().calls.length, 1, "no renegotiation, no re-pair");
    assert.equal(chat.peerState.value, "connected");
  });

  test("when permission is denied, then the anonymous devices the browser lists are not offered", async () => {
    const s = setup();
    s.media.fail = { audio: "NotAllowedError", video: "NotAllowedError" };
    s.media.list = [{ kind: "audioinput", deviceId: "", label: "" }, { kind: "videoinput", deviceId: "", label: "" }];
    s.chat.start();
    await settle();
    assert.deepEqual([s.chat.inputs.audio.value, s.chat.inputs.video.value], [[], []]);
  });

  test("when devices change, then the lists update", async () => {
    const { chat, media } = await online();
    media.list = [...media.list, { kind: "videoinput", deviceId: "cam-3", label: "USB Cam" }];
    media.onChange!();
    await settle();
    assert.deepEqual(chat.inputs.video.value.map((d) => d.label), ["Cam One", "Cam Two", "USB Cam"]);
  });
});

describe("page identity requests", () => {
  /** The browser's fetch, faked: answers each POST with the next identity, or with `status`. */
  function fakeFetch(t: { after(fn: () => void): void }, status = 201) {
    const real = globalThis.fetch;
    const calls: string[] = [];
    globalThis.fetch = (async (url: string) => {
      calls.push(url);
      const body = status === 201 ? { id: `id-${calls.length}`, token: "t" } : { error: "country_blocked", message: "Not here." };
      return new Response(JSON.stringify(body), { status });
    }) as typeof fetch;
    t.after(() => globalThis.fetch = real);
    return calls;
  }

  test("when the page asked before its script loaded, then that answer is used first and reconnects ask anew", async (t) => {
    const calls = fakeFetch(t);
    const early = Promise.resolve(new Response(JSON.stringify({ id: "early", token: "t" }), { status: 201 }));
    const request = identityRequester("", early);
    assert.equal((await request()).id, "early");
    assert.equal((await request()).id, "id-1");
    assert.deepEqual(calls, ["/api/identity"]);
  });

  test("when the early answer is a refusal, then the visitor is blocked with the server's words", async (t) => {
    fakeFetch(t);
    const early = Promise.resolve(new Response(JSON.stringify({ message: "Not in your country." }), { status: 403 }));
    await assert.rejects(identityRequester("", early)(), (e) => e instanceof Blocked && e.message === "Not in your country.");
  });
});
