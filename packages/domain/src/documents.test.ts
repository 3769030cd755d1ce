import { describe, expect, it } from "vitest";
import { boardDocumentName, draftDocumentName, parseDocumentName } from "./documents.ts";

describe("parseDocumentName", () => {
	it("reads board and draft names", () => {
		expect(parseDocumentName("board/acme/main")).toEqual({
			kind: "board",
			orgId: "acme",
			boardId: "main",
		});
		expect(parseDocumentName("draft/acme/m_42-x")).toEqual({
			kind: "draft",
			orgId: "acme",
			mentionId: "m_42-x",
		});
	});

	it("round-trips the names it builds", () => {
		expect(parseDocumentName(boardDocumentName("org-1", "b1"))).toEqual({
			kind: "board",
			orgId: "org-1",
			boardId: "b1",
		});
		expect(parseDocumentName(draftDocumentName("org-1", "m1"))).toEqual({
			kind: "draft",
			orgId: "org-1",
			mentionId: "m1",
		});
	});

	it("accepts segments up to 128 characters", () => {
		const long = "a".repeat(128);
		expect(parseDocumentName(`board/${long}/${long}`)).not.toBeNull();
		expect(parseDocumentName(`board/${long}a/b`)).toBeNull();
		expect(parseDocumentName(`board/a/${long}a`)).toBeNull();
	});

	it.each([
		"",
		"board",
		"board/acme",
		"board/acme/",
		"board//main",
		"/board/acme/main",
		"board/acme/main/",
		"board/acme/main/extra",
		"boards/acme/main",
		"Board/acme/main",
		"notes/acme/m1",
		"draft/acme/../m1",
		"draft/../acme",
		"board/ac me/main",
		"board/acme/mä",
		"board/acme/main\n",
		"board/acme%2Fother/main",
	])("refuses %j", (name) => {
		expect(parseDocumentName(name)).toBeNull();
	});
});
