/**
 * Fakes of what the browser gives the page: media devices and tracks, the
 * peerjs client and its links, timers and the clock. Each records what the
 * model did to it, and lets a test play the browser's and the server's part.
 */
import type { Device, Kind, MediaAdapter } from "../../ui/media.ts";
import type { CallLink, DataLink, Identity, SignalingEvents } from "../../ui/peer-client.ts";

export class FakeTrack {
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

export class FakeStream {
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
export class FakeMedia implements MediaAdapter {
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

export class FakeData implements DataLink {
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

export class FakeCall implements CallLink {
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
export class FakeClient {
  finds = 0;
  reports: Array<[string, string]> = [];
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
  report(peer: string, reason: string) {
    this.reports.push([peer, reason]);
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

export class FakeTimers {
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

/** Lets pending promise callbacks and immediates run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
