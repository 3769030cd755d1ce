/**
 * The shapes the HTTP API carries, as valibot schemas: what a source is configured
 * with (and its defaults), the records the API answers with (sources, webhooks,
 * deliveries, accounts, sends, settings, reports), and the mention a webhook pushes.
 * Server, storage and client take their types from here, so a field is added once.
 */
import * as v from "valibot";
import {
	businessHoursProblemsByPart,
	isTimeZone,
	MAX_HOLIDAYS,
	MAX_INTERVALS_PER_DAY,
	unknownTimeZone,
	type Weekday,
	Weekdays,
} from "../business-hours.ts";
import {
	DeliveryStatuses,
	ReplyNetworkSchema,
	ReplySendStatuses,
	type SourceKind,
	SourceKindSchema,
	WebhookEventSchema,
	WebhookRefusalReasons,
} from "../integrations.ts";
import {
	type BoardSettings,
	MemberSchema,
	MentionContentSchema,
	MentionWorkSchema,
	NETWORK_NAMES,
	NETWORK_REPLY_MAXIMUM,
	type Network,
	NetworkSchema,
	Networks,
	Priorities,
	type Priority,
	RoleSchema,
	StatusSchema,
	webLink,
} from "../model.ts";
import { ReportNames } from "../reports.ts";

/** The Bluesky entryway accounts sign in at unless they name their own PDS. */
export const DEFAULT_BLUESKY_SERVICE = "https://bsky.social";

const IsoTime = v.pipe(v.string(), v.isoTimestamp());

/** An http(s) URL a person typed: trimmed, at most 2000 characters. */
export const HttpUrlSchema = v.pipe(
	v.string(),
	v.trim(),
	v.url("must be a URL"),
	v.check((url) => /^https?:\/\//i.test(url), "must be an http(s) URL"),
	v.maxLength(2000),
);

/** A board id as it appears in paths and bodies. */
export const BoardIdSchema = v.pipe(
	v.string(),
	v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a board id"),
);

/** A name a person gives (a source, a board). */
export const NameSchema = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));

/** A Mastodon access token or a Bluesky app password, as typed. */
export const CredentialSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4000));

/** A Bluesky handle or DID. */
const BlueskyIdentifier = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300));

const Keywords = v.optional(
	v.pipe(
		v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
		v.maxLength(50, "at most 50 keywords"),
	),
	[],
);

/**
 * Seconds between polls when a source's config leaves them out.
 * RSS feeds change slowly and are often rate-limited by their hosts; the networks'
 * notification APIs are cheap to ask.
 */
export const DEFAULT_POLL_SECONDS: Record<SourceKind, number | null> = {
	webhook: null,
	rss: 300,
	mastodon: 120,
	bluesky: 120,
};

/** Seconds between polls: from 30 s (politeness) to a day. */
const Interval = (fallback: number) =>
	v.optional(v.pipe(v.number(), v.integer(), v.minValue(30), v.maxValue(86_400)), fallback);

export const WebhookConfigSchema = v.strictObject({});

export const RssConfigSchema = v.strictObject({
	url: HttpUrlSchema,
	/** Only items that contain one of these; every item when empty. */
	keywords: Keywords,
	intervalSeconds: Interval(300),
});
export type RssConfig = v.InferOutput<typeof RssConfigSchema>;

export const MastodonConfigSchema = v.strictObject({
	instanceUrl: HttpUrlSchema,
	/** Read mention notifications of the account the token belongs to. */
	mentions: v.optional(v.boolean(), true),
	keywords: Keywords,
	intervalSeconds: Interval(120),
});
export type MastodonConfig = v.InferOutput<typeof MastodonConfigSchema>;

export const BlueskyConfigSchema = v.strictObject({
	service: v.optional(HttpUrlSchema, DEFAULT_BLUESKY_SERVICE),
	/** The account's handle or DID. */
	identifier: BlueskyIdentifier,
	mentions: v.optional(v.boolean(), true),
	keywords: Keywords,
	intervalSeconds: Interval(120),
});
export type BlueskyConfig = v.InferOutput<typeof BlueskyConfigSchema>;

