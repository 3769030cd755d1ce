import { describe, expect, it } from "vitest";
import { quoteClientText } from "./log-text.ts";

describe("quoteClientText", () => {
	it("keeps a forged log line on one line, escaped", () => {
		const forged =
			'acme/board/main\n{"level":50,"msg":"admin password reset"}\r\u001b[31m\u2028x\u200e';
		const quoted = quoteClientText(forged);
		for (const raw of ["\n", "\r", "\u001b", "\u2028", "\u200e"]) expect(quoted).not.toContain(raw);
		expect(quoted).toBe(
			'"acme/board/main\\n{\\"level\\":50,\\"msg\\":\\"admin password reset\\"}\\r\\u001b[31m\\u2028x\\u200e"',
		);
	});

	it("cuts long names", () => {
		expect(quoteClientText("a".repeat(500))).toHaveLength(200 + 3);
	});
});
