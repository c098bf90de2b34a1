/** A <video> bound to a MediaStream, with a caption laid over it when there is nothing to show. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function Video(
  { id, stream, muted = false, mirrored = false, label, children }: {
    id: string;
    stream: MediaStream | null;
    muted?: boolean;
    mirrored?: boolean;
    label: string;
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
      if (muted) return;
      video.muted = true;
      setBlockedSound(true);
      void video.play().catch(() => {});
    });
    return () => {
      video.srcObject = null;
    };
  }, [stream]);
  const unmute = () => {
    ref.current!.muted = false;
    setBlockedSound(false);
  };
  return (
    <figure class={`video ${mirrored ? "mirrored" : ""}`}>
      <video id={id} ref={ref} autoplay playsInline muted={muted} aria-label={label} />
      {children && <figcaption>{children}</figcaption>}
      {blockedSound && <button type="button" class="unmute" onClick={unmute}>Tap to hear the stranger</button>}
    </figure>
  );
}
