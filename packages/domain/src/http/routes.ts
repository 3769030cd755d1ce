/**
 * Every route of the HTTP API, one entry each (see route.ts for what an entry holds).
 * A route that is registered on the server without an entry here fails a test; the
 * OpenAPI document at `/api/openapi.json` is generated from this table.
 *
 * To add a route: add its entry here, register it on the server with `handle(app,
 * HttpRoutes.yourRoute, …)`, and call it from the client with
 * `api.request(HttpRoutes.yourRoute, {…})` (docs/HTTP-API.md).
 */
import * as v from "valibot";
import { AuditActionSchema, AuditEntrySchema } from "../audit.ts";
import { BoardPatchSchema, NewBoardSchema } from "../boards.ts";
import { isTimeZone } from "../business-hours.ts";
import {
	DeliveryStatuses,
	ReplyNetworks,
	type SourceKind,
	SourceKindSchema,
	WebhookEventSchema,
} from "../integrations.ts";
import {
	BoardSchema,
	MemberSchema,
	NetworkSchema,
	OrganisationSchema,
	RoleSchema,
	StatusSchema,
} from "../model.ts";
import {
	NotificationSchema,
	NotificationSettingsPatchSchema,
	NotificationSettingsSchema,
	PushSubscriptionSchema,
} from "../notifications.ts";
import {
	InvitationKinds,
	InviteLinkSchema,
	MAX_INVITES_PER_REQUEST,
	MAX_PASSWORD_LENGTH,
	MemberPatchSchema,
	MemberRecordSchema,
	NewPasswordSchema,
	PendingInviteSchema,
	ProfilePatchSchema,
	RejectedInviteSchema,
} from "../people.ts";
import { ReportNames } from "../reports.ts";
import { SSO_CALLBACK_PATH, SsoConfigInputSchema, SsoConfigSchema } from "../sso.ts";
import { TriageRulesSchema } from "../triage-rules.ts";
import { defineRoute, ErrorEnvelopeSchema } from "./route.ts";
import {
	ActivityEntrySchema,
	BoardIdSchema,
	BoardSettingsPatchSchema,
	BoardSettingsSchema,
	ConnectedAccountSchema,
	CredentialSchema,
	DEFAULT_BLUESKY_SERVICE,
	HttpUrlSchema,
	MemberListingSchema,
	MentionBatchSchema,
	MentionInputSchema,
	MentionSchema,
	NameSchema,
	ReplySendSchema,
	ReportTableSchema,
	SessionMemberSchema,
	type SourceConfigInput,
	SourceSchema,
	WebhookDeliverySchema,
	WebhookEndpointSchema,
} from "./wire.ts";

/** Most mentions one page of `GET /api/boards/:boardId/mentions` holds. */
export const MAX_MENTIONS_PAGE = 200;
/** Mentions on a page when the caller does not say. */
export const DEFAULT_MENTIONS_PAGE = 100;
/** Most conversations one page of `GET /api/history` holds. */
export const MAX_HISTORY_PAGE = 100;
/** Conversations on a page of `GET /api/history` when the caller does not say. */
export const DEFAULT_HISTORY_PAGE = 30;
/** Most notifications one page of `GET /api/me/notifications` holds. */
export const MAX_NOTIFICATIONS_PAGE = 100;
/** Notifications on a page when the caller does not say. */
export const DEFAULT_NOTIFICATIONS_PAGE = 30;
/** Most entries one page of `GET /api/mentions/:mentionId/activity` holds. */
export const MAX_ACTIVITY_PAGE = 200;
/**
 * Entries on a page of a conversation's activity when the caller does not say: a
 * conversation's whole story as a rule (claim, hand-off, reply, close are a handful).
 */
export const DEFAULT_ACTIVITY_PAGE = 50;
/** Most ids one `POST /api/me/notifications/read` names. */
export const MAX_READ_IDS = 500;

const Id = v.pipe(v.string(), v.minLength(1));
const Ok = v.object({ ok: v.literal(true) });
const Secret = v.object({ secret: v.string() });

const OrgParams = v.object({ orgId: Id });

/** An organisation's retention of finished conversations. */
const RetentionSchema = v.strictObject({
	/** Days a finished conversation is kept after its last change; null keeps it (the default). */
	finishedDays: v.nullable(
		v.pipe(
			v.number(),
			v.integer("finishedDays must be a whole number of days"),
			v.minValue(1, "finishedDays must be at least 1"),
			v.maxValue(3650, "finishedDays must be at most 3650 (ten years)"),
		),
	),
});
/** The tables of an organisation's export, one CSV file each. */
export const ExportParts = [
	"conversations",
	"messages",
	"notes",
	"members",
	"boards",
	"sources",
] as const;
const SourceParams = v.object({ orgId: Id, sourceId: Id });
const WebhookParams = v.object({ orgId: Id, webhookId: Id });
const BoardParams = v.object({ boardId: Id });

/** A whole number given in a query string. */
const Count = (min: number, max: number) =>
	v.pipe(
		v.string(),
		v.regex(/^\d{1,9}$/, "must be a whole number"),
		v.transform(Number),
		v.minValue(min, `must be at least ${min}`),
		v.maxValue(max, `must be at most ${max}`),
	);

