/**
 * The country table (src/geo/countries.ts) is the runtime's ICU data kept as
 * text: it must say what Intl.DisplayNames says, code for code and name for
 * name, so that a Node or ICU update that adds or renames a region shows here.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { countryName, normalizeCountryCode, REGIONS } from "../src/geo/countries.ts";

const icu = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
const letters = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
const allPairs = letters.flatMap((a) => letters.map((b) => a + b));

test("when every two-letter code is checked, then the table knows exactly the regions ICU names, by the same names", () => {
  const named = allPairs.filter((code) => code !== "ZZ" && icu.of(code) !== code);
  assert.deepEqual(REGIONS.split("|").map((entry) => entry.slice(0, 2)), named);
  for (const code of named) assert.equal(countryName(code), icu.of(code), code);
});

test("when a code is normalized, then case and spaces do not matter and unknown codes are refused", () => {
  assert.equal(normalizeCountryCode(" in "), "IN");
  assert.equal(normalizeCountryCode("ZZ"), undefined);
  assert.equal(normalizeCountryCode("INDIA"), undefined);
  assert.equal(normalizeCountryCode("I"), undefined);
  assert.equal(countryName("QQ"), "QQ");
});
