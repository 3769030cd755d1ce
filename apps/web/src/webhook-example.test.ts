import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { shellQuote, signedCurlExample } from "./webhook-example.ts";

describe("webhook example", () => {
	it("quotes any text for a POSIX shell", () => {
		expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
		expect(
			execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(`a 'b' $HOME "c"`)}`]).toString(),
		).toBe(`a 'b' $HOME "c"`);
	});

	it.skipIf(!existsSync("/usr/bin/openssl"))(
		"signs <timestamp>.<body> with HMAC-SHA256 keyed with the secret (docs/SOURCES.md)",
		() => {
			const script = signedCurlExample({
				url: "http://127.0.0.1:1/hook",
				secret: "whsec_test",
				now: new Date("2026-11-26T08:00:00Z"),
			});
			// Everything up to the curl line, with a fixed timestamp, then print what was computed.
			const signing = script
				.split("\n")
				.filter((line) => !line.startsWith("curl") && !line.startsWith("  -H"))
				.join("\n")
				.replace("TS=$(date +%s)", "TS=1795687200");
			const out = execFileSync("/bin/bash", ["-c", `${signing}\nprintf '%s\\n%s' "$SIG" "$BODY"`])
				.toString()
				.split("\n");
			const expected = createHmac("sha256", "whsec_test")
				.update(`1795687200.${out[1]}`)
				.digest("hex");
			expect(out[0]).toBe(expected);
			// It lands on the live board: it says it is a test, from nobody real.
			expect(JSON.parse(out[1] ?? "")).toMatchObject({
				externalId: "example-1",
				author: { handle: "switchboard-test" },
				text: expect.stringContaining("dismiss it"),
			});
		},
	);
});
