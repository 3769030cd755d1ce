/**
 * The mention shape Switchboard accepts from outside: a signed webhook's body, a JSON
 * import file. Parsed with valibot; what a sender may leave out gets a default.
 */
import {
	describeIssues as describeAll,
	MentionBatchSchema,
	type MentionInput,
	MentionInputSchema,
} from "@switchboard/domain";
import * as v from "valibot";
import type { IncomingMention } from "./triage.ts";

// The shapes are part of the HTTP contract (the webhook's body); importers read the same.
export {
	MAX_WEBHOOK_BATCH,
	MentionBatchSchema,
	type MentionInput,
	MentionInputSchema,
	ThreadMessageInputSchema,
} from "@switchboard/domain";

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
	if (input.inReplyTo !== undefined) incoming.inReplyTo = input.inReplyTo;
	return incoming;
}

/** Each issue as `field: message` (the first five), so the sender learns which field to fix. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
	return describeAll(issues, 5);
}
