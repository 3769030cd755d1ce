/**
 * A fresh PostgreSQL database (or PGlite data folder) for one Switchboard start: an organisation, its board,
 * ambassadors with tokens signed with a known secret, and conversations whose drafts the
 * load generators write and read. (tests/utils/seed.ts does the same for tests.)
 */
import { draftDocumentName } from "@switchboard/domain";
import { numberedMention } from "@switchboard/domain/testing";
import { openStorage } from "@switchboard/storage";
import { createTokenService } from "@switchboard/sync";

/** The secret Switchboard signs tokens with in benchmarks. */
export const BENCH_SECRET = "switchboard-bench-secret-switchboard-bench-0123456789";
/** The bearer token of the benchmark's Switchboard servers' `GET /metrics`. */
export const BENCH_METRICS_TOKEN = "switchboard-bench-metrics-0123456789";
export const BENCH_ORG = "acme";
/** The capacity of every seeded member: open conversations each may hold. */
export const BENCH_CAPACITY = 5;

export interface SeededData {
	/** Tokens of ambassadors, one per member. */
	tokens: string[];
	memberIds: string[];
	/** Draft documents, one per conversation. */
	documents: string[];
}

function mention(i: number, prefix = "bench") {
	return numberedMention(i, new Date(Date.UTC(2026, 10, 26, 8, 0, 0, i)).toISOString(), prefix);
}

/** Where to seed: a PostgreSQL database by URL, or an embedded PGlite data folder. */
export type BenchDatabase = { databaseUrl: string } | { dataDir: string };

export async function seedBench(
	database: string | BenchDatabase,
	counts: {
		members: number;
		documents: number;
		/**
		 * A second board of the organisation, seeded with as many new mentions as `main` (no
		 * drafts returned for them): a warm-up storm's, apart from the measured board.
		 */
		warmupBoard?: string;
	},
): Promise<SeededData> {
	const storage = await openStorage(
		typeof database === "string" ? { databaseUrl: database } : database,
	);
	try {
		const tokenService = createTokenService({ secret: BENCH_SECRET });
		await storage.createOrganisation({ id: BENCH_ORG, name: "Acme" });
		await storage.createBoard({ id: "main", orgId: BENCH_ORG, name: "Acme mentions" });
		// Before the members: each is put on every board that exists when it is created.
		if (counts.warmupBoard) {
			await storage.createBoard({ id: counts.warmupBoard, orgId: BENCH_ORG, name: "Acme warm-up" });
		}
		const tokens: string[] = [];
		const memberIds: string[] = [];
		for (let i = 0; i < counts.members; i++) {
			const name = `Ambassador ${i}`;
			const member = await storage.createMember({
				orgId: BENCH_ORG,
				email: `ambassador${i}@${BENCH_ORG}.test`,
				name,
				role: "ambassador",
				capacity: BENCH_CAPACITY,
				passwordHash: "unused",
			});
			memberIds.push(member.id);
			tokens.push(
				await tokenService.sign({
					memberId: member.id,
					orgId: BENCH_ORG,
					role: "ambassador",
					name,
				}),
			);
		}
		const insert = async (board: string, prefix: string) => {
			const ids: string[] = [];
			for (let start = 0; start < counts.documents; start += 500) {
				const batch = Array.from({ length: Math.min(500, counts.documents - start) }, (_, i) =>
					mention(start + i, prefix),
				);
				const stored = await storage.insertMentions(BENCH_ORG, board, batch);
				for (const { mention: m } of stored) ids.push(m.id);
			}
			return ids;
		};
		const documents = (await insert("main", "bench")).map((id) => draftDocumentName(BENCH_ORG, id));
		if (counts.warmupBoard) {
			await insert(counts.warmupBoard, `bench-${counts.warmupBoard}`);
		}
		return { tokens, memberIds, documents };
	} finally {
		await storage.close();
	}
}

/** Document names for the baselines, shaped like Switchboard's drafts. */
export function baselineDocuments(count: number): string[] {
	return Array.from({ length: count }, (_, i) =>
		draftDocumentName(BENCH_ORG, `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`),
	);
}

/**
 * An admin of the benchmark's organisation, made in the database, and a token to call the
 * admin API with (as a person would after signing in).
 */
export async function createBenchAdmin(databaseUrl: string): Promise<string> {
	const storage = await openStorage({ databaseUrl });
	try {
		const admin = await storage.createMember({
			orgId: BENCH_ORG,
			email: `admin@${BENCH_ORG}.test`,
			name: "Admin",
			role: "admin",
			capacity: BENCH_CAPACITY,
			passwordHash: "unused",
		});
		return await createTokenService({ secret: BENCH_SECRET }).sign({
			memberId: admin.id,
			orgId: BENCH_ORG,
			role: "admin",
			name: "Admin",
		});
	} finally {
		await storage.close();
	}
}

/**
 * A webhook source of the benchmark's organisation, created through the admin API as a
 * person would; its signing secret and the path to post mentions to.
 */
export async function createWebhookSource(
	serverUrl: string,
	databaseUrl: string,
	name: string,
): Promise<{ secret: string; webhookUrl: string }> {
	const token = await createBenchAdmin(databaseUrl);
	const created = await fetch(`${serverUrl}/api/orgs/${BENCH_ORG}/sources`, {
		method: "POST",
		headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
		body: JSON.stringify({ kind: "webhook", name }),
	});
	if (created.status !== 201) {
		throw new Error(`could not create the source: ${created.status} ${await created.text()}`);
	}
	return (await created.json()) as { secret: string; webhookUrl: string };
}
