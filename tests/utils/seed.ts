/**
 * A PostgreSQL database prepared for servers in child processes: one organisation, its
 * board, ambassadors with tokens signed with a known secret, and conversations whose
 * drafts the tests write. Also: reading what a document holds straight from the database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DraftNote, draftDocumentName } from "@switchboard/domain";
import { openStorage, type Storage } from "@switchboard/storage";
import { createTestDatabase } from "@switchboard/storage/test-database";
import { createTokenService } from "@switchboard/sync";
import * as Y from "yjs";
import { noteIdsIn } from "./ack-tracker.ts";
import { makeMention } from "./test-server.ts";

export const SECRET = "reliability-secret-reliability-secret-0123456789";

export interface SeededMember {
	id: string;
	token: string;
}

export interface Seeded {
	members: SeededMember[];
	mentionIds: string[];
	draftNames: string[];
}

export interface SeedCounts {
	members: number;
	mentions: number;
	capacity?: number;
	/**
	 * Redis channels are named after documents, and documents after the organisation:
	 * tests that share a Redis use an organisation of their own. @default "acme"
	 */
	orgId?: string;
}

export async function seedDatabase(databaseUrl: string, counts: SeedCounts): Promise<Seeded> {
	const storage = await openStorage({ databaseUrl });
	const orgId = counts.orgId ?? "acme";
	try {
		const tokens = createTokenService({ secret: SECRET });
		await storage.createOrganisation({ id: orgId, name: "Acme" });
		await storage.createBoard({ id: "main", orgId, name: "Acme mentions" });
		const members: SeededMember[] = [];
		for (let i = 0; i < counts.members; i++) {
			const name = `Ambassador ${i}`;
			const member = await storage.createMember({
				orgId,
				email: `ambassador${i}@${orgId}.test`,
				name,
				role: "ambassador",
				capacity: counts.capacity ?? 5,
				passwordHash: "unused",
			});
			const token = await tokens.sign({
				memberId: member.id,
				orgId,
				role: "ambassador",
				name,
			});
			members.push({ id: member.id, token });
		}
		const stored = await storage.insertMentions(
			orgId,
			"main",
			Array.from({ length: counts.mentions }, (_, i) => makeMention(i)),
		);
		const mentionIds = stored.map(({ mention }) => mention.id);
		return {
			members,
			mentionIds,
			draftNames: mentionIds.map((id) => draftDocumentName(orgId, id)),
		};
	} finally {
		await storage.close();
	}
}

/**
 * What a reliability test runs its child servers on: a database of its own, seeded, a
 * storage to read back what was stored, and a data folder. `close` removes all three.
 */
export interface SeededScratch {
	databaseUrl: string;
	seeded: Seeded;
	storage: Storage;
	dataDir: string;
	/** What each draft holds as stored (by default every seeded draft). */
	storedDrafts(names?: readonly string[]): Promise<Map<string, StoredNotes>>;
	close(): Promise<void>;
}

/** A scratch database created through `adminUrl` and seeded with `counts`. */
export async function seededScratch(
	adminUrl: string,
	counts: SeedCounts,
	folderName: string,
): Promise<SeededScratch> {
	const database = await createTestDatabase(adminUrl);
	let storage: Storage | undefined;
	let dataDir = "";
	const close = async () => {
		await storage?.close();
		await database.drop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	};
	try {
		const seeded = await seedDatabase(database.url, counts);
		const opened = await openStorage({ databaseUrl: database.url });
		storage = opened;
		dataDir = await mkdtemp(join(tmpdir(), `switchboard-${folderName}-`));
		const storedDrafts = async (names: readonly string[] = seeded.draftNames) => {
			const stored = new Map<string, StoredNotes>();
			for (const name of names) stored.set(name, await storedNotes(opened, name));
			return stored;
		};
		return { databaseUrl: database.url, seeded, storage: opened, dataDir, storedDrafts, close };
	} catch (error) {
		await close();
		throw error;
	}
}

/** The environment of a child server on this database. */
export function childEnv(databaseUrl: string, dataDir: string, extra: Record<string, string> = {}) {
	return {
		DATABASE_URL: databaseUrl,
		DATA_DIR: dataDir,
		SWITCHBOARD_SECRET: SECRET,
		SWITCHBOARD_DEMO: "0",
		SWITCHBOARD_BACKGROUND: "0",
		LOG_LEVEL: "error",
		...extra,
	};
}

/** The document as stored: snapshot and update log applied to a fresh Y.Doc. */
export async function loadStored(storage: Storage, documentName: string): Promise<Y.Doc> {
	const stored = await storage.loadDocument(documentName);
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}

/** What the database holds of a draft's notes. */
export interface StoredNotes {
	/** Ids of the notes the stored document shows, duplicates kept. */
	visible: string[];
	/** Ids of every note in the stored bytes, shown or waiting for an older edit. */
	inBytes: Set<string>;
	/** The stored document's state vector: how much of each client it shows. */
	stateVector: Map<number, number>;
}

export async function storedNotes(storage: Storage, documentName: string): Promise<StoredNotes> {
	const stored = await storage.loadDocument(documentName);
	const doc = new Y.Doc();
	const inBytes = new Set<string>();
	for (const update of [...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates]) {
		Y.applyUpdate(doc, update);
		for (const id of noteIdsIn(update)) inBytes.add(id);
	}
	const visible = doc
		.getArray<DraftNote>("notes")
		.toArray()
		.map((note) => note.id);
	const stateVector = Y.decodeStateVector(Y.encodeStateVector(doc));
	doc.destroy();
	return { visible, inBytes, stateVector };
}

/** Note ids stored per document, duplicates kept. */
export async function storedNoteIds(
	storage: Storage,
	documentNames: readonly string[],
): Promise<Map<string, string[]>> {
	const result = new Map<string, string[]>();
	for (const name of documentNames) {
		const doc = await loadStored(storage, name);
		result.set(
			name,
			doc
				.getArray<DraftNote>("notes")
				.toArray()
				.map((note) => note.id),
		);
		doc.destroy();
	}
	return result;
}

/** Moved to `@switchboard/connectors/testing`; kept here for test files written before. */
export { freePort } from "@switchboard/connectors/testing";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded generator (mulberry32), so a run can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
