/** The push devices port on kysely (see `notification-storage.ts`). */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import type { PushDevicesTable } from "./notification-schema.ts";
import type { PushDevice, PushDeviceStore } from "./notification-storage.ts";
import { listOwned } from "./org-rows.ts";
import { iso } from "./rows.ts";

function toDevice(row: Selectable<PushDevicesTable>): PushDevice {
	return {
		id: row.id,
		memberId: row.member_id,
		endpoint: row.endpoint,
		keys: { p256dh: row.p256dh, auth: row.auth },
		label: row.label,
		createdAt: iso(row.created_at),
	};
}

export class KyselyPushDeviceStore extends KyselyPort implements PushDeviceStore {
	async savePushDevice(device: {
		memberId: string;
		endpoint: string;
		keys: { p256dh: string; auth: string };
		label: string | null;
	}): Promise<PushDevice> {
		const values = {
			member_id: device.memberId,
			p256dh: device.keys.p256dh,
			auth: device.keys.auth,
			label: device.label,
		};
		const row = await this.db
			.insertInto("push_devices")
			.values({ id: randomUUID(), endpoint: device.endpoint, ...values })
			.onConflict((oc) => oc.column("endpoint").doUpdateSet(values))
			.returningAll()
			.executeTakeFirstOrThrow();
		return toDevice(row);
	}

	listPushDevices(memberId: string): Promise<PushDevice[]> {
		return listOwned(this.db, "push_devices", "member_id", memberId, "created_at", toDevice);
	}

	async deletePushDevice(endpoint: string, memberId?: string): Promise<boolean> {
		let query = this.db.deleteFrom("push_devices").where("endpoint", "=", endpoint);
		if (memberId !== undefined) query = query.where("member_id", "=", memberId);
		const result = await query.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}
}
