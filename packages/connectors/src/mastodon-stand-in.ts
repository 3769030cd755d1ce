/**
 * A stand-in Mastodon instance for tests: the few REST endpoints Switchboard calls, with
 * entities shaped as docs.joinmastodon.org documents them (snake_case JSON).
 */
import type { StandInFaults, StandInServer } from "./stand-in-server.ts";
import { sendJson, standInFaults, startStandIn } from "./stand-in-server.ts";

export interface StandInAccount {
	id: string;
	username: string;
	display_name: string;
	followers_count: number;
}

export interface StandInMastodon extends StandInFaults {
	server: StandInServer;
	url: string;
	host: string;
	/** Statuses the instance knows, as Mastodon serialises them. */
	statuses: Record<string, unknown>[];
	/** Mention notifications, newest first. */
	notifications: Record<string, unknown>[];
	/** Statuses posted through the API, with the parameters they were posted with. */
	posted: { body: Record<string, unknown>; idempotencyKey: string | undefined }[];
	/** Add a status by `account`; `mention` also files a mention notification. */
	addStatus(input: {
		account: StandInAccount;
		text: string;
		language?: string | null;
		mention?: boolean;
		reblog?: boolean;
		/** The status (as added or posted) this one answers. */
		inReplyTo?: Record<string, unknown>;
	}): Record<string, unknown>;
	close(): Promise<void>;
}

export const STAND_IN_TOKEN = "stand-in-token";

