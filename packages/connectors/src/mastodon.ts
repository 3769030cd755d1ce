/**
 * Mastodon through `masto`: mentions of the organisation's account (notifications of type
 * mention) and keyword searches become mentions; a member's reply is posted as a reply
 * to the mention from their own account.
 */
import type { mastodon } from "masto";
import { defaultConnectorTuning } from "./connector-tuning.ts";
import { htmlToText } from "./html-text.ts";
import {
	defaultOutboundClient,
	findOutboundError,
	type OutboundClient,
	outboundRefusalReason,
} from "./outbound.ts";
import { SourceError } from "./source-error.ts";
import type { IncomingMention } from "./triage.ts";

export interface MastodonAuth {
	/** The instance, e.g. `https://mastodon.social`. */
	instanceUrl: string;
	accessToken: string;
	/** Give up on a request after this long. @default 10 s */
	timeoutMs?: number;
	/** The guarded client requests go through. @default public addresses only */
	outbound?: OutboundClient;
}

/** Where a Mastodon watch stopped, so the next poll only reads what is newer. */
export interface MastodonCursor {
	/** Newest mention notification seen. */
	notificationsSinceId?: string;
}

export interface MastodonPollOptions extends MastodonAuth {
	/** Read the account's mention notifications. @default true */
	mentions?: boolean;
	/** Search public statuses for each of these. */
	keywords?: readonly string[];
	cursor?: MastodonCursor;
	now: Date;
}

export interface MastodonPollResult {
	mentions: IncomingMention[];
	cursor: MastodonCursor;
}

/** Results read per request; Mastodon serves at most 40. */
const PAGE = 40;

async function client(auth: MastodonAuth): Promise<mastodon.rest.Client> {
	// Loaded when a Mastodon account is first used (lazy-module.ts).
	const { createRestAPIClient } = await import("masto");
	const outbound = auth.outbound ?? defaultOutboundClient();
	let url: URL;
	try {
		url = outbound.checkUrl(auth.instanceUrl);
	} catch (error) {
		throw mastodonError(error, "Reaching the instance");
	}
	// masto calls the global fetch itself; the guarded dispatcher checks every connection
	// it opens (redirects included).
	return createRestAPIClient({
		url: url.href,
		accessToken: auth.accessToken,
		timeout: auth.timeoutMs ?? defaultConnectorTuning.timeoutMs,
		log: "error",
		requestInit: { dispatcher: outbound.dispatcher } as RequestInit,
	});
}

/** A SourceError for what masto threw, with the instance's own words where it gave some. */
export function mastodonError(error: unknown, what: string): SourceError {
	if (error instanceof SourceError) return error;
	// A private address in the instance URL: why, in words that say it all.
	const reason = outboundRefusalReason(error);
	if (reason) return new SourceError(reason, { cause: error });
	if (findOutboundError(error)) {
		return new SourceError(`${what}: the instance could not be reached.`, { cause: error });
	}
	const named = error as { name?: string; statusCode?: number; message?: string };
	if (named.name === "MastoHttpError" && typeof named.statusCode === "number") {
		return new SourceError(
			`${what}: the instance answered HTTP ${named.statusCode} (${named.message ?? "no message"}).`,
			{ status: named.statusCode, cause: error },
		);
	}
	if (named.name === "MastoTimeoutError") {
		return new SourceError(`${what}: the instance did not answer in time.`, { cause: error });
	}
	const cause = (error as { cause?: { code?: unknown; cause?: { code?: unknown } } }).cause;
	const code = cause?.code ?? cause?.cause?.code;
	// The system's code (ECONNREFUSED, …) stays in the cause: shown, it would map ports.
	if (typeof code === "string" || named.message === "fetch failed") {
		return new SourceError(`${what}: the instance could not be reached.`, { cause: error });
	}
	return new SourceError(`${what}: ${named.message ?? String(error)}`, { cause: error });
}

/** `user@host` for an account; local accounts' `acct` has no host. */
function fullHandle(account: mastodon.v1.Account, instanceUrl: string): string {
	if (account.acct.includes("@")) return account.acct;
	const host = account.url ? new URL(account.url).host : new URL(instanceUrl).host;
	return `${account.acct}@${host}`;
}

/**
 * A status as a mention. `parentUri` is the URI of the status it answers, when known: the
 * status only names it by this instance's id (`inReplyToId`), and Switchboard keeps URIs.
 */
export function statusToMention(
	status: mastodon.v1.Status,
	instanceUrl: string,
	now: Date,
	parentUri?: string | null,
): IncomingMention {
	const body = htmlToText(status.content);
	const text = status.spoilerText ? `${status.spoilerText}\n\n${body}` : body;
	const mention: IncomingMention = {
		network: "mastodon",
		// The URI is the same on every instance; the id is only this instance's.
		externalId: status.uri,
		url: status.url ?? status.uri,
		author: {
			handle: fullHandle(status.account, instanceUrl),
			name: status.account.displayName || status.account.username,
			reach: Math.max(0, status.account.followersCount ?? 0),
		},
		text: text.slice(0, 20_000),
		thread: [],
		postedAt: new Date(status.createdAt).toISOString(),
		ingestedAt: now.toISOString(),
	};
	if (status.language) mention.language = status.language;
	if (parentUri) mention.inReplyTo = parentUri;
	return mention;
}

