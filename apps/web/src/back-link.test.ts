import { describe, expect, it } from "vitest";
import { backLink, listOf } from "./back-link.ts";

describe("the link back from a conversation", () => {
	it("leads back to the list it was opened from, its search kept", () => {
		expect(backLink("/queue")).toEqual({ href: "/queue", label: "My queue" });
		expect(backLink("/history?q=refund&owner=m1")).toEqual({
			href: "/history?q=refund&owner=m1",
			label: "History",
		});
		expect(backLink("/reviews")).toEqual({ href: "/reviews", label: "Reviews" });
	});

	it("leads to the board from anywhere else, or when opened first", () => {
		expect(backLink(null)).toEqual({ href: "/", label: "Board" });
		expect(backLink("/settings")).toEqual({ href: "/", label: "Board" });
		expect(backLink("/admin?tab=members")).toEqual({ href: "/", label: "Board" });
		expect(backLink("/?q=parcel")).toEqual({ href: "/?q=parcel", label: "Board" });
	});
});

describe("the list in a history entry's state", () => {
	it("is read back as ListLink wrote it, and as nothing from any other state", () => {
		expect(listOf({ from: "/queue" })).toBe("/queue");
		expect(listOf(null)).toBeNull();
		expect(listOf(undefined)).toBeNull();
		expect(listOf({ from: "https://elsewhere.example/" })).toBeNull();
		expect(listOf({ from: 3 })).toBeNull();
	});
});
