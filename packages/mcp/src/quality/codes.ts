/**
 * The one list of quality issue codes. Codes are stable snake_case names: clients and the
 * console key on them. `weight` is what the issue costs the document score (see assess.ts);
 * profile codes cost nothing, they decide `passed` through `failedRules`.
 */
export const ISSUE_CODES = {
  empty_document: { severity: "error", weight: "score 0", description: "No readable words at all." },
  near_empty_document: { severity: "warning", weight: "−40", description: "Fewer than 20 words." },
  short_document: { severity: "info", weight: "−10", description: "Fewer than 100 words." },
  garbled_encoding: { severity: "info|warning|error", weight: "−min(50, 1000·ratio)", description: "U+FFFD, private-use glyphs, C0/C1 controls, (cid:n), mojibake such as Ã© or â€™; ratio of characters (info < 0.5 %, warning < 5 %, error ≥ 5 %)." },
  ocr_garbage: { severity: "info|warning|error", weight: "−min(40, 400·ratio)", description: "Tokens that look like OCR noise: > 30 characters, < 50 % letters/digits (≥ 4 characters), or one letter repeated 4+ times; ratio of tokens (info < 2 %, warning < 20 %, error ≥ 20 %). First one located." },
  empty_page: { severity: "warning", weight: "−min(30, 30·share of empty pages)", description: "A page without words (multi-page documents)." },
  near_empty_page: { severity: "info", weight: "0", description: "A page with fewer than 10 words while the document averages ≥ 50 words per page." },
  low_letter_ratio: { severity: "warning", weight: "−15", description: "Letters are < 50 % of non-space characters." },
  low_readability: { severity: "warning|info", weight: "−15 / −5", description: "Flesch reading ease < 0 / < 30 (English or undetermined text, ≥ 100 words)." },
  language_undetermined: { severity: "info", weight: "−5 (≥ 20 words), else 0", description: "No language detected." },
  duplicate_paragraph: { severity: "warning", weight: "−5 each, at most −20", description: "A paragraph (≥ 8 words) repeats an earlier one; located at the repeat." },
  spelling_error: { severity: "info|warning", weight: "−min(20, 200·(ratio − 3 %)) above 3 %", description: "A word the English dictionary (nspell, en_US) does not know, English text only; one issue per distinct word at its first occurrence (message gives the count), at most 20, then a summary. Numbers, words with digits, URLs, e-mails, tokens over 40 characters, ALL-CAPS, words under 3 letters and capitalised words not starting a sentence are skipped; British spellings and accents are accepted. Ratio = misspelled / checked words (metrics.spellingErrorRate); warning from 5 % with ≥ 50 words checked, else info." },
  pii_email: { severity: "warning", weight: "0", description: "An e-mail address." },
  pii_phone: { severity: "warning", weight: "0", description: "A phone number (9–15 digits, with + / parentheses or two separators)." },
  pii_card: { severity: "warning", weight: "0", description: "A payment card number (13–19 digits passing the Luhn check)." },
  pii_iban: { severity: "warning", weight: "0", description: "An IBAN passing the mod-97 check." },
  extraction_truncated: { severity: "warning", weight: "−10", description: "Extraction stopped at a page/character/time limit." },
  possibly_truncated: { severity: "info", weight: "−3", description: "The text ends mid-sentence (no terminal punctuation after ≥ 100 words)." },
  metadata_incomplete: { severity: "info", weight: "0", description: "A PDF or DOCX without title, author or creation date." },
  near_duplicate_document: { severity: "warning", weight: "0", description: "An earlier document's simhash is within 10 of 64 bits of this one (equal for a copy); the message names it." },
  // Profile rules (see profile.ts): raised only when a rule fails.
  too_few_words: { severity: "error", weight: "0 (profile)", description: "Fewer words than the profile's minWords." },
  language_not_allowed: { severity: "error", weight: "0 (profile)", description: "Language not in the profile's allowedLanguages." },
  garbled_ratio_exceeded: { severity: "error", weight: "0 (profile)", description: "Garbled ratio above the profile's maxGarbledRatio." },
  spelling_error_rate_exceeded: { severity: "error", weight: "0 (profile)", description: "Spelling error rate above the profile's maxSpellingErrorRate (English text only)." },
  personal_data_not_allowed: { severity: "error", weight: "0 (profile)", description: "Personal data found while the profile forbids it." },
  missing_required_phrase: { severity: "error", weight: "0 (profile)", description: "A phrase the profile requires is absent." },
  page_count_out_of_range: { severity: "error", weight: "0 (profile)", description: "Page count outside the profile's pageRange." },
  score_below_minimum: { severity: "error", weight: "0 (profile)", description: "Score below the profile's minScore." },
} as const;

export type IssueCode = keyof typeof ISSUE_CODES;