/**
 * The URI of each status the given ones answer, by the instance's id for it: taken from the
 * given statuses when the parent is among them, else asked of the instance. A parent the
 * instance no longer has (deleted) is left out: its answer starts a conversation.
 */
async function parentUris(
	api: mastodon.rest.Client,
	statuses: readonly mastodon.v1.Status[],
): Promise<Map<string, string>> {
	const uris = new Map(statuses.map((status) => [status.id, status.uri]));
	const found = new Map<string, string>();
	for (const status of statuses) {
		const parentId = status.inReplyToId;
		if (!parentId || found.has(parentId)) continue;
		const known = uris.get(parentId);
		if (known) {
			found.set(parentId, known);
			continue;
		}
		try {
			const parent = await api.v1.statuses.$select(parentId).fetch();
			found.set(parentId, parent.uri);
		} catch (error) {
			const gone = (error as { statusCode?: number }).statusCode;
			if (gone === 404 || gone === 410) continue;
			throw mastodonError(error, "Reading the post a mention answers");
		}
	}
	return found;
}

/**
 * Read new mentions of the account and statuses matching the keywords. Reblogs are
 * skipped (the original is what someone said); a status found twice is returned once.
 */
export async function pollMastodon(options: MastodonPollOptions): Promise<MastodonPollResult> {
	const api = await client(options);
	const byUri = new Map<string, mastodon.v1.Status>();
	const cursor: MastodonCursor = { ...options.cursor };
	if (options.mentions ?? true) {
		let notifications: mastodon.v1.Notification[];
		try {
			notifications = await api.v1.notifications.list({
				types: ["mention"],
				limit: PAGE,
				...(cursor.notificationsSinceId ? { sinceId: cursor.notificationsSinceId } : {}),
			});
		} catch (error) {
			throw mastodonError(error, "Reading mentions");
		}
		for (const notification of notifications) {
			const status = notification.type === "mention" ? notification.status : undefined;
			if (status && !status.reblog) byUri.set(status.uri, status);
		}
		// Newest first: the first one is where the next poll starts.
		const newest = notifications[0]?.id;
		if (newest) cursor.notificationsSinceId = newest;
	}
	for (const keyword of options.keywords ?? []) {
		let results: mastodon.v2.Search;
		try {
			results = await api.v2.search.list({ q: keyword, type: "statuses", limit: PAGE });
		} catch (error) {
			throw mastodonError(error, `Searching for "${keyword}"`);
		}
		for (const status of results.statuses) {
			if (status.reblog || byUri.has(status.uri)) continue;
			byUri.set(status.uri, status);
		}
	}
	const statuses = [...byUri.values()];
	const parents = await parentUris(api, statuses);
	const mentions = statuses.map((status) =>
		statusToMention(
			status,
			options.instanceUrl,
			options.now,
			status.inReplyToId ? parents.get(status.inReplyToId) : null,
		),
	);
	return { mentions, cursor };
}

/** Who a token belongs to: checks the token works and names the account. */
export async function verifyMastodonAccount(
	auth: MastodonAuth,
): Promise<{ accountId: string; handle: string; url: string }> {
	try {
		const api = await client(auth);
		const account = await api.v1.accounts.verifyCredentials();
		return {
			accountId: account.id,
			handle: fullHandle(account, auth.instanceUrl),
			url: account.url,
		};
	} catch (error) {
		throw mastodonError(error, "Checking the access token");
	}
}

export interface MastodonReply extends MastodonAuth {
	/** The mention replied to: its URL (or URI), which the member's instance resolves. */
	target: { url: string; authorHandle: string };
	text: string;
	/**
	 * Sent as `Idempotency-Key`: Mastodon posts one status for one key, so a retry after a
	 * lost answer does not post the reply twice.
	 */
	idempotencyKey: string;
}

/**
 * Post `text` as a reply to the mention from the account of `accessToken`. The mention is
 * looked up on the member's own instance first (statuses have an id per instance), and
 * its author is addressed when the text does not name them, so they are notified.
 */
export async function sendMastodonReply(
	reply: MastodonReply,
): Promise<{ url: string; id: string; uri: string }> {
	const api = await client(reply);
	let targetId: string | undefined;
	try {
		const found = await api.v2.search.list({
			q: reply.target.url,
			type: "statuses",
			resolve: true,
			limit: 1,
		});
		targetId = found.statuses[0]?.id;
	} catch (error) {
		throw mastodonError(error, "Finding the post to reply to");
	}
	if (!targetId) {
		throw new SourceError(
			`Your instance could not find the post to reply to (${reply.target.url}).`,
		);
	}
	const handle = reply.target.authorHandle.replace(/^@/, "");
	const addressed = reply.text.toLowerCase().includes(`@${handle.toLowerCase()}`)
		? reply.text
		: `@${handle} ${reply.text}`;
	try {
		const status = await api.v1.statuses.create(
			{ status: addressed, inReplyToId: targetId },
			{ requestInit: { headers: { "Idempotency-Key": reply.idempotencyKey } } },
		);
		return { url: status.url ?? status.uri, id: status.id, uri: status.uri };
	} catch (error) {
		throw mastodonError(error, "Posting the reply");
	}
}
