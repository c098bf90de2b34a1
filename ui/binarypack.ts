/**
 * Stands in for `peerjs-js-binarypack` in the page bundle. peerjs imports it
 * for its "binary" data serialization; the page opens its data connections as
 * JSON and closes any other a stranger offers (ui/peer-client.ts), so the
 * packer is never called. Dropping it saves ~2.6 KB gzipped of the page's
 * JavaScript (BENCHMARKS.md, page weight).
 */
function unused(): never {
  throw new Error("The page speaks JSON on its data connections; binary serialization is not bundled.");
}

export const pack = unused;
export const unpack = unused;
