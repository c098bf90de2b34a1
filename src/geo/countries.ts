/**
 * ISO 3166-1 alpha-2 validation and display names, from the runtime's own
 * ICU data (Node and Deno ship full ICU), so no country list is kept here.
 */
const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** "in" → "IN" when it names a region; otherwise undefined. */
export function normalizeCountryCode(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || code === "ZZ") return undefined;
  return names.of(code) === code ? undefined : code;
}

/** "IN" → "India"; unknown codes come back unchanged. */
export function countryName(code: string): string {
  return names.of(code) ?? code;
}
