/**
 * A source as its form edits it (plain strings and flags), and the conversions to and
 * from the API's `config`. Pure, so the rules are tested without a browser.
 */
import type { NewSourceInput, Source, SourcePatchInput } from "@switchboard/client";
import {
	DEFAULT_BLUESKY_SERVICE,
	DEFAULT_POLL_SECONDS,
	type SourceKind,
} from "@switchboard/domain";
import { parseList, urlProblem } from "./format.ts";

export interface SourceFields {
	kind: SourceKind;
	name: string;
	boardId: string;
	enabled: boolean;
	/** RSS/Atom: the feed's URL. */
	feedUrl: string;
	/** Mastodon: the instance the account lives on. */
	instanceUrl: string;
	/** Bluesky: the service (PDS or entryway). */
	service: string;
	/** Bluesky: the account's handle or DID. */
	identifier: string;
	/** Mastodon and Bluesky: read the account's mention notifications. */
	mentions: boolean;
	/** Comma-separated. */
	keywords: string;
	/** Seconds between polls, as typed; empty for the kind's default. */
	intervalSeconds: string;
	/** Mastodon access token or Bluesky app password; empty keeps the stored one. */
	credential: string;
}

export const SOURCE_KIND_LABELS: Record<SourceKind, string> = {
	webhook: "Signed webhook",
	rss: "RSS / Atom feed",
	mastodon: "Mastodon",
	bluesky: "Bluesky",
};

export const SOURCE_KIND_HINTS: Record<SourceKind, string> = {
	webhook: "Your own systems POST mentions, signed with a secret.",
	// Without keywords every item is a mention (matchesAnyKeyword), as the Keywords field says.
	rss: "A feed polled on a schedule: its items become mentions, all of them or only those with one of your keywords.",
	mastodon: "Mentions of an account, and searches for keywords, on its instance.",
	bluesky: "Mentions, replies and quotes of an account, and searches for keywords.",
};

/** Seconds between polls when none is given (the contract's defaults). */
export const DEFAULT_INTERVAL = DEFAULT_POLL_SECONDS;

