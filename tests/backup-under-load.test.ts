/**
 * A backup taken while members write (issue 16). An embedded server (PGlite in a data
 * folder) serves writers who add a note to their drafts every few tens of milliseconds;
 * `switchboard backup` runs through the server's admin channel while they go on. The backup
 * is restored into a fresh folder and checked there:
 * - consistent: every B-tree index reaches every row of its table (amcheck's
 *   `bt_index_check` with `heapallindexed`), and counting the update log and the mentions
 *   through their primary keys gives as many rows as reading the tables (issue 16's
 *   corruption had 2,679 rows with 2,634 reachable through the index);
 * - complete: a server started on it has every note acknowledged before the backup began.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { amcheck } from "@electric-sql/pglite/contrib/amcheck";
import { draftDocumentName } from "@switchboard/domain";
import { startSwitchboard } from "@switchboard/server";
import { runCli } from "@switchboard/server/run-cli";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectNoteWriter, findLostNotes, type NoteWriter } from "./utils/ack-tracker.ts";
import { type StoredNotes, storedNotes } from "./utils/seed.ts";
import { baseConfig, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

/** Each writer adds a note this often while the backup runs. */
const WRITE_EVERY_MS = Number(process.env.BACKUP_WRITE_EVERY_MS ?? 40);
const WRITERS = 6;
/** Creating and restoring an embedded database takes minutes on a busy machine. */
const SLOW = 300_000;

let server: TestServer;
let scratch: string;
const writers: NoteWriter[] = [];
let writing: NodeJS.Timeout | undefined;

beforeAll(async () => {
	server = await startTestServer();
	scratch = await mkdtemp(join(tmpdir(), "switchboard-backup-load-"));
}, SLOW);
afterAll(async () => {
	clearInterval(writing);
	for (const writer of writers) writer.destroy();
	await server?.close();
	if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Index-reachable rows against table rows, and amcheck over every B-tree index. */
async function checkConsistency(folder: string) {
	const pglite = new PGlite(folder, { extensions: { amcheck } });
	try {
		await pglite.exec("create extension if not exists amcheck");
		const indexes = await pglite.query<{ index: string }>(
			`select c.relname as index from pg_index i
			 join pg_class c on c.oid = i.indexrelid
			 join pg_am am on am.oid = c.relam
			 join pg_namespace n on n.oid = c.relnamespace
			 where am.amname = 'btree' and n.nspname = 'public'`,
		);
		for (const { index } of indexes.rows) {
			await pglite.query("select bt_index_check($1::regclass, true)", [index]);
		}
		const counts: Record<string, { table: number; index: number }> = {};
		for (const table of ["document_updates", "mentions"]) {
			await pglite.exec(
				"set enable_indexscan = off; set enable_indexonlyscan = off; set enable_bitmapscan = off; set enable_seqscan = on",
			);
			const seq = await pglite.query<{ n: number }>(`select count(*)::int as n from ${table}`);
			await pglite.exec(
				"set enable_seqscan = off; set enable_indexscan = on; set enable_indexonlyscan = on",
			);
			const plan = await pglite.query<{ "QUERY PLAN": string }>(
				`explain select count(*) from ${table} where id is not null`,
			);
			const viaIndex = await pglite.query<{ n: number }>(
				`select count(*)::int as n from ${table} where id is not null`,
			);
			expect(
				plan.rows.map((row) => row["QUERY PLAN"]).join("\n"),
				`${table} counted through an index`,
			).toMatch(/Index/);
			counts[table] = { table: seq.rows[0]!.n, index: viaIndex.rows[0]!.n };
		}
		return { indexes: indexes.rows.length, counts };
	} finally {
		await pglite.close();
	}
}

it(
	"restores a backup taken under write load with every edit acknowledged before it began",
	async () => {
		const socket = server.switchboard.admin?.endpoint.socket;
		if (!socket) throw new Error("the test server serves no admin channel on a unix socket");
		const dataDir = dirname(socket);
		const members = [server.members.dana!, server.members.sam!, server.members.kim!];
		for (let i = 0; i < WRITERS; i++) {
			const member = members[i % members.length]!;
			const mention = server.mentions[i % 3]!;
			writers.push(
				connectNoteWriter({
					index: i,
					url: server.wsUrl,
					documentName: draftDocumentName("acme", mention.mention.id),
					token: member.token,
					memberId: member.id,
					prefix: "b",
				}),
			);
		}
		writing = setInterval(() => {
			for (const writer of writers) writer.insert();
		}, WRITE_EVERY_MS);
		await waitFor(
			() => writers.every((writer) => writer.ledger.acked.size >= 20),
			SLOW,
			"every writer to have 20 notes acknowledged",
		);

		const ackedBefore = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
		const insertedBefore = writers.reduce((sum, writer) => sum + writer.inserted.length, 0);
		const file = join(scratch, "under-load.tar.gz");
		const started = Date.now();
		const backup = await runCli(["backup", file], dataDir);
		const backupMs = Date.now() - started;
		expect(backup.stderr).toContain("Through the running server");
		expect(backup.code, backup.stderr).toBe(0);
		const insertedDuring =
			writers.reduce((sum, writer) => sum + writer.inserted.length, 0) - insertedBefore;
		// The writes went on while the backup was taken.
		expect(insertedDuring).toBeGreaterThan(0);
		clearInterval(writing);

		const fresh = join(scratch, "restored");
		const restored = await runCli(["restore", file], fresh);
		expect(restored.code, restored.stderr).toBe(0);
		const consistency = await checkConsistency(join(fresh, "pglite"));
		for (const [table, { table: rows, index }] of Object.entries(consistency.counts)) {
			expect(index, `${table}: rows reachable through its index`).toBe(rows);
		}

		const config = await baseConfig({ dataDir: fresh });
		const second = await startSwitchboard(config, { logger: pino({ level: "silent" }) });
		try {
			const stored = new Map<string, StoredNotes>();
			for (const writer of writers) {
				if (!stored.has(writer.documentName)) {
					stored.set(writer.documentName, await storedNotes(second.storage, writer.documentName));
				}
			}
			const report = findLostNotes(writers, ackedBefore, stored);
			expect(report.lost, "notes acknowledged before the backup began, missing").toEqual([]);
			const visible = [...stored.values()].flatMap((notes) => notes.visible);
			expect(visible.length, "each note once").toBe(new Set(visible).size);
			console.log(
				`[reliability] backup under load: ${JSON.stringify({
					writers: WRITERS,
					backupMs,
					ackedBeforeBackup: ackedBefore.size,
					insertedDuringBackup: insertedDuring,
					restoredNotes: visible.length,
					waitingForUnacked: report.waiting.length,
					btreeIndexesChecked: consistency.indexes,
					rows: consistency.counts,
				})}`,
			);
		} finally {
			await second.close();
		}
	},
	SLOW,
);
