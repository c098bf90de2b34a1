/**
 * The page's model: signals for what the visitor sees, actions for what they
 * do. Browser pieces (media devices, the peerjs client, timers) come in as
 * adapters, so the whole flow runs under node:test with fakes of the browser.
 *
 * One partner at a time: every connection, call and callback belongs to a
 * `Session`; anything from an older session, or from a peer that is not the
 * matched partner, is closed or ignored.
 */
import { batch, computed, signal } from "@preact/signals";
import type { Device, Kind, MediaAdapter } from "./media.ts";
import { decodePeerMessage, type PeerMessage } from "./peer-messages.ts";
import { Blocked, type CallLink, type DataLink, type OpenSignaling, type RequestIdentity, type SignalingClient } from "./peer-client.ts";

export type ServerState = "connecting" | "connected" | "disconnected" | "blocked";
export type PeerState = "idle" | "waiting" | "connecting" | "connected";

export interface ChatLine {
  readonly id: number;
  readonly from: "me" | "stranger" | "system";
  readonly text: string;
}

export interface StrangerMedia {
  readonly camera: boolean;
  readonly video: boolean;
  readonly microphone: boolean;
  readonly audio: boolean;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ChatDeps {
  readonly requestIdentity: RequestIdentity;
  readonly openSignaling: OpenSignaling;
  readonly media: MediaAdapter;
  readonly maxMessageLength: number;
  readonly timers?: Timers;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** How long a matched stranger may take to connect before we move on. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** After the data channel closes without word from the server, assume the stranger left. */
export const CLOSE_GRACE_MS = 2_000;
export const TYPING_SEND_EVERY_MS = 2_000;
export const TYPING_IDLE_MS = 3_000;
export const TYPING_SHOW_MS = 6_000;
export const RECONNECT_MAX_MS = 15_000;

export const TEXT = {
  connected: "You're now chatting with a random stranger. Say hi!",
  left: "Stranger has left.",
  noConnect: "Couldn't connect to that stranger. Finding another…",
  lost: "Lost the connection to the server. Reconnecting…",
  denied: "Camera and microphone are blocked for this site. Allow them in the browser's site settings and retry. You can still chat by text.",
  notFound: "No camera or microphone was found. You can still chat by text.",
  noCamera: "No camera was found. The stranger can hear you, and you can chat by text.",
  noMicrophone: "No microphone was found. The stranger can see you, and you can chat by text.",
  busy: "The camera or microphone is in use by another app. Close it and retry. You can still chat by text.",
  failed: "The camera or microphone could not be started. You can still chat by text.",
} as const;

interface Session {
  readonly peer: string;
  readonly role: "caller" | "callee";
  data?: DataLink;
  call?: CallLink;
  timer?: unknown;
}

export type Chat = ReturnType<typeof createChat>;

/**
 * @example
 * const chat = createChat({ requestIdentity, openSignaling, media, maxMessageLength: 1000 });
 * chat.start();            // asks for the camera and a partner, no click needed
 * chat.send("hello");      // once chat.peerState.value === "connected"
 * chat.next();             // leave this stranger, find another
 */
export function createChat(deps: ChatDeps) {
  const timers = deps.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) };
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;

  const serverState = signal<ServerState>("connecting");
  const peerState = signal<PeerState>("idle");
  const blockedMessage = signal("");
  const reconnectAt = signal<number | null>(null);
  const messages = signal<readonly ChatLine[]>([]);
  const strangerTyping = signal(false);
  const stranger = signal<StrangerMedia | null>(null);
  const remoteStream = signal<MediaStream | null>(null);
  const audioOn = signal(true);
  const videoOn = signal(true);
  const devices = signal<readonly Device[]>([]);
  const selected = { audio: signal(""), video: signal("") };
  /** Which kinds have a real device (else a placeholder track is sent). */
  const real = { audio: signal(false), video: signal(false) };
  const mediaProblem = signal<string | null>(null);
  const audioInputs = computed(() => devices.value.filter((d) => d.kind === "audioinput"));
  const videoInputs = computed(() => devices.value.filter((d) => d.kind === "videoinput"));
  const canChat = computed(() => peerState.value === "connected");

  const tracks: Record<Kind, MediaStreamTrack> = {
    audio: deps.media.placeholder("audio"),
    video: deps.media.placeholder("video"),
  };
  /** The outgoing stream: always one audio and one video track. */
  const localStream = deps.media.stream([tracks.audio, tracks.video]);

  let client: SignalingClient | null = null;
  let session: Session | null = null;
  let attempts = 0;
  let reconnectTimer: unknown;
  let lineId = 0;
  let typingSentAt = 0;
  let typingIdleTimer: unknown;
  let typingShowTimer: unknown;
  let stopWatching: (() => void) | undefined;

  const system = (text: string) => say("system", text);
  function say(from: ChatLine["from"], text: string) {
    messages.value = [...messages.value, { id: ++lineId, from, text }];
  }

