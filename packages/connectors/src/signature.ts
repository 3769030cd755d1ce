/**
 * Webhook signatures, one scheme both ways (incoming source webhooks and outgoing event
 * deliveries): `X-Switchboard-Signature: sha256=<hex>`, the HMAC-SHA256 with the shared
 * secret of `${timestamp}.${rawBody}`, and `X-Switchboard-Timestamp: <unix seconds>`.
 * Signing the timestamp with the body means a captured request cannot be replayed once
 * it is older than the tolerance.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-switchboard-signature";
export const TIMESTAMP_HEADER = "x-switchboard-timestamp";

/** How far a timestamp may be from the receiver's clock, either way. @default 300 s */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` for this body at this time. */
export function signBody(
	secret: string,
	timestamp: number | string,
	rawBody: string | Uint8Array,
): string {
	const mac = createHmac("sha256", secret);
	mac.update(`${timestamp}.`);
	mac.update(rawBody);
	return `sha256=${mac.digest("hex")}`;
}

/** Headers that sign a request body now. */
export function signatureHeaders(
	secret: string,
	rawBody: string | Uint8Array,
	now: Date = new Date(),
): Record<string, string> {
	const timestamp = Math.floor(now.getTime() / 1000);
	return {
		[TIMESTAMP_HEADER]: String(timestamp),
		[SIGNATURE_HEADER]: signBody(secret, timestamp, rawBody),
	};
}

export type SignatureCheck =
	| { ok: true }
	| {
			ok: false;
			/** missing: a header is absent or malformed; stale: outside the tolerance; mismatch: wrong MAC. */
			reason: "missing" | "stale" | "mismatch";
			message: string;
	  };

export interface VerifySignatureInput {
	secret: string;
	rawBody: string | Uint8Array;
	signature: string | undefined;
	timestamp: string | undefined;
	now?: Date;
	toleranceSeconds?: number;
}

/** Check a signed request. The MAC comparison takes the same time wherever it differs. */
export function verifySignature(input: VerifySignatureInput): SignatureCheck {
	const { signature, timestamp } = input;
	if (!signature || !timestamp) {
		return {
			ok: false,
			reason: "missing",
			message:
				"Sign the request: X-Switchboard-Signature and X-Switchboard-Timestamp are required.",
		};
	}
	if (!/^\d{1,12}$/.test(timestamp)) {
		return {
			ok: false,
			reason: "missing",
			message: "X-Switchboard-Timestamp must be the time in unix seconds.",
		};
	}
	const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
	const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
	if (Math.abs(now - Number(timestamp)) > tolerance) {
		return {
			ok: false,
			reason: "stale",
			message: `The timestamp is more than ${tolerance} seconds from the server's clock; sign the request again.`,
		};
	}
	const expected = Buffer.from(signBody(input.secret, timestamp, input.rawBody));
	const given = Buffer.from(signature.trim());
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return {
			ok: false,
			reason: "mismatch",
			message: "The signature does not match the body and timestamp.",
		};
	}
	return { ok: true };
}