/** The config each kind of source takes; secrets travel apart, as `credential`. */
export const SOURCE_CONFIG_SCHEMAS = {
	webhook: WebhookConfigSchema,
	rss: RssConfigSchema,
	mastodon: MastodonConfigSchema,
	bluesky: BlueskyConfigSchema,
} as const satisfies Record<SourceKind, v.GenericSchema>;

/** A source kind's config as a client writes it (defaults may be left out). */
export type SourceConfigInput<K extends SourceKind = SourceKind> = v.InferInput<
	(typeof SOURCE_CONFIG_SCHEMAS)[K]
>;

/** Kinds that need a credential (sealed): the Mastodon token, the Bluesky app password. */
export const CREDENTIAL_KINDS: readonly SourceKind[] = ["mastodon", "bluesky"];

/** A delivery a webhook source refused: when, why, and why in an admin's words. */
export const WebhookRefusalSchema = v.object({
	at: IsoTime,
	reason: v.picklist(WebhookRefusalReasons),
	/** "The signature did not match the source's secret." */
	message: v.string(),
});
export type WebhookRefusal = v.InferOutput<typeof WebhookRefusalSchema>;

/** How a source's polling stands; what an admin looks at when a source misbehaves. */
export const SourceStatusSchema = v.object({
	/** The last poll's error, null after a poll that worked. */
	lastError: v.nullable(v.string()),
	lastPolledAt: v.nullable(IsoTime),
	/** When the scheduler polls it next; null for webhooks and disabled sources. */
	nextPollAt: v.nullable(IsoTime),
	/** Failed polls in a row; drives the backoff. */
	failures: v.number(),
	/**
	 * A webhook's last accepted delivery, to within a few seconds (recorded at most once per
	 * throttle window); null before the first. Absent from servers older than it.
	 */
	lastDeliveryAt: v.optional(v.nullable(IsoTime)),
	/**
	 * A webhook's last refused delivery: when, why, and the reason in an admin's words ("The
	 * signature did not match the source's secret."). Recorded at most once per throttle
	 * window, so it may be an earlier refusal of a burst. Null before the first; absent from
	 * servers older than it.
	 */
	lastRefusal: v.optional(v.nullable(WebhookRefusalSchema)),
});
export type SourceStatus = v.InferOutput<typeof SourceStatusSchema>;

export const SourceSchema = v.object({
	id: v.string(),
	orgId: v.string(),
	/** The board its mentions land on. */
	boardId: v.string(),
	kind: SourceKindSchema,
	name: v.string(),
	/** Kind-specific settings (feed URL, keywords, instance); never a secret. */
	config: v.record(v.string(), v.unknown()),
	enabled: v.boolean(),
	status: SourceStatusSchema,
	createdAt: IsoTime,
	updatedAt: IsoTime,
});
export type Source = v.InferOutput<typeof SourceSchema>;

export const WebhookEndpointSchema = v.object({
	id: v.string(),
	orgId: v.string(),
	url: v.string(),
	events: v.array(WebhookEventSchema),
	enabled: v.boolean(),
	createdAt: IsoTime,
	updatedAt: IsoTime,
});
export type WebhookEndpoint = v.InferOutput<typeof WebhookEndpointSchema>;

export const DeliveryStatusSchema = v.picklist(DeliveryStatuses);

export const WebhookDeliverySchema = v.object({
	id: v.string(),
	orgId: v.string(),
	endpointId: v.string(),
	event: WebhookEventSchema,
	payload: v.record(v.string(), v.unknown()),
	status: DeliveryStatusSchema,
	attempts: v.number(),
	nextAttemptAt: IsoTime,
	lastError: v.nullable(v.string()),
	/** HTTP status of the last answer, when there was one. */
	lastStatus: v.nullable(v.number()),
	deliveredAt: v.nullable(IsoTime),
	createdAt: IsoTime,
});
export type WebhookDelivery = v.InferOutput<typeof WebhookDeliverySchema>;

export const ConnectedAccountSchema = v.object({
	id: v.string(),
	orgId: v.string(),
	memberId: v.string(),
	network: ReplyNetworkSchema,
	/** The Mastodon instance or Bluesky service the account lives on. */
	serverUrl: v.string(),
	handle: v.string(),
	createdAt: IsoTime,
	updatedAt: IsoTime,
});
export type ConnectedAccount = v.InferOutput<typeof ConnectedAccountSchema>;