  // ---- signaling --------------------------------------------------------

  async function connect() {
    reconnectAt.value = null;
    serverState.value = "connecting";
    let identity;
    try {
      identity = await deps.requestIdentity();
    } catch (error) {
      if (error instanceof Blocked) return block(error.message);
      return retry();
    }
    const mine: SignalingClient = deps.openSignaling(identity, {
      open() {
        if (client !== mine) return;
        attempts = 0;
        serverState.value = "connected";
        find();
      },
      match({ peer, role }) {
        if (client === mine) matched(peer, role);
      },
      partnerLeft({ peer }) {
        if (client === mine && session?.peer === peer) partnerGone(TEXT.left);
      },
      connection(link) {
        if (client !== mine || !session || link.peer !== session.peer || session.data) return link.close();
        session.data = link;
        wireData(session, link);
      },
      call(link) {
        if (client !== mine || !session || link.peer !== session.peer || session.call) return link.close();
        session.call = link;
        wireCall(session, link);
        link.answer(localStream);
      },
      closed() {
        if (client !== mine) return;
        client = null;
        mine.destroy();
        if (session) {
          endSession();
          system(TEXT.lost);
        }
        batch(() => {
          serverState.value = "disconnected";
          peerState.value = "idle";
        });
        retry();
      },
    });
    client = mine;
  }