export async function startMastodonStandIn(
	options: { token?: string; self?: StandInAccount } = {},
): Promise<StandInMastodon> {
	const token = options.token ?? STAND_IN_TOKEN;
	const self: StandInAccount = options.self ?? {
		id: "1",
		username: "acme",
		display_name: "Acme",
		followers_count: 1200,
	};
	const postedById = new Map<string, Record<string, unknown>>();
	let nextId = 100;
	let host = "";
	let base = "";

	const account = (a: StandInAccount) => ({
		id: a.id,
		username: a.username,
		acct: a.username,
		display_name: a.display_name,
		locked: false,
		bot: false,
		discoverable: true,
		group: false,
		created_at: "2024-01-01T00:00:00.000Z",
		note: "",
		url: `${base}/@${a.username}`,
		uri: `${base}/users/${a.username}`,
		avatar: `${base}/avatars/original/missing.png`,
		avatar_static: `${base}/avatars/original/missing.png`,
		header: `${base}/headers/original/missing.png`,
		header_static: `${base}/headers/original/missing.png`,
		followers_count: a.followers_count,
		following_count: 10,
		statuses_count: 42,
		last_status_at: "2026-11-25",
		emojis: [],
		fields: [],
	});

	const state: StandInMastodon = {
		server: undefined as unknown as StandInServer,
		url: "",
		host: "",
		statuses: [],
		notifications: [],
		posted: [],
		addStatus(input) {
			const id = String(nextId++);
			const escaped = input.text.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
			const original = {
				id,
				uri: `${base}/users/${input.account.username}/statuses/${id}`,
				// A second apart, in the order they were added: an answer is newer than its post.
				created_at: new Date(Date.UTC(2026, 10, 26, 9, 0, 0) + Number(id) * 1000).toISOString(),
				account: account(input.account),
				content: `<p><span class="h-card"><a href="${base}/@acme" class="u-url mention">@<span>acme</span></a></span> ${escaped}</p>`,
				visibility: "public",
				sensitive: false,
				spoiler_text: "",
				media_attachments: [],
				application: null,
				mentions: [
					{
						id: self.id,
						username: self.username,
						url: `${base}/@${self.username}`,
						acct: self.username,
					},
				],
				tags: [],
				emojis: [],
				reblogs_count: 0,
				favourites_count: 0,
				replies_count: 0,
				url: `${base}/@${input.account.username}/${id}`,
				in_reply_to_id: input.inReplyTo ? String(input.inReplyTo.id) : null,
				in_reply_to_account_id: input.inReplyTo
					? String((input.inReplyTo.account as { id: string }).id)
					: null,
				reblog: null,
				poll: null,
				card: null,
				language: input.language === undefined ? "en" : input.language,
				text: null,
				edited_at: null,
			};
			const status = input.reblog
				? {
						...original,
						id: String(nextId++),
						uri: `${original.uri}/activity`,
						content: "",
						reblog: original,
					}
				: original;
			state.statuses.unshift(status);
			if (input.mention) {
				state.notifications.unshift({
					id: String(nextId++),
					type: "mention",
					group_key: `ungrouped-${id}`,
					created_at: status.created_at,
					account: status.account,
					status,
				});
			}
			return status;
		},
		...standInFaults(),
		close: () => state.server.close(),
	};

	state.server = await startStandIn(async (request, response) => {
		const failure = await state.takeFailure();
		if (failure !== null) {
			sendJson(response, failure, { error: "Stand-in failure" });
			return;
		}
		if (request.headers.authorization !== `Bearer ${token}`) {
			sendJson(response, 401, { error: "The access token is invalid" });
			return;
		}
		const url = new URL(request.url, base);
		const query = url.searchParams;
		if (request.method === "GET" && url.pathname === "/api/v1/notifications") {
			const types = [...query.getAll("types[]"), ...query.getAll("types")];
			const sinceId = query.get("since_id");
			const limit = Number(query.get("limit") ?? "40");
			const list = state.notifications
				.filter((n) => types.length === 0 || types.includes(String(n.type)))
				.filter((n) => !sinceId || Number(n.id) > Number(sinceId))
				.slice(0, limit);
			sendJson(response, 200, list);
			return;
		}
		if (request.method === "GET" && url.pathname === "/api/v2/search") {
			const q = (query.get("q") ?? "").toLowerCase();
			const statuses =
				query.get("type") === "statuses" || !query.get("type")
					? state.statuses.filter(
							(s) =>
								s.url === query.get("q") ||
								s.uri === query.get("q") ||
								(query.get("resolve") !== "true" && String(s.content).toLowerCase().includes(q)),
						)
					: [];
			sendJson(response, 200, {
				accounts: [],
				statuses: statuses.slice(0, Number(query.get("limit") ?? "20")),
				hashtags: [],
			});
			return;
		}
		if (request.method === "GET" && url.pathname === "/api/v1/accounts/verify_credentials") {
			sendJson(response, 200, { ...account(self), source: { privacy: "public", note: "" } });
			return;
		}
		if (request.method === "POST" && url.pathname === "/api/v1/statuses") {
			const body = JSON.parse(request.body || "{}") as Record<string, unknown>;
			const key = request.headers["idempotency-key"];
			const idempotencyKey = typeof key === "string" ? key : undefined;
			const earlier = state.posted.findIndex(
				(p) => idempotencyKey !== undefined && p.idempotencyKey === idempotencyKey,
			);
			if (earlier === -1) state.posted.push({ body, idempotencyKey });
			const id = earlier === -1 ? String(nextId++) : `posted-${earlier}`;
			const posted = {
				id,
				uri: `${base}/users/${self.username}/statuses/${id}`,
				url: `${base}/@${self.username}/${id}`,
				created_at: new Date().toISOString(),
				account: account(self),
				content: `<p>${String(body.status)}</p>`,
				in_reply_to_id: body.in_reply_to_id ?? null,
				visibility: "public",
				sensitive: false,
				spoiler_text: "",
				media_attachments: [],
				mentions: [],
				tags: [],
				emojis: [],
				reblogs_count: 0,
				favourites_count: 0,
				replies_count: 0,
				reblog: null,
				language: "en",
			};
			// Findable by id (GET), not in searches: a test's keyword watch sees what it added.
			if (earlier === -1) postedById.set(id, posted);
			sendJson(response, 200, posted);
			return;
		}
		const one = /^\/api\/v1\/statuses\/([^/]+)$/.exec(url.pathname);
		if (request.method === "GET" && one) {
			const status = state.statuses.find((s) => s.id === one[1]) ?? postedById.get(one[1] ?? "");
			if (status) sendJson(response, 200, status);
			else sendJson(response, 404, { error: "Record not found" });
			return;
		}
		sendJson(response, 404, { error: "Record not found" });
	});
	base = state.server.url;
	host = new URL(base).host;
	state.url = base;
	state.host = host;
	return state;
}
