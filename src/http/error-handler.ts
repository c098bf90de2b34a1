/**
 * The one Express error handler: refusals become their JSON body and status;
 * anything else is logged and answered with a generic 500.
 */
import type { ErrorRequestHandler } from "express";
import { Refusal } from "../refusal.ts";
import type { Logger } from "../log.ts";
import type { RefusalCode } from "../protocol/index.ts";

/** `refused` hears the code of every refusal answered (for the metrics). */
export function errorHandler(log: Logger, refused: (code: RefusalCode) => void = () => {}): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    let refusal: Refusal;
    if (error instanceof Refusal) refusal = error;
    else if (error?.status === 413) refusal = new Refusal("payload_too_large");
    else if (typeof error?.status === "number" && error.status >= 400 && error.status < 500) {
      refusal = new Refusal("bad_request", {}, error.expose ? error.message : "Malformed request.");
    } else {
      log.error(`${req.method} ${req.originalUrl} failed: ${error?.stack ?? error}`);
      refusal = new Refusal("internal");
    }
    refused(refusal.code);
    res.status(refusal.status).set(refusal.headers()).type("application/json").send(refusal.body());
  };
}