/** A reply posted (or tried) through a member's connected account. */
export const ReplySendSchema = v.object({
	id: v.string(),
	orgId: v.string(),
	boardId: v.string(),
	mentionId: v.string(),
	memberId: v.string(),
	network: v.string(),
	text: v.string(),
	status: v.picklist(ReplySendStatuses),
	/** Why the last attempt failed. */
	error: v.nullable(v.string()),
	/** The posted reply, once sent. */
	url: v.nullable(v.string()),
	attempts: v.number(),
	createdAt: IsoTime,
	updatedAt: IsoTime,
});
export type ReplySend = v.InferOutput<typeof ReplySendSchema>;

/** A mention as the API answers it: its content and its work state. */
export const MentionSchema = v.object({
	...MentionContentSchema.entries,
	...MentionWorkSchema.entries,
});

/**
 * A member as `/api/members` shows them: the email only to moderators and admins, who
 * need it to reach people; ambassadors see names and roles.
 */
export const MemberListingSchema = v.object({
	...MemberSchema.entries,
	email: v.optional(MemberSchema.entries.email),
});
export type MemberListing = v.InferOutput<typeof MemberListingSchema>;

/** Who a session belongs to, as sign-in answers it. */
export const SessionMemberSchema = v.object({
	id: v.string(),
	orgId: v.string(),
	role: RoleSchema,
	name: v.string(),
	/**
	 * The email they sign in with, for the web client's "Sign in again" to fill in. Optional:
	 * servers before it did not send it.
	 */
	email: v.optional(v.string()),
});

/**
 * A whole number with its thousands grouped ("25,000"). By hand, not with
 * `toLocaleString("en")`: that call, made as this module loads, read Node's ICU
 * number-formatting data into every process that imports the domain (18 ms of a one-off
 * command's start, bench/findings/06.md).
 */
function grouped(count: number): string {
	return String(count).replace(/\B(?=(\d{3})+$)/g, ",");
}

/**
 * A number of minutes from 1 to `days` days. Every problem (not a number, too small, too
 * large) says the unit and the whole range, so the field's message tells what to type.
 */
function minutesUpTo(days: number) {
	const most = 60 * 24 * days;
	const message = `must be a number of minutes from 1 to ${grouped(most)} (${days} days)`;
	return v.pipe(v.number(message), v.minValue(1, message), v.maxValue(most, message));
}
const Minutes = minutesUpTo(90);
const PerPriority = v.strictObject({ high: Minutes, normal: Minutes, low: Minutes });
/** A reply limit on `network`: at most the longest post it takes, else 100,000. */
function replyLimitOn(network: Network) {
	const most = NETWORK_REPLY_MAXIMUM[network] ?? 100_000;
	const message = `must be a whole number of characters from 1 to ${grouped(most)}${
		network in NETWORK_REPLY_MAXIMUM ? `, the longest post on ${NETWORK_NAMES[network]}` : ""
	}`;
	return v.pipe(
		v.number(message),
		v.integer(message),
		v.minValue(1, message),
		v.maxValue(most, message),
	);
}

const Clock = v.pipe(v.string(), v.regex(/^\d\d:\d\d$/, "must be a time like 09:00 or 17:30"));
const WorkingIntervalSchema = v.strictObject({ start: Clock, end: Clock });
const DayIntervals = v.optional(
	v.pipe(v.array(WorkingIntervalSchema), v.maxLength(MAX_INTERVALS_PER_DAY)),
	[],
);

/**
 * A board's working hours (business-hours.ts): an IANA time zone, intervals per weekday
 * (a day left out is off) and holidays. Checked as a whole: unknown zone, inverted or
 * overlapping intervals and a week without working time are refused with sentences.
 */
