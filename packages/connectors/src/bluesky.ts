/**
 * Bluesky through `@atproto/api`: mentions, replies and quotes of the organisation's
 * account (notifications) and keyword searches become mentions, with the author's
 * followers as reach; a member's reply is posted with reply references to the mention.
 */
import type { AtpAgent } from "@atproto/api";
import { defaultConnectorTuning } from "./connector-tuning.ts";
import {
	defaultOutboundClient,
	findOutboundError,
	type OutboundClient,
	outboundRefusalReason,
} from "./outbound.ts";
import { SourceError } from "./source-error.ts";
import type { IncomingMention } from "./triage.ts";

export interface BlueskyAuth {
	/** The PDS or entryway, e.g. `https://bsky.social`. */
	service: string;
	/** Handle, DID or email of the account. */
	identifier: string;
	/** An app password, not the account password. */
	password: string;
	/** Give up on a request after this long. @default 10 s */
	timeoutMs?: number;
	/** The guarded client requests go through. @default public addresses only */
	outbound?: OutboundClient;
}

export interface BlueskyPollOptions {
	/** Read the account's mention, reply and quote notifications. @default true */
	mentions?: boolean;
	keywords?: readonly string[];
	now: Date;
}

/** Notification reasons that are someone talking to or about the account. */
const MENTION_REASONS = ["mention", "reply", "quote"];
/** Profiles `getProfiles` answers per call. */
const PROFILES_PER_CALL = 25;

/** A SourceError for what the XRPC client threw. */
export function blueskyError(error: unknown, what: string): SourceError {
	if (error instanceof SourceError) return error;
	// A private address in the service URL: why, in words that say it all.
	const reason = outboundRefusalReason(error);
	if (reason) return new SourceError(reason, { cause: error });
	if (findOutboundError(error)) {
		return new SourceError(`${what}: Bluesky could not be reached.`, { cause: error });
	}
	const xrpc = error as { name?: string; status?: number; error?: string; message?: string };
	const cause = (error as { cause?: { name?: string; code?: unknown; cause?: { code?: unknown } } })
		.cause;
	if (
		xrpc.name === "TimeoutError" ||
		cause?.name === "TimeoutError" ||
		cause?.name === "AbortError"
	) {
		return new SourceError(`${what}: Bluesky did not answer in time.`, { cause: error });
	}
	const code = cause?.code ?? cause?.cause?.code;
	// The system's code (ECONNREFUSED, …) stays in the cause: shown, it would map ports.
	if (typeof code === "string") {
		return new SourceError(`${what}: Bluesky could not be reached.`, { cause: error });
	}
	if (typeof xrpc.status === "number" && xrpc.status >= 400) {
		return new SourceError(
			`${what}: Bluesky answered HTTP ${xrpc.status} (${xrpc.error ?? ""}${xrpc.message ? `: ${xrpc.message}` : ""}).`,
			{ status: xrpc.status, cause: error },
		);
	}
	return new SourceError(`${what}: ${xrpc.message ?? String(error)}`, { cause: error });
}

/** An agent whose every request goes through the guard and gives up after `timeoutMs`. */
async function createAgent(
	service: string,
	timeoutMs: number,
	outbound: OutboundClient,
): Promise<AtpAgent> {
	// ~65 MiB resident: loaded when a Bluesky account is first used (lazy-module.ts).
	const { AtpAgent } = await import("@atproto/api");
	outbound.prepare();
	return new AtpAgent({
		service: outbound.checkUrl(service),
		fetch: async (input, init) => {
			// The session layer hands over a Request; the guard takes a URL and options.
			const request = new Request(input, init);
			const timeout = AbortSignal.timeout(timeoutMs);
			const body = request.body ? await request.arrayBuffer() : undefined;
			return outbound.fetch(request.url, {
				method: request.method,
				headers: request.headers,
				...(body ? { body } : {}),
				signal: AbortSignal.any([request.signal, timeout]),
			});
		},
	});
}

/** Sign in with an app password (com.atproto.server.createSession). */
export async function loginBluesky(auth: BlueskyAuth): Promise<AtpAgent> {
	try {
		// The service URL is checked here (a private address is refused saying why).
		const agent = await createAgent(
			auth.service,
			auth.timeoutMs ?? defaultConnectorTuning.timeoutMs,
			auth.outbound ?? defaultOutboundClient(),
		);
		await agent.login({ identifier: auth.identifier, password: auth.password });
		return agent;
	} catch (error) {
		throw blueskyError(error, "Signing in");
	}
}

/** `https://bsky.app/profile/<handle>/post/<rkey>` for a post's at:// URI. */
export function postUrl(handle: string, uri: string): string {
	const rkey = uri.split("/").at(-1) ?? "";
	return `https://bsky.app/profile/${handle}/post/${rkey}`;
}

interface PostLike {
	uri: string;
	author: { did: string; handle: string; displayName?: string };
	record: { [key: string]: unknown };
	indexedAt: string;
}

function recordText(record: PostLike["record"]): string {
	return typeof record.text === "string" ? record.text : "";
}

