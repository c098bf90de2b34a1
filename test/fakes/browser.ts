/**
 * Fakes of what the browser gives the page: media devices and tracks, the
 * peerjs client and its links, timers and the clock. Each records what the
 * model did to it, and lets a test play the browser's and the server's part.
 */
import type { SessionDescription } from "../../src/protocol/index.ts";
import type { Device, Kind, MediaAdapter } from "../../ui/media.ts";
import type { StatsSample } from "../../ui/model/quality.ts";
import type { Identity, Restart, SignalingEvents } from "../../ui/peer-client.ts";
import type { CallLink, DataLink, IceLink } from "../../ui/peer-links.ts";

export class FakeTrack {
  enabled = true;
  stopped = false;
  #listeners: Array<() => void> = [];
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
  addEventListener(_type: "ended", listener: () => void) {
    this.#listeners.push(listener);
  }
  /** What the browser does when the source ends (its own "Stop sharing" button). */
  end() {
    this.stopped = true;
    for (const listener of this.#listeners) listener();
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
  /** What getDisplayMedia does next: a track, or a DOMException name. */
  screenResult: FakeTrack | string = new FakeTrack("video", "screen-1");
  screens = 0;

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
  /** getDisplayMedia; a test of a phone sets it undefined. */
  screen?: () => Promise<MediaStreamTrack> = async () => {
    this.screens++;
    const result = this.screenResult;
    if (typeof result === "string") throw Object.assign(new Error(result), { name: result });
    return result as unknown as MediaStreamTrack;
  };
}

let connections = 0;

/** The ICE side of a fake link: what the model asked of it, and answers a test can set. */
class FakeIce implements IceLink {
  readonly peer: string;
  readonly kind: "data" | "media";
  readonly connectionId: string;
  offers = 0;
  answered: SessionDescription[] = [];
  accepted: SessionDescription[] = [];
  sample: StatsSample | null = { rttMs: 40, packetsReceived: 0, packetsLost: 0, fps: 30 };
  constructor(peer: string, kind: "data" | "media") {
    this.peer = peer;
    this.kind = kind;
    this.connectionId = `${kind === "data" ? "dc" : "mc"}_${++connections}`;
  }
  async restartOffer(): Promise<SessionDescription> {
    return { type: "offer", sdp: `restart ${++this.offers} of ${this.connectionId}` };
  }
  async answerRestart(offer: SessionDescription): Promise<SessionDescription> {
    this.answered.push(offer);
    return { type: "answer", sdp: `answer to ${offer.sdp}` };
  }
  acceptAnswer(answer: SessionDescription) {
    this.accepted.push(answer);
  }
  async stats() {
    return this.sample;
  }
}

export class FakeData extends FakeIce implements DataLink {
  sent: unknown[] = [];
  closed = false;
  h: Parameters<DataLink["handle"]>[0] = {};
  constructor(peer: string) {
    super(peer, "data");
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

export class FakeCall extends FakeIce implements CallLink {
  answeredWith: MediaStream | null = null;
  replaced: FakeTrack[] = [];
  closed = false;
  h: Parameters<CallLink["handle"]>[0] = {};
  readonly stream: MediaStream | null;
  constructor(peer: string, stream: MediaStream | null = null) {
    super(peer, "media");
    this.stream = stream;
  }
  handle(h: Parameters<CallLink["handle"]>[0]) {
    this.h = { ...this.h, ...h };
  }
  answer(stream: MediaStream) {
    this.answeredWith = stream;
  }
  replaceTrack(track: MediaStreamTrack) {
    this.replaced.push(track as unknown as FakeTrack);
  }
  /** What getStats answers: stats objects, each with its id and type. */
  report: Array<{ readonly id: string; readonly type: string; readonly [key: string]: unknown }> = [];
  async rtcStats() {
    // RTCStatsReport is a read-only Map of those, by id.
    return this.closed ? null : new Map(this.report.map((s) => [s.id, s])) as unknown as RTCStatsReport;
  }
  close() {
    this.closed = true;
  }
}

/** One peerjs client per signaling session, as peerSignaling() would open it. */
export class FakeClient {
  finds = 0;
  reports: Array<[string, string]> = [];
  wishes: unknown[] = [];
  restarts: Restart[] = [];
  reconnects = 0;
  destroyed = false;
  data: FakeData[] = [];
  calls: FakeCall[] = [];
  readonly identity: Identity;
  readonly on: SignalingEvents;
  constructor(identity: Identity, on: SignalingEvents) {
    this.identity = identity;
    this.on = on;
  }
  find(wish?: unknown) {
    this.finds++;
    this.wishes.push(wish);
  }
  restart(restart: Restart) {
    this.restarts.push(restart);
  }
  reconnect() {
    this.reconnects++;
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
