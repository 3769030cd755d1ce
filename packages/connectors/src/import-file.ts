/**
 * Import files: mentions from JSON, CSV, or the Twitter customer-care dataset. Each row is
 * checked on its own, so one bad row is reported (with its line and why) and the others
 * still import.
 */
import { AppError } from "@switchboard/domain";
import { parse as parseCsv } from "csv-parse/sync";
import {
	getNodeValue,
	type Node,
	type ParseError,
	parseTree,
	printParseErrorCode,
} from "jsonc-parser";
import * as v from "valibot";
import { describeIssues, MentionInputSchema, toIncomingMention } from "./mention-input.ts";
import type { IncomingMention } from "./triage.ts";
import { TwitterCareConversationSchema, twitterCareToMentions } from "./twitter-care.ts";

export const ImportFormats = ["json", "csv", "twitter-care"] as const;
export type ImportFormat = (typeof ImportFormats)[number];

/** A row that parsed, with the line it starts on (1-based). */
export interface ImportRow {
	line: number;
	mention: IncomingMention;
}

/** A row that did not, and why. */
export interface RejectedRow {
	line: number;
	reason: string;
}

export interface ParsedImport {
	rows: ImportRow[];
	rejected: RejectedRow[];
}

/**
 * The columns of a CSV import, by header name. `author_handle`, `text`, `external_id` and
 * `posted_at` are required; `tags` holds tags separated by `;` or `|`; `in_reply_to` the
 * external id of the message a row continues (a follow-up).
 */
export const CSV_COLUMNS = [
	"network",
	"external_id",
	"url",
	"author_handle",
	"author_name",
	"author_reach",
	"text",
	"posted_at",
	"language",
	"tags",
	"in_reply_to",
] as const;

/** 1-based line of a character offset. */
function lineIndex(text: string): (offset: number) => number {
	const starts = [0];
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
	return (offset) => {
		let low = 0;
		let high = starts.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if ((starts[mid] ?? 0) <= offset) low = mid;
			else high = mid - 1;
		}
		return low + 1;
	};
}

/**
 * The elements of a JSON array file (or of `{ "mentions": [...] }`), each with its line.
 * A file that is not JSON throws, naming the line of the first syntax error.
 */
function jsonElements(text: string, what: string): { line: number; value: unknown }[] {
	const lineOf = lineIndex(text);
	const errors: ParseError[] = [];
	const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
	const first = errors[0];
	if (first || !root) {
		const where = first
			? ` at line ${lineOf(first.offset)}: ${printParseErrorCode(first.error)}`
			: "";
		throw new AppError("invalid", `${what} is not valid JSON${where}.`);
	}
	let list: Node | undefined = root;
	if (root.type === "object") {
		list = root.children?.find((property) => property.children?.[0]?.value === "mentions")
			?.children?.[1];
	}
	if (list?.type !== "array") {
		throw new AppError(
			"invalid",
			`${what} must hold an array of mentions (or { "mentions": [...] }).`,
		);
	}
	return (list.children ?? []).map((node) => ({
		line: lineOf(node.offset),
		value: getNodeValue(node),
	}));
}

function parseJson(text: string, now: Date): ParsedImport {
	const result: ParsedImport = { rows: [], rejected: [] };
	for (const { line, value } of jsonElements(text, "The file")) {
		const parsed = v.safeParse(MentionInputSchema, value);
		if (parsed.success) result.rows.push({ line, mention: toIncomingMention(parsed.output, now) });
		else result.rejected.push({ line, reason: describeIssues(parsed.issues) });
	}
	return result;
}

/** One CSV row by header name (lower case), with the line it starts on. */
export interface CsvRecord {
	record: Record<string, string>;
	line: number;
	/** The row has another number of fields than the header: it is not read. */
	fieldCountWrong: boolean;
}

/**
 * Read a CSV file with a header row: each row by column name, with the line it starts on
 * (a quoted field may span lines). A file that is not CSV throws `invalid` naming the line.
 * Shared by the mention import and the members' invitation file.
 */
