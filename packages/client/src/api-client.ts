/**
 * The HTTP API, typed from its contract (`HttpRoutes` in @switchboard/domain): one
 * `request(route, input)` that fills the path, sends the query and body, and answers the
 * route's answer type; every other call here is a short name for one route. Errors the
 * server answers as `{error: {code, message}}` become an `ApiError` with that code and
 * message; a failed send (502 with the stored send) is an outcome, not an error.
 */
import {
	CSRF_HEADER,
	type DeliveryStatus,
	type ErrorKind,
	HttpRoutes,
	type NewSourceInput,
	queryString,
	type ReplyNetwork,
	type ReplySend,
	type RouteAnswer,
	type RouteContract,
	type RouteRequest,
	routePath,
} from "@switchboard/domain";

// The records the API answers with, for callers that name them.
export type {
	ConnectedAccount,
	NewSourceInput,
	ReplySend,
	Source,
	SourcePatchInput,
	SourceStatus,
	WebhookDelivery,
	WebhookEndpoint,
} from "@switchboard/domain";

/** Codes an answer can carry: the server's error kinds, or `network` when there was none. */
export type ApiErrorCode = ErrorKind | "network";

/** A refused or failed request, with words a person can read. */
export class ApiError extends Error {
	override readonly name = "ApiError";
	readonly code: ApiErrorCode;
	/** HTTP status; 0 when the server could not be reached. */
	readonly status: number;
	/** The answer's JSON, when it had one (a failed send carries the stored send). */
	readonly body: unknown;

	constructor(code: ApiErrorCode, status: number, message: string, body?: unknown) {
		super(message);
		this.code = code;
		this.status = status;
		this.body = body;
	}
}

export interface ApiClientOptions {
	/**
	 * A session token (`POST /api/auth/login`). Without one the browser's session cookie
	 * is sent, with the CSRF header a cookie-authenticated write needs (a foreign page
	 * cannot set it without a preflight the server never grants).
	 */
	token?: string;
	/** Origin of the server; "" (the default) for the page's own origin. */
	baseUrl?: string;
	fetch?: typeof fetch;
}

/** What a send or a retry did: posted, or kept as failed with the network's error. */
export type SendOutcome =
	| ({ ok: true } & RouteAnswer<typeof HttpRoutes.send>)
	| { ok: false; send: ReplySend; error: string };

/** Reads an answer's JSON; a proxy's HTML error page reads as null. */
function readJson(text: string): unknown {
	try {
		return text ? JSON.parse(text) : null;
	} catch {
		return null;
	}
}

/** Call one route of the contract; resolves with its answer, or throws an ApiError. */
export type ApiRequest = <R extends RouteContract>(
	route: R,
	input: RouteRequest<R>,
) => Promise<RouteAnswer<R>>;

