/**
 * Client-given text (a document name, a reason) made safe to put in a log line or a
 * denial message: Hocuspocus prints a hook's error message raw, so a newline in a document
 * name would otherwise start a forged log line of its own.
 */

/** Longest stretch of client text quoted. */
const MAX_QUOTED = 200;

/**
 * The text in double quotes with every control, line or paragraph separator and
 * formatting character written as an escape (`\n`, `\u001b`, `\u2028`), cut to 200 chars.
 */
export function quoteClientText(text: string): string {
	const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
	// JSON.stringify escapes C0 controls, quotes and backslashes; the rest by hand.
	return JSON.stringify(cut).replace(
		/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
		(char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
	);
}