export function emptySourceFields(kind: SourceKind = "rss"): SourceFields {
	return {
		kind,
		name: "",
		boardId: "main",
		enabled: true,
		feedUrl: "",
		instanceUrl: "",
		service: DEFAULT_BLUESKY_SERVICE,
		identifier: "",
		mentions: true,
		keywords: "",
		intervalSeconds: "",
		credential: "",
	};
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

export function sourceToFields(source: Source): SourceFields {
	const config = source.config;
	const keywords = Array.isArray(config.keywords) ? config.keywords.map(String) : [];
	return {
		kind: source.kind,
		name: source.name,
		boardId: source.boardId,
		enabled: source.enabled,
		feedUrl: text(config.url),
		instanceUrl: text(config.instanceUrl),
		service: text(config.service) || DEFAULT_BLUESKY_SERVICE,
		identifier: text(config.identifier),
		mentions: config.mentions !== false,
		keywords: keywords.join(", "),
		intervalSeconds:
			typeof config.intervalSeconds === "number" ? String(config.intervalSeconds) : "",
		credential: "",
	};
}

/** What is wrong with a form's fields, each problem at its field. */
export type SourceProblems = Partial<Record<keyof SourceFields, string>>;

/**
 * The problems a person can fix before asking the server, each at its field (the form marks
 * each field and focuses the first); empty when none.
 */
export function sourceFieldProblems(fields: SourceFields, creating: boolean): SourceProblems {
	const found: SourceProblems = {};
	if (!fields.name.trim()) found.name = "Give the source a name.";
	const interval = fields.intervalSeconds.trim();
	if (interval && fields.kind !== "webhook") {
		const seconds = Number(interval);
		if (!Number.isInteger(seconds) || seconds < 30 || seconds > 86_400) {
			found.intervalSeconds = "The interval is a whole number of seconds from 30 to 86400.";
		}
	}
	const url = (name: "feedUrl" | "instanceUrl" | "service", missing: string, what: string) => {
		const problem = fields[name].trim() ? urlProblem(fields[name], what) : missing;
		if (problem) found[name] = problem;
	};
	switch (fields.kind) {
		case "webhook":
			break;
		case "rss":
			url("feedUrl", "Enter the feed's URL.", "The feed's URL");
			break;
		case "mastodon":
			url(
				"instanceUrl",
				"Enter the instance URL, e.g. https://mastodon.social.",
				"The instance URL",
			);
			if (creating && !fields.credential) found.credential = "Enter the account's access token.";
			break;
		case "bluesky":
			if (!fields.identifier.trim()) found.identifier = "Enter the account's handle.";
			// Left empty, the service is Bluesky's own.
			if (fields.service.trim()) url("service", "", "The service URL");
			if (creating && !fields.credential) {
				found.credential = "Enter an app password of the account.";
			}
			break;
		default: {
			const unreachable: never = fields.kind;
			return unreachable;
		}
	}
	return found;
}

/** The form field of each config field the server may refuse by name. */
const CONFIG_FIELDS: Record<string, keyof SourceFields> = {
	url: "feedUrl",
	instanceUrl: "instanceUrl",
	service: "service",
};

/**
 * A refusal of the server that names a config field (`config.url: 10.0.0.5 is a private
 * address: …`), as that field's problem; null for any other refusal, said in the form's alert.
 */
export function refusalProblems(message: string | null): SourceProblems | null {
	const match = /^config\.(\w+): (.+)$/s.exec(message ?? "");
	const field = match?.[1] === undefined ? undefined : CONFIG_FIELDS[match[1]];
	return field && match?.[2] ? { [field]: match[2] } : null;
}

/** The `config` the API takes for these fields, with the kind's defaults spelled out. */
export function fieldsToConfig(fields: SourceFields): Record<string, unknown> {
	const keywords = parseList(fields.keywords);
	const interval = fields.intervalSeconds.trim();
	const intervalSeconds = interval ? Number(interval) : DEFAULT_INTERVAL[fields.kind];
	switch (fields.kind) {
		case "webhook":
			return {};
		case "rss":
			return { url: fields.feedUrl.trim(), keywords, intervalSeconds };
		case "mastodon":
			return {
				instanceUrl: fields.instanceUrl.trim(),
				mentions: fields.mentions,
				keywords,
				intervalSeconds,
			};
		case "bluesky":
			return {
				service: fields.service.trim() || DEFAULT_BLUESKY_SERVICE,
				identifier: fields.identifier.trim(),
				mentions: fields.mentions,
				keywords,
				intervalSeconds,
			};
		default: {
			const unreachable: never = fields.kind;
			return unreachable;
		}
	}
}

export function fieldsToNewSource(fields: SourceFields): NewSourceInput {
	const credential =
		fields.kind === "mastodon" || fields.kind === "bluesky" ? fields.credential : "";
	return {
		kind: fields.kind,
		name: fields.name.trim(),
		boardId: fields.boardId,
		enabled: fields.enabled,
		config: fieldsToConfig(fields),
		...(credential ? { credential } : {}),
	} as NewSourceInput;
}

/** JSON with sorted keys, so two configs compare by content. */
function canonical(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) =>
		inner && typeof inner === "object" && !Array.isArray(inner)
			? Object.fromEntries(
					Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
				)
			: inner,
	);
}

/**
 * Only what changed: a new config or credential makes the server forget the poll state
 * and poll at once, so an unchanged config is not sent.
 */
export function fieldsToPatch(source: Source, fields: SourceFields): SourcePatchInput {
	const patch: SourcePatchInput = {};
	if (fields.name.trim() !== source.name) patch.name = fields.name.trim();
	if (fields.boardId !== source.boardId) patch.boardId = fields.boardId;
	if (fields.enabled !== source.enabled) patch.enabled = fields.enabled;
	const config = fieldsToConfig(fields);
	if (canonical(config) !== canonical(source.config)) patch.config = config;
	if (fields.credential && (source.kind === "mastodon" || source.kind === "bluesky")) {
		patch.credential = fields.credential;
	}
	return patch;
}

/** What a source watches, in one line: "https://status.example/feed.xml". */
export function sourceTarget(source: Source): string | null {
	const config = source.config;
	switch (source.kind) {
		case "rss":
			return text(config.url) || null;
		case "mastodon":
			return text(config.instanceUrl) || null;
		case "bluesky": {
			const service = text(config.service) || DEFAULT_BLUESKY_SERVICE;
			return `${text(config.identifier)} on ${service}`;
		}
		case "webhook":
			return null;
		default: {
			const unreachable: never = source.kind;
			return unreachable;
		}
	}
}
