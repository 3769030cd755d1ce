/**
 * The HTTP API of sources, triage rules, outgoing webhooks, connected accounts and
 * sends (docs/SOURCES.md), typed for the web client and tests. Errors the server
 * answers as `{error: {code, message}}` become an `ApiError` with that code and message;
 * a failed send (502 with the stored send) is an outcome, not an error.
 */
import type {
	Board,
	DeliveryStatus,
	ErrorKind,
	Mention,
	ReplyNetwork,
	ReplySendStatus,
	SourceKind,
	TriageRule,
	WebhookEvent,
} from "@switchboard/domain";

/** How a source's polling stands. */
export interface SourceStatus {
	/** The last poll's error; null after a poll that worked. */
	lastError: string | null;
	lastPolledAt: string | null;
	/** Null for webhooks and disabled sources. */
	nextPollAt: string | null;
	/** Failed polls in a row. */
	failures: number;
}

export interface RssSourceConfig {
	url: string;
	keywords?: string[];
	intervalSeconds?: number;
}

export interface MastodonSourceConfig {
	instanceUrl: string;
	mentions?: boolean;
	keywords?: string[];
	intervalSeconds?: number;
}

export interface BlueskySourceConfig {
	service?: string;
	/** Handle or DID. */
	identifier: string;
	mentions?: boolean;
	keywords?: string[];
	intervalSeconds?: number;
}

/** The config each kind of source takes; secrets travel apart, as `credential`. */
export interface SourceConfigs {
	webhook: Record<string, never>;
	rss: RssSourceConfig;
	mastodon: MastodonSourceConfig;
	bluesky: BlueskySourceConfig;
}

export interface Source {
	id: string;
	orgId: string;
	boardId: string;
	kind: SourceKind;
	name: string;
	/** Never holds a secret. */
	config: Record<string, unknown>;
	enabled: boolean;
	status: SourceStatus;
	createdAt: string;
	updatedAt: string;
}

export type NewSourceInput = {
	[K in SourceKind]: {
		kind: K;
		name: string;
		boardId?: string;
		enabled?: boolean;
		config: SourceConfigs[K];
		/** Mastodon access token or Bluesky app password. */
		credential?: string;
	};
}[SourceKind];

export interface SourcePatchInput {
	name?: string;
	boardId?: string;
	enabled?: boolean;
	/** A new config resets the poll state and polls now. */
	config?: Record<string, unknown>;
	credential?: string;
}

/** A created source; a webhook source comes with its secret, shown this once. */
export interface CreatedSource {
	source: Source;
	secret?: string;
	/** Path (on this server) that signed mentions are POSTed to. */
	webhookUrl?: string;
}

export interface WebhookEndpoint {
	id: string;
	orgId: string;
	url: string;
	events: WebhookEvent[];
	enabled: boolean;
	createdAt: string;
	updatedAt: string;
}

export interface WebhookDelivery {
	id: string;
	orgId: string;
	endpointId: string;
	event: WebhookEvent;
	payload: Record<string, unknown>;
	status: DeliveryStatus;
	attempts: number;
	nextAttemptAt: string;
	lastError: string | null;
	/** HTTP status of the last answer, when there was one. */
	lastStatus: number | null;
	deliveredAt: string | null;
	createdAt: string;
}

export interface ConnectedAccount {
	id: string;
	orgId: string;
	memberId: string;
	network: ReplyNetwork;
	/** The Mastodon instance or Bluesky service. */
	serverUrl: string;
	handle: string;
	createdAt: string;
	updatedAt: string;
}

/** A reply posted (or tried) through a member's connected account. */
export interface ReplySend {
	id: string;
	orgId: string;
	boardId: string;
	mentionId: string;
	memberId: string;
	network: string;
	text: string;
	status: ReplySendStatus;
	/** Why the last attempt failed. */
	error: string | null;
	/** The posted reply, once sent. */
	url: string | null;
	attempts: number;
	createdAt: string;
	updatedAt: string;
}

/** What a send or a retry did: posted, or kept as failed with the network's error. */
export type SendOutcome =
	| { ok: true; send: ReplySend; mention: Mention }
	| { ok: false; send: ReplySend; error: string };

