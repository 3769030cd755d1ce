/**
 * CSV as the exports write it (reports, the audit log): RFC 4180, CRLF line ends, and
 * safe to open in a spreadsheet. Cells come from outside (names, tags, handles), and a
 * spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * as a formula (OWASP "CSV injection"): such a cell is written with a leading `'`.
 */

export type CsvCell = string | number | null;

/** One cell: empty for null, quoted when it holds a quote, comma or line break. */
export function csvCell(value: CsvCell): string {
	if (value === null) return "";
	if (typeof value === "number") return String(value);
	const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of cells, with its CRLF. */
export function csvLine(cells: readonly CsvCell[]): string {
	return `${cells.map(csvCell).join(",")}\r\n`;
}