export const BusinessHoursSchema = v.pipe(
	v.strictObject({
		// Checked here as well as below, so an unknown zone is named at its own field.
		timeZone: v.pipe(
			v.string(),
			v.minLength(1),
			v.maxLength(64),
			v.check(isTimeZone, (issue) => unknownTimeZone(String(issue.input))),
		),
		weekly: v.strictObject(
			Object.fromEntries(Weekdays.map((day) => [day, DayIntervals])) as Record<
				Weekday,
				typeof DayIntervals
			>,
		),
		holidays: v.optional(
			v.pipe(v.array(v.pipe(v.string(), v.maxLength(10))), v.maxLength(MAX_HOLIDAYS)),
			[],
		),
	}),
	// Each problem at the part it is about (`weekly.tue`, `holidays`), so a form shows it
	// beside that field; a week without working time is a problem of the whole.
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const hours = dataset.value;
		for (const { part, message } of businessHoursProblemsByPart(hours)) {
			if (part === "week") {
				addIssue({ message });
				continue;
			}
			const weekly = part !== "timeZone" && part !== "holidays";
			const top = weekly ? "weekly" : part;
			const path: [v.ObjectPathItem, ...v.ObjectPathItem[]] = [
				{ type: "object", origin: "value", input: hours, key: top, value: hours[top] },
			];
			if (weekly) {
				path.push({
					type: "object",
					origin: "value",
					input: hours.weekly,
					key: part,
					value: hours.weekly[part],
				});
			}
			addIssue({ message, path });
		}
	}),
);

/** Most reply templates a board keeps. */
export const MAX_TEMPLATES = 50;

/** One reply template as an admin writes it. */
export const ReplyTemplateSchema = v.strictObject({
	id: v.pipe(
		v.string(),
		v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be lower-case letters, digits and dashes"),
	),
	name: v.pipe(v.string(), v.trim(), v.minLength(1, "give it a name"), v.maxLength(100)),
	body: v.pipe(v.string(), v.trim(), v.minLength(1, "write its text"), v.maxLength(5000)),
});

/** A board's settings (SLA targets, lease, reply limits, approval rules, working hours, templates). */
export const BoardSettingsSchema = v.strictObject({
	/** Minutes until a new conversation should be claimed, per priority. */
	slaClaimMinutes: PerPriority,
	/** Minutes until the first reply should be sent, per priority. */
	slaReplyMinutes: PerPriority,
	/** Minutes an owner may be offline before their conversations are released. */
	leaseMinutes: minutesUpTo(30),
	/** Character limit of a reply, per network. */
	replyLimits: v.strictObject(
		Object.fromEntries(Networks.map((network) => [network, replyLimitOn(network)])) as Record<
			Network,
			ReturnType<typeof replyLimitOn>
		>,
	),
	/** Which conversations need approval before their reply is recorded. */
	approval: v.strictObject({
		priorities: v.pipe(v.array(v.picklist(Priorities)), v.maxLength(3)),
		tags: v.pipe(
			v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64))),
			v.maxLength(50),
		),
		newMembers: v.pipe(
			v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
			v.maxLength(500),
		),
	}),
	/** When the board works; null: round the clock. SLA clocks count working time only. */
	businessHours: v.nullable(BusinessHoursSchema),
	/** Reply templates offered in the conversation, in this order. */
	templates: v.pipe(
		v.array(ReplyTemplateSchema),
		v.maxLength(MAX_TEMPLATES, `at most ${MAX_TEMPLATES} templates`),
		v.check(
			(list) => new Set(list.map((t) => t.id)).size === list.length,
			"two templates have the same id",
		),
	),
});

/**
 * The priorities whose first-reply target is shorter than their claim target, with why.
 * Both count from when the conversation came in, so such a reply target is missed by every
 * conversation claimed on time: a slip of the keyboard, not a rule (60 typed for 600).
 */
export function slaTargetProblems(
	settings: Pick<BoardSettings, "slaClaimMinutes" | "slaReplyMinutes">,
): Partial<Record<Priority, string>> {
	const problems: Partial<Record<Priority, string>> = {};
	for (const priority of Priorities) {
		const claim = settings.slaClaimMinutes[priority];
		if (settings.slaReplyMinutes[priority] < claim) {
			problems[priority] =
				`must be at least the claim target (${claim} min): both count from when the conversation came in`;
		}
	}
	return problems;
}

const BoardSettingsPartial = v.partial(BoardSettingsSchema);
type BoardSettingsPartial = v.InferOutput<typeof BoardSettingsPartial>;