/** Codes an answer can carry: the server's error kinds, or `network` when there was none. */
export type ApiErrorCode = ErrorKind | "network";

/** A refused or failed request, with words a person can read. */
export class ApiError extends Error {
	override readonly name = "ApiError";
	readonly code: ApiErrorCode;
	/** HTTP status; 0 when the server could not be reached. */
	readonly status: number;

	constructor(code: ApiErrorCode, status: number, message: string) {
		super(message);
		this.code = code;
		this.status = status;
	}
}

export interface ApiClientOptions {
	/** A session token (`POST /api/auth/login`). */
	token: string;
	/** Origin of the server; "" (the default) for the page's own origin. */
	baseUrl?: string;
	fetch?: typeof fetch;
}

export interface ApiClient {
	boards(): Promise<Board[]>;
	rules: {
		list(orgId: string): Promise<TriageRule[]>;
		/** Replace the whole list. */
		save(orgId: string, rules: TriageRule[]): Promise<TriageRule[]>;
	};
	sources: {
		list(orgId: string): Promise<Source[]>;
		create(orgId: string, input: NewSourceInput): Promise<CreatedSource>;
		update(orgId: string, sourceId: string, patch: SourcePatchInput): Promise<Source>;
		/** A new secret for a webhook source; the old one stops working. */
		rotateSecret(orgId: string, sourceId: string): Promise<string>;
		remove(orgId: string, sourceId: string): Promise<void>;
	};
	webhooks: {
		list(orgId: string): Promise<WebhookEndpoint[]>;
		create(
			orgId: string,
			input: { url: string; events: WebhookEvent[]; enabled?: boolean },
		): Promise<{ webhook: WebhookEndpoint; secret: string }>;
		update(
			orgId: string,
			webhookId: string,
			patch: { url?: string; events?: WebhookEvent[]; enabled?: boolean },
		): Promise<WebhookEndpoint>;
		rotateSecret(orgId: string, webhookId: string): Promise<string>;
		remove(orgId: string, webhookId: string): Promise<void>;
		/** Newest first. */
		deliveries(
			orgId: string,
			webhookId: string,
			status?: DeliveryStatus,
		): Promise<WebhookDelivery[]>;
		retryDelivery(orgId: string, webhookId: string, deliveryId: string): Promise<WebhookDelivery>;
	};
	accounts: {
		list(): Promise<ConnectedAccount[]>;
		connectMastodon(input: { instanceUrl: string; accessToken: string }): Promise<ConnectedAccount>;
		connectBluesky(input: {
			service?: string;
			identifier: string;
			appPassword: string;
		}): Promise<ConnectedAccount>;
		disconnect(network: ReplyNetwork): Promise<void>;
	};
	sends: {
		/** Newest first. */
		list(mentionId: string): Promise<ReplySend[]>;
		send(mentionId: string, text: string): Promise<SendOutcome>;
		retry(sendId: string): Promise<SendOutcome>;
	};
}

interface ErrorBody {
	error?: { code?: string; message?: string };
	send?: ReplySend;
}

const segment = encodeURIComponent;

