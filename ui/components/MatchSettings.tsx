/**
 * Who the visitor meets: interests (free tags, at most five), the language
 * they speak, text only, and, when the server allows, "I am" and "Show me"
 * (labelled as self-declared). Changes apply to the next stranger (at once
 * while waiting).
 */
import { useMemo, useState } from "preact/hooks";
import { type Gender, GENDERS, LANGUAGES, LOOKING_FOR, type LookingFor, MAX_INTEREST_LENGTH } from "../../src/protocol/index.ts";
import type { Catalog, TextKey } from "../i18n/index.ts";
import type { SettingsModel } from "../model/settings.ts";

const GENDER_WORDS = { woman: "woman", man: "man", other: "otherGender", unsaid: "unsaid" } as const satisfies Record<Gender, keyof Catalog>;
const WANT_WORDS = { anyone: "anyone", women: "women", men: "men", other: "others" } as const satisfies Record<LookingFor, keyof Catalog>;

export function MatchSettings({ t, settings }: { t: Catalog; settings: SettingsModel }) {
  const [problem, setProblem] = useState<TextKey | null>(null);
  const languages = useMemo(() => languageNames(t.lang), [t.lang]);
  const add = (input: HTMLInputElement) => {
    const why = settings.addInterest(input.value);
    setProblem(why);
    if (!why) input.value = "";
  };
  const interests = settings.interests.value;
  return (
    <fieldset class="match">
      <legend>{t.whoYouMeet}</legend>
      <label for="interests">{t.interests}</label>
      {interests.length > 0 && (
        <ul class="tags">
          {interests.map((tag) => (
            <li key={tag}>
              {tag}
              <button type="button" aria-label={t.removeInterest(tag)} onClick={() => settings.removeInterest(tag)}>×</button>
            </li>
          ))}
        </ul>
      )}
      <input
        id="interests"
        type="text"
        autocomplete="off"
        enterkeyhint="done"
        maxLength={MAX_INTEREST_LENGTH + 8}
        placeholder={t.addInterest}
        aria-describedby={problem ? "interests-problem" : undefined}
        onKeyDown={(e) => {
          if (e.key !== "Enter" && e.key !== ",") return;
          if (e.isComposing) return;
          e.preventDefault();
          add(e.currentTarget);
        }}
        onBlur={(e) => e.currentTarget.value.trim() && add(e.currentTarget)}
      />
      {problem && <p id="interests-problem" class="hint" role="alert">{t[problem]}</p>}
      <div class="row">
        <label for="speak">{t.iSpeak}</label>
        <select id="speak" value={settings.speak.value ?? ""} onChange={(e) => settings.setSpeak(e.currentTarget.value || null)}>
          <option value="">{t.anyLanguage}</option>
          {languages.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </div>
      <label class="toggle" for="textOnly">
        <input id="textOnly" type="checkbox" role="switch" checked={settings.textOnly.value} onChange={(e) => settings.setTextOnly(e.currentTarget.checked)} />
        <span>{t.textOnly}</span>
      </label>
      {settings.preferences && (
        <div class="preferences">
          <div class="row">
            <label for="myGender">{t.iAm}</label>
            <select id="myGender" value={settings.gender.value} onChange={(e) => settings.setGender(e.currentTarget.value as Gender)}>
              {GENDERS.map((g) => <option key={g} value={g}>{t[GENDER_WORDS[g]]}</option>)}
            </select>
          </div>
          <div class="row">
            <label for="lookingFor">{t.showMe}</label>
            <select id="lookingFor" value={settings.lookingFor.value} onChange={(e) => settings.setLookingFor(e.currentTarget.value as LookingFor)}>
              {LOOKING_FOR.map((w) => <option key={w} value={w}>{t[WANT_WORDS[w]]}</option>)}
            </select>
          </div>
          <p class="hint">{t.selfDeclared}</p>
        </div>
      )}
    </fieldset>
  );
}

/** Every language a visitor may say they speak, named in the page's language, in its alphabetical order. */
function languageNames(lang: string): Array<[string, string]> {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([lang], { type: "language" });
  } catch {
    // An old browser: the codes themselves.
  }
  const named = LANGUAGES.map((code): [string, string] => [code, names?.of(code) ?? code]);
  return named.sort((a, b) => a[1].localeCompare(b[1], lang));
}
