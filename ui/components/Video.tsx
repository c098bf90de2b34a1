/** A <video> bound to a MediaStream, with a caption laid over it when there is nothing to show. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function Video(
  { id, stream, muted = false, volume = 1, mirrored = false, label, unmuteLabel = "", children }: {
    id: string;
    stream: MediaStream | null;
    /** The visitor's own mute (its own video is always muted). */
    muted?: boolean;
    volume?: number;
    mirrored?: boolean;
    label: string;
    /** Words of the button that lets sound in when the browser refused autoplay with sound. */
    unmuteLabel?: string;
    children?: ComponentChildren;
  },
) {
  const ref = useRef<HTMLVideoElement>(null);
  const [blockedSound, setBlockedSound] = useState(false);
  useEffect(() => {
    const video = ref.current!;
    video.srcObject = stream;
    if (!stream) return;
    // Autoplay with sound can be refused; play muted and offer to unmute.
    video.play().catch(() => {
      if (video.muted) return;
      video.muted = true;
      setBlockedSound(true);
      void video.play().catch(() => {});
    });
    return () => {
      video.srcObject = null;
    };
  }, [stream]);
  useEffect(() => {
    const video = ref.current!;
    video.volume = volume;
    if (!blockedSound) video.muted = muted;
  }, [muted, volume, blockedSound]);
  const unmute = () => {
    ref.current!.muted = muted;
    setBlockedSound(false);
  };
  return (
    <figure class={`video ${mirrored ? "mirrored" : ""}`}>
      <video id={id} ref={ref} autoplay playsInline muted={muted} aria-label={label} />
      {children && <figcaption>{children}</figcaption>}
      {blockedSound && <button type="button" class="unmute" onClick={unmute}>{unmuteLabel}</button>}
    </figure>
  );
}
