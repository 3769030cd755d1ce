import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.ts";

const box = createSecretBox("a-server-secret-a-server-secret-0123456789");

describe("secret box", () => {
	it("opens what it sealed, and never stores the text in the clear", () => {
		const sealed = box.seal("app-password-1234");
		expect(sealed).toMatch(/^v1:/);
		expect(sealed).not.toContain("app-password");
		expect(box.seal("app-password-1234")).not.toBe(sealed);
		expect(box.open(sealed)).toBe("app-password-1234");
	});

	it("refuses another server's secret and a tampered value", () => {
		const sealed = box.seal("token");
		const other = createSecretBox("another-secret-another-secret-0123456789");
		expect(() => other.open(sealed)).toThrow(/was SWITCHBOARD_SECRET changed/);
		const bytes = Buffer.from(sealed.slice(3), "base64url");
		bytes[bytes.length - 1]! ^= 1;
		expect(() => box.open(`v1:${bytes.toString("base64url")}`)).toThrow(/could not be decrypted/);
		expect(() => box.open("plain")).toThrow(/not in a form/);
	});
});