/** An ISO timestamp, or a date (`2026-11-26`: midnight UTC). */
const Instant = v.pipe(
	v.string(),
	v.check(
		(text) =>
			/^\d{4}-\d{2}-\d{2}$/.test(text) ||
			(/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))),
		"must be an ISO date or timestamp",
	),
	v.transform((text) => new Date(/T/.test(text) ? text : `${text}T00:00:00Z`).toISOString()),
);

const TimeZone = v.pipe(
	v.string(),
	v.check(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
);

const CreateSourceBody = v.strictObject({
	kind: SourceKindSchema,
	name: NameSchema,
	boardId: v.optional(BoardIdSchema, "main"),
	enabled: v.optional(v.boolean(), true),
	/** Checked against the kind's config schema (SOURCE_CONFIG_SCHEMAS). */
	config: v.optional(v.record(v.string(), v.unknown()), {}),
	/** Mastodon access token or Bluesky app password. */
	credential: v.optional(CredentialSchema),
});

const Events = v.pipe(
	v.array(WebhookEventSchema),
	v.minLength(1, "subscribe to at least one event"),
);

/** A failed send: kept as failed with the network's words, retried by `sends.retry`. */
const FailedSend = {
	502: {
		description: "Posting failed; the send is kept as failed and can be retried.",
		schema: v.object({ ...ErrorEnvelopeSchema.entries, send: ReplySendSchema }),
	},
} as const;

const SendAnswer = v.object({ send: ReplySendSchema, mention: MentionSchema });

const NotificationSettingsAnswer = v.object({ settings: NotificationSettingsSchema });

/** A device the member opted in from, as the settings page lists it. */
const PushDeviceSchema = v.object({
	id: v.string(),
	/** Where its notifications go; the browser compares it with its own subscription. */
	endpoint: v.string(),
	label: v.nullable(v.string()),
	createdAt: v.string(),
});

/** Most members or invitations one page of the admin's lists holds. */
export const MAX_PEOPLE_PAGE = 200;
/** Members or invitations on a page when the caller does not say. */
export const DEFAULT_PEOPLE_PAGE = 50;
/** Largest CSV of members the admin screen sends at once (10,000 rows fit with room). */
export const MAX_MEMBERS_CSV_BYTES = 8 * 1024 * 1024;

/** One status or several, comma-separated (the mention lists' filter). */
const StatusList = v.optional(
	v.pipe(
		v.string(),
		v.transform((s) => s.split(",")),
		v.array(StatusSchema),
	),
);
/** A page of a mention list: at most `limit`, after the `nextCursor` of the page before. */
function mentionsPage(max: number, byDefault: number) {
	return {
		limit: v.optional(Count(1, max), String(byDefault)),
		cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512))),
	};
}
/** Pass as `cursor` for the next page; null on the last. */
const NextCursor = v.nullable(v.string());

const PeopleQuery = v.object({
	/** Part of a name or email, any case. */
	q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
	limit: v.optional(Count(1, MAX_PEOPLE_PAGE), String(DEFAULT_PEOPLE_PAGE)),
	/** `nextCursor` of the page before. */
	cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
});

/** What a batch of invitations answers; rows refused are listed with why, by position. */
const InvitesAnswer = v.object({
	invites: v.array(InviteLinkSchema),
	/** Rows refused; empty unless `goodRowsOnly` was asked (otherwise nothing is invited). */
	rejected: v.array(RejectedInviteSchema),
	/** Whether the links were handed to the mail server (SMTP_URL set). */
	mailed: v.boolean(),
});

/**
 * A batch with a bad row, when the admin did not ask for the good rows only: nothing was
 * invited. 409 when every bad row is an email that is already a member's, else 400.
 */
const InvitesRefused = {
	400: {
		description: "A row is not valid; nothing was invited. Each bad row is listed with why.",
		schema: v.object({ ...ErrorEnvelopeSchema.entries, rejected: v.array(RejectedInviteSchema) }),
	},
	409: {
		description: "A row's email already belongs to a member; nothing was invited.",
		schema: v.object({ ...ErrorEnvelopeSchema.entries, rejected: v.array(RejectedInviteSchema) }),
	},
} as const;

/** Most entries one page of the audit log holds. */
export const MAX_AUDIT_PAGE = 200;
/** Entries on a page of the audit log when the caller does not say. */
export const DEFAULT_AUDIT_PAGE = 50;

/** An invitation's or reset link's code, as `newInviteCode` makes them. */
const InviteCode = v.pipe(
	v.string(),
	v.regex(/^[A-Za-z0-9_-]{16,128}$/, "is not an invitation code"),
);
/**
 * A link's code in the path, its shape unchecked: a link cut short (a mail client folding it,
 * part of it copied) is then told what an unknown code is told, "check that it was copied
 * whole", rather than "code: is not an invitation code". The lookup is by hash either way.
 */
const InviteCodeParams = v.object({ code: v.pipe(v.string(), v.maxLength(128)) });
const MemberParams = v.object({ orgId: Id, memberId: Id });
/**
 * A new session. `boards` are the boards the member may open, as `GET /api/boards` lists them,
 * so that the client opens one without another round trip (a second on a slow phone network);
 * a server before them leaves them out, and the client then asks.
 */
