/**
 * The ports that serve sources and replies: triage rules with mention sources and their
 * poll state (`SourceStore`), members' connected accounts with reply sends
 * (`ReplyStore`), and outgoing webhooks with their delivery queue (`WebhookStore`). Values named `sealed…` are encrypted by
 * the caller (the server's secret box); storage keeps them as opaque text.
 */
import type {
	ConnectedAccount,
	DeliveryStatus,
	ReplyNetwork,
	ReplySend,
	ReplySendStatus,
	Source,
	SourceKind,
	TriageRule,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookEvent,
	WebhookRefusal,
} from "@switchboard/domain";

// The records the HTTP API answers with are defined once, in the contract.
export type {
	ConnectedAccount,
	ReplySend,
	Source,
	SourceStatus,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookRefusal,
} from "@switchboard/domain";

/** A source with what only the server may read. */
export interface SourceWithSecret extends Source {
	sealedSecret: string | null;
	cursor: Record<string, unknown>;
}

export interface NewSource {
	id?: string;
	orgId: string;
	boardId: string;
	kind: SourceKind;
	name: string;
	config: Record<string, unknown>;
	sealedSecret: string | null;
	enabled?: boolean;
	/** First poll; null or absent for webhooks. */
	nextPollAt?: string | null;
}

export interface SourcePatch {
	name?: string;
	boardId?: string;
	config?: Record<string, unknown>;
	sealedSecret?: string | null;
	enabled?: boolean;
	nextPollAt?: string | null;
	/** Start over: forget the cursor and the error count (after a config change). */
	resetState?: boolean;
}

/** The outcome of one poll. */
export interface SourcePollRecord {
	cursor?: Record<string, unknown>;
	lastError: string | null;
	lastPolledAt: string;
	nextPollAt: string;
	failures: number;
}

export interface ConnectedAccountWithCredential extends ConnectedAccount {
	sealedCredential: string;
}

export interface NewConnectedAccount {
	orgId: string;
	memberId: string;
	network: ReplyNetwork;
	serverUrl: string;
	handle: string;
	sealedCredential: string;
}

export interface NewReplySend {
	/** A UUID; it doubles as the idempotency key of the post and of markReplied. */
	id?: string;
	orgId: string;
	boardId: string;
	mentionId: string;
	memberId: string;
	network: string;
	text: string;
}

export interface ReplySendPatch {
	status: ReplySendStatus;
	error?: string | null;
	url?: string | null;
	text?: string;
	/** Count one more attempt. */
	attempt?: boolean;
}

export interface WebhookEndpointWithSecret extends WebhookEndpoint {
	sealedSecret: string;
}

export interface NewWebhookEndpoint {
	id?: string;
	orgId: string;
	url: string;
	events: WebhookEvent[];
	sealedSecret: string;
	enabled?: boolean;
}

export interface WebhookEndpointPatch {
	url?: string;
	events?: WebhookEvent[];
	enabled?: boolean;
	sealedSecret?: string;
}

/** A delivery to attempt now, with where it goes. */
export interface DueDelivery extends WebhookDelivery {
	url: string;
	sealedSecret: string;
}

export interface NewWebhookEvent {
	orgId: string;
	event: WebhookEvent;
	/** The same key twice for one endpoint is one delivery (e.g. `mention:<id>:high`). */
	dedupeKey: string;
	payload: Record<string, unknown>;
	/** ISO time; the first attempt is due then. */
	now: string;
}

export type DeliveryOutcome =
	| { ok: true; status: number; at: string }
	| {
			ok: false;
			error: string;
			status: number | null;
			/** When to try again; null gives up (status `failed`). */
			nextAttemptAt: string | null;
	  };

/** Where mentions come from: the organisation's triage rules and its sources. */
export interface SourceStore {
	/** The organisation's triage rules, in order; empty when none were set. */
	getTriageRules(orgId: string): Promise<TriageRule[]>;
	/** Replace the organisation's triage rules. */
	setTriageRules(orgId: string, rules: TriageRule[]): Promise<TriageRule[]>;

