/**
 * The house rules a visitor accepts on the consent screen: a short built-in
 * text, or the operator's --rules file. The page shows them as plain text
 * (never as HTML), so Markdown shows as written.
 */
import { readFile } from "node:fs/promises";
import { ConfigError } from "../config/load.ts";

/** Longest rules text: it is inline in every page load. */
export const MAX_RULES_LENGTH = 16_384;

export function defaultRules(minAge: number): string {
  return [
    `You must be at least ${minAge} years old.`,
    "No nudity or sexual content, no harassment, hate or threats, no spam or advertising.",
    "Don't record or share anyone without their consent.",
    "Press Next to leave anyone at any time, and Report anyone who breaks these rules: visitors reported by several people are banned.",
  ].join("\n");
}

/**
 * The rules to show: the file's text, or the built-in text when `path` is "".
 * @example
 * await loadHouseRules("", 18);          // the built-in rules
 * await loadHouseRules("rules.md", 18);  // the file, as text
 * @throws ConfigError naming --rules when the file cannot be read or is too long
 */
export async function loadHouseRules(path: string, minAge: number): Promise<string> {
  if (path === "") return defaultRules(minAge);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(`Cannot read --rules "${path}": ${reason}`);
  }
  text = text.replace(/^\uFEFF/, "").trim();
  if (text.length === 0 || text.length > MAX_RULES_LENGTH) {
    throw new ConfigError(`Invalid --rules "${path}": expected a text file of 1 to ${MAX_RULES_LENGTH} characters (it has ${text.length})`);
  }
  return text;
}
