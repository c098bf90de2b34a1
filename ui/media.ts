/**
 * The camera and microphone, as the model needs them: capture tracks from
 * chosen devices, list devices, and make placeholder tracks (black video,
 * silence) so a call always carries one audio and one video track that real
 * devices can replace later without renegotiation.
 */
export interface Device {
  readonly kind: "audioinput" | "videoinput";
  readonly deviceId: string;
  readonly label: string;
}

export type Kind = "audio" | "video";

export interface MediaAdapter {
  /** Tracks for the wanted kinds (`true`: any device, string: that device id). */
  capture(wanted: Partial<Record<Kind, true | string>>): Promise<MediaStreamTrack[]>;
  devices(): Promise<Device[]>;
  /** Calls back on devicechange; returns the unsubscribe. */
  watchDevices(onChange: () => void): () => void;
  placeholder(kind: Kind): MediaStreamTrack;
  stream(tracks: MediaStreamTrack[]): MediaStream;
  /** A screen or window the visitor picks (getDisplayMedia); absent where the browser cannot share one (phones). */
  screen?(): Promise<MediaStreamTrack>;
}

export function browserMedia(nav: Navigator = navigator, doc: Document = document): MediaAdapter {
  return {
    async capture(wanted) {
      const constraint = (want: true | string | undefined) =>
        want === undefined ? false : want === true ? true : { deviceId: { exact: want } };
      const stream = await nav.mediaDevices.getUserMedia({
        audio: constraint(wanted.audio),
        video: constraint(wanted.video),
      });
      return stream.getTracks();
    },
    async devices() {
      const all = await nav.mediaDevices.enumerateDevices();
      return all
        .filter((d) => d.kind === "audioinput" || d.kind === "videoinput")
        .map((d) => ({ kind: d.kind as Device["kind"], deviceId: d.deviceId, label: d.label }));
    },
    watchDevices(onChange) {
      nav.mediaDevices.addEventListener("devicechange", onChange);
      return () => nav.mediaDevices.removeEventListener("devicechange", onChange);
    },
    placeholder(kind) {
      // The receiving end of a never-connected connection: a real track that
      // carries no media, so it costs nothing until a device replaces it.
      const holder = new RTCPeerConnection();
      const track = holder.addTransceiver(kind).receiver.track;
      const stop = track.stop.bind(track);
      track.stop = () => {
        stop();
        holder.close();
      };
      return track;
    },
    stream: (tracks) => new MediaStream(tracks),
    ...typeof nav.mediaDevices?.getDisplayMedia === "function"
      ? { screen: async () => (await nav.mediaDevices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0] }
      : {},
  };
}