const SessionAnswer = v.object({
	token: v.string(),
	member: SessionMemberSchema,
	boards: v.optional(v.array(BoardSchema)),
});
const SsoAnswer = v.object({
	sso: v.nullable(SsoConfigSchema),
	/** Register this at the identity provider as the client's redirect URI. */
	redirectUri: v.string(),
});

export const HttpRoutes = {
	health: defineRoute({
		method: "GET",
		path: "/healthz",
		summary: "The process answers",
		auth: "public",
		answer: Ok,
	}),
	ready: defineRoute({
		method: "GET",
		path: "/readyz",
		summary: "The process and its database answer",
		auth: "public",
		answer: v.object({ ready: v.literal(true) }),
		otherAnswers: {
			503: {
				description: "The database is not reachable.",
				schema: v.object({ ready: v.literal(false), ...ErrorEnvelopeSchema.entries }),
			},
		},
	}),
	metrics: defineRoute({
		method: "GET",
		path: "/metrics",
		summary:
			"The process's metrics in the Prometheus text format, for the bearer of SWITCHBOARD_METRICS_TOKEN",
		auth: "operator",
		answer: v.string(),
		text: "text/plain; version=0.0.4; charset=utf-8",
	}),
	openapi: defineRoute({
		method: "GET",
		path: "/api/openapi.json",
		summary: "This API as an OpenAPI 3.1 document",
		auth: "public",
		answer: v.looseObject({ openapi: v.string() }),
	}),
	login: defineRoute({
		method: "POST",
		path: "/api/auth/login",
		summary: "Sign in: a token, the session cookie, and the boards the member may open",
		auth: "public",
		body: v.object({
			email: v.pipe(v.string(), v.trim(), v.email("must be an email address")),
			password: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(1024)),
		}),
		answer: SessionAnswer,
	}),
	logout: defineRoute({
		method: "POST",
		path: "/api/auth/logout",
		summary: "Sign out: drop the session cookie",
		auth: "public",
		answer: Ok,
	}),
	demo: defineRoute({
		method: "GET",
		path: "/api/demo",
		summary:
			"The demo's accounts and their shared password while this server runs the demo (SWITCHBOARD_DEMO, seeded into an empty database), as the terminal prints them; null when it does not",
		auth: "public",
		answer: v.object({
			demo: v.nullable(
				v.object({
					password: v.string(),
					accounts: v.array(
						v.object({ email: v.string(), role: RoleSchema, organisation: v.string() }),
					),
				}),
			),
		}),
	}),
	webhookIngest: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/sources/:sourceId/webhook",
		summary: "Mentions pushed to a webhook source, signed with its secret",
		auth: "signature",
		params: SourceParams,
		body: v.union([MentionBatchSchema, MentionInputSchema]),
		status: 202,
		answer: v.object({
			/** Mentions stored as new conversations. */
			accepted: v.number(),
			/** Mentions that added nothing: stored before, thread and all. */
			duplicates: v.number(),
			/**
			 * Mentions that joined a conversation already there: a follow-up (`inReplyTo`), or
			 * a mention sent again with messages its thread did not have.
			 */
			followUps: v.number(),
			/** The conversations this request started or added to, each once. */
			mentionIds: v.array(v.string()),
		}),
	}),
	me: defineRoute({
		method: "GET",
		path: "/api/me",
		summary: "The signed-in member and their organisation",
		auth: "session",
		answer: v.object({ member: MemberSchema, organisation: v.nullable(OrganisationSchema) }),
	}),
	members: defineRoute({
		method: "GET",
		path: "/api/members",
		summary: "The organisation's members (emails for moderators and admins only)",
		auth: "session",
		answer: v.object({ members: v.array(MemberListingSchema) }),
	}),
	boards: defineRoute({
		method: "GET",
		path: "/api/boards",
		summary:
			"The boards the caller may open (ambassadors: their own; moderators and admins: all), archived ones only when asked",
		auth: "session",
		query: v.object({
			/** `archived`: archived boards too (flagged by `archivedAt`). */
			include: v.optional(v.picklist(["archived"], "may only be archived")),
		}),
		answer: v.object({ boards: v.array(BoardSchema) }),
	}),
	createBoard: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/boards",
		summary: "Create a board (a team); its id is made from its name when left out",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: NewBoardSchema,
		status: 201,
		answer: v.object({ board: BoardSchema }),
	}),
	updateBoard: defineRoute({
		method: "PATCH",
		path: "/api/orgs/:orgId/boards/:boardId",
		summary:
			"Rename a board, archive it (read-only; new mentions routed to it go to the first board) or bring it back",
		auth: "session",
		roles: ["admin"],
		params: v.object({ orgId: Id, boardId: Id }),
		body: BoardPatchSchema,
		answer: v.object({ board: BoardSchema }),
	}),
	mentions: defineRoute({
		method: "GET",
		path: "/api/boards/:boardId/mentions",
		summary: "A board's mentions, oldest first, a page at a time",
		auth: "session",
		params: BoardParams,
		query: v.object({
			status: StatusList,
			/** Only those this member owns. */
			owner: v.optional(v.pipe(v.string(), v.minLength(1))),
			...mentionsPage(MAX_MENTIONS_PAGE, DEFAULT_MENTIONS_PAGE),
		}),
		answer: v.object({ mentions: v.array(MentionSchema), nextCursor: NextCursor }),
	}),
	boardState: defineRoute({
		method: "GET",
		path: "/api/boards/:boardId/state",
		summary:
			"A board's live document, as one Yjs update (compressed as Accept-Encoding allows): a client with nothing of the board loads it before the socket's sync, which then carries only what changed since",
		auth: "session",
		params: BoardParams,
		answer: v.instance(Uint8Array),
		bytes: "application/octet-stream",
	}),
	history: defineRoute({
		method: "GET",
		path: "/api/history",
		summary:
			"Every conversation of the organisation, on any board and finished ones included, newest first: by words, author, tag, owner and period",
		auth: "session",
		query: v.object({
			/** Words in the mention or its thread, web-search syntax: `"exact phrase"`, `or`, `-not`. */
			q: v.optional(v.pipe(v.string(), v.maxLength(500))),
			/** The public author's handle (the `@` and the case do not matter). */
			author: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
			/** With `author`: only on this network. */
			network: v.optional(NetworkSchema),
			tag: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
			/** Conversations this member owns or has owned. */
			owner: v.optional(Id),
			/** Posted at or after. */
			from: v.optional(Instant),
			/** Posted before. */
			to: v.optional(Instant),
			status: StatusList,
			...mentionsPage(MAX_HISTORY_PAGE, DEFAULT_HISTORY_PAGE),
		}),
		answer: v.object({ conversations: v.array(MentionSchema), nextCursor: NextCursor }),
	}),
	boardSettings: defineRoute({
		method: "GET",
		path: "/api/boards/:boardId/settings",
		summary: "A board's settings",
		auth: "session",
		params: BoardParams,
		answer: v.object({ settings: BoardSettingsSchema }),
	}),
	saveBoardSettings: defineRoute({
		method: "PUT",
		path: "/api/orgs/:orgId/boards/:boardId/settings",
		summary: "Change a board's settings; fields left out keep their value",
		auth: "session",
		roles: ["admin"],
		params: v.object({ orgId: Id, boardId: Id }),
		body: BoardSettingsPatchSchema,
		answer: v.object({ settings: BoardSettingsSchema }),
	}),
	report: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/reports/:name",
		summary: "A report over a period, as JSON or CSV (docs/REPORTS.md)",
		auth: "session",
		roles: ["moderator", "admin"],
		params: v.object({
			orgId: Id,
			name: v.picklist(ReportNames, `there are ${ReportNames.join(", ")}`),
		}),
		query: v.object({
			/** Inclusive. @default a week before `to` */
			from: v.optional(Instant),
			/** Exclusive. @default now */
			to: v.optional(Instant),
			format: v.optional(v.picklist(["json", "csv"]), "json"),
			/** One board; every board of the organisation when left out. */
			board: v.optional(BoardIdSchema),
			/** Time zone days are cut in. */
			tz: v.optional(TimeZone, "UTC"),
		}),
		answer: ReportTableSchema,
		csv: true,
	}),
	rules: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/rules",
		summary: "The organisation's triage rules, in order",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: v.object({ rules: TriageRulesSchema }),
	}),
	saveRules: defineRoute({
		method: "PUT",
		path: "/api/orgs/:orgId/rules",
		summary: "Replace the organisation's triage rules",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: v.strictObject({ rules: TriageRulesSchema }),
		answer: v.object({ rules: TriageRulesSchema }),
	}),
	sources: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/sources",
		summary: "The organisation's mention sources with how their polling stands",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: v.object({ sources: v.array(SourceSchema) }),
	}),
	createSource: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/sources",
		summary: "Add a source; a webhook source's secret is shown this once",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: CreateSourceBody,
		status: 201,
		answer: v.object({
			source: SourceSchema,
			secret: v.optional(v.string()),
			/** Path (on this server) that signed mentions are POSTed to. */
			webhookUrl: v.optional(v.string()),
		}),
	}),
	source: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/sources/:sourceId",
		summary: "One source",
		auth: "session",
		roles: ["admin"],
		params: SourceParams,
		answer: v.object({ source: SourceSchema }),
	}),
	updateSource: defineRoute({
		method: "PATCH",
		path: "/api/orgs/:orgId/sources/:sourceId",
		summary: "Change a source; a new config or credential polls it afresh",
		auth: "session",
		roles: ["admin"],
		params: SourceParams,
		body: v.strictObject({
			name: v.optional(NameSchema),
			boardId: v.optional(BoardIdSchema),
			enabled: v.optional(v.boolean()),
			config: v.optional(v.record(v.string(), v.unknown())),
			credential: v.optional(CredentialSchema),
		}),
		answer: v.object({ source: SourceSchema }),
	}),
	rotateSourceSecret: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/sources/:sourceId/rotate-secret",
		summary: "A new secret for a webhook source; the old one stops working",
		auth: "session",
		roles: ["admin"],
		params: SourceParams,
		answer: Secret,
	}),
	deleteSource: defineRoute({
		method: "DELETE",
		path: "/api/orgs/:orgId/sources/:sourceId",
		summary: "Remove a source",
		auth: "session",
		roles: ["admin"],
		params: SourceParams,
		answer: Ok,
	}),
	webhooks: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/webhooks",
		summary: "The organisation's outgoing webhooks",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: v.object({ webhooks: v.array(WebhookEndpointSchema) }),
	}),
	createWebhook: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/webhooks",
		summary: "Add an outgoing webhook; its secret is shown this once",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: v.strictObject({
			url: HttpUrlSchema,
			events: Events,
			enabled: v.optional(v.boolean(), true),
		}),
		status: 201,
		answer: v.object({ webhook: WebhookEndpointSchema, secret: v.string() }),
	}),
	updateWebhook: defineRoute({
		method: "PATCH",
		path: "/api/orgs/:orgId/webhooks/:webhookId",
		summary: "Change an outgoing webhook",
		auth: "session",
		roles: ["admin"],
		params: WebhookParams,
		body: v.strictObject({
			url: v.optional(HttpUrlSchema),
			events: v.optional(Events),
			enabled: v.optional(v.boolean()),
		}),
		answer: v.object({ webhook: WebhookEndpointSchema }),
	}),
	rotateWebhookSecret: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/webhooks/:webhookId/rotate-secret",
		summary: "A new secret for an outgoing webhook; the old one stops working",
		auth: "session",
		roles: ["admin"],
		params: WebhookParams,
		answer: Secret,
	}),
	deleteWebhook: defineRoute({
		method: "DELETE",
		path: "/api/orgs/:orgId/webhooks/:webhookId",
		summary: "Remove an outgoing webhook",
		auth: "session",
		roles: ["admin"],
		params: WebhookParams,
		answer: Ok,
	}),
	deliveries: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/webhooks/:webhookId/deliveries",
		summary: "An outgoing webhook's deliveries, newest first (at most 200)",
		auth: "session",
		roles: ["admin"],
		params: WebhookParams,
		query: v.object({
			status: v.optional(v.picklist(DeliveryStatuses, `one of ${DeliveryStatuses.join(", ")}.`)),
		}),
		answer: v.object({ deliveries: v.array(WebhookDeliverySchema) }),
	}),
	retryDelivery: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/webhooks/:webhookId/deliveries/:deliveryId/retry",
		summary: "Deliver a failed delivery again",
		auth: "session",
		roles: ["admin"],
		params: v.object({ orgId: Id, webhookId: Id, deliveryId: Id }),
		answer: v.object({ delivery: WebhookDeliverySchema }),
	}),
	accounts: defineRoute({
		method: "GET",
		path: "/api/me/accounts",
		summary: "The signed-in member's connected accounts",
		auth: "session",
		answer: v.object({ accounts: v.array(ConnectedAccountSchema) }),
	}),
	connectMastodon: defineRoute({
		method: "PUT",
		path: "/api/me/accounts/mastodon",
		summary: "Connect a Mastodon account to send replies from",
		auth: "session",
		body: v.strictObject({ instanceUrl: HttpUrlSchema, accessToken: CredentialSchema }),
		answer: v.object({ account: ConnectedAccountSchema }),
	}),
	connectBluesky: defineRoute({
		method: "PUT",
		path: "/api/me/accounts/bluesky",
		summary: "Connect a Bluesky account (with an app password) to send replies from",
		auth: "session",
		body: v.strictObject({
			service: v.optional(HttpUrlSchema, DEFAULT_BLUESKY_SERVICE),
			identifier: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300)),
			appPassword: CredentialSchema,
		}),
		answer: v.object({ account: ConnectedAccountSchema }),
	}),
	disconnectAccount: defineRoute({
		method: "DELETE",
		path: "/api/me/accounts/:network",
		summary: "Disconnect the member's account on a network",
		auth: "session",
		params: v.object({
			network: v.picklist(ReplyNetworks, "accounts connect on mastodon or bluesky"),
		}),
		answer: Ok,
	}),
	notifications: defineRoute({
		method: "GET",
		path: "/api/me/notifications",
		summary: "The signed-in member's notifications, newest first, a page at a time",
		auth: "session",
		query: v.object({
			/** Only unread ones. */
			unread: v.optional(
				v.pipe(
					v.picklist(["true", "false", "1", "0"], "must be true or false"),
					v.transform((flag) => flag === "true" || flag === "1"),
				),
				"false",
			),
			limit: v.optional(Count(1, MAX_NOTIFICATIONS_PAGE), String(DEFAULT_NOTIFICATIONS_PAGE)),
			/** `nextCursor` of the page before. */
			cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,18}$/, "not a cursor of this list"))),
		}),
		answer: v.object({
			notifications: v.array(NotificationSchema),
			/** How many of the member's notifications are unread, all pages together. */
			unread: v.number(),
			nextCursor: NextCursor,
		}),
	}),
	readNotifications: defineRoute({
		method: "POST",
		path: "/api/me/notifications/read",
		summary: "Mark notifications read: those named, or all of them",
		auth: "session",
		body: v.union([
			v.strictObject({
				ids: v.pipe(
					v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(20))),
					v.minLength(1, "name at least one notification"),
					v.maxLength(MAX_READ_IDS, `at most ${MAX_READ_IDS} at a time`),
				),
			}),
			v.strictObject({ all: v.literal(true) }),
		]),
		answer: v.object({
			/** How many were marked now. */
			marked: v.number(),
			unread: v.number(),
		}),
	}),
	notificationSettings: defineRoute({
		method: "GET",
		path: "/api/me/notification-settings",
		summary: "Which notifications the member wants, per kind, in the app and on the phone",
		auth: "session",
		answer: NotificationSettingsAnswer,
	}),
	saveNotificationSettings: defineRoute({
		method: "PUT",
		path: "/api/me/notification-settings",
		summary: "Change notification settings; kinds and channels left out keep their value",
		auth: "session",
		body: NotificationSettingsPatchSchema,
		answer: NotificationSettingsAnswer,
	}),
	pushDevices: defineRoute({
		method: "GET",
		path: "/api/me/push-devices",
		summary: "The devices the member gets push notifications on, and the server's VAPID key",
		auth: "session",
		answer: v.object({
			/** The application server key to subscribe with (base64url). */
			publicKey: v.string(),
			devices: v.array(PushDeviceSchema),
		}),
	}),
	addPushDevice: defineRoute({
		method: "PUT",
		path: "/api/me/push-devices",
		summary: "Get push notifications on this device: its browser's push subscription",
		auth: "session",
		body: v.strictObject({
			subscription: PushSubscriptionSchema,
			/** A name to tell the member's devices apart ("Pixel 8, Chrome"). */
			label: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(120))),
		}),
		answer: v.object({ device: PushDeviceSchema }),
	}),
	removePushDevice: defineRoute({
		method: "POST",
		path: "/api/me/push-devices/remove",
		summary: "Stop push notifications on a device, named by its subscription's endpoint",
		auth: "session",
		body: v.strictObject({ endpoint: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)) }),
		answer: v.object({ removed: v.boolean() }),
	}),
	send: defineRoute({
		method: "POST",
		path: "/api/mentions/:mentionId/send",
		summary: "Post the reply through the member's connected account",
		auth: "session",
		params: v.object({ mentionId: Id }),
		body: v.strictObject({ text: v.pipe(v.string(), v.maxLength(20_000)) }),
		answer: SendAnswer,
		otherAnswers: FailedSend,
	}),
	sends: defineRoute({
		method: "GET",
		path: "/api/mentions/:mentionId/sends",
		summary: "The sends of a conversation, newest first",
		auth: "session",
		params: v.object({ mentionId: Id }),
		answer: v.object({ sends: v.array(ReplySendSchema) }),
	}),
	activity: defineRoute({
		method: "GET",
		path: "/api/mentions/:mentionId/activity",
		summary:
			"What happened to a conversation, newest first, a page at a time: who claimed, handed off, snoozed, escalated, closed (with how it was settled) or reopened it, and the follow-ups that came in",
		auth: "session",
		params: v.object({ mentionId: Id }),
		query: v.object({
			limit: v.optional(Count(1, MAX_ACTIVITY_PAGE), String(DEFAULT_ACTIVITY_PAGE)),
			/** `nextCursor` of the page before. */
			cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,18}$/, "not a cursor of this list"))),
		}),
		answer: v.object({ activity: v.array(ActivityEntrySchema), nextCursor: NextCursor }),
	}),
	retrySend: defineRoute({
		method: "POST",
		path: "/api/sends/:sendId/retry",
		summary: "Post a failed send again",
		auth: "session",
		params: v.object({ sendId: Id }),
		answer: SendAnswer,
		otherAnswers: FailedSend,
	}),
	invite: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/invites",
		summary:
			"Invite people: a single-use link each (7 days). A row is refused with why; nothing is invited unless goodRowsOnly",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: v.strictObject({
			/** Each row is checked against the invitation's schema on its own (docs/PEOPLE.md). */
			invites: v.pipe(
				v.array(v.record(v.string(), v.unknown())),
				v.minLength(1, "invite at least one person"),
				v.maxLength(MAX_INVITES_PER_REQUEST, `at most ${MAX_INVITES_PER_REQUEST} at once`),
			),
			/** Invite the good rows and list the bad ones, instead of inviting nothing. */
			goodRowsOnly: v.optional(v.boolean(), false),
		}),
		status: 201,
		answer: InvitesAnswer,
		otherAnswers: InvitesRefused,
	}),
	inviteCsv: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/invites/csv",
		summary:
			"Invite from a CSV of employees (email, name, role, capacity, skills, languages, team); bad rows by line",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: v.strictObject({
			csv: v.pipe(
				v.string(),
				v.minLength(1, "the file is empty"),
				v.maxLength(MAX_MEMBERS_CSV_BYTES),
			),
			goodRowsOnly: v.optional(v.boolean(), false),
		}),
		status: 201,
		answer: InvitesAnswer,
		otherAnswers: InvitesRefused,
	}),
	invites: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/invites",
		summary: "Invitations and reset links not yet used or revoked, by email, a page at a time",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		query: PeopleQuery,
		answer: v.object({ invites: v.array(PendingInviteSchema), nextCursor: NextCursor }),
	}),
	revokeInvite: defineRoute({
		method: "DELETE",
		path: "/api/orgs/:orgId/invites/:inviteId",
		summary: "Withdraw an invitation or reset link; it stops working at once",
		auth: "session",
		roles: ["admin"],
		params: v.object({ orgId: Id, inviteId: Id }),
		answer: Ok,
	}),
	invitation: defineRoute({
		method: "GET",
		path: "/api/invites/:code",
		summary: "What an invitation or reset link is for (the page that accepts it shows this)",
		auth: "public",
		params: InviteCodeParams,
		answer: v.object({
			kind: v.picklist(InvitationKinds),
			email: v.string(),
			name: v.nullable(v.string()),
			organisation: OrganisationSchema,
			/**
			 * An invitation's role, which accepting it gives: whoever holds the link may accept
			 * it, so naming the role tells them nothing more. Absent from a reset link and from
			 * servers older than it.
			 */
			role: v.optional(RoleSchema),
			expiresAt: v.string(),
			/** The organisation allows only single sign-on: accept by signing in with it. */
			ssoOnly: v.optional(v.boolean()),
		}),
	}),
	acceptInvite: defineRoute({
		method: "POST",
		path: "/api/invites/:code/accept",
		summary:
			"Use an invitation (name and password) or reset link (password): signed in as login is; 410 when used, revoked or expired",
		auth: "public",
		params: InviteCodeParams,
		body: v.strictObject({
			/** The invitation's name when left out; ignored by a reset. */
			name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
			password: v.pipe(v.string(), v.maxLength(MAX_PASSWORD_LENGTH), NewPasswordSchema),
		}),
		answer: SessionAnswer,
	}),
	forgotPassword: defineRoute({
		method: "POST",
		path: "/api/password/forgot",
		summary:
			"Ask for a reset link by email: 202 and the same answer whether or not the email is a member's; 503 when the server sends no email",
		auth: "public",
		body: v.strictObject({
			email: v.pipe(v.string(), v.trim(), v.maxLength(320), v.email("must be an email address")),
		}),
		status: 202,
		answer: Ok,
	}),
	forgotPasswordByEmail: defineRoute({
		method: "GET",
		path: "/api/password/forgot",
		summary:
			"Whether this server mails reset links (it has SMTP_URL and PUBLIC_URL), so the forgot-password page says so before anyone types an email",
		auth: "public",
		answer: v.object({ byEmail: v.boolean() }),
	}),
	ssoSettings: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/sso",
		summary:
			"The organisation's single sign-on (OpenID Connect) settings, without the client secret, and the redirect URI to register",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: SsoAnswer,
	}),
	saveSsoSettings: defineRoute({
		method: "PUT",
		path: "/api/orgs/:orgId/sso",
		summary:
			"Set single sign-on: issuer, client id and secret (sealed; left out keeps the stored one), allowed domains, just-in-time membership, SSO only. The issuer's discovery document is read first",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: SsoConfigInputSchema,
		answer: SsoAnswer,
	}),
	deleteSsoSettings: defineRoute({
		method: "DELETE",
		path: "/api/orgs/:orgId/sso",
		summary: "Turn single sign-on off: members sign in with passwords again",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: Ok,
	}),
	ssoStart: defineRoute({
		method: "POST",
		path: "/api/sso/start",
		summary:
			"Start a single sign-on by email (its member's organisation, else the one allowing its domain) or organisation id: the identity provider's URL to open",
		auth: "public",
		body: v.strictObject({
			email: v.optional(
				v.pipe(v.string(), v.trim(), v.maxLength(320), v.email("must be an email address")),
			),
			orgId: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64))),
			/** An invitation of an organisation that allows only SSO: the sign-in accepts it. */
			inviteCode: v.optional(InviteCode),
		}),
		answer: v.object({ url: v.string() }),
	}),
	ssoCallback: defineRoute({
		method: "GET",
		path: SSO_CALLBACK_PATH,
		summary:
			"Where the identity provider sends the browser back: signs in and redirects to the web client, or to /login?sso=<reason>",
		auth: "public",
		query: v.looseObject({
			state: v.optional(v.pipe(v.string(), v.maxLength(512))),
			code: v.optional(v.pipe(v.string(), v.maxLength(4096))),
			error: v.optional(v.pipe(v.string(), v.maxLength(512))),
		}),
		answer: Ok,
		otherAnswers: {
			302: {
				description:
					"Always: to / signed in (session cookie set), or to /login?sso=<reason> (SsoRefusals)",
				schema: v.string(),
			},
		},
	}),
	orgMembers: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/members",
		summary: "Members, active and deactivated, by name, with boards and load, a page at a time",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		query: PeopleQuery,
		answer: v.object({ members: v.array(MemberRecordSchema), nextCursor: NextCursor }),
	}),
	updateMember: defineRoute({
		method: "PATCH",
		path: "/api/orgs/:orgId/members/:memberId",
		summary:
			"Change a member's role, capacity, skills, languages, boards or active; deactivating ends their sessions and releases their work",
		auth: "session",
		roles: ["admin"],
		params: MemberParams,
		body: MemberPatchSchema,
		answer: v.object({
			member: MemberRecordSchema,
			/** Open conversations a deactivation handed back to their boards. */
			released: v.number(),
		}),
	}),
	resetPassword: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/members/:memberId/password-reset",
		summary: "A one-time link (24 hours) for the member to choose a new password",
		auth: "session",
		roles: ["admin"],
		params: MemberParams,
		status: 201,
		answer: v.object({ ...InviteLinkSchema.entries, mailed: v.boolean() }),
	}),
	updateMe: defineRoute({
		method: "PATCH",
		path: "/api/me",
		summary: "Change your own name or languages",
		auth: "session",
		body: ProfilePatchSchema,
		answer: v.object({ member: MemberSchema }),
	}),
	changePassword: defineRoute({
		method: "PUT",
		path: "/api/me/password",
		summary: "Change your password: every other session of yours ends, this one goes on",
		auth: "session",
		body: v.strictObject({
			currentPassword: v.pipe(
				v.string(),
				v.minLength(1, "must not be empty"),
				v.maxLength(MAX_PASSWORD_LENGTH),
			),
			newPassword: v.pipe(v.string(), v.maxLength(MAX_PASSWORD_LENGTH), NewPasswordSchema),
		}),
		answer: Ok,
	}),
	audit: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/audit",
		summary:
			"The admin audit log, newest first: by action, actor and period, a page at a time, or all of it as CSV",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		query: v.object({
			/** One action or several, comma-separated. */
			action: v.optional(
				v.pipe(
					v.string(),
					v.transform((s) => s.split(",")),
					v.array(AuditActionSchema),
				),
			),
			/** A member's id, or `system` or `cli`. */
			actor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
			/** At or after. */
			from: v.optional(Instant),
			/** Before. */
			to: v.optional(Instant),
			limit: v.optional(Count(1, MAX_AUDIT_PAGE), String(DEFAULT_AUDIT_PAGE)),
			/** `nextCursor` of the page before; with CSV, the export starts below it. */
			cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
			/** CSV of every entry that matches (also with `Accept: text/csv`). */
			format: v.optional(v.picklist(["json", "csv"])),
		}),
		answer: v.object({
			entries: v.array(AuditEntrySchema),
			/** Pass as `cursor` for the next page; null on the last. */
			nextCursor: v.nullable(v.string()),
		}),
		csv: true,
	}),
	orgExport: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/export",
		summary:
			"Everything an organisation holds, to take away: conversations with their threads, replies, tags, draft and notes, and the members, boards and sources (no password hashes, credentials or secrets). JSON as one document, or CSV one part at a time; streamed, recorded in the audit log",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		query: v.object({
			format: v.optional(v.picklist(["json", "csv"]), "json"),
			/** With CSV: which table (one file each); ignored with JSON, which holds them all. */
			part: v.optional(v.picklist(ExportParts), "conversations"),
		}),
		answer: v.object({
			format: v.literal("switchboard-export"),
			version: v.number(),
			orgId: v.string(),
			exportedAt: v.string(),
			members: v.array(MemberSchema),
			boards: v.array(BoardSchema),
			sources: v.array(v.omit(SourceSchema, ["status"])),
			conversations: v.array(
				v.object({
					...MentionSchema.entries,
					draft: v.object({
						text: v.string(),
						notes: v.array(
							v.object({ id: v.string(), authorId: v.string(), text: v.string(), at: v.string() }),
						),
					}),
				}),
			),
		}),
		csv: true,
	}),
	retention: defineRoute({
		method: "GET",
		path: "/api/orgs/:orgId/retention",
		summary:
			"How long the organisation keeps finished conversations (replied, closed, dismissed) and their drafts; null keeps them",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		answer: RetentionSchema,
	}),
	setRetention: defineRoute({
		method: "PUT",
		path: "/api/orgs/:orgId/retention",
		summary:
			"Delete finished conversations, with their drafts, notes, notifications and search rows, once they have not changed for finishedDays days (null: keep them); recorded in the audit log",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: RetentionSchema,
		answer: RetentionSchema,
	}),
	erasure: defineRoute({
		method: "POST",
		path: "/api/orgs/:orgId/erasures",
		summary:
			"Erase one public author of a network on request: every conversation they started (with its draft, notes, notifications and search rows) and their messages in other threads, off the live boards at once; running it again erases nothing more; recorded in the audit log without the content",
		auth: "session",
		roles: ["admin"],
		params: OrgParams,
		body: v.strictObject({
			network: NetworkSchema,
			/** The author's handle on that network, as on their posts (case and a leading @ do not matter). */
			author: v.pipe(
				v.string(),
				v.trim(),
				v.minLength(1, "author must not be empty"),
				v.maxLength(200),
			),
		}),
		answer: v.object({
			network: NetworkSchema,
			/** The handle as compared: lower case, without a leading @. */
			author: v.string(),
			conversations: v.number(),
			threadMessages: v.number(),
			drafts: v.number(),
			notifications: v.number(),
		}),
	}),
} as const;

export type HttpRouteName = keyof typeof HttpRoutes;

/** The CSV files of an organisation's export (`GET /api/orgs/:orgId/export?format=csv&part=`). */
export type ExportPart = (typeof ExportParts)[number];

/** A source to create, its config typed by its kind (the kind's defaults may be left out). */
export type NewSourceInput = {
	[K in SourceKind]: Omit<v.InferInput<typeof CreateSourceBody>, "kind" | "config"> & {
		kind: K;
		config: SourceConfigInput<K>;
	};
}[SourceKind];

/** What a source's change takes; a new config or credential polls it afresh. */
export type SourcePatchInput = v.InferInput<typeof HttpRoutes.updateSource.body>;
