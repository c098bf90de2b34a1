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
      if (kind === "audio") {
        const context = new AudioContext();
        return context.createMediaStreamDestination().stream.getAudioTracks()[0];
      }
      const canvas = Object.assign(doc.createElement("canvas"), { width: 320, height: 240 });
      const paint = () => canvas.getContext("2d")?.fillRect(0, 0, canvas.width, canvas.height);
      paint();
      const track = canvas.captureStream(2).getVideoTracks()[0];
      // A canvas stream only yields frames when painted: keep it alive while used.
      const timer = setInterval(paint, 500);
      track.addEventListener("ended", () => clearInterval(timer));
      const stop = track.stop.bind(track);
      track.stop = () => {
        clearInterval(timer);
        stop();
      };
      return track;
    },
    stream: (tracks) => new MediaStream(tracks),
  };
}
