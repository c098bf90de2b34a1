/**
 * Every word the page shows, in English: the catalog whose keys every other
 * language must have (zh.ts is typed by it, and test/ui-i18n.test.ts checks
 * them at run time too). Values with blanks to fill are functions.
 */
export const en = {
  lang: "en",
  languageName: "English",
  title: "chatroulette",
  language: "Language",
  online: (count: string) => `${count} online`,

  // Status lines
  serverConnecting: "Connecting to the server…",
  serverConnected: "Connected to the server",
  serverDisconnected: "Server connection lost",
  serverBlocked: "Not available here",
  serverBanned: "Banned for now",
  retryingIn: (seconds: string) => `, retrying in ${seconds} s`,
  peerIdle: "No stranger yet",
  peerWaiting: "Looking for a stranger…",
  peerConnecting: "Connecting to a stranger…",
  peerConnected: "Chatting with a stranger",
  viaRelay: " via relay",
  hideIp: "Hide my IP address from strangers",
  hideIpHint: "Video goes through the server's relay, so strangers never see your IP address. It may be a little slower. Applies from the next stranger.",

  // Refusals (the server's codes)
  notAvailable: "Not available here",
  countryBlocked: (country: string) => `Chatroulette is not available in your country (${country}).`,
  countryUnknown: "Chatroulette is not available from your network (its country is unknown).",
  serverFull: "The server is full; try again in a minute.",
  refused: "The server refused the connection.",

  // Safety: the consent screen, reports, a ban, the Next limit
  consentTitle: "Before you start",
  consentIntro: "chatroulette pairs you with random strangers on camera. Please read the rules.",
  consentAccept: (minAge: string) => `I am at least ${minAge} years old and accept the rules`,
  report: "Report",
  reportTitle: "Report this stranger",
  reasonNudity: "Nudity or sexual content",
  reasonHarassment: "Harassment",
  reasonSpam: "Spam or advertising",
  reasonUnderage: (age: string) => `Appears to be under ${age}`,
  reasonOther: "Something else",
  reported: "You reported the stranger. You won't be paired again.",
  notCounted: "You've sent many reports in a short time, so this one wasn't counted. You won't be paired with that stranger again.",
  slowDown: "Slow down: you can press Next again in a few seconds.",
  bannedTitle: "You can't use chatroulette for now",
  banned: (until: string) => `You were reported by several people and can't use chatroulette until ${until}.`,

  // Chat
  textChat: "Text chat",
  you: "You",
  stranger: "Stranger",
  strangerTyping: "Stranger is typing…",
  message: "Message",
  typeHere: "Type a message and press Enter",
  waitingForStranger: "Waiting for a stranger…",
  send: "Send",
  chat: "Chat",
  unread: (count: string) => `${count} unread`,
  closeChat: "Close chat",

  // Notices in the chat
  connected: "You're now chatting with a random stranger. Say hi!",
  bothLike: (list: string) => `You both like: ${list}`,
  left: "Stranger has left.",
  noConnect: "Couldn't connect to that stranger. Finding another…",
  couldntKeep: "Couldn't keep the connection. Finding another…",
  lost: "Lost the connection to the server. Reconnecting…",

  // Camera and microphone
  denied: "Camera and microphone are blocked for this site. Allow them in the browser's site settings and retry. You can still chat by text.",
  notFound: "No camera or microphone was found. You can still chat by text.",
  noCameraFound: "No camera was found. The stranger can hear you, and you can chat by text.",
  noMicrophoneFound: "No microphone was found. The stranger can see you, and you can chat by text.",
  busy: "The camera or microphone is in use by another app. Close it and retry. You can still chat by text.",
  failed: "The camera or microphone could not be started. You can still chat by text.",
  retry: "Retry",
  dismiss: "Dismiss",

  // Videos
  video: "Video",
  strangersVideo: "Stranger's video",
  yourVideo: "Your video",
  captionConnecting: "Connecting…",
  captionLooking: "Looking for a stranger…",
  captionLookingShared: "Looking for someone who shares your interests…",
  captionReconnecting: "Connection interrupted. Reconnecting…",
  captionStrangerNoCamera: "The stranger has no camera",
  captionStrangerPaused: "The stranger paused their video",
  captionNoCamera: "No camera",
  captionCameraOff: "Camera off",
  captionTextOnly: "Text only: no camera, no video",
  tapToHear: "Tap to hear the stranger",
  quality: "Connection",
  good: "good",
  fair: "fair",
  poor: "poor",

  // Controls
  controls: "Controls",
  microphone: "Microphone",
  camera: "Camera",
  microphoneOn: "Microphone on",
  cameraOn: "Camera on",
  mic: "Mic",
  cam: "Cam",
  noneFound: "None found",
  next: "Next",
  swipeForNext: "Swipe left for the next stranger",
  shareScreen: "Share screen",
  stopSharing: "Stop sharing",
  screenDenied: "Screen sharing was cancelled or blocked. Your camera is still on.",
  strangerVolume: "Stranger's volume",
  muteStranger: "Mute stranger",
  unmuteStranger: "Unmute stranger",
  settings: "Settings",
  closeSettings: "Close settings",

  // Who you meet
  whoYouMeet: "Who you meet",
  interests: "Interests",
  addInterest: "Add an interest, then Enter",
  removeInterest: (tag: string) => `Remove ${tag}`,
  interestTooLong: "An interest is at most 32 characters.",
  tooManyInterests: "At most 5 interests.",
  iSpeak: "I speak",
  anyLanguage: "Any language",
  textOnly: "Text only",
  iAm: "I am",
  showMe: "Show me",
  selfDeclared: "Self-declared, never verified.",
  woman: "A woman",
  man: "A man",
  otherGender: "Other",
  unsaid: "Not saying",
  anyone: "Anyone",
  women: "Women",
  men: "Men",
  others: "Other",
};

/** A catalog: every key of the English one, each with the same kind of value. */
export type Catalog = { readonly [K in keyof typeof en]: (typeof en)[K] };
export type TextKey = { [K in keyof Catalog]: Catalog[K] extends string ? K : never }[keyof Catalog];