/** A patch's reply target of `priority` is refused beside its field when below its claim target. */
function replyNotBeforeClaim(priority: Priority) {
	const targets = (patch: BoardSettingsPartial) =>
		patch.slaClaimMinutes && patch.slaReplyMinutes
			? { slaClaimMinutes: patch.slaClaimMinutes, slaReplyMinutes: patch.slaReplyMinutes }
			: null;
	const problem = (patch: BoardSettingsPartial) => {
		const given = targets(patch);
		// A target refused on its own (200000 minutes) is told as that, not compared.
		const readable =
			given &&
			v.is(Minutes, given.slaClaimMinutes[priority]) &&
			v.is(Minutes, given.slaReplyMinutes[priority]);
		return readable ? slaTargetProblems(given)[priority] : undefined;
	};
	return v.forward(
		v.check<BoardSettingsPartial, (issue: v.CheckIssue<BoardSettingsPartial>) => string>(
			(patch) => problem(patch) === undefined,
			(issue) => problem(issue.input as BoardSettingsPartial) ?? "",
		),
		["slaReplyMinutes", priority],
	);
}

/**
 * Settings to change; fields left out keep their current value. Targets given together are
 * checked together here, so a form says which field is wrong; the server checks them again
 * once merged with the stored ones.
 */
export const BoardSettingsPatchSchema = v.pipe(
	BoardSettingsPartial,
	replyNotBeforeClaim("high"),
	replyNotBeforeClaim("normal"),
	replyNotBeforeClaim("low"),
);

/** A report as JSON (docs/REPORTS.md defines the reports and their columns). */
export const ReportTableSchema = v.object({
	report: v.picklist(ReportNames),
	from: IsoTime,
	to: IsoTime,
	timeZone: v.string(),
	/** Boards whose SLA figures are measured in working time (their business hours). */
	workingTimeBoards: v.array(v.string()),
	columns: v.array(
		v.object({
			key: v.string(),
			label: v.string(),
			unit: v.picklist(["text", "count", "seconds", "percent"]),
		}),
	),
	rows: v.array(v.record(v.string(), v.nullable(v.union([v.string(), v.number()])))),
});

const Timestamp = v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp"));
const Handle = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));

/** One message of the thread around a pushed mention. */
export const ThreadMessageInputSchema = v.object({
	externalId: v.optional(v.pipe(v.string(), v.maxLength(500))),
	handle: Handle,
	fromOrganisation: v.optional(v.boolean(), false),
	text: v.pipe(v.string(), v.maxLength(20_000)),
	postedAt: Timestamp,
});

/** One mention as a sender (a webhook, an import file) writes it. */
export const MentionInputSchema = v.object({
	/** Where it was posted. @default "webhook" */
	network: v.optional(NetworkSchema, "webhook"),
	/** The sender's id for it; the same network and id twice is one mention. */
	externalId: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500)),
	/**
	 * The external id (same network) of an earlier message of the conversation this one
	 * continues: its mention or any message of its thread. The message then joins that
	 * conversation's thread (a follow-up); with a parent nobody knows it starts one.
	 */
	inReplyTo: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500))),
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

/**
 * One entry of a conversation's activity log, as `GET /api/mentions/:mentionId/activity`
 * lists it: what the append-only log recorded, without the ids that only the server needs
 * (organisation, command). The client says it in words (apps/web/src/activity-words.ts).
 */
export const ActivityEntrySchema = v.object({
	/** Increases with every entry; the list is newest (highest) first. */
	id: v.string(),
	/**
	 * A command's name (`claim`, `handoff`, `close`…) or what the server did by itself
	 * (`SystemActions`: `follow_up`, `lease_expired`, `snooze_ended`…).
	 */
	action: v.string(),
	/** The member who did it; null for what the server did by itself. */
	actorId: v.nullable(v.string()),
	fromStatus: v.nullable(StatusSchema),
	toStatus: v.nullable(StatusSchema),
	/**
	 * What the action recorded, as the domain's `decide` (and the server's own actions) wrote
	 * it: a close's, dismissal's or escalation's `reason` (null when none was given), a
	 * snooze's `until`, a handoff's or assignment's `from` and `to`, a release's
	 * `previousOwner`, a follow-up's `count` and `reopened`.
	 */
	detail: v.record(v.string(), v.unknown()),
	/** ISO time. */
	at: v.string(),
});
export type ActivityEntry = v.InferOutput<typeof ActivityEntrySchema>;
