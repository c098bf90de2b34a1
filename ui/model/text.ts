/**
 * The words the models put on the page, in one place: chat notices, media
 * problems and video captions. Tests compare against these, so a rewording
 * happens here only.
 */
export const TEXT = {
  connected: "You're now chatting with a random stranger. Say hi!",
  left: "Stranger has left.",
  noConnect: "Couldn't connect to that stranger. Finding another…",
  lost: "Lost the connection to the server. Reconnecting…",
  denied: "Camera and microphone are blocked for this site. Allow them in the browser's site settings and retry. You can still chat by text.",
  notFound: "No camera or microphone was found. You can still chat by text.",
  noCamera: "No camera was found. The stranger can hear you, and you can chat by text.",
  noMicrophone: "No microphone was found. The stranger can see you, and you can chat by text.",
  busy: "The camera or microphone is in use by another app. Close it and retry. You can still chat by text.",
  failed: "The camera or microphone could not be started. You can still chat by text.",
} as const;

/** Laid over a video when it has nothing to show. */
export const CAPTION = {
  connecting: "Connecting…",
  looking: "Looking for a stranger…",
  strangerNoCamera: "The stranger has no camera",
  strangerPaused: "The stranger paused their video",
  noCamera: "No camera",
  cameraOff: "Camera off",
} as const;
