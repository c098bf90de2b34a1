/**
 * What one signaling socket may send, what the server holds for it, how
 * long it may stay quiet, and the close codes it may see. docs/PROTOCOL.md §6
 * states each of these to clients.
 */
export const LIMITS = {
  /** Frames a socket may send at once, and per second after that. */
  burstFrames: 100,
  framesPerSecond: 50,
  /**
   * Bytes likewise. Chromium sends ~7–10 KB per match and side (offer ~6 KB,
   * answer, candidates; measured over loopback), so this allows ~25 matches
   * at once and three a second after that, and caps what a hostile socket
   * makes us parse at 32 KiB/s (64 KiB frames at 45/s took a core at 40 sockets).
   */
  burstBytes: 256 * 1024,
  bytesPerSecond: 32 * 1024,
  /** Malformed frames tolerated before the socket is closed. */
  maxStrikes: 5,
  /**
   * Bytes sent to a socket that it has not yet acknowledged (a pong to a ping
   * sent after them proves it read them). Past this, a slow or stalled reader
   * is cut off: unbounded, four such readers grew the heap ~10 MB/s until the
   * process died (measured). `bufferedAmount` alone would not do: loopback's
   * kernel buffers absorb ~4 MB first.
   */
  maxUnreadBytes: 256 * 1024,
  /** Ask for an acknowledgement once this much is unread. */
  pingUnreadBytes: 32 * 1024,
  /** A socket silent this long is pinged; one that does not answer a ping within pongTimeoutMs is dead. */
  pingAfterMs: 6_000,
  pongTimeoutMs: 6_000,
  /** PeerJS's own keep-alive: a socket that sends no HEARTBEAT this long is closed. */
  heartbeatTimeoutMs: 30_000,
  /** After the server closes a socket, how long it waits for the client's answer before cutting it off. */
  closeGraceMs: 2_000,
  /**
   * The online count is pushed when it changes, at most this often per
   * socket: each session's turn comes with the once-a-second sweep, so at
   * 50,000 sockets about 5,000 small frames a second go out, spread evenly.
   */
  onlineEveryMs: 10_000,
} as const;

export const CLOSE = {
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  /** A bug: the server could not carry out a command. */
  internalError: 1011,
  /** The shared store (Redis) cannot be reached: reconnect in a moment. */
  tryAgainLater: 1013,
  /** The visitor's address was banned; the reason says until when. */
  banned: 4003,
} as const;
