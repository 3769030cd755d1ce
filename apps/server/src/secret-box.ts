/**
 * Encrypts what Switchboard must store but never show again: webhook secrets, members'
 * access tokens and app passwords. AES-256-GCM with a key derived (HKDF-SHA256) from the
 * server secret, so a database dump alone does not give them away.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "@switchboard/domain";

export interface SecretBox {
	/** Encrypt; a fresh nonce each time, so the same text seals differently. */
	seal(plain: string): string;
	/** Decrypt what `seal` made with the same server secret; throws otherwise. */
	open(sealed: string): string;
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(serverSecret: string): SecretBox {
	const key = Buffer.from(
		hkdfSync("sha256", serverSecret, "switchboard", "switchboard/secret-box/v1", 32),
	);
	return {
		seal(plain) {
			const iv = randomBytes(IV_BYTES);
			const cipher = createCipheriv("aes-256-gcm", key, iv);
			const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
			return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
		},
		open(sealed) {
			const [version, data] = sealed.split(":");
			const bytes = Buffer.from(data ?? "", "base64url");
			if (version !== VERSION || bytes.length < IV_BYTES + TAG_BYTES) {
				throw new AppError("internal", "A stored secret is not in a form this server reads.");
			}
			try {
				const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
				decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
				return Buffer.concat([
					decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
					decipher.final(),
				]).toString("utf8");
			} catch {
				throw new AppError(
					"internal",
					"A stored secret could not be decrypted: was SWITCHBOARD_SECRET changed?",
				);
			}
		},
	};
}
