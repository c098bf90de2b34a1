/**
 * The consent screen before the camera: "I am at least N years old and
 * accept the rules", once per browser (localStorage), asked again when the
 * operator changes the age or the rules; none with --min-age 0.
 */
import { type ReadonlySignal, signal } from "@preact/signals";

/** What the model needs of localStorage; null where there is none (or it throws, as in some private modes). */
export type ConsentStorage = Pick<Storage, "getItem" | "setItem"> | null;

export const CONSENT_KEY = "chatroulette:consent";

export interface ConsentModel {
  readonly minAge: number;
  readonly rules: string;
  /** True until the visitor accepts (or never, with minAge 0). */
  readonly needed: ReadonlySignal<boolean>;
  accept(): void;
}

/**
 * @example
 * const consent = createConsentModel({ minAge: 18, rules: "Be kind.", storage: localStorage });
 * consent.needed.value; // true the first time
 * consent.accept();     // remembered in this browser
 */
export function createConsentModel({ minAge, rules, storage }: { minAge: number; rules: string; storage: ConsentStorage }): ConsentModel {
  const value = `${minAge}:${hash(rules)}`;
  const needed = signal(minAge > 0 && read(storage) !== value);
  return {
    minAge,
    rules,
    needed,
    accept() {
      try {
        storage?.setItem(CONSENT_KEY, value);
      } catch {
        // Not remembered; this visit goes on anyway.
      }
      needed.value = false;
    },
  };
}

function read(storage: ConsentStorage): string | null {
  try {
    return storage?.getItem(CONSENT_KEY) ?? null;
  } catch {
    return null;
  }
}

/** FNV-1a: enough to notice that the rules changed. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
