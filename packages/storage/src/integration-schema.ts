/** Tables of the sources migration (2026-11-26T10-30-00-sources), as kysely sees them. */
import type {
	DeliveryStatus,
	ReplyNetwork,
	ReplySendStatus,
	SourceKind,
	TriageRule,
	WebhookEvent,
	WebhookRefusalReason,
} from "@switchboard/domain";
import type { DefaultTimestamp, Json, NullableTimestamp, Timestamp } from "./schema.ts";

export interface TriageRulesTable {
	org_id: string;
	rules: Json<TriageRule[]>;
	updated_at: DefaultTimestamp;
}

export interface SourcesTable {
	id: string;
	org_id: string;
	board_id: string;
	kind: SourceKind;
	name: string;
	config: Json<Record<string, unknown>>;
	sealed_secret: string | null;
	enabled: boolean;
	cursor: Json<Record<string, unknown>>;
	last_error: string | null;
	last_polled_at: NullableTimestamp;
	next_poll_at: NullableTimestamp;
	failures: number;
	/** Webhooks: the last accepted and refused deliveries (2026-12-07T01-00-00-webhook-deliveries). */
	last_delivery_at: NullableTimestamp;
	last_refused_at: NullableTimestamp;
	last_refusal_reason: WebhookRefusalReason | null;
	/** The refusal in an admin's words. */
	last_refusal: string | null;
	created_at: DefaultTimestamp;
	updated_at: DefaultTimestamp;
}

export interface ConnectedAccountsTable {
	id: string;
	org_id: string;
	member_id: string;
	network: ReplyNetwork;
	server_url: string;
	handle: string;
	sealed_credential: string;
	created_at: DefaultTimestamp;
	updated_at: DefaultTimestamp;
}

export interface ReplySendsTable {
	id: string;
	org_id: string;
	board_id: string;
	mention_id: string;
	member_id: string;
	network: string;
	text: string;
	status: ReplySendStatus;
	error: string | null;
	url: string | null;
	attempts: number;
	created_at: DefaultTimestamp;
	updated_at: DefaultTimestamp;
}

export interface WebhookEndpointsTable {
	id: string;
	org_id: string;
	url: string;
	sealed_secret: string;
	events: Json<WebhookEvent[]>;
	enabled: boolean;
	created_at: DefaultTimestamp;
	updated_at: DefaultTimestamp;
}

export interface WebhookDeliveriesTable {
	id: string;
	org_id: string;
	endpoint_id: string;
	event: WebhookEvent;
	dedupe_key: string;
	payload: Json<Record<string, unknown>>;
	status: DeliveryStatus;
	attempts: number;
	next_attempt_at: Timestamp;
	last_error: string | null;
	last_status: number | null;
	delivered_at: NullableTimestamp;
	created_at: Timestamp;
}

export interface IntegrationTables {
	triage_rules: TriageRulesTable;
	sources: SourcesTable;
	connected_accounts: ConnectedAccountsTable;
	reply_sends: ReplySendsTable;
	webhook_endpoints: WebhookEndpointsTable;
	webhook_deliveries: WebhookDeliveriesTable;
}
