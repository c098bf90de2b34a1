/**
 * What the page does to a peerjs connection's own RTCPeerConnection: follow
 * its ICE state, restart ICE (peerjs has no ICE restart, and closes a
 * connection that fails), and read its statistics.
 */
import type { SessionDescription } from "../src/protocol/index.ts";
import type { StatsSample } from "./model/quality.ts";

/** How long to let candidates gather before a restart's description goes out with those found so far. */
const GATHER_MS = 1500;

/**
 * Calls back on each ICE state change. peerjs's own handler closes the
 * connection on "failed"; it now hears only "closed", so that a failed
 * connection can be restarted (and is closed by the page when it gives up).
 * Its "completed" case, which stops sending candidates, is kept from it too,
 * since a restart needs new candidates sent.
 */
export function watchIce(pc: RTCPeerConnection, onState: (state: RTCIceConnectionState) => void): void {
  const peerjs = pc.oniceconnectionstatechange;
  pc.oniceconnectionstatechange = (event) => {
    const state = pc.iceConnectionState;
    if (state === "closed") peerjs?.call(pc, event);
    onState(state);
  };
}

/** The caller's side: a new offer with new ICE credentials, sent with the candidates gathered meanwhile. */
export async function restartOffer(pc: RTCPeerConnection): Promise<SessionDescription | null> {
  try {
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    return await described(pc, "offer");
  } catch {
    return null; // closed meanwhile, or another offer is under way
  }
}

/**
 * The callee's side. The remote description is set before this returns its
 * promise, so that candidates peerjs adds right after are queued behind it.
 */
export function answerRestart(pc: RTCPeerConnection, offer: SessionDescription): Promise<SessionDescription | null> {
  const remote = pc.setRemoteDescription(offer);
  return (async () => {
    try {
      await remote;
      await pc.setLocalDescription(await pc.createAnswer());
      return await described(pc, "answer");
    } catch {
      return null;
    }
  })();
}

/** The answer to our restart offer; a late answer to an older offer is dropped. */
export function acceptAnswer(pc: RTCPeerConnection, answer: SessionDescription): void {
  if (pc.signalingState === "have-local-offer") pc.setRemoteDescription(answer).catch(() => {});
}

/** The local description once candidates are gathered (or after GATHER_MS), candidates included. */
async function described(pc: RTCPeerConnection, type: "offer" | "answer"): Promise<SessionDescription | null> {
  if (pc.iceGatheringState !== "complete") {
    await new Promise<void>((resolve) => {
      const done = () => {
        if (pc.iceGatheringState !== "complete") return;
        pc.removeEventListener("icegatheringstatechange", done);
        resolve();
      };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, GATHER_MS);
    });
  }
  const sdp = pc.localDescription?.sdp;
  return sdp && pc.localDescription?.type === type ? { type, sdp } : null;
}

/** The round trip of the candidate pair in use, and what came in on every stream. */
export async function statsOf(pc: RTCPeerConnection): Promise<StatsSample> {
  const report = await pc.getStats();
  let rttMs: number | null = null;
  let packetsReceived = 0;
  let packetsLost = 0;
  let fps: number | null = null;
  let selected: string | undefined;
  report.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) selected = s.selectedCandidatePairId;
  });
  report.forEach((s) => {
    if (s.type === "candidate-pair" && (s.id === selected || (!selected && s.nominated && s.state === "succeeded"))) {
      if (typeof s.currentRoundTripTime === "number") rttMs = s.currentRoundTripTime * 1000;
    } else if (s.type === "inbound-rtp") {
      packetsReceived += s.packetsReceived ?? 0;
      packetsLost += s.packetsLost ?? 0;
      if (s.kind === "video" && typeof s.framesPerSecond === "number") fps = s.framesPerSecond;
    }
  });
  return { rttMs, packetsReceived, packetsLost, fps };
}