/** The one fetch-and-decode path every call of the SDK and the web client goes through. */
export function createApiRequest(options: ApiClientOptions = {}): ApiRequest {
	const base = options.baseUrl ?? "";
	const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
	return async (route, input) => {
		const { params, query, body } = input as {
			params?: Record<string, string>;
			query?: Record<string, unknown>;
			body?: unknown;
		};
		const url = `${base}${routePath(route, params)}${queryString(query)}`;
		let response: Response;
		try {
			response = await doFetch(url, {
				method: route.method,
				headers: {
					...(options.token
						? { authorization: `Bearer ${options.token}` }
						: { [CSRF_HEADER]: "1" }),
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
		if (response.ok && route.bytes) {
			return new Uint8Array(await response.arrayBuffer()) as RouteAnswer<typeof route>;
		}
		const json = readJson(await response.text());
		if (response.ok) return json as RouteAnswer<typeof route>;
		const error = (json as { error?: { code?: ErrorKind; message?: string } } | null)?.error;
		throw new ApiError(
			error?.code ?? "internal",
			response.status,
			error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
			json,
		);
	};
}

/** A send's answer, or its 502 (posting failed, the send kept) as an outcome. */
async function outcomeOf(
	answer: Promise<RouteAnswer<typeof HttpRoutes.send>>,
): Promise<SendOutcome> {
	try {
		return { ok: true, ...(await answer) };
	} catch (error) {
		const body = error instanceof ApiError ? (error.body as { send?: ReplySend } | null) : null;
		if (error instanceof ApiError && error.status === 502 && body?.send) {
			return { ok: false, send: body.send, error: error.message };
		}
		throw error;
	}
}

/** The HTTP API for one session: `request` for any route, and short names for the common ones. */
export function createApiClient(options: ApiClientOptions) {
	const request = createApiRequest(options);
	const R = HttpRoutes;
	return {
		request,
		boards: async () => (await request(R.boards, {})).boards,
		rules: {
			list: async (orgId: string) => (await request(R.rules, { params: { orgId } })).rules,
			/** Replace the whole list. */
			save: async (orgId: string, rules: RouteRequest<typeof R.saveRules>["body"]["rules"]) =>
				(await request(R.saveRules, { params: { orgId }, body: { rules } })).rules,
		},
		sources: {
			list: async (orgId: string) => (await request(R.sources, { params: { orgId } })).sources,
			/** A webhook source comes with its secret, shown this once. */
			create: (orgId: string, body: NewSourceInput) =>
				request(R.createSource, { params: { orgId }, body }),
			update: async (
				orgId: string,
				sourceId: string,
				body: RouteRequest<typeof R.updateSource>["body"],
			) => (await request(R.updateSource, { params: { orgId, sourceId }, body })).source,
			/** A new secret for a webhook source; the old one stops working. */
			rotateSecret: async (orgId: string, sourceId: string) =>
				(await request(R.rotateSourceSecret, { params: { orgId, sourceId } })).secret,
			remove: async (orgId: string, sourceId: string) => {
				await request(R.deleteSource, { params: { orgId, sourceId } });
			},
		},
		webhooks: {
			list: async (orgId: string) => (await request(R.webhooks, { params: { orgId } })).webhooks,
			create: (orgId: string, body: RouteRequest<typeof R.createWebhook>["body"]) =>
				request(R.createWebhook, { params: { orgId }, body }),
			update: async (
				orgId: string,
				webhookId: string,
				body: RouteRequest<typeof R.updateWebhook>["body"],
			) => (await request(R.updateWebhook, { params: { orgId, webhookId }, body })).webhook,
			rotateSecret: async (orgId: string, webhookId: string) =>
				(await request(R.rotateWebhookSecret, { params: { orgId, webhookId } })).secret,
			remove: async (orgId: string, webhookId: string) => {
				await request(R.deleteWebhook, { params: { orgId, webhookId } });
			},
			/** Newest first. */
			deliveries: async (orgId: string, webhookId: string, status?: DeliveryStatus) =>
				(await request(R.deliveries, { params: { orgId, webhookId }, query: { status } }))
					.deliveries,
			retryDelivery: async (orgId: string, webhookId: string, deliveryId: string) =>
				(await request(R.retryDelivery, { params: { orgId, webhookId, deliveryId } })).delivery,
		},
		accounts: {
			list: async () => (await request(R.accounts, {})).accounts,
			connectMastodon: async (body: RouteRequest<typeof R.connectMastodon>["body"]) =>
				(await request(R.connectMastodon, { body })).account,
			connectBluesky: async (body: RouteRequest<typeof R.connectBluesky>["body"]) =>
				(await request(R.connectBluesky, { body })).account,
			disconnect: async (network: ReplyNetwork) => {
				await request(R.disconnectAccount, { params: { network } });
			},
		},
		sends: {
			/** Newest first. */
			list: async (mentionId: string) => (await request(R.sends, { params: { mentionId } })).sends,
			send: (mentionId: string, text: string) =>
				outcomeOf(request(R.send, { params: { mentionId }, body: { text } })),
			retry: (sendId: string) => outcomeOf(request(R.retrySend, { params: { sendId } })),
		},
	};
}

/** The HTTP API of one session (see createApiClient). */
export type ApiClient = ReturnType<typeof createApiClient>;
