/**
 * A push service stand-in on 127.0.0.1: it hands out browser-like subscriptions (a P-256
 * key pair and an auth secret per device, as `PushSubscription.toJSON()` gives them),
 * receives what the server sends, checks the VAPID signature (RFC 8292) and decrypts the
 * payload as the browser would (RFC 8291 over RFC 8188 aes128gcm), written here with
 * node:crypto alone so that it checks `web-push` rather than repeating it.
 */
import {
	createDecipheriv,
	createECDH,
	createPublicKey,
	hkdfSync,
	randomBytes,
	randomUUID,
	verify,
} from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface PushDeviceStandIn {
	subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
	/** Messages received for this device, decrypted, oldest first. */
	received: ReceivedPush[];
	/** Status the stand-in answers for this device: 201, or 404/410 for a gone subscription. */
	status: number;
}

export interface ReceivedPush {
	/** The decrypted payload, as text. */
	text: string;
	/** The VAPID public key the request was signed with. */
	vapidKey: string;
	/** The JWT's claims. */
	claims: { aud: string; exp: number; sub: string };
	ttl: string | null;
}

export interface PushReceiver {
	url: string;
	/** A new device: its subscription points here. */
	device(): PushDeviceStandIn;
	/** Requests that did not decrypt or verify, with why. */
	refused: string[];
	close(): Promise<void>;
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Decrypt one aes128gcm message (a single record, as Web Push sends). */
function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): string {
	const salt = body.subarray(0, 16);
	const idLength = body[20] ?? 0;
	const serverKey = body.subarray(21, 21 + idLength);
	const record = body.subarray(21 + idLength);
	const secret = ecdh.computeSecret(serverKey);
	const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), serverKey]);
	const ikm = Buffer.from(hkdfSync("sha256", secret, auth, keyInfo, 32));
	const cek = Buffer.from(hkdfSync("sha256", ikm, salt, "Content-Encoding: aes128gcm\0", 16));
	const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, "Content-Encoding: nonce\0", 12));
	const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
	decipher.setAuthTag(record.subarray(record.length - 16));
	const padded = Buffer.concat([
		decipher.update(record.subarray(0, record.length - 16)),
		decipher.final(),
	]);
	// The last record ends with the delimiter 2 and any zero padding after it.
	let end = padded.length - 1;
	while (end >= 0 && padded[end] === 0) end--;
	if (padded[end] !== 2) throw new Error("no last-record delimiter");
	return padded.subarray(0, end).toString("utf8");
}

/** Check `Authorization: vapid t=<jwt>, k=<key>` (ES256 over the raw P-256 key). */
function verifyVapid(header: string | undefined): Omit<ReceivedPush, "text" | "ttl"> {
	const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
	if (!match) throw new Error(`no VAPID authorization: ${header}`);
	const [, jwt = "", vapidKey = ""] = match;
	const [head = "", payload = "", signature = ""] = jwt.split(".");
	const raw = Buffer.from(vapidKey, "base64url");
	const key = createPublicKey({
		key: {
			kty: "EC",
			crv: "P-256",
			x: b64u(raw.subarray(1, 33)),
			y: b64u(raw.subarray(33, 65)),
		},
		format: "jwk",
	});
	const valid = verify(
		"sha256",
		Buffer.from(`${head}.${payload}`),
		{ key, dsaEncoding: "ieee-p1363" },
		Buffer.from(signature, "base64url"),
	);
	if (!valid) throw new Error("VAPID signature does not verify");
	return { vapidKey, claims: JSON.parse(Buffer.from(payload, "base64url").toString()) };
}

export async function startPushReceiver(): Promise<PushReceiver> {
	const devices = new Map<
		string,
		PushDeviceStandIn & { ecdh: ReturnType<typeof createECDH>; auth: Buffer }
	>();
	const refused: string[] = [];
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on("data", (chunk: Buffer) => chunks.push(chunk));
		request.on("end", () => {
			const id = request.url?.split("/").pop() ?? "";
			const device = devices.get(id);
			if (!device) {
				response.writeHead(404).end();
				return;
			}
			if (device.status >= 400) {
				response.writeHead(device.status).end();
				return;
			}
			try {
				if (request.headers["content-encoding"] !== "aes128gcm") {
					throw new Error(`content-encoding ${request.headers["content-encoding"]}`);
				}
				const vapid = verifyVapid(request.headers.authorization);
				const text = decrypt(Buffer.concat(chunks), device.ecdh, device.auth);
				const ttl = request.headers.ttl;
				device.received.push({ ...vapid, text, ttl: typeof ttl === "string" ? ttl : null });
				response.writeHead(201).end();
			} catch (error) {
				refused.push((error as Error).message);
				response.writeHead(400).end();
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		refused,
		device() {
			const ecdh = createECDH("prime256v1");
			ecdh.generateKeys();
			const auth = randomBytes(16);
			const id = randomUUID();
			const device = {
				subscription: {
					endpoint: `${url}/push/${id}`,
					keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) },
				},
				received: [],
				status: 201,
				ecdh,
				auth,
			};
			devices.set(id, device);
			return device;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
