/**
 * What the command-line tools can ask of the database, as named operations. A running
 * server runs them for the CLI over its admin channel (so imported mentions reach the live
 * board, and the embedded database has one writer); without a server, the CLI runs the
 * very same operations on the database it opens itself.
 */
import { MentionInputSchema, toIncomingMention, triageMention } from "@switchboard/connectors";
import {
	AppError,
	ExportParts,
	type InviteLink,
	MAX_INVITES_PER_REQUEST,
	type RejectedInvite,
} from "@switchboard/domain";
import { dumpEmbeddedDatabase, recordAudit, type Storage } from "@switchboard/storage";
import * as v from "valibot";
import type { AdminHandler, ByteStream } from "./admin-channel.ts";
import type { Ingestor } from "./ingest.ts";
import type { InvitationService, SetupMail } from "./invitations.ts";

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

/** Input schema of each operation. */
export const AdminInputs = {
	/** Who answers: the process and its storage. */
	status: v.object({}),
	/** Store a chunk of mentions through triage onto a board. */
	import: v.object({
		orgId: Id,
		boardId: Id,
		mentions: v.pipe(v.array(MentionInputSchema), v.maxLength(10_000)),
		/** Triage and count, store nothing. */
		dryRun: v.optional(v.boolean(), false),
	}),
	/** A backup of the embedded database (gzipped tar). */
	backup: v.object({}),
	/** An organisation's export, as `GET /api/orgs/:orgId/export` answers it, streamed. */
	export: v.object({
		orgId: Id,
		format: v.optional(v.picklist(["json", "csv"]), "json"),
		part: v.optional(v.picklist(ExportParts), "conversations"),
	}),
	/** A new organisation, its board `main`, and its first admin's one-time link. */
	setup: v.object({
		orgId: Id,
		name: v.pipe(
			v.string(),
			v.trim(),
			v.minLength(1, "--name must not be empty"),
			v.maxLength(200),
		),
		adminEmail: v.string(),
		adminName: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
	}),
	/** Invite a batch of people (rows of a CSV, with their lines). */
	invite: v.object({
		orgId: Id,
		rows: v.pipe(
			v.array(v.object({ value: v.unknown(), line: v.optional(v.number()) })),
			v.maxLength(MAX_INVITES_PER_REQUEST),
		),
		/** Store the good rows even when some are refused. */
		goodRowsOnly: v.optional(v.boolean(), false),
		/** Check every row, store nothing. */
		dryRun: v.optional(v.boolean(), false),
	}),
} as const;

export type AdminOperationName = keyof typeof AdminInputs;

export type AdminInput<K extends AdminOperationName> = v.InferInput<(typeof AdminInputs)[K]>;

export interface AdminStatus {
	pid: number;
	startedAt: string;
	storage: "pglite" | "postgres";
}

export interface AdminImportResult {
	accepted: number;
	duplicates: number;
	/** Mentions that joined a conversation already there (follow-ups, longer threads). */
	followUps: number;
	priorities: { high: number; normal: number; low: number };
}

/** What each operation answers. */
export interface AdminOutputs {
	status: AdminStatus;
	import: AdminImportResult;
	backup: Uint8Array;
	export: ByteStream;
	setup: InviteLink & { orgId: string; boardId: string; mail: SetupMail };
	invite: { invites: InviteLink[]; rejected: RejectedInvite[]; mailed: boolean };
}

export interface AdminOperationsOptions {
	storage: Storage;
	/** The server's ingest path (projecting onto live boards), or one without a board. */
	ingestor: Ingestor;
	invitations: InvitationService;
	/** Where the links point: PUBLIC_URL, else the server's own address. */
	baseUrl: string;
	startedAt: Date;
}

/** The operations over one storage, keyed by name, ready for `serveAdminChannel`. */
export function createAdminOperations(
	options: AdminOperationsOptions,
): Record<AdminOperationName, AdminHandler> {
	const { storage, ingestor, invitations, baseUrl } = options;
	const operations: {
		[K in AdminOperationName]: {
			input: (typeof AdminInputs)[K];
			run(input: v.InferOutput<(typeof AdminInputs)[K]>): Promise<AdminOutputs[K]>;
		};
	} = {
		status: {
			input: AdminInputs.status,
			async run() {
				return {
					pid: process.pid,
					startedAt: options.startedAt.toISOString(),
					storage: storage.dialect,
				};
			},
		},
		import: {
			input: AdminInputs.import,
			async run({ orgId, boardId, mentions, dryRun }) {
				if (!(await storage.getOrganisation(orgId))) {
					throw new AppError("not_found", `No organisation ${orgId}.`);
				}
				if (!(await storage.getBoard(orgId, boardId))) {
					throw new AppError("not_found", `Organisation ${orgId} has no board ${boardId}.`);
				}
				const now = new Date();
				const priorities = { high: 0, normal: 0, low: 0 };
				if (dryRun) {
					const rules = await storage.getTriageRules(orgId);
					for (const mention of mentions) {
						priorities[triageMention(toIncomingMention(mention, now), rules).priority]++;
					}
					return { accepted: 0, duplicates: 0, followUps: 0, priorities };
				}
				const result = await ingestor.ingest(
					orgId,
					boardId,
					mentions.map((mention) => toIncomingMention(mention, now)),
					now,
				);
				for (const { mention } of result.stored) priorities[mention.priority]++;
				return {
					accepted: result.accepted,
					duplicates: result.duplicates,
					followUps: result.followUps,
					priorities,
				};
			},
		},
		backup: {
			input: AdminInputs.backup,
			async run() {
				if (storage.dialect !== "pglite") {
					throw new AppError(
						"invalid",
						"The database is PostgreSQL: back it up with pg_dump (see docs/OPERATIONS.md).",
					);
				}
				return dumpEmbeddedDatabase(storage);
			},
		},
		export: {
			input: AdminInputs.export,
			async run({ orgId, format, part }) {
				if (!(await storage.getOrganisation(orgId))) {
					throw new AppError("not_found", `No organisation ${orgId}.`);
				}
				await recordAudit(storage, {
					orgId,
					actor: { kind: "cli" },
					action: "data.exported",
					target: { type: "organisation", id: orgId },
					details: format === "csv" ? { format, part } : { format },
				});
				// Loaded here: the export's module brings the sync package and the HTTP router,
				// which an import or an invitation from the command line does not need.
				const { exportPieces } = await import("./org-export.ts");
				return encoded(exportPieces(storage, orgId, format, part));
			},
		},
		setup: {
			input: AdminInputs.setup,
			async run({ orgId, name, adminEmail, adminName }) {
				const link = await invitations.setup({
					orgId,
					name,
					adminEmail,
					...(adminName ? { adminName } : {}),
					baseUrl,
				});
				return { ...link, orgId, boardId: "main" };
			},
		},
		invite: {
			input: AdminInputs.invite,
			async run({ orgId, rows, goodRowsOnly, dryRun }) {
				const batch = rows.map((row) => ({
					value: row.value,
					...(row.line !== undefined ? { line: row.line } : {}),
				}));
				if (dryRun) {
					const { rejected } = await invitations.check(orgId, batch);
					return { invites: [], rejected, mailed: false };
				}
				return invitations.invite(orgId, batch, { baseUrl, invitedBy: null, goodRowsOnly });
			},
		},
	};
	return operations as Record<AdminOperationName, AdminHandler>;
}

async function* encoded(pieces: AsyncIterable<string>): ByteStream {
	const encoder = new TextEncoder();
	for await (const piece of pieces) yield encoder.encode(piece);
}
