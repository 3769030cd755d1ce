import { describe, expect, it } from "vitest";
import { cellText } from "./report-cells.ts";

describe("cellText", () => {
	it("names networks and priorities as the rest of the app does, and leaves other text as it is", () => {
		expect(cellText("twitter", "text", "network")).toBe("Twitter");
		expect(cellText("high", "text", "priority")).toBe("High");
		expect(cellText("lost-parcel", "text", "tag")).toBe("lost-parcel");
		// A value the client does not know yet (a network added later) shows as sent.
		expect(cellText("threads", "text", "network")).toBe("threads");
		expect(cellText(null, "count", "network")).toBe("–");
	});
});
