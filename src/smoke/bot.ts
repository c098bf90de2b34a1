/**
 * A scripted visitor: the page's own model (ui/state.ts) over the page's own
 * peerjs client (ui/peer-client.ts), with WebRTC from @roamhq/wrtc. It speaks
 * exactly what the page speaks, in a private pool so it meets only other bots.
 */
import { effect, signal } from "@preact/signals";
import type { Peer } from "peerjs";
import type { ClientConfig } from "../protocol/index.ts";
import { identityRequester, peerSignaling } from "../../ui/peer-client.ts";
import { solveHere } from "../../ui/pow.ts";
import { CATALOGS } from "../../ui/i18n/index.ts";
import { refusalWords } from "../../ui/model/text.ts";
import { createPageModel, type PageModel } from "../../ui/state.ts";
import { type BotMedia, botMedia, countFrames, type Wrtc } from "./webrtc.ts";

/** A step that did not happen in time, or was refused; `message` says which and why. */
export class StepFailed extends Error {
  override name = "StepFailed";
}

export interface BotOptions {
  /** From loadPeerJs(): peerjs and WebRTC for Node. */
  readonly runtime: { readonly Peer: typeof Peer; readonly wrtc: Wrtc };
  readonly origin: string;
  readonly config: ClientConfig;
  readonly pool: string;
  readonly camera: boolean;
  readonly timeoutMs: number;
}

export class Bot {
  readonly name: string;
  readonly chat: PageModel;
  /** Its identity once issued, and the peer id of its last MATCH. */
  readonly id = signal("");
  readonly partner = signal("");
  #options: BotOptions;
  #media: BotMedia;

  constructor(name: string, options: BotOptions) {
    this.name = name;
    this.#options = options;
    const w = options.runtime.wrtc;
    this.#media = botMedia(w, { camera: options.camera });
    // Challenges are solved as the page solves them, on this thread instead of a Web Worker.
    const request = identityRequester(options.origin, undefined, solveHere);
    const open = peerSignaling(options.runtime.Peer, options.config, new URL(options.origin), { pool: options.pool });
    this.chat = createPageModel({
      requestIdentity: async () => {
        const identity = await request();
        this.id.value = identity.id;
        return identity;
      },
      openSignaling: (identity, events) =>
        open(identity, {
          ...events,
          match: (match) => {
            this.partner.value = match.peer;
            events.match(match);
          },
        }),
      media: this.#media.adapter,
      maxMessageLength: options.config.maxMessageLength,
      // A server from before the Next limit does not say it; it does not enforce one either.
      nextLimit: options.config.nextLimit ?? { burst: 1000, perMinute: 60_000 },
    });
  }

  start(): void {
    this.chat.start();
  }

  /**
   * Resolves once `check` holds; fails with `what` after the step timeout, or
   * at once with the server's words if the visitor is refused.
   */
  until(check: () => boolean, what: string): Promise<void> {
    const { timeoutMs } = this.#options;
    return new Promise((resolve, reject) => {
      let dispose = () => {};
      const timer = setTimeout(() => {
        dispose();
        reject(new StepFailed(`${this.name}: ${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      dispose = effect(() => {
        const chat = this.chat;
        const state = chat.serverState.value;
        if (state === "blocked" || state === "banned") {
          clearTimeout(timer);
          queueMicrotask(() => dispose());
          // A ban is waited out by the page; a bot says until when, and fails now.
          const until = chat.bannedUntil.value;
          const why = state === "banned" && until !== null
            ? CATALOGS.en.banned(new Date(until).toISOString())
            : chat.refused.value
            ? refusalWords(CATALOGS.en, chat.refused.value)
            : "refused";
          reject(new StepFailed(`${this.name}: refused by the server: ${why}`));
        } else if (check()) {
          clearTimeout(timer);
          queueMicrotask(() => dispose());
          resolve();
        }
      });
    });
  }

  /** Resolves when a chat line from the stranger with `text` has arrived. */
  heard(text: string): Promise<void> {
    return this.until(
      () => this.chat.messages.value.some((m) => m.from === "stranger" && m.text === text),
      `no message "${text}" arrived`,
    );
  }

  /** Resolves when video frames from the partner have arrived. */
  async seesVideo(): Promise<void> {
    await this.until(() => this.chat.remoteStream.value !== null, "no remote video track arrived");
    const track = this.chat.remoteStream.value!.getVideoTracks()[0];
    const counter = countFrames(this.#options.runtime.wrtc, track);
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + this.#options.timeoutMs;
        const poll = setInterval(() => {
          if (counter.frames() >= 3) resolve();
          else if (Date.now() > deadline) reject(new StepFailed(`${this.name}: no video frames arrived`));
          else return;
          clearInterval(poll);
        }, 20);
      });
    } finally {
      counter.stop();
    }
  }

  /** Resolves once the call's selected candidate pair is known to go through a TURN relay. */
  async relayed(): Promise<void> {
    await this.until(() => this.chat.route.value !== null, "the call's route never became known");
    if (this.chat.route.value !== "relay") {
      throw new StepFailed(`${this.name}: media goes ${this.chat.route.value}, not through the relay the server requires`);
    }
  }

  leave(): void {
    this.chat.dispose();
    this.#media.close();
  }
}
