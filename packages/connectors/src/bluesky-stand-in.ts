/**
 * A stand-in Bluesky PDS/AppView for tests: the XRPC methods Switchboard calls, answering
 * with bodies shaped as the lexicons define them (the client validates them).
 */
import { createHash } from "node:crypto";
import type { StandInFaults, StandInServer } from "./stand-in-server.ts";
import { sendJson, standInFaults, startStandIn } from "./stand-in-server.ts";

export interface StandInActor {
	did: string;
	handle: string;
	displayName?: string;
	followersCount: number;
}

export interface StandInBluesky extends StandInFaults {
	server: StandInServer;
	url: string;
	self: StandInActor;
	actors: Map<string, StandInActor>;
	/** Posts the AppView knows (PostView). */
	posts: Record<string, unknown>[];
	notifications: Record<string, unknown>[];
	/** Records created through com.atproto.repo.createRecord. */
	created: Record<string, unknown>[];
	addPost(input: {
		author: StandInActor;
		text: string;
		langs?: string[];
		reason?: "mention" | "reply" | "quote" | "like";
		replyTo?: Record<string, unknown>;
	}): Record<string, unknown>;
	close(): Promise<void>;
}

export const STAND_IN_APP_PASSWORD = "abcd-efgh-ijkl-mnop";

/** A customer of the stand-in's account: Carla, with 77 followers, who mentions it. */
export const STAND_IN_CUSTOMER: StandInActor = {
	did: "did:plc:carla6carla6carla6carla6",
	handle: "carla.bsky.social",
	followersCount: 77,
};

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A CIDv1 (dag-cbor, sha-256) in base32, as atproto writes them. */
export function cidFor(text: string): string {
	const bytes = Buffer.concat([
		Buffer.from([0x01, 0x71, 0x12, 0x20]),
		createHash("sha256").update(text).digest(),
	]);
	let bits = 0;
	let value = 0;
	let out = "b";
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

const SORTABLE = "234567abcdefghijklmnopqrstuvwxyz";

/** A record key in TID form (13 base32-sortable characters), unique per `n`. */
export function tid(n: number): string {
	let out = "";
	for (let rest = n; out.length < 11; rest = Math.floor(rest / 32)) out = SORTABLE[rest % 32] + out;
	return `3l${out}`;
}

/** A token that looks like the JWTs a PDS hands out. */
function fakeJwt(did: string, scope: string): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
	return `${part({ alg: "HS256", typ: "at+jwt" })}.${part({ scope, sub: did, iat: 1_700_000_000, exp: 4_000_000_000 })}.c2lnbmF0dXJl`;
}

