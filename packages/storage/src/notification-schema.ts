/** Tables of the notifications migration (2026-12-02T07-00-00-notifications), as kysely sees them. */
import type {
	NotificationDetail,
	NotificationKind,
	NotificationSettingsPatch,
} from "@switchboard/domain";
import type { BigSerial, DefaultTimestamp, Json, NullableTimestamp } from "./schema.ts";

export interface NotificationsTable {
	id: BigSerial;
	org_id: string;
	member_id: string;
	kind: NotificationKind;
	mention_id: string;
	board_id: string;
	actor_id: string | null;
	detail: Json<NotificationDetail>;
	key: string;
	created_at: DefaultTimestamp;
	read_at: NullableTimestamp;
}

export interface NotificationSettingsTable {
	member_id: string;
	/** What the member changed from the defaults; read through the domain's `notificationSettings`. */
	settings: Json<NotificationSettingsPatch>;
	updated_at: DefaultTimestamp;
}

export interface PushDevicesTable {
	id: string;
	member_id: string;
	endpoint: string;
	p256dh: string;
	auth: string;
	label: string | null;
	created_at: DefaultTimestamp;
	last_sent_at: NullableTimestamp;
}

export interface NotificationTables {
	notifications: NotificationsTable;
	notification_settings: NotificationSettingsTable;
	push_devices: PushDevicesTable;
}
