/**
 * The page's words: every catalog has every key of the English one, with the
 * same kind of value, and the language is picked as the visitor expects.
 * Also the connection-quality levels, which the page shows in words too.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CATALOGS, LOCALES, pickLocale } from "../ui/i18n/index.ts";
import { en } from "../ui/i18n/en.ts";
import { createQualityModel, qualityLevel, QUALITY_EVERY_MS } from "../ui/model/quality.ts";
import { CAPTION, refusalWords, say, TEXT } from "../ui/model/text.ts";
import { FakeTimers, settle } from "./fakes/browser.ts";

describe("message catalogs", () => {
  for (const locale of LOCALES) {
    test(`when the ${locale} catalog is read, then it has every key of the English one, each filled, functions taking the same blanks`, () => {
      const catalog = CATALOGS[locale] as Record<string, unknown>;
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), "the same keys, no more, no fewer");
      for (const [key, value] of Object.entries(en)) {
        const theirs = catalog[key];
        assert.equal(typeof theirs, typeof value, key);
        if (typeof value === "function") {
          assert.equal((theirs as () => string).length, value.length, `${key} takes ${value.length} blanks`);
          assert.ok(((theirs as (...a: string[]) => string)("①", "②")).includes("①"), `${key} uses its blank`);
        } else assert.ok((theirs as string).trim().length > 0, `${key} is not empty`);
      }
    });
  }

  test("when the models' keys are said, then each is in the catalogs", () => {
    for (const key of [...Object.values(TEXT), ...Object.values(CAPTION)]) {
      for (const locale of LOCALES) assert.ok(say(CATALOGS[locale], key, ["x"]).length > 0, `${locale} ${key}`);
    }
  });

  test("when languages are listed, then the first the page speaks is chosen, else English", () => {
    assert.equal(pickLocale(["zh-CN", "en"]), "zh");
    assert.equal(pickLocale(["fr-FR", "zh-Hant-TW"]), "zh");
    assert.equal(pickLocale(["en-GB", "zh"]), "en");
    assert.equal(pickLocale(["de"]), "en");
    assert.equal(pickLocale([]), "en");
  });

  test("when the server refuses a country, then the page says it in the visitor's language, naming the country", () => {
    assert.equal(refusalWords(CATALOGS.en, { code: "country_blocked", country: "US" }), "Chatroulette is not available in your country (United States).");
    assert.match(refusalWords(CATALOGS.zh, { code: "country_blocked", country: "US" }), /美国/);
    assert.equal(refusalWords(CATALOGS.en, { code: "country_blocked", country: null }), en.countryUnknown);
    assert.equal(refusalWords(CATALOGS.zh, { code: "server_full", country: null }), CATALOGS.zh.serverFull);
  });
});

describe("connection quality", () => {
  const sample = (rttMs: number | null, packetsReceived: number, packetsLost: number, fps: number | null) => ({ rttMs, packetsReceived, packetsLost, fps });

  test("when round trip, loss and frame rate are read, then each can make the level fair or poor", () => {
    assert.equal(qualityLevel(null, sample(40, 1000, 0, 30), true), "good");
    assert.equal(qualityLevel(null, sample(300, 1000, 0, 30), true), "fair");
    assert.equal(qualityLevel(null, sample(700, 1000, 0, 30), true), "poor");
    assert.equal(qualityLevel(sample(40, 1000, 0, 30), sample(40, 1970, 30, 30), true), "fair", "3 % lost since the last reading");
    assert.equal(qualityLevel(sample(40, 1000, 0, 30), sample(40, 1900, 100, 30), true), "poor");
    assert.equal(qualityLevel(sample(40, 1000, 50, 30), sample(40, 2000, 50, 30), true), "good", "old losses do not count again");
    assert.equal(qualityLevel(null, sample(40, 1000, 0, 5), true), "poor");
    assert.equal(qualityLevel(null, sample(40, 1000, 0, 5), false), "good", "no video expected: its frame rate does not count");
    assert.equal(qualityLevel(null, sample(null, 0, 0, null), true), "good");
  });

  test("when watched, then the level follows the readings, trouble makes it poor, and stop clears it", async () => {
    const timers = new FakeTimers();
    const quality = createQualityModel(timers);
    let reading = sample(40, 100, 0, 30);
    quality.watch(async () => reading, () => true);
    assert.equal(quality.level.value, null);
    await timers.advance(QUALITY_EVERY_MS);
    await settle();
    assert.equal(quality.level.value, "good");
    reading = sample(800, 200, 0, 30);
    await timers.advance(QUALITY_EVERY_MS);
    await settle();
    assert.equal(quality.level.value, "poor");
    quality.trouble(true);
    reading = sample(40, 300, 0, 30);
    await timers.advance(QUALITY_EVERY_MS);
    await settle();
    assert.equal(quality.level.value, "poor", "while in trouble");
    quality.trouble(false);
    assert.equal(quality.level.value, "good");
    quality.stop();
    assert.equal(quality.level.value, null);
  });
});
