/**
 * PostgreSQL goes away for 10 s. The server (a child process) talks to it through a TCP
 * proxy the test cuts and restores, so the shared PostgreSQL keeps running. While it is
 * gone the server stays up, answers commands with `unavailable`, acknowledges no edit it
 * could not store (the socket closes with 4503 and the provider keeps the edit), and
 * `/readyz` says not ready. When it is back, the server recovers by itself: the edits are
 * stored and commands are accepted.
 */

import { freePort } from "@switchboard/connectors/testing";
import { boardDocumentName } from "@switchboard/domain";
import { afterAll, describe, expect, it } from "vitest";
import { connectNoteWriter, findLostNotes, type NoteWriter } from "./utils/ack-tracker.ts";
import { type ChildServer, startChildServer } from "./utils/child-server.ts";
import { childEnv, type SeededScratch, seededScratch, sleep } from "./utils/seed.ts";
import { startTcpProxy, type TcpProxy } from "./utils/tcp-proxy.ts";
import { connectProvider, type TestClient, waitFor } from "./utils/test-server.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 10_000);

async function readiness(url: string): Promise<number> {
	try {
		return (await fetch(`${url}/readyz`)).status;
	} catch {
		return 0;
	}
}

if (adminUrl) {
	describe("PostgreSQL down for 10 s", () => {
		let scratch: SeededScratch | undefined;
		let proxy: TcpProxy | undefined;
		let server: ChildServer | undefined;
		let board: TestClient | undefined;
		const writers: NoteWriter[] = [];

		afterAll(async () => {
			for (const writer of writers) writer.destroy();
			board?.destroy();
			await server?.kill("SIGKILL");
			await proxy?.close();
			await scratch?.close();
		});

		it("stays up, refuses what it cannot store, says not ready, and recovers by itself", {
			timeout: 90_000,
		}, async () => {
			scratch = await seededScratch(adminUrl, { members: 2, mentions: 3 }, "outage");
			const { seeded, dataDir } = scratch;
			const direct = new URL(scratch.databaseUrl);
			proxy = await startTcpProxy(Number(direct.port || 5432), direct.hostname);
			const viaProxy = new URL(scratch.databaseUrl);
			viaProxy.host = `127.0.0.1:${proxy.port}`;
			const port = await freePort();
			server = await startChildServer(
				childEnv(viaProxy.href, dataDir, { PORT: String(port), LOG_LEVEL: "fatal" }),
			);
			const url = `http://127.0.0.1:${port}`;
			const wsUrl = `ws://127.0.0.1:${port}/sync`;
			const [dana, sam] = seeded.members as [
				(typeof seeded.members)[0],
				(typeof seeded.members)[0],
			];

			board = await connectProvider(wsUrl, boardDocumentName("acme", "main"), dana.token);
			const closeCodes: number[] = [];
			const refusals: string[] = [];
			for (const [index, member] of [dana, sam].entries()) {
				const writer = connectNoteWriter({
					index,
					url: wsUrl,
					documentName: seeded.draftNames[index]!,
					token: member.token,
					memberId: member.id,
				});
				writer.socket.on("close", ({ event }: { event: { code: number } }) =>
					closeCodes.push(event.code),
				);
				// A refusal would make a real client give the draft up; an outage is no refusal.
				writer.provider.on("authenticationFailed", ({ reason }: { reason: string }) =>
					refusals.push(reason),
				);
				writers.push(writer);
			}
			for (const writer of writers) writer.insert();
			await waitFor(() => writers.every((writer) => writer.ledger.settled), 15_000, "first edits");
			expect(await readiness(url)).toBe(200);

			// The database goes away.
			proxy.cut();
			const cutAt = Date.now();
			const ackedBefore = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
			const during = writers.map((writer) => writer.insert());
			const notReady = await (async () => {
				for (;;) {
					if ((await readiness(url)) === 503) return Date.now() - cutAt;
					if (Date.now() - cutAt > 8_000) return -1;
					await sleep(100);
				}
			})();
			expect(notReady, "/readyz reports 503 while the database is down").toBeGreaterThanOrEqual(0);
			const claim = await board.commands.send({
				name: "claim",
				args: { mentionId: seeded.mentionIds[0]! },
			});
			expect(claim).toMatchObject({
				type: "reject",
				code: "unavailable",
				message: expect.stringContaining("could not record"),
			});
			await waitFor(() => closeCodes.includes(4503), 10_000, "a 4503 close for the unstored edits");
			for (const writer of writers) writer.insert();
			await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
			// Still up, nothing acknowledged that was made while it was down.
			expect(server.process.exitCode).toBeNull();
			expect((await fetch(`${url}/healthz`)).status).toBe(200);
			const ackedDuring = writers.flatMap((writer) =>
				[...writer.ledger.acked].filter((id) => !ackedBefore.has(id)),
			);
			expect(ackedDuring).toEqual([]);
			expect(refusals).toEqual([]);
			expect(closeCodes.filter((code) => code !== 4503)).toEqual([]);
			expect(during.every((id) => !ackedBefore.has(id))).toBe(true);

			// It comes back.
			proxy.restore();
			const restoredAt = Date.now();
			let readyAfter = -1;
			for (let i = 0; i < 150; i++) {
				if ((await readiness(url)) === 200) {
					readyAfter = Date.now() - restoredAt;
					break;
				}
				await sleep(100);
			}
			expect(readyAfter, "/readyz ready again").toBeGreaterThanOrEqual(0);
			await waitFor(() => writers.every((writer) => writer.ledger.settled), 30_000, "edits stored");
			const storedAfter = Date.now() - restoredAt;
			const stored = await scratch.storedDrafts();
			const inserted = writers.flatMap((writer) => writer.inserted);
			const visible = new Set([...stored.values()].flatMap((notes) => notes.visible));
			expect(inserted.filter((id) => !visible.has(id))).toEqual([]);
			const acked = new Set(writers.flatMap((writer) => [...writer.ledger.acked]));
			expect(findLostNotes(writers, acked, stored).lost).toEqual([]);
			// The same command again (same id would do too): accepted now.
			let accepted: Awaited<ReturnType<typeof board.commands.send>> | undefined;
			for (let i = 0; i < 20 && accepted?.type !== "ack"; i++) {
				accepted = await board.commands.send({
					name: "claim",
					args: { mentionId: seeded.mentionIds[0]! },
				});
				if (accepted.type !== "ack") await sleep(250);
			}
			expect(accepted).toMatchObject({ type: "ack" });
			console.log(
				`[reliability] database-outage: ${JSON.stringify({
					outageMs: OUTAGE_MS,
					notReadyAfterMs: notReady,
					closeCodes: [...new Set(closeCodes)],
					readyAfterRestoreMs: readyAfter,
					editsStoredAfterRestoreMs: storedAfter,
					inserted: inserted.length,
				})}`,
			);
		});
	});
} else {
	describe.skip("PostgreSQL down for 10 s", () => {
		it("needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test); CI sets it", () => {});
	});
}
