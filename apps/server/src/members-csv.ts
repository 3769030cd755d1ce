/**
 * A CSV of employees to invite, as an HR export gives it: a header row naming the
 * columns (any order, any case) and one person per row. Each row becomes the body of one
 * invitation with the line it starts on, so every refusal can name its line; whether a row
 * is valid is decided later, by the invitation's schema and the database, for the CLI and
 * the admin screen alike.
 */
import { readCsvRecords } from "@switchboard/connectors";
import { AppError, plural } from "@switchboard/domain";

/** The columns, by header name; only `email` is required. */
export const MEMBER_CSV_COLUMNS = [
	"email",
	"name",
	"role",
	"capacity",
	"skills",
	"languages",
	"team",
] as const;

/** One row: the line it starts on (1-based) and the invitation it asks for. */
export interface MemberCsvRow {
	line: number;
	invite: Record<string, unknown>;
}

export interface MemberCsvProblem {
	line: number;
	email: string;
	reason: string;
}

export interface ParsedMembersCsv {
	rows: MemberCsvRow[];
	/** Rows that are not rows (too many or too few fields): never invited. */
	problems: MemberCsvProblem[];
}

/** A cell of several values: `;` or `|` between them (a comma would split the cell). */
function list(cell: string | undefined): string[] | undefined {
	const items = cell
		?.split(/[;|]/)
		.map((item) => item.trim())
		.filter(Boolean);
	return items && items.length > 0 ? items : undefined;
}

/**
 * The separator between columns: a spreadsheet saves "CSV" with `;` where the decimal mark is
 * a comma (French, German, Dutch… Excel), which read with `,` made the header one column,
 * "email;name;role", and the file was refused as having no email column. A header row with a
 * `;` and no `,` is such a file; a list in one of its cells is then separated by `|`.
 */
function delimiterOf(text: string): "," | ";" {
	const end = text.indexOf("\n");
	const header = end === -1 ? text : text.slice(0, end);
	return header.includes(";") && !header.includes(",") ? ";" : ",";
}

/**
 * Read a members CSV. Throws `invalid` when it is not CSV or lacks an `email` column; a
 * row that cannot be read is a problem with its line, the others are returned.
 */
export function parseMembersCsv(text: string): ParsedMembersCsv {
	const records = readCsvRecords(text, { trim: true, delimiter: delimiterOf(text) });
	const first = records[0];
	if (first && !("email" in first.record) && !first.fieldCountWrong) {
		throw new AppError(
			"invalid",
			`The CSV header has no email column; the columns are ${MEMBER_CSV_COLUMNS.join(", ")}.`,
		);
	}
	const parsed: ParsedMembersCsv = { rows: [], problems: [] };
	for (const { record, line, fieldCountWrong } of records) {
		if (fieldCountWrong) {
			parsed.problems.push({
				line,
				email: record.email ?? "",
				reason: "has a different number of fields than the header",
			});
			continue;
		}
		const capacity = record.capacity;
		const skills = list(record.skills);
		const languages = list(record.languages);
		const boards = list(record.team);
		parsed.rows.push({
			line,
			invite: {
				email: record.email ?? "",
				// An HR export has no roles: a role left out is an ambassador's, or, for someone
				// invited again, the one their open invitation gives.
				...(record.role ? { role: record.role.toLowerCase() } : {}),
				...(record.name ? { name: record.name } : {}),
				...(capacity ? { capacity: /^\d+$/.test(capacity) ? Number(capacity) : capacity } : {}),
				...(skills ? { skills } : {}),
				...(languages ? { languages } : {}),
				...(boards ? { boards } : {}),
			},
		});
	}
	return parsed;
}

/** The invite command's last line when refused rows stop the file: nobody was invited. */
export function refusedFileSummary(refused: number, rows: number, good: number): string {
	const verb = refused === 1 ? "is" : "are";
	const goodOnes =
		good > 0 ? `, or pass --good-rows-only to invite the ${plural(good, "good row")}` : "";
	return `${refused} of ${plural(rows, "row")} ${verb} refused (above); nobody was invited. Fix ${refused === 1 ? "it" : "them"}${goodOnes}.`;
}

/** The invite command's last line: who was invited, and how they get their links. */
export function invitedSummary(
	invited: number,
	orgId: string,
	refused: number,
	mailed: boolean,
): string {
	return `Invited ${plural(invited, "person", "people")} to ${orgId}${refused > 0 ? `, ${plural(refused, "row")} refused` : ""}. ${mailed ? "The links were mailed." : "Hand each person their link (above); each works once, for 7 days."}`;
}

/** The invite command's answer to --dry-run. */
export function dryRunSummary(good: number, orgId: string, refused: number): string {
	return `Dry run: ${plural(good, "person", "people")} would be invited to ${orgId}, ${plural(refused, "row")} refused; nobody was invited.`;
}