	createSource(input: NewSource): Promise<Source>;
	getSource(orgId: string, sourceId: string): Promise<SourceWithSecret | null>;
	listSources(orgId: string): Promise<Source[]>;
	updateSource(orgId: string, sourceId: string, patch: SourcePatch): Promise<Source | null>;
	deleteSource(orgId: string, sourceId: string): Promise<boolean>;
	/**
	 * Polled sources that are enabled and due at `now`, oldest due first. Each is leased
	 * until `leaseUntil` (its next poll moves there), so another instance asking at the
	 * same time does not get it too.
	 */
	claimDueSources(now: string, leaseUntil: string, limit: number): Promise<SourceWithSecret[]>;
	recordSourcePoll(sourceId: string, record: SourcePollRecord): Promise<void>;
	/**
	 * A webhook source accepted a delivery at `at`. Written only on a webhook source of that
	 * organisation, and only forward: an earlier time than the one kept changes nothing.
	 * True when written.
	 */
	recordWebhookDelivery(orgId: string, sourceId: string, at: string): Promise<boolean>;
	/**
	 * A webhook source refused a delivery. Written only on an enabled webhook source of that
	 * organisation (nothing for an unknown id), and only forward. True when written.
	 */
	recordWebhookRefusal(orgId: string, sourceId: string, refusal: WebhookRefusal): Promise<boolean>;
}

/** Replying from Switchboard: members' connected accounts and the sends made through them. */
export interface ReplyStore {
	/** Connect (or reconnect) a member's account on a network. */
	saveConnectedAccount(input: NewConnectedAccount): Promise<ConnectedAccount>;
	listConnectedAccounts(memberId: string): Promise<ConnectedAccount[]>;
	getConnectedAccount(
		memberId: string,
		network: ReplyNetwork,
	): Promise<ConnectedAccountWithCredential | null>;
	deleteConnectedAccount(memberId: string, network: ReplyNetwork): Promise<boolean>;

	/** Record a send about to be attempted: status `sending`, one attempt. */
	createReplySend(input: NewReplySend): Promise<ReplySend>;
	updateReplySend(orgId: string, sendId: string, patch: ReplySendPatch): Promise<ReplySend | null>;
	getReplySend(orgId: string, sendId: string): Promise<ReplySend | null>;
	/** Sends, newest first. */
	listReplySends(
		orgId: string,
		filter?: { mentionId?: string; memberId?: string; status?: ReplySendStatus },
	): Promise<ReplySend[]>;
}

/** Outgoing webhooks: the endpoints and their queue of deliveries. */
export interface WebhookStore {
	createWebhookEndpoint(input: NewWebhookEndpoint): Promise<WebhookEndpoint>;
	listWebhookEndpoints(orgId: string): Promise<WebhookEndpoint[]>;
	getWebhookEndpoint(orgId: string, endpointId: string): Promise<WebhookEndpointWithSecret | null>;
	updateWebhookEndpoint(
		orgId: string,
		endpointId: string,
		patch: WebhookEndpointPatch,
	): Promise<WebhookEndpoint | null>;
	/** Removes the endpoint and its deliveries. */
	deleteWebhookEndpoint(orgId: string, endpointId: string): Promise<boolean>;
	/**
	 * Queue an event for every enabled endpoint of the organisation that subscribes to it.
	 * Idempotent by (endpoint, dedupe key). Returns how many deliveries were queued.
	 */
	enqueueWebhookEvent(input: NewWebhookEvent): Promise<number>;
	/**
	 * `enqueueWebhookEvent` for several events, in one statement (an ingest pass queues one
	 * per high-priority mention). Returns how many deliveries were queued.
	 */
	enqueueWebhookEvents(inputs: readonly NewWebhookEvent[]): Promise<number>;
	/**
	 * Queue `mention.claimed` and `mention.replied` for the commands in the activity log
	 * (claim, claimNext, assign; markReplied) recorded since `since`, whichever server or
	 * client ran them. An endpoint gets only what happened after it was created. Safe to
	 * call repeatedly and from several instances. Returns how many were queued.
	 */
	enqueueActivityEvents(now: string, since: string): Promise<number>;
	/** Pending deliveries due at `now`, each leased until `leaseUntil`. */
	claimDueDeliveries(now: string, leaseUntil: string, limit: number): Promise<DueDelivery[]>;
	recordDeliveryAttempt(deliveryId: string, outcome: DeliveryOutcome): Promise<void>;
	/**
	 * Deliveries still to go out (pending, due or waiting for a retry), over every
	 * organisation: the depth of the outgoing queue, for the operator's metrics.
	 */
	countPendingDeliveries(): Promise<number>;
	/** Deliveries, newest first. */
	listWebhookDeliveries(
		orgId: string,
		filter?: { endpointId?: string; status?: DeliveryStatus; limit?: number },
	): Promise<WebhookDelivery[]>;
	/**
	 * Put a delivery of that endpoint back in the queue, due at `now`; null (and nothing
	 * changed) when the organisation's endpoint has no such delivery.
	 */
	retryWebhookDelivery(
		orgId: string,
		endpointId: string,
		deliveryId: string,
		now: string,
	): Promise<WebhookDelivery | null>;
}