export function createApiClient(options: ApiClientOptions): ApiClient {
	const base = options.baseUrl ?? "";
	const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

	/** One request; `sendOutcome` lets a 502 carrying a send through as a value. */
	async function request<T>(
		method: string,
		path: string,
		body?: unknown,
		sendOutcome = false,
	): Promise<T> {
		let response: Response;
		try {
			response = await doFetch(`${base}${path}`, {
				method,
				headers: {
					authorization: `Bearer ${options.token}`,
					...(body !== undefined ? { "content-type": "application/json" } : {}),
				},
				...(body !== undefined ? { body: JSON.stringify(body) } : {}),
			});
		} catch {
			throw new ApiError(
				"network",
				0,
				"The server cannot be reached. Check your connection and try again.",
			);
		}
		const text = await response.text();
		let json: unknown = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			// Not JSON (a proxy's error page): described by the status below.
		}
		if (response.ok) return json as T;
		const answer = (json ?? {}) as ErrorBody;
		if (sendOutcome && response.status === 502 && answer.send) {
			return {
				ok: false,
				send: answer.send,
				error: answer.error?.message ?? "Posting failed.",
			} as T;
		}
		const message =
			answer.error?.message ?? `The server answered ${response.status} ${response.statusText}.`;
		throw new ApiError((answer.error?.code as ErrorKind) ?? "internal", response.status, message);
	}

	const org = (orgId: string) => `/api/orgs/${segment(orgId)}`;
	const sent = async (promise: Promise<SendOutcome | { send: ReplySend; mention: Mention }>) => {
		const outcome = await promise;
		return "ok" in outcome ? outcome : ({ ok: true, ...outcome } as SendOutcome);
	};

	return {
		boards: async () => (await request<{ boards: Board[] }>("GET", "/api/boards")).boards,
		rules: {
			list: async (orgId) =>
				(await request<{ rules: TriageRule[] }>("GET", `${org(orgId)}/rules`)).rules,
			save: async (orgId, rules) =>
				(await request<{ rules: TriageRule[] }>("PUT", `${org(orgId)}/rules`, { rules })).rules,
		},
		sources: {
			list: async (orgId) =>
				(await request<{ sources: Source[] }>("GET", `${org(orgId)}/sources`)).sources,
			create: (orgId, input) => request<CreatedSource>("POST", `${org(orgId)}/sources`, input),
			update: async (orgId, sourceId, patch) =>
				(
					await request<{ source: Source }>(
						"PATCH",
						`${org(orgId)}/sources/${segment(sourceId)}`,
						patch,
					)
				).source,
			rotateSecret: async (orgId, sourceId) =>
				(
					await request<{ secret: string }>(
						"POST",
						`${org(orgId)}/sources/${segment(sourceId)}/rotate-secret`,
						{},
					)
				).secret,
			remove: async (orgId, sourceId) => {
				await request("DELETE", `${org(orgId)}/sources/${segment(sourceId)}`);
			},
		},
		webhooks: {
			list: async (orgId) =>
				(await request<{ webhooks: WebhookEndpoint[] }>("GET", `${org(orgId)}/webhooks`)).webhooks,
			create: (orgId, input) => request("POST", `${org(orgId)}/webhooks`, input),
			update: async (orgId, webhookId, patch) =>
				(
					await request<{ webhook: WebhookEndpoint }>(
						"PATCH",
						`${org(orgId)}/webhooks/${segment(webhookId)}`,
						patch,
					)
				).webhook,
			rotateSecret: async (orgId, webhookId) =>
				(
					await request<{ secret: string }>(
						"POST",
						`${org(orgId)}/webhooks/${segment(webhookId)}/rotate-secret`,
						{},
					)
				).secret,
			remove: async (orgId, webhookId) => {
				await request("DELETE", `${org(orgId)}/webhooks/${segment(webhookId)}`);
			},
			deliveries: async (orgId, webhookId, status) =>
				(
					await request<{ deliveries: WebhookDelivery[] }>(
						"GET",
						`${org(orgId)}/webhooks/${segment(webhookId)}/deliveries${status ? `?status=${segment(status)}` : ""}`,
					)
				).deliveries,
			retryDelivery: async (orgId, webhookId, deliveryId) =>
				(
					await request<{ delivery: WebhookDelivery }>(
						"POST",
						`${org(orgId)}/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}/retry`,
						{},
					)
				).delivery,
		},
		accounts: {
			list: async () =>
				(await request<{ accounts: ConnectedAccount[] }>("GET", "/api/me/accounts")).accounts,
			connectMastodon: async (input) =>
				(await request<{ account: ConnectedAccount }>("PUT", "/api/me/accounts/mastodon", input))
					.account,
			connectBluesky: async (input) =>
				(await request<{ account: ConnectedAccount }>("PUT", "/api/me/accounts/bluesky", input))
					.account,
			disconnect: async (network) => {
				await request("DELETE", `/api/me/accounts/${segment(network)}`);
			},
		},
		sends: {
			list: async (mentionId) =>
				(await request<{ sends: ReplySend[] }>("GET", `/api/mentions/${segment(mentionId)}/sends`))
					.sends,
			send: (mentionId, text) =>
				sent(request("POST", `/api/mentions/${segment(mentionId)}/send`, { text }, true)),
			retry: (sendId) => sent(request("POST", `/api/sends/${segment(sendId)}/retry`, {}, true)),
		},
	};
}