export async function startBlueskyStandIn(
	options: { self?: StandInActor; password?: string } = {},
): Promise<StandInBluesky> {
	const self = options.self ?? {
		did: "did:plc:acmeacmeacmeacmeacmeacme",
		handle: "acme.bsky.social",
		displayName: "Acme",
		followersCount: 900,
	};
	const password = options.password ?? STAND_IN_APP_PASSWORD;
	const accessJwt = fakeJwt(self.did, "com.atproto.appPass");
	let seq = 0;

	const basic = (actor: StandInActor) => ({
		did: actor.did,
		handle: actor.handle,
		...(actor.displayName !== undefined ? { displayName: actor.displayName } : {}),
		labels: [],
	});

	const state: StandInBluesky = {
		server: undefined as unknown as StandInServer,
		url: "",
		self,
		actors: new Map([[self.did, self]]),
		posts: [],
		notifications: [],
		created: [],
		addPost(input) {
			state.actors.set(input.author.did, input.author);
			seq++;
			const uri = `at://${input.author.did}/app.bsky.feed.post/${tid(seq)}`;
			const createdAt = new Date(Date.UTC(2026, 10, 26, 9, 0, seq)).toISOString();
			const record: Record<string, unknown> = {
				$type: "app.bsky.feed.post",
				text: input.text,
				createdAt,
				...(input.langs ? { langs: input.langs } : {}),
			};
			if (input.replyTo) {
				const parent = { uri: String(input.replyTo.uri), cid: String(input.replyTo.cid) };
				const parentRecord = input.replyTo.record as { reply?: { root: unknown } };
				record.reply = { root: parentRecord.reply?.root ?? parent, parent };
			}
			const post = {
				uri,
				cid: cidFor(uri),
				author: basic(input.author),
				record,
				replyCount: 0,
				repostCount: 0,
				likeCount: 0,
				quoteCount: 0,
				indexedAt: createdAt,
				labels: [],
			};
			state.posts.unshift(post);
			if (input.reason) {
				state.notifications.unshift({
					uri,
					cid: post.cid,
					author: { ...basic(input.author), indexedAt: createdAt, createdAt },
					reason: input.reason,
					record,
					isRead: false,
					indexedAt: createdAt,
					labels: [],
				});
			}
			return post;
		},
		...standInFaults(),
		close: () => state.server.close(),
	};

	state.server = await startStandIn(async (request, response) => {
		const failure = await state.takeFailure();
		const url = new URL(request.url, state.url);
		const method = url.pathname.replace(/^\/xrpc\//, "");
		if (failure !== null) {
			sendJson(response, failure, {
				error: "InternalServerError",
				message: "Stand-in failure",
			});
			return;
		}
		if (method === "com.atproto.server.createSession") {
			const body = JSON.parse(request.body || "{}") as { identifier?: string; password?: string };
			if (body.identifier !== self.handle || body.password !== password) {
				sendJson(response, 401, {
					error: "AuthenticationRequired",
					message: "Invalid identifier or password",
				});
				return;
			}
			sendJson(response, 200, {
				accessJwt,
				refreshJwt: fakeJwt(self.did, "com.atproto.refresh"),
				handle: self.handle,
				did: self.did,
				active: true,
			});
			return;
		}
		if (request.headers.authorization !== `Bearer ${accessJwt}`) {
			sendJson(response, 401, {
				error: "AuthenticationRequired",
				message: "Authentication Required",
			});
			return;
		}
		const query = url.searchParams;
		switch (method) {
			case "app.bsky.notification.listNotifications": {
				const reasons = query.getAll("reasons");
				const notifications = state.notifications.filter(
					(n) => reasons.length === 0 || reasons.includes(String(n.reason)),
				);
				sendJson(response, 200, { notifications, seenAt: new Date().toISOString() });
				return;
			}
			case "app.bsky.feed.searchPosts": {
				const q = (query.get("q") ?? "").toLowerCase();
				const posts = state.posts.filter((p) =>
					String((p.record as { text: string }).text)
						.toLowerCase()
						.includes(q),
				);
				sendJson(response, 200, { posts: posts.slice(0, Number(query.get("limit") ?? "25")) });
				return;
			}
			case "app.bsky.actor.getProfiles": {
				const profiles = query
					.getAll("actors")
					.map((did) => state.actors.get(did))
					.filter((actor) => actor !== undefined)
					.map((actor) => ({
						...basic(actor),
						followersCount: actor.followersCount,
						followsCount: 12,
						postsCount: 34,
						indexedAt: "2026-01-01T00:00:00.000Z",
						createdAt: "2024-01-01T00:00:00.000Z",
					}));
				sendJson(response, 200, { profiles });
				return;
			}
			case "app.bsky.feed.getPosts": {
				const uris = query.getAll("uris");
				sendJson(response, 200, { posts: state.posts.filter((p) => uris.includes(String(p.uri))) });
				return;
			}
			case "com.atproto.repo.createRecord": {
				const body = JSON.parse(request.body || "{}") as Record<string, unknown>;
				state.created.push(body);
				const uri = `at://${self.did}/${String(body.collection)}/${tid(1000 + state.created.length)}`;
				sendJson(response, 200, {
					uri,
					cid: cidFor(uri),
					commit: { cid: cidFor(`commit-${uri}`), rev: tid(2000 + state.created.length) },
					validationStatus: "valid",
				});
				return;
			}
			default:
				sendJson(response, 501, { error: "MethodNotImplemented", message: `No ${method}` });
		}
	});
	state.url = state.server.url;
	return state;
}
