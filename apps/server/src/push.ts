/**
 * Web Push (issue 14): notifications a member chose for the phone reach their opted-in
 * devices with the app closed. `web-push` builds each request (the payload encrypted to
 * the device, RFC 8291 aes128gcm; the VAPID signature, RFC 8292); the request itself goes
 * through the guarded outbound client like every request the server makes, so an endpoint
 * on a private address is refused unless the operator allowed it. A push service that
 * answers 404 or 410 says the subscription is gone: the device is forgotten.
 *
 * The VAPID key pair identifies this server to push services; instances behind one load
 * balancer must share it (`SWITCHBOARD_VAPID_PUBLIC_KEY` / `_PRIVATE_KEY`), else one is
 * generated into the data folder like the session secret.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { OutboundClient } from "@switchboard/connectors";
import { type PushPayload, withDefaults } from "@switchboard/domain";
import type { PushDevice, PushDeviceStore } from "@switchboard/storage";
import type { Logger } from "pino";
import * as v from "valibot";

/**
 * web-push (~18 MiB resident) is loaded when a key pair is first made or a push first sent,
 * not at start: most servers restart with their keys on file and send no push for a while.
 */
const require = createRequire(import.meta.url);
const webpush = (): typeof import("web-push") => require("web-push") as typeof import("web-push");

/** The server's VAPID identity. */
export interface VapidKeys {
	/** Uncompressed P-256 public key, base64url: the browser's `applicationServerKey`. */
	publicKey: string;
	/** The private scalar, base64url. */
	privateKey: string;
}

/** The contact push services are given when the operator names none. */
export const DEFAULT_VAPID_SUBJECT = "mailto:admin@switchboard.invalid";

const VapidFileSchema = v.object({ publicKey: v.string(), privateKey: v.string() });

/** A key pair kept in `<dataDir>/vapid.json` (0600), made on first use. */
export async function readOrCreateVapidKeys(dataDir: string): Promise<VapidKeys> {
	const path = join(dataDir, "vapid.json");
	try {
		const parsed = v.safeParse(VapidFileSchema, JSON.parse(await readFile(path, "utf8")));
		if (parsed.success) return parsed.output;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError)) {
			throw error;
		}
	}
	const keys = webpush().generateVAPIDKeys();
	await writeFile(path, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
	// `mode` only applies when the file is created; a replaced file keeps its old bits.
	await chmod(path, 0o600);
	return keys;
}

/** The push sender's tuning; every value has its default in `defaultPushTuning`. */
export interface PushTuning {
	/**
	 * How long a push service keeps a message for a device that is off, in seconds.
	 * @default 86400 (a day: older news is in the feed)
	 */
	ttlSeconds: number;
	/**
	 * Longest wait for a push service's answer, in milliseconds.
	 * @default 10000
	 */
	timeoutMs: number;
}

export const defaultPushTuning: PushTuning = { ttlSeconds: 86_400, timeoutMs: 10_000 };

export interface PushSenderOptions extends Partial<PushTuning> {
	storage: PushDeviceStore;
	outbound: OutboundClient;
	vapid: VapidKeys;
	/** `mailto:` or `https:` contact for push services. @default DEFAULT_VAPID_SUBJECT */
	subject?: string;
	logger: Pick<Logger, "warn" | "debug">;
}

/** What one send did per device. */
export type PushResult = "sent" | "removed" | "failed";

export class PushSender {
	readonly publicKey: string;
	private readonly options: PushSenderOptions;
	private readonly tuning: PushTuning;

	constructor(options: PushSenderOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultPushTuning, options);
		this.publicKey = options.vapid.publicKey;
	}

	/** Send to every device of the member; a device whose endpoint is gone is removed. */
	async send(memberId: string, payload: PushPayload): Promise<PushResult[]> {
		const devices = await this.options.storage.listPushDevices(memberId);
		return Promise.all(devices.map((device) => this.sendTo(device, payload)));
	}

	private async sendTo(device: PushDevice, payload: PushPayload): Promise<PushResult> {
		const { logger } = this.options;
		const request = webpush().generateRequestDetails(
			{ endpoint: device.endpoint, keys: device.keys },
			JSON.stringify(payload),
			{
				vapidDetails: {
					subject: this.options.subject ?? DEFAULT_VAPID_SUBJECT,
					publicKey: this.options.vapid.publicKey,
					privateKey: this.options.vapid.privateKey,
				},
				TTL: this.tuning.ttlSeconds,
				contentEncoding: "aes128gcm",
				urgency: "normal",
			},
		);
		// fetch measures the body itself; a Content-Length of ours would only be a second opinion.
		const headers = Object.fromEntries(
			Object.entries(request.headers)
				.filter(([name]) => name.toLowerCase() !== "content-length")
				.map(([name, value]) => [name, String(value)]),
		);
		let status: number;
		this.options.outbound.prepare();
		try {
			const response = await this.options.outbound.fetch(request.endpoint, {
				method: request.method,
				headers,
				body: request.body ? new Uint8Array(request.body) : null,
				redirect: "error",
				signal: AbortSignal.timeout(this.tuning.timeoutMs),
			});
			status = response.status;
			await response.body?.cancel();
		} catch (error) {
			logger.warn({ err: error, device: device.id }, "push not delivered");
			return "failed";
		}
		if (status === 404 || status === 410) {
			await this.options.storage.deletePushDevice(device.endpoint);
			logger.debug({ device: device.id, status }, "push subscription gone; device removed");
			return "removed";
		}
		if (status < 200 || status >= 300) {
			logger.warn({ device: device.id, status }, "push service refused a message");
			return "failed";
		}
		return "sent";
	}
}