function toMention(post: PostLike, reach: Map<string, number>, now: Date): IncomingMention {
	const createdAt = typeof post.record.createdAt === "string" ? post.record.createdAt : "";
	const posted = Number.isNaN(Date.parse(createdAt)) ? post.indexedAt : createdAt;
	const langs = post.record.langs;
	const mention: IncomingMention = {
		network: "bluesky",
		externalId: post.uri,
		url: postUrl(post.author.handle, post.uri),
		author: {
			handle: post.author.handle,
			name: post.author.displayName || post.author.handle,
			reach: reach.get(post.author.did) ?? 0,
		},
		text: recordText(post.record).slice(0, 20_000),
		thread: [],
		postedAt: new Date(posted).toISOString(),
		ingestedAt: now.toISOString(),
	};
	if (Array.isArray(langs) && typeof langs[0] === "string") mention.language = langs[0];
	const parent = replyParentUri(post.record);
	if (parent) mention.inReplyTo = parent;
	return mention;
}

/**
 * The post a post answers: its record's `reply.parent.uri` (app.bsky.feed.post), the same
 * at:// URI Switchboard keeps as that post's external id; null for a post that starts a thread.
 */
export function replyParentUri(record: PostLike["record"]): string | null {
	const reply = record.reply as { parent?: { uri?: unknown } } | undefined;
	const uri = reply?.parent?.uri;
	return typeof uri === "string" && uri.startsWith("at://") ? uri : null;
}

/**
 * Read mentions of the signed-in account and posts matching the keywords. The account's
 * own posts are skipped; reach comes from the authors' profiles (followersCount), which
 * notifications and search results do not carry.
 */
export async function pollBluesky(
	agent: AtpAgent,
	options: BlueskyPollOptions,
): Promise<IncomingMention[]> {
	const own = agent.session?.did;
	const posts = new Map<string, PostLike>();
	if (options.mentions ?? true) {
		try {
			const { data } = await agent.app.bsky.notification.listNotifications({
				limit: 50,
				reasons: MENTION_REASONS,
			});
			for (const notification of data.notifications) {
				if (!MENTION_REASONS.includes(notification.reason)) continue;
				posts.set(notification.uri, notification);
			}
		} catch (error) {
			throw blueskyError(error, "Reading mentions");
		}
	}
	for (const keyword of options.keywords ?? []) {
		try {
			const { data } = await agent.app.bsky.feed.searchPosts({
				q: keyword,
				limit: 25,
				sort: "latest",
			});
			for (const post of data.posts) if (!posts.has(post.uri)) posts.set(post.uri, post);
		} catch (error) {
			throw blueskyError(error, `Searching for "${keyword}"`);
		}
	}
	const found = [...posts.values()].filter((post) => post.author.did !== own);
	const reach = await followersOf(agent, [...new Set(found.map((post) => post.author.did))]);
	return found.map((post) => toMention(post, reach, options.now));
}

async function followersOf(agent: AtpAgent, dids: string[]): Promise<Map<string, number>> {
	const reach = new Map<string, number>();
	for (let start = 0; start < dids.length; start += PROFILES_PER_CALL) {
		try {
			const { data } = await agent.app.bsky.actor.getProfiles({
				actors: dids.slice(start, start + PROFILES_PER_CALL),
			});
			for (const profile of data.profiles) reach.set(profile.did, profile.followersCount ?? 0);
		} catch (error) {
			throw blueskyError(error, "Reading authors' profiles");
		}
	}
	return reach;
}

/**
 * Post `text` as a reply to the post `targetUri` from the signed-in account. The reply
 * references name the mention as parent and its thread's first post as root, as the
 * app.bsky.feed.post lexicon asks.
 */
export async function sendBlueskyReply(
	agent: AtpAgent,
	reply: { targetUri: string; text: string; language?: string | null },
): Promise<{ url: string; uri: string }> {
	let parent: { uri: string; cid: string };
	let root: { uri: string; cid: string };
	try {
		const { data } = await agent.app.bsky.feed.getPosts({ uris: [reply.targetUri] });
		const post = data.posts[0];
		if (!post) {
			throw new SourceError(`Bluesky does not have the post to reply to (${reply.targetUri}).`);
		}
		parent = { uri: post.uri, cid: post.cid };
		const existing = (post.record as { reply?: { root?: { uri?: unknown; cid?: unknown } } }).reply
			?.root;
		root =
			typeof existing?.uri === "string" && typeof existing.cid === "string"
				? { uri: existing.uri, cid: existing.cid }
				: parent;
	} catch (error) {
		throw blueskyError(error, "Finding the post to reply to");
	}
	try {
		const created = await agent.post({
			text: reply.text,
			reply: { root, parent },
			...(reply.language ? { langs: [reply.language] } : {}),
		});
		const handle = agent.session?.handle ?? agent.session?.did ?? "";
		return { uri: created.uri, url: postUrl(handle, created.uri) };
	} catch (error) {
		throw blueskyError(error, "Posting the reply");
	}
}