export function readCsvRecords(
	text: string,
	options: { trim?: boolean; delimiter?: "," | ";" } = {},
): CsvRecord[] {
	let records: { record: Record<string, string>; info: { lines: number; error?: unknown } }[];
	try {
		records = parseCsv(text, {
			columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
			info: true,
			bom: true,
			skip_empty_lines: true,
			relax_column_count: true,
			trim: options.trim ?? false,
			delimiter: options.delimiter ?? ",",
		});
	} catch (error) {
		const line = (error as { lines?: number }).lines;
		throw new AppError(
			"invalid",
			`The file is not valid CSV${line ? ` at line ${line}` : ""}: ${(error as Error).message}`,
		);
	}
	return records.map(({ record, info }) => {
		// info.lines is where the record ends; quoted fields may span lines.
		const spanned = Object.values(record).join("").split("\n").length - 1;
		return { record, line: info.lines - spanned, fieldCountWrong: info.error !== undefined };
	});
}

function parseCsvFile(text: string, now: Date): ParsedImport {
	const records = readCsvRecords(text);
	const result: ParsedImport = { rows: [], rejected: [] };
	const first = records[0];
	const missing = first
		? ["external_id", "author_handle", "text", "posted_at"].filter(
				(column) => !(column in first.record) && !first.fieldCountWrong,
			)
		: [];
	if (missing.length > 0) {
		throw new AppError(
			"invalid",
			`The CSV header lacks ${missing.join(", ")}; the columns are ${CSV_COLUMNS.join(", ")}.`,
		);
	}
	for (const { record, line, fieldCountWrong } of records) {
		if (fieldCountWrong) {
			result.rejected.push({
				line,
				reason: `has ${Object.keys(record).length} fields where the header names more`,
			});
			continue;
		}
		const reach = record.author_reach?.trim();
		const tags = record.tags
			?.split(/[;|]/)
			.map((tag) => tag.trim())
			.filter(Boolean);
		const candidate = {
			...(record.network ? { network: record.network.trim().toLowerCase() } : {}),
			externalId: record.external_id,
			url: record.url?.trim() || null,
			author: {
				handle: record.author_handle,
				...(record.author_name ? { name: record.author_name } : {}),
				...(reach ? { reach: /^\d+$/.test(reach) ? Number(reach) : reach } : {}),
			},
			text: record.text,
			postedAt: record.posted_at?.trim(),
			...(record.language?.trim() ? { language: record.language.trim() } : {}),
			...(tags && tags.length > 0 ? { tags } : {}),
			...(record.in_reply_to?.trim() ? { inReplyTo: record.in_reply_to.trim() } : {}),
		};
		const parsed = v.safeParse(MentionInputSchema, candidate);
		if (parsed.success) result.rows.push({ line, mention: toIncomingMention(parsed.output, now) });
		else result.rejected.push({ line, reason: describeIssues(parsed.issues) });
	}
	return result;
}

/**
 * The Twitter customer-care dataset: one mention per conversation's first tweet; records
 * branching from the same tweet merge into one mention (see `twitterCareToMentions`).
 */
function parseTwitterCare(text: string, now: Date): ParsedImport {
	const result: ParsedImport = { rows: [], rejected: [] };
	const valid = [];
	const lineOfRoot = new Map<string, number>();
	for (const { line, value } of jsonElements(text, "The dataset")) {
		const parsed = v.safeParse(TwitterCareConversationSchema, value);
		if (!parsed.success) {
			result.rejected.push({ line, reason: describeIssues(parsed.issues) });
			continue;
		}
		valid.push(parsed.output);
		const root = parsed.output.messages[0]?.tweetId;
		if (root && !lineOfRoot.has(root)) lineOfRoot.set(root, line);
	}
	for (const mention of twitterCareToMentions(valid, { now })) {
		// Triage runs again at ingest, with the organisation's rules: keep what the dataset
		// says (brand tag, language), drop the score.
		const { sentiment, priority, ...incoming } = mention;
		result.rows.push({ line: lineOfRoot.get(mention.externalId) ?? 0, mention: incoming });
	}
	return result;
}

/** Parse an import file. A file that cannot be read at all throws an AppError `invalid`. */
export function parseImportFile(text: string, format: ImportFormat, now: Date): ParsedImport {
	switch (format) {
		case "json":
			return parseJson(text, now);
		case "csv":
			return parseCsvFile(text, now);
		case "twitter-care":
			return parseTwitterCare(text, now);
		default: {
			const unreachable: never = format;
			return unreachable;
		}
	}
}

/** The format a file name suggests: `.csv` is CSV, the dataset's name is its own, else JSON. */
export function guessImportFormat(path: string): ImportFormat {
	const lower = path.toLowerCase();
	if (lower.endsWith(".csv")) return "csv";
	if (lower.includes("twitter-care")) return "twitter-care";
	return "json";
}