  function retry() {
    const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** attempts++) * (0.75 + random() / 2);
    batch(() => {
      serverState.value = "disconnected";
      reconnectAt.value = now() + delay;
    });
    reconnectTimer = timers.set(() => void connect(), delay);
  }

  function block(message: string) {
    client?.destroy();
    client = null;
    endSession();
    batch(() => {
      serverState.value = "blocked";
      peerState.value = "idle";
      blockedMessage.value = message;
    });
  }

  function find() {
    client?.find();
    peerState.value = "waiting";
  }

  // ---- one stranger -----------------------------------------------------

  function matched(peer: string, role: Session["role"]) {
    endSession();
    const s: Session = { peer, role };
    session = s;
    batch(() => {
      messages.value = [];
      peerState.value = "connecting";
    });
    s.timer = timers.set(() => {
      if (session === s && peerState.value !== "connected") partnerGone(TEXT.noConnect);
    }, CONNECT_TIMEOUT_MS);
    if (role === "caller" && client) {
      s.data = client.connect(peer);
      wireData(s, s.data);
      s.call = client.call(peer, localStream);
      wireCall(s, s.call);
    }
  }

  function wireData(s: Session, link: DataLink) {
    link.handle({
      open() {
        if (session !== s) return;
        timers.clear(s.timer);
        peerState.value = "connected";
        system(TEXT.connected);
        tell({ t: "media", ...mediaState() });
      },
      data(data) {
        if (session === s) fromStranger(decodePeerMessage(data, deps.maxMessageLength));
      },
      close() {
        // The server's PARTNER-LEFT normally comes first; this covers a lost path.
        if (session !== s) return;
        timers.clear(s.timer);
        s.timer = timers.set(() => session === s && partnerGone(TEXT.left), CLOSE_GRACE_MS);
      },
    });
  }

  function wireCall(s: Session, link: CallLink) {
    link.handle({
      stream(remote) {
        if (session === s) remoteStream.value = remote;
      },
    });
  }

  function fromStranger(message: PeerMessage | null) {
    if (!message) return;
    if (message.t === "msg") {
      timers.clear(typingShowTimer);
      batch(() => {
        strangerTyping.value = false;
        say("stranger", message.text);
      });
    } else if (message.t === "typing") {
      timers.clear(typingShowTimer);
      strangerTyping.value = message.on;
      if (message.on) typingShowTimer = timers.set(() => strangerTyping.value = false, TYPING_SHOW_MS);
    } else {
      const { camera, video, microphone, audio } = message;
      stranger.value = { camera, video, microphone, audio };
    }
  }

  function tell(message: PeerMessage) {
    session?.data?.send(message);
  }

  /**
   * Forget the current stranger; the caller decides what to say. Their links
   * stop counting at once (every callback checks the session), and are closed
   * in a moment, so that after Next the new stranger's MATCH is handled first.
   */
  function endSession() {
    const s = session;
    session = null;
    if (s) {
      timers.clear(s.timer);
      timers.set(() => {
        s.data?.close();
        s.call?.close();
      }, 0);
    }
    timers.clear(typingShowTimer);
    timers.clear(typingIdleTimer);
    typingSentAt = 0;
    batch(() => {
      remoteStream.value = null;
      stranger.value = null;
      strangerTyping.value = false;
    });
  }

  function partnerGone(text: string) {
    endSession();
    system(text);
    find();
  }

  // ---- media ------------------------------------------------------------

  function mediaState() {
    return {
      camera: real.video.value,
      video: real.video.value && videoOn.value,
      microphone: real.audio.value,
      audio: real.audio.value && audioOn.value,
    };
  }

  /** Puts a track in the outgoing stream and the live call, in place of the old one. */
  function install(track: MediaStreamTrack) {
    const kind = track.kind as Kind;
    const old = tracks[kind];
    track.enabled = kind === "audio" ? audioOn.value : videoOn.value;
    localStream.removeTrack(old);
    localStream.addTrack(track);
    tracks[kind] = track;
    session?.call?.replaceTrack(track);
    old.stop();
    batch(() => {
      real[kind].value = true;
      selected[kind].value = track.getSettings().deviceId ?? "";
    });
  }

  async function acquireMedia() {
    mediaProblem.value = null;
    const wanted = { audio: selected.audio.value || true, video: selected.video.value || true } as const;
    let problem: unknown = null;
    try {
      (await deps.media.capture(wanted)).forEach(install);
    } catch (error) {
      problem = error;
      // One missing or busy device should not cost the other: try each alone.
      if ((error as Error).name !== "NotAllowedError") {
        for (const kind of ["audio", "video"] as const) {
          try {
            (await deps.media.capture({ [kind]: wanted[kind] })).forEach(install);
          } catch {
            // reported below if nothing worked
          }
        }
      }
    }
    if (problem && !(real.audio.value && real.video.value)) {
      mediaProblem.value = describe(problem, { audio: real.audio.value, video: real.video.value });
    }
    await refreshDevices();
    tell({ t: "media", ...mediaState() });
  }

  async function refreshDevices() {
    try {
      // Without permission a browser lists devices with no id, which cannot be picked.
      devices.value = (await deps.media.devices()).filter((d) => d.deviceId !== "");
    } catch {
      devices.value = [];
    }
  }

  // ---- actions ----------------------------------------------------------

  return {
    serverState,
    peerState,
    blockedMessage,
    reconnectAt,
    messages,
    strangerTyping,
    stranger,
    remoteStream,
    localStream,
    audioOn,
    videoOn,
    audioInputs,
    videoInputs,
    selectedAudio: selected.audio,
    selectedVideo: selected.video,
    hasCamera: real.video,
    hasMicrophone: real.audio,
    mediaProblem,
    canChat,
    maxMessageLength: deps.maxMessageLength,

    /** Ask for camera and microphone and for a partner at once. */
    start() {
      stopWatching = deps.media.watchDevices(() => void refreshDevices());
      void acquireMedia();
      void connect();
    },

    /** Leave this stranger (they are told) and find another. */
    next() {
      if (serverState.value !== "connected") return;
      find(); // first, so the server dissolves the pair before our connections close
      endSession();
      messages.value = [];
    },

    /** Sends a chat line; false when there is nobody to send it to. */
    send(text: string): boolean {
      const line = text.trim().slice(0, deps.maxMessageLength);
      if (!line || !canChat.value) return false;
      tell({ t: "msg", text: line });
      say("me", line);
      timers.clear(typingIdleTimer);
      typingSentAt = 0;
      return true;
    },

    /** The visitor is typing: tell the stranger, at most every couple of seconds. */
    typing() {
      if (!canChat.value) return;
      if (now() - typingSentAt >= TYPING_SEND_EVERY_MS) {
        typingSentAt = now();
        tell({ t: "typing", on: true });
      }
      timers.clear(typingIdleTimer);
      typingIdleTimer = timers.set(() => {
        typingSentAt = 0;
        tell({ t: "typing", on: false });
      }, TYPING_IDLE_MS);
    },

    toggleAudio() {
      audioOn.value = !audioOn.value;
      tracks.audio.enabled = audioOn.value;
      tell({ t: "media", ...mediaState() });
    },

    toggleVideo() {
      videoOn.value = !videoOn.value;
      tracks.video.enabled = videoOn.value;
      tell({ t: "media", ...mediaState() });
    },

    /** Switch camera or microphone live, in the call too. */
    async selectDevice(kind: Kind, deviceId: string) {
      try {
        (await deps.media.capture({ [kind]: deviceId })).forEach(install);
        mediaProblem.value = null;
        tell({ t: "media", ...mediaState() });
      } catch (error) {
        mediaProblem.value = describe(error);
      }
    },

    retryMedia: acquireMedia,

    /** Stops everything (page unload, tests). */
    dispose() {
      stopWatching?.();
      timers.clear(reconnectTimer);
      endSession();
      client?.destroy();
      client = null;
      for (const track of localStream.getTracks()) track.stop();
    },
  };
}

/** What went wrong getting media, in words, given which devices did start. */
function describe(error: unknown, started: Record<Kind, boolean> = { audio: false, video: false }): string {
  switch ((error as Error | null)?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return TEXT.denied;
    case "NotFoundError":
    case "OverconstrainedError":
      return started.audio ? TEXT.noCamera : started.video ? TEXT.noMicrophone : TEXT.notFound;
    case "NotReadableError":
    case "AbortError":
      return TEXT.busy;
    default:
      return TEXT.failed;
  }
}
