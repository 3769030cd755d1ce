/**
 * The first release's data (tests/fixtures/first-release, written by that release's own code
 * at commit 7d9a59f: see make.sh there) and what "everything intact" means for it once the
 * current code has opened and migrated it. Shared by the embedded and PostgreSQL upgrade tests.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
	boardDocumentName,
	type Command,
	type DraftNote,
	draftText,
	readBoard,
	readDraftMeta,
	readNotes,
} from "@switchboard/domain";
import { createSecretBox, verifyPassword } from "@switchboard/server";
import type { Storage } from "@switchboard/storage";
import { expect } from "vitest";
import * as Y from "yjs";
import { loadStored } from "./seed.ts";

export const FIRST_RELEASE = join(import.meta.dirname, "../fixtures/first-release");

/** What seed.ts wrote into one database (its `<variant>.json`). */
export interface FirstRelease {
	secret: string;
	password: string;
	organisation: { id: string; name: string };
	boards: { id: string; name: string; mentionIds: string[] }[];
	members: { id: string; email: string; role: string }[];
	mentions: {
		id: string;
		boardId: string;
		text: string;
		url: string;
		postedAt: string;
		ownerId: string | null;
		status: string;
	}[];
	sources: {
		id: string;
		kind: string;
		name: string;
		boardId: string;
		config?: Record<string, unknown>;
		secret?: string;
	}[];
	drafts: { documentName: string; body: string; notes: DraftNote[]; checklist: string[] }[];
}

export async function readFirstRelease(variant: "pglite" | "postgres"): Promise<FirstRelease> {
	return JSON.parse(await readFile(join(FIRST_RELEASE, `${variant}.json`), "utf8")) as FirstRelease;
}

/**
 * Every organisation, board, member, mention, source, draft and note the first release
 * wrote is there as it wrote it; and the migrated data still works: its members sign in,
 * its sealed secrets open, a command on an old conversation is decided.
 */
export async function expectFirstReleaseIntact(
	storage: Storage,
	expected: FirstRelease,
): Promise<{ checked: Record<string, number> }> {
	const orgId = expected.organisation.id;
	expect(await storage.getOrganisation(orgId)).toMatchObject(expected.organisation);
	expect(
		(await storage.listBoards(orgId)).map(({ id, name }) => ({ id, name })).sort(byId),
	).toEqual(expected.boards.map(({ id, name }) => ({ id, name })).sort(byId));

	const members = await storage.listMembers(orgId);
	expect(members.map(({ id, email, role }) => ({ id, email, role })).sort(byId)).toEqual(
		[...expected.members].sort(byId),
	);
	for (const { email } of expected.members) {
		const withSecret = await storage.findMemberByEmail(email);
		expect(await verifyPassword(expected.password, withSecret!.passwordHash!), email).toBe(true);
	}

	for (const want of expected.mentions) {
		const stored = await storage.getMention(orgId, want.id);
		expect(stored?.mention, want.id).toMatchObject({
			text: want.text,
			url: want.url,
			postedAt: want.postedAt,
			status: want.status,
		});
		expect(stored?.mention.owner?.memberId ?? null).toBe(want.ownerId);
		// History search finds the old conversations by their words (filled in by a migration).
		const word = want.text.match(/[\p{L}\p{N}]{4,}/gu)?.sort((a, b) => b.length - a.length)[0];
		if (word) {
			const found = await storage.searchHistory(orgId, { text: word, limit: 1000 });
			expect(
				found.map(({ mention }) => mention.id),
				word,
			).toContain(want.id);
		}
	}
	for (const board of expected.boards) {
		const listed = await storage.listMentions(orgId, board.id);
		expect(listed.map(({ mention }) => mention.id).sort()).toEqual([...board.mentionIds].sort());
		// The board document the first release projected: its cards and their owners.
		const doc = await loadStored(storage, boardDocumentName(orgId, board.id));
		const cards = readBoard(doc).mentions;
		expect(cards.map((card) => card.id).sort()).toEqual([...board.mentionIds].sort());
		for (const card of cards) {
			const want = expected.mentions.find((mention) => mention.id === card.id)!;
			expect(card.owner?.memberId ?? null, card.id).toBe(want.ownerId);
		}
	}

	const secrets = createSecretBox(expected.secret);
	for (const want of expected.sources) {
		const source = await storage.getSource(orgId, want.id);
		expect(source, want.id).toMatchObject({
			kind: want.kind,
			name: want.name,
			boardId: want.boardId,
		});
		if (want.config) expect(source?.config).toEqual(want.config);
		if (want.secret) expect(secrets.open(source!.sealedSecret!)).toBe(want.secret);
	}

	for (const draft of expected.drafts) {
		const doc = await loadStored(storage, draft.documentName);
		expect(draftText(doc), draft.documentName).toBe(draft.body);
		expect(readNotes(doc).sort(byId)).toEqual([...draft.notes].sort(byId));
		expect(Object.keys(readDraftMeta(doc).checklist)).toEqual(draft.checklist);
	}

	// The migrated schema decides on old rows: the owner releases, a moderator claims.
	const claimed = expected.mentions.find((mention) => mention.ownerId !== null)!;
	const moderator = expected.members.find((member) => member.role === "moderator")!;
	const run = (actorId: string, name: "release" | "claim") =>
		storage.executeCommand({
			orgId,
			boardId: claimed.boardId,
			actorId,
			commandId: randomUUID(),
			command: { name, args: { mentionId: claimed.id } } as Command,
			now: new Date().toISOString(),
		});
	expect(await run(claimed.ownerId!, "release")).toMatchObject({ ok: true });
	expect(await run(moderator.id, "claim")).toMatchObject({ ok: true });
	// A draft written then takes new edits on top of the old ones.
	const draft = expected.drafts[0]!;
	const doc = await loadStored(storage, draft.documentName);
	doc.getText("body").insert(0, "Update: ");
	await storage.appendUpdates([{ name: draft.documentName, update: Y.encodeStateAsUpdate(doc) }]);
	expect(draftText(await loadStored(storage, draft.documentName))).toBe(`Update: ${draft.body}`);

	return {
		checked: {
			boards: expected.boards.length,
			members: expected.members.length,
			mentions: expected.mentions.length,
			sources: expected.sources.length,
			drafts: expected.drafts.length,
			notes: expected.drafts.reduce((sum, d) => sum + d.notes.length, 0),
		},
	};
}

function byId<T extends { id: string }>(a: T, b: T): number {
	return a.id.localeCompare(b.id);
}
