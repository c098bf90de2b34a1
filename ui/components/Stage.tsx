/**
 * The stranger's video in a box that keeps its shape whatever happens
 * (waiting, connecting, connected: nothing jumps), the visitor's own video as
 * a tile inside it, captions, and the connection-quality indicator. On touch
 * screens a swipe to the left is Next. `children` go over the stranger's
 * video (the report button).
 */
import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import type { Catalog } from "../i18n/index.ts";
import type { QualityLevel } from "../model/quality.ts";
import { type CaptionKey, say } from "../model/text.ts";
import { Video } from "./Video.tsx";

/** A swipe: mostly sideways, and far enough not to be a tap or a scroll. */
const SWIPE_PX = 60;

export function Stage({ t, remote, local, strangerCaption, ownCaption, mirrored, quality, volume, muted, next, children }: {
  t: Catalog;
  remote: ReadonlySignal<MediaStream | null>;
  local: MediaStream;
  strangerCaption: ReadonlySignal<CaptionKey | null>;
  ownCaption: ReadonlySignal<CaptionKey | null>;
  mirrored: boolean;
  quality: ReadonlySignal<QualityLevel | null>;
  volume: ReadonlySignal<number>;
  muted: ReadonlySignal<boolean>;
  next: () => void;
  children?: ComponentChildren;
}) {
  const start = useRef<{ x: number; y: number } | null>(null);
  const onTouchStart = (event: TouchEvent) => {
    const touch = event.touches[0];
    start.current = event.touches.length === 1 ? { x: touch.clientX, y: touch.clientY } : null;
  };
  const onTouchEnd = (event: TouchEvent) => {
    const from = start.current;
    const touch = event.changedTouches[0];
    start.current = null;
    if (!from || !touch) return;
    const dx = touch.clientX - from.x;
    const dy = touch.clientY - from.y;
    if (dx < -SWIPE_PX && Math.abs(dy) < Math.abs(dx) / 2) next();
  };
  const level = quality.value;
  const strangerText = strangerCaption.value;
  const ownText = ownCaption.value;
  return (
    <section class="stage" aria-label={t.video} onTouchStart={onTouchStart} onTouchEnd={onTouchEnd}>
      <div class="screen">
        <Video
          id="peerVideo"
          stream={remote.value}
          label={t.strangersVideo}
          volume={volume.value}
          muted={muted.value}
          unmuteLabel={t.tapToHear}
        >
          {strangerText && say(t, strangerText)}
        </Video>
        <div class="self">
          <Video id="localVideo" stream={local} muted mirrored={mirrored} label={t.yourVideo}>
            {ownText && say(t, ownText)}
          </Video>
        </div>
        {level && (
          <span id="quality" class={`quality ${level}`} data-level={level} role="img" aria-label={`${t.quality}: ${t[level]}`}>
            <i /><i /><i />
          </span>
        )}
        {children}
      </div>
    </section>
  );
}
