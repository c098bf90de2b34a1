/**
 * "Hide my IP address from strangers": with it, the page's connections use
 * only the operator's TURN relay (`iceTransportPolicy: "relay"`), so no
 * candidate carrying the visitor's own address ever reaches the stranger.
 * Offered when the operator has TURN but does not force it; forced, it is
 * always on. The choice is remembered in the browser (localStorage).
 */
import { computed, type ReadonlySignal, signal } from "@preact/signals";
import type { RelayPolicy } from "../../src/protocol/index.ts";

export const HIDE_IP_KEY = "chatroulette.hideIp";

/** Where the choice is kept; localStorage in the page. May throw (storage disabled), as browsers' does. */
export type ChoiceStorage = Pick<Storage, "getItem" | "setItem">;

export interface PrivacyModel {
  /** The visitor may choose: TURN is there and not forced. */
  readonly offered: boolean;
  /** Whether every connection goes through the relay: chosen, or forced. */
  readonly hidden: ReadonlySignal<boolean>;
  /** The visitor's choice; applies from the next stranger on (the current call keeps its route). */
  setHidden(on: boolean): void;
}

/**
 * @example
 * const privacy = createPrivacyModel({ relay: config.relay, storage: localStorage });
 * peerSignaling(Peer, config, location, { relayOnly: () => privacy.hidden.value });
 */
export function createPrivacyModel({ relay, storage }: { relay: RelayPolicy; storage?: ChoiceStorage }): PrivacyModel {
  const offered = relay === "optional";
  const chosen = signal(offered && read(storage) === "1");
  return {
    offered,
    hidden: computed(() => relay === "forced" || (offered && chosen.value)),
    setHidden(on) {
      if (!offered) return;
      chosen.value = on;
      try {
        storage?.setItem(HIDE_IP_KEY, on ? "1" : "0");
      } catch {
        // Storage refused (private mode, quota): the choice holds for this page only.
      }
    },
  };
}

function read(storage: ChoiceStorage | undefined): string | null {
  try {
    return storage?.getItem(HIDE_IP_KEY) ?? null;
  } catch {
    return null;
  }
}
