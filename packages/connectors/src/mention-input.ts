/**
 * The mention shape Switchboard accepts from outside: a signed webhook's body, a JSON
 * import file. Parsed with valibot; what a sender may leave out gets a default.
 */
import { NetworkSchema, webLink } from "@switchboard/domain";
import * as v from "valibot";
import type { IncomingMention } from "./triage.ts";

const Timestamp = v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp"));
const Handle = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));

/** One message of the thread around the mention. */
export const ThreadMessageInputSchema = v.object({
	externalId: v.optional(v.pipe(v.string(), v.maxLength(500))),
	handle: Handle,
	fromOrganisation: v.optional(v.boolean(), false),
	text: v.pipe(v.string(), v.maxLength(20_000)),
	postedAt: Timestamp,
});

/** One mention as a sender writes it. */
export const MentionInputSchema = v.object({
	/** Where it was posted. @default "webhook" */
	network: v.optional(NetworkSchema, "webhook"),
	/** The sender's id for it; the same network and id twice is one mention. */
	externalId: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500)),
	url: v.optional(
		v.nullable(
			v.pipe(
				v.string(),
				v.url("must be a URL"),
				v.check((url) => webLink(url) !== null, "must be an http: or https: URL"),
				v.maxLength(2000),
			),
		),
		null,
	),
	author: v.object({
		handle: Handle,
		name: v.optional(v.pipe(v.string(), v.maxLength(200))),
		/** Followers or comparable audience. @default 0 */
		reach: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
	}),
	text: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(20_000)),
	thread: v.optional(v.pipe(v.array(ThreadMessageInputSchema), v.maxLength(200)), []),
	postedAt: Timestamp,
	/** ISO 639-1; detected when left out. */
	language: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(16)))),
	tags: v.optional(
		v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64))), v.maxLength(20)),
	),
});
export type MentionInput = v.InferOutput<typeof MentionInputSchema>;

/** Most mentions one webhook request may carry. */
export const MAX_WEBHOOK_BATCH = 500;

/** A batch webhook body: `{ "mentions": [...] }`. */
export const MentionBatchSchema = v.object({
	mentions: v.pipe(
		v.array(MentionInputSchema),
		v.minLength(1, "must hold at least one mention"),
		v.maxLength(MAX_WEBHOOK_BATCH, `must hold at most ${MAX_WEBHOOK_BATCH} mentions`),
	),
});

export type ParsedPayload = { ok: true; mentions: MentionInput[] } | { ok: false; message: string };

/**
 * Parse a webhook body: one mention, or `{ "mentions": [...] }`. The shape is told by the
 * `mentions` key, so a problem is named in the shape the sender meant.
 */
export function parseWebhookPayload(json: unknown): ParsedPayload {
	if (typeof json !== "object" || json === null || Array.isArray(json)) {
		return { ok: false, message: 'The body must be a mention object or { "mentions": [...] }.' };
	}
	if ("mentions" in json) {
		const batch = v.safeParse(MentionBatchSchema, json);
		return batch.success
			? { ok: true, mentions: batch.output.mentions }
			: { ok: false, message: describeIssues(batch.issues) };
	}
	const one = v.safeParse(MentionInputSchema, json);
	return one.success
		? { ok: true, mentions: [one.output] }
		: { ok: false, message: describeIssues(one.issues) };
}

/** A parsed mention as triage takes it; `ingestedAt` is the time it arrived. */
export function toIncomingMention(input: MentionInput, ingestedAt: Date): IncomingMention {
	const incoming: IncomingMention = {
		network: input.network,
		externalId: input.externalId,
		url: input.url,
		author: {
			handle: input.author.handle,
			name: input.author.name ?? input.author.handle,
			reach: input.author.reach,
		},
		text: input.text,
		thread: input.thread.map((message) => ({
			...(message.externalId !== undefined ? { externalId: message.externalId } : {}),
			handle: message.handle,
			fromOrganisation: message.fromOrganisation,
			text: message.text,
			postedAt: new Date(message.postedAt).toISOString(),
		})),
		postedAt: new Date(input.postedAt).toISOString(),
		ingestedAt: ingestedAt.toISOString(),
	};
	if (input.language !== undefined) incoming.language = input.language;
	if (input.tags !== undefined) incoming.tags = input.tags;
	return incoming;
}

/** Each issue as `field: message`, so the sender learns which field to fix. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
	return issues
		.slice(0, 5)
		.map((issue) => {
			const path = v.getDotPath(issue);
			return path ? `${path}: ${issue.message}` : issue.message;
		})
		.join("; ");
}
