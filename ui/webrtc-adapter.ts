/**
 * Stands in for the `webrtc-adapter` package in the page bundle. peerjs uses
 * it only for `browserDetails` (its support report); its shims target browsers
 * older than WebRTC's standard API, which every browser we serve has. Dropping
 * it saves ~10 KB gzipped of the page's JavaScript.
 */
function detect(ua: string): { browser: string; version: number | null } {
  const match = /(Firefox|Edg|Chrome|Chromium)\/(\d+)/.exec(ua);
  if (match) return { browser: match[1] === "Firefox" ? "firefox" : "chrome", version: Number(match[2]) };
  // Like webrtc-adapter, Safari is versioned by its WebKit build (peerjs wants ≥ 605).
  const webkit = /AppleWebKit\/(\d+).*Version\/\d+.*Safari\//.exec(ua);
  if (webkit) return { browser: "safari", version: Number(webkit[1]) };
  return { browser: "Not a supported browser.", version: null };
}

export default { browserDetails: detect(typeof navigator === "undefined" ? "" : navigator.userAgent) };
