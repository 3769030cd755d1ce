/**
 * Scenario 6, ingest: signed webhook mentions per second, sustained, end to end: accepted
 * by HTTP (202), stored in PostgreSQL, and shown on the live board that a client holds
 * open. Measured with one mention per request (a bridge forwarding each post as it comes)
 * and with batches. No baseline: bare servers have no ingest.
 */
import { boardDocumentName } from "@switchboard/domain";
import { openStorage } from "@switchboard/storage";
import { runLoad } from "../lib/load.ts";
import { ServerWatch } from "../lib/measure.ts";
import { type BenchRow, type Scenario, switchboardOnly } from "../lib/scenario.ts";
import { BENCH_ORG, createWebhookSource } from "../lib/seed.ts";
import { startServer, targetOf } from "../lib/servers.ts";
import { median, percentile } from "../lib/stats.ts";
import type { IngestParams, IngestResult } from "./_06-ingest-load.ts";

const LOAD = new URL("./_06-ingest-load.ts", import.meta.url);
const TARGET = 2_000;

const scenario: Scenario = {
	id: 6,
	title: "Ingest",
	async run(ctx) {
		const seconds = ctx.full ? 30 : 5;
		const server = await startServer("switchboard", {
			databaseUrl: ctx.databaseUrl,
			documents: 0,
			members: 2,
			...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}),
		});
		const rows: BenchRow[] = [];
		try {
			const databaseUrl = server.databaseUrl as string;
			// An admin creates the webhook source through the API, as a person would.
			const { secret, webhookUrl } = await createWebhookSource(
				server.url,
				databaseUrl,
				"Bench bridge",
			);
			for (const [batch, concurrency] of [
				[1, 32],
				[25, 8],
			] as const) {
				const throughput: number[] = [];
				const requestP99: number[] = [];
				const cpuPerMention: number[] = [];
				let stored = 0;
				let accepted = 0;
				for (let repeat = 0; repeat < ctx.repeats; repeat++) {
					const watch = new ServerWatch(server);
					let cpuMs = 0;
					const result = await runLoad<IngestParams, IngestResult>(
						LOAD,
						{
							target: targetOf(server),
							board: boardDocumentName(BENCH_ORG, "main"),
							webhookUrl: `${server.url}${webhookUrl}`,
							secret,
							batch,
							concurrency,
							seconds,
							run: `b${batch}-r${repeat}`,
						},
						{
							log: ctx.log,
							onMark(name) {
								if (name === "start") watch.start();
								if (name === "sent") cpuMs = watch.stop().cpuMs;
							},
						},
					);
					const failed = Object.keys(result.failures).length > 0;
					if (failed) ctx.log(`ingest failures: ${JSON.stringify(result.failures)}`);
					// End to end: only what reached the board within the time counts.
					throughput.push(Math.min(result.accepted, result.onBoard) / (result.boardMs / 1000));
					requestP99.push(percentile(result.requestMs, 99));
					cpuPerMention.push(cpuMs / Math.max(1, result.accepted));
					accepted += result.accepted;
				}
				const check = await openStorage({ databaseUrl });
				try {
					stored = (await check.listMentions(BENCH_ORG, "main")).filter((stored) =>
						stored.mention.externalId.startsWith(`b${batch}-`),
					).length;
				} finally {
					await check.close();
				}
				const rate = median(throughput);
				const label = batch === 1 ? "one mention per request" : `batches of ${batch}`;
				ctx.log(
					`ingest, ${label}: ${rate?.toFixed(0)} mentions/s; ${stored} of ${accepted} accepted are in PostgreSQL`,
				);
				const row = (metric: string, unit: string, value: number | null, judged = {}) =>
					switchboardOnly(`${metric}, ${label}`, unit, value, judged);
				rows.push(
					row(
						`signed webhook mentions/s into PostgreSQL and the board (${seconds} s)`,
						"mentions/s",
						rate,
						{
							target: `>= ${TARGET.toLocaleString("en-GB")}/s`,
							met: rate === null ? null : rate >= TARGET,
						},
					),
					row("p99 request time", "ms", median(requestP99)),
					row("server CPU per mention", "ms", median(cpuPerMention)),
					row("accepted mentions missing from PostgreSQL", "count", accepted - stored, {
						target: "0",
						met: accepted === stored,
					}),
				);
			}
		} finally {
			await server.stop();
		}
		return rows;
	},
};

export default scenario;
