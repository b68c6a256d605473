import { findPersonalData } from "../text";

/** A span of the document's extracted text (`offset`/`length` in UTF-16 code units). */
export type Span = { text: string; offset: number; length: number };
export type DateEntity = Span & { iso: string | null };
export type AmountEntity = Span & { value: number | null; currency: string | null };
export type Entities = {
  dates: DateEntity[];
  amounts: AmountEntity[];
  emails: Span[];
  urls: Span[];
  /** True when a kind had more than MAX_PER_KIND matches and only the first are listed. */
  capped: boolean;
};

export const MAX_PER_KIND = 100;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
// Each alternative is anchored on digits or a month name and has bounded repeats: linear time.
const DATE_RE = new RegExp(
  [
    "\\b(\\d{4})-(\\d{2})-(\\d{2})(?:[T ]\\d{2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b", // ISO 8601
    `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`, // 31 March 2024
    `\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, // March 31, 2024
    "\\b(\\d{1,2})[./](\\d{1,2})[./](\\d{4}|\\d{2})\\b", // 31.03.2024 or 03/31/24: day-month order unknown
  ].join("|"),
  "gi",
);
const CURRENCY_SYMBOLS: Record<string, string> = { $: "USD", "€": "EUR", "£": "GBP", "¥": "JPY" };
const NUMBER = "\\d{1,3}(?:[,.\\u00a0 ]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?";
const AMOUNT_RE = new RegExp(
  `(?:([$€£¥])\\s?|\\b(USD|EUR|GBP|CHF|JPY|CAD|AUD)\\s?)(${NUMBER})` +
    `|\\b(${NUMBER})\\s?(?:(USD|EUR|GBP|CHF|JPY|CAD|AUD)\\b|([€£])|(dollars?|euros?|pounds?)\\b)`,
  "gi",
);
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]{1,2048}/gi;

/** Dates, amounts of money, e-mail addresses and URLs in `text`, each with its offset. */
export function findEntities(text: string): Entities {
  let capped = false;
  const collect = <T>(re: RegExp, make: (m: RegExpExecArray) => T | null): T[] => {
    const out: T[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const item = make(m);
      if (!item) continue;
      if (out.length >= MAX_PER_KIND) {
        capped = true;
        break;
      }
      out.push(item);
    }
    return out;
  };
  const span = (m: RegExpExecArray, value = m[0]): Span => ({ text: value, offset: m.index, length: value.length });
  const dates = collect(DATE_RE, (m) => ({ ...span(m), iso: isoDate(m) }));
  const amounts = collect(AMOUNT_RE, (m) => amount(m));
  const urls = collect(URL_RE, (m) => span(m, m[0].replace(/[.,;:!?)\]]+$/, "")));
  const emails = findPersonalData(text).filter((p) => p.kind === "email");
  if (emails.length > MAX_PER_KIND) capped = true;
  return {
    dates,
    amounts,
    emails: emails.slice(0, MAX_PER_KIND).map((e) => ({ text: e.value, offset: e.offset, length: e.length })),
    urls,
    capped,
  };
}

function isoDate(m: RegExpExecArray): string | null {
  let y: number, mo: number, d: number;
  if (m[1]) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if (m[4]) [y, mo, d] = [Number(m[6]), month(m[5]!), Number(m[4])];
  else if (m[7]) [y, mo, d] = [Number(m[9]), month(m[7]), Number(m[8])];
  else return null; // numeric day/month order is ambiguous: keep the text, no ISO value
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function month(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function amount(m: RegExpExecArray): AmountEntity | null {
  const number = m[3] ?? m[4];
  if (!number) return null;
  const word = m[7]?.toLowerCase();
  const currency =
    (m[1] && CURRENCY_SYMBOLS[m[1]]) ||
    (m[6] && CURRENCY_SYMBOLS[m[6]]) ||
    m[2]?.toUpperCase() ||
    m[5]?.toUpperCase() ||
    (word?.startsWith("dollar") ? "USD" : word?.startsWith("euro") ? "EUR" : word?.startsWith("pound") ? "GBP" : null);
  return { text: m[0], offset: m.index, length: m[0].length, value: parseAmount(number), currency: currency || null };
}

/** "1,234.50" / "1.234,50" / "1 234" → 1234.5 / 1234.5 / 1234; the last separator with 1–2 digits is decimal. */
function parseAmount(raw: string): number | null {
  const decimal = /[.,](\d{1,2})$/.exec(raw);
  const whole = (decimal ? raw.slice(0, decimal.index) : raw).replace(/[^\d]/g, "");
  const value = Number(`${whole}${decimal ? `.${decimal[1]}` : ""}`);
  return Number.isFinite(value) ? value : null;
}
