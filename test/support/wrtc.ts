/**
 * A real WebRTC stack in the test process (@roamhq/wrtc, as the smoke bots
 * use) for asking a TURN server for relays: what a browser does, without one.
 */
import { createRequire } from "node:module";
import type { IceServer } from "../../src/protocol/index.ts";

const wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as typeof import("@roamhq/wrtc");

/** The candidates a relay-only RTCPeerConnection gathers with `iceServers`: none when the TURN server refuses them. */
export async function relayCandidates(iceServers: readonly IceServer[]): Promise<string[]> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: iceServers as RTCIceServer[], iceTransportPolicy: "relay" });
  try {
    const candidates: string[] = [];
    const gathered = new Promise<void>((resolve) => {
      pc.onicecandidate = (event) => event.candidate ? void candidates.push(event.candidate.candidate) : resolve();
    });
    pc.createDataChannel("probe");
    await pc.setLocalDescription(await pc.createOffer());
    await gathered;
    return candidates;
  } finally {
    pc.close();
  }
}

/**
 * Two relay-only peer connections in this process, connecting to each other
 * through the TURN server; `state()` says how far they got. Closed by `close()`.
 */
export async function relayedPair(iceServers: readonly IceServer[]): Promise<{ state(): string; close(): void }> {
  const config = { iceServers: iceServers as RTCIceServer[], iceTransportPolicy: "relay" as const };
  const [a, b] = [new wrtc.RTCPeerConnection(config), new wrtc.RTCPeerConnection(config)];
  a.onicecandidate = (event) => event.candidate && void b.addIceCandidate(event.candidate);
  b.onicecandidate = (event) => event.candidate && void a.addIceCandidate(event.candidate);
  a.createDataChannel("probe");
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  return {
    state: () => a.iceConnectionState,
    close() {
      a.close();
      b.close();
    },
  };
}
