/**
 * #report, over the stranger's video: enabled while paired and for a minute
 * after the stranger left; it opens the list of reasons, and one click on a
 * reason reports.
 */
import type { ReadonlySignal } from "@preact/signals";
import { useState } from "preact/hooks";
import { REPORT_REASONS, type ReportReason } from "../../src/protocol/index.ts";
import type { Catalog } from "../i18n/index.ts";
import { reasonText } from "../model/safety-text.ts";

export function ReportButton({ t, canReport, report, minAge }: {
  t: Catalog;
  canReport: ReadonlySignal<boolean>;
  report: (reason: ReportReason) => void;
  minAge: number;
}) {
  const [open, setOpen] = useState(false);
  const enabled = canReport.value;
  const choose = (reason: ReportReason) => {
    setOpen(false);
    report(reason);
  };
  return (
    <div
      class="report"
      // Escape closes the list here; it must not reach the page's Next shortcut.
      onKeyDown={(event) => {
        if (event.key !== "Escape" || !open) return;
        event.stopPropagation();
        setOpen(false);
      }}
    >
      <button
        id="report"
        type="button"
        disabled={!enabled}
        aria-haspopup="menu"
        aria-expanded={open && enabled}
        title={t.reportTitle}
        onClick={() => setOpen(!open)}
      >
        ⚑ {t.report}
      </button>
      {open && enabled && (
        <ul id="reportReasons" role="menu" aria-label={t.reportTitle}>
          {REPORT_REASONS.map((reason) => (
            <li key={reason} role="none">
              <button type="button" role="menuitem" data-reason={reason} onClick={() => choose(reason)}>
                {reasonText(t, reason, minAge)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
