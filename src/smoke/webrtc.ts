/**
 * WebRTC for scripted visitors under Node: @roamhq/wrtc (a prebuilt libwebrtc
 * inside its npm package) and `ws` stand in for the browser's RTCPeerConnection
 * and WebSocket, so the page's own code (peerjs, ui/state.ts) runs unchanged.
 */
import { createRequire } from "node:module";
import process from "node:process";
import type { Peer } from "peerjs";
import { WebSocket } from "ws";
import type { Kind, MediaAdapter } from "../../ui/media.ts";

export type Wrtc = typeof import("@roamhq/wrtc");

let wrtc: Wrtc | undefined;

/**
 * Puts the browser's WebRTC and WebSocket classes on globalThis, then loads
 * peerjs, which checks for WebRTC support once, when it loads.
 */
export async function loadPeerJs(): Promise<{ Peer: typeof Peer; wrtc: Wrtc }> {
  const w = installWebRtc();
  // Required, not imported: peerjs is CommonJS whose exports Node's ES module
  // loader cannot see (it offers only `default`), so under plain Node, unlike
  // tsx, `import("peerjs").Peer` was undefined.
  const peerjs = createRequire(import.meta.url)("peerjs") as typeof import("peerjs");
  return { Peer: peerjs.Peer, wrtc: w };
}

function installWebRtc(): Wrtc {
  if (wrtc) return wrtc;
  wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as Wrtc;
  Object.assign(globalThis, {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    MediaStream: wrtc.MediaStream,
    MediaStreamTrack: wrtc.MediaStreamTrack,
    WebSocket: BrowserWebSocket,
  });
  reportListenerErrors(Object.getPrototypeOf(wrtc.RTCPeerConnection.prototype));
  process.on("unhandledRejection", reportPeerJsRejection);
  return wrtc;
}

/**
 * A browser reports a promise rejection nobody handles and goes on; Node
 * ends the process. peerjs leaves one: an ICE candidate that arrives just as
 * Next closes its call fails to be added, and its catch then meets the
 * closed connection ("Cannot read properties of null (reading 'emitError')"
 * in its negotiator's handleCandidate; seen in smoke runs on a loaded
 * machine). So rejections from peerjs are reported as a browser would;
 * any other still ends the run.
 */
export function reportPeerJsRejection(reason: unknown): void {
  if (!(reason instanceof Error) || !/[\\/]node_modules[\\/]peerjs[\\/]/.test(reason.stack ?? "")) throw reason;
  console.error(`warning: peerjs left a promise rejection, reported and skipped as a browser would: ${reason}`);
}

/**
 * `ws` as a browser's WebSocket: in a browser an error nobody listens for is
 * harmless (a close event follows), where `ws` would throw it as an unhandled
 * 'error' event — as it did for a refused upgrade, since peerjs sets no onerror.
 */
class BrowserWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on("error", (error) => lastSocketError = error.message);
  }
}

let lastSocketError: string | null = null;

/** Why the last signaling socket failed (a browser keeps this to itself; a report can say it). */
export function socketError(): string | null {
  return lastSocketError;
}

type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * A browser reports an exception thrown by an event listener and goes on
 * with the next listener; wrtc's EventTarget lets it escape as an uncaught
 * exception, which ends the bot. peerjs has such a listener: a track that
 * arrives just after Next closed its call meets a null connection. So
 * dispatch as a browser does.
 */
function reportListenerErrors(target: { dispatchEvent(event: Event): void }): void {
  target.dispatchEvent = function dispatchEvent(this: { _listeners?: Record<string, Set<Listener>> } & Record<string, unknown>, event: Event) {
    process.nextTick(() => {
      const listeners = new Set(this._listeners?.[event.type] ?? []);
      const handler = this[`on${event.type}`];
      if (typeof handler === "function") listeners.add(handler as Listener);
      for (const listener of listeners) {
        try {
          if (typeof listener === "function") listener.call(this, event);
          else listener.handleEvent(event);
        } catch (error) {
          console.error(`warning: a ${event.type} listener threw, reported and skipped as a browser would: ${error}`);
        }
      }
    });
  };
}

/** A bot's media, and how to let go of it all when the bot leaves. */
export interface BotMedia {
  readonly adapter: MediaAdapter;
  close(): void;
}

/**
 * Media for a bot: no microphone, and a synthetic camera (a changing grey
 * frame, 160×120 at 15 fps) when `camera` is set. wrtc's tracks cannot be
 * patched as the page's are, so everything made is let go by close().
 */
export function botMedia(w: Wrtc, { camera }: { camera: boolean }): BotMedia {
  const cleanups: Array<() => void> = [];
  const syntheticCamera = (): MediaStreamTrack => {
    const width = 160;
    const height = 120;
    const source = new w.nonstandard.RTCVideoSource();
    const data = new Uint8Array(width * height * 1.5);
    let n = 0;
    const timer = setInterval(() => {
      data.fill(16 + (n++ * 7) % 200, 0, width * height); // luma
      data.fill(128, width * height); // neutral chroma
      source.onFrame({ width, height, data });
    }, 1000 / 15);
    cleanups.push(() => clearInterval(timer));
    // wrtc's types are its own classes; at run time they are what the page's code takes as the DOM's.
    return source.createTrack() as unknown as MediaStreamTrack;
  };
  const adapter: MediaAdapter = {
    async capture(wanted) {
      if (camera && wanted.video) return [syntheticCamera()];
      throw Object.assign(new Error("no devices on a bot"), { name: "NotFoundError" });
    },
    devices: async () => [],
    watchDevices: () => () => {},
    placeholder(kind: Kind) {
      // As on the page: the receiving end of an unconnected transceiver carries no media.
      const holder = new w.RTCPeerConnection();
      cleanups.push(() => holder.close());
      // As above: wrtc's MediaStreamTrack stands in for the DOM's.
      return holder.addTransceiver(kind).receiver.track as unknown as MediaStreamTrack;
    },
    // Likewise wrtc's MediaStream, built from tracks that are wrtc's underneath.
    stream: (tracks) => new w.MediaStream(tracks as never) as unknown as MediaStream,
  };
  return { adapter, close: () => cleanups.splice(0).forEach((cleanup) => cleanup()) };
}

/** Counts frames arriving on a remote video track. */
export function countFrames(w: Wrtc, track: MediaStreamTrack): { frames(): number; stop(): void } {
  const sink = new w.nonstandard.RTCVideoSink(track as never);
  let frames = 0;
  sink.onframe = () => frames++;
  return { frames: () => frames, stop: () => sink.stop() };
}
