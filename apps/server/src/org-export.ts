/**
 * An organisation takes its data away (issue 16): `GET /api/orgs/:orgId/export` (admins).
 * JSON is one document holding everything; CSV is one file per table (`part=`), which is
 * what a spreadsheet opens. Conversations are read a page at a time, newest first, and each
 * page is written before the next is read, so a large organisation's export never sits
 * whole in memory. What is left out on purpose: password hashes, sessions, source and
 * webhook secrets, connected accounts' credentials (none of them are read at all).
 * Every export is recorded in the audit log (`data.exported`).
 */
import {
	csvLine,
	draftDocumentName,
	draftText,
	type ExportPart,
	HttpRoutes,
	type Mention,
	readNotes,
} from "@switchboard/domain";
import type { Storage } from "@switchboard/storage";
import { readStoredDocument } from "@switchboard/sync";
import { Hono } from "hono";
import { auditRequest } from "./audit.ts";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";

/** Conversations read per query. */
const PAGE = 200;
/** The export's layout; bumped when a field changes meaning. */
const EXPORT_VERSION = 1;

export type ExportStorage = Pick<
	Storage,
	| "searchHistory"
	| "loadDocument"
	| "listMembers"
	| "listBoards"
	| "listSources"
	| "appendAuditEntries"
>;

interface Conversation {
	mention: Mention;
	draft: { text: string; notes: { id: string; authorId: string; text: string; at: string }[] };
}

/** Every conversation of the organisation with its draft, a page at a time. */
async function* conversations(storage: ExportStorage, orgId: string): AsyncGenerator<Conversation> {
	let before: { postedAt: string; id: string } | undefined;
	for (;;) {
		const page = await storage.searchHistory(orgId, { limit: PAGE, ...(before ? { before } : {}) });
		for (const { mention } of page) {
			const doc = await readStoredDocument(storage, draftDocumentName(orgId, mention.id));
			const notes = readNotes(doc).map(({ id, authorId, text, at }) => ({
				id,
				authorId,
				text,
				at,
			}));
			yield { mention, draft: { text: draftText(doc), notes } };
			doc.destroy();
		}
		const last = page.at(-1);
		if (page.length < PAGE || !last) return;
		before = { postedAt: last.mention.postedAt, id: last.mention.id };
	}
}

async function members(storage: ExportStorage, orgId: string) {
	// Named field by field: nothing secret can slip in if the record grows.
	return (await storage.listMembers(orgId)).map((m) => ({
		id: m.id,
		orgId: m.orgId,
		email: m.email,
		name: m.name,
		role: m.role,
		capacity: m.capacity,
		skills: m.skills,
		languages: m.languages,
		active: String(m.active),
	}));
}

async function sources(storage: ExportStorage, orgId: string) {
	return (await storage.listSources(orgId)).map((s) => ({
		id: s.id,
		orgId: s.orgId,
		boardId: s.boardId,
		kind: s.kind,
		name: s.name,
		config: s.config,
		enabled: s.enabled,
		createdAt: s.createdAt,
		updatedAt: s.updatedAt,
	}));
}

const COLUMNS: Record<ExportPart, string[]> = {
	conversations: [
		"id",
		"network",
		"external_id",
		"url",
		"author_handle",
		"author_name",
		"posted_at",
		"status",
		"priority",
		"tags",
		"owner_id",
		"reply_url",
		"reply_by",
		"reply_sent_at",
		"text",
		"draft_text",
	],
	messages: ["conversation_id", "position", "handle", "from_organisation", "posted_at", "text"],
	notes: ["conversation_id", "note_id", "author_id", "at", "text"],
	members: ["id", "email", "name", "role", "capacity", "active", "skills", "languages"],
	boards: ["id", "name"],
	sources: ["id", "board_id", "kind", "name", "enabled", "config", "created_at", "updated_at"],
};

/** The CSV rows of one part, as lines. */
async function* csvRows(
	storage: ExportStorage,
	orgId: string,
	part: ExportPart,
): AsyncGenerator<string> {
	yield csvLine(COLUMNS[part]);
	switch (part) {
		case "conversations":
		case "messages":
		case "notes":
			for await (const { mention: m, draft } of conversations(storage, orgId)) {
				if (part === "conversations") {
					yield csvLine([
						m.id,
						m.network,
						m.externalId,
						m.url,
						m.author.handle,
						m.author.name,
						m.postedAt,
						m.status,
						m.priority,
						m.tags.join("; "),
						m.owner?.memberId ?? null,
						m.reply?.url ?? null,
						m.reply?.by ?? null,
						m.reply?.sentAt ?? null,
						m.text,
						draft.text,
					]);
				} else if (part === "messages") {
					for (const [position, message] of m.thread.entries()) {
						yield csvLine([
							m.id,
							position + 1,
							message.handle,
							String(message.fromOrganisation),
							message.postedAt,
							message.text,
						]);
					}
				} else {
					for (const note of draft.notes) {
						yield csvLine([m.id, note.id, note.authorId, note.at, note.text]);
					}
				}
			}
			return;
		case "members":
			for (const m of await members(storage, orgId)) {
				yield csvLine([
					m.id,
					m.email,
					m.name,
					m.role,
					m.capacity,
					String(m.active),
					m.skills.join("; "),
					m.languages.join("; "),
				]);
			}
			return;
		case "boards":
			for (const b of await storage.listBoards(orgId)) yield csvLine([b.id, b.name]);
			return;
		case "sources":
			for (const s of await sources(storage, orgId)) {
				yield csvLine([
					s.id,
					s.boardId,
					s.kind,
					s.name,
					String(s.enabled),
					JSON.stringify(s.config),
					s.createdAt,
					s.updatedAt,
				]);
			}
			return;
	}
}

/** The JSON document, in pieces: the small lists first, then conversations one by one. */
async function* jsonPieces(storage: ExportStorage, orgId: string): AsyncGenerator<string> {
	const head = {
		format: "switchboard-export",
		version: EXPORT_VERSION,
		orgId,
		exportedAt: new Date().toISOString(),
		members: await members(storage, orgId),
		boards: await storage.listBoards(orgId),
		sources: await sources(storage, orgId),
	};
	yield `${JSON.stringify(head).slice(0, -1)},"conversations":[`;
	let first = true;
	for await (const { mention, draft } of conversations(storage, orgId)) {
		yield `${first ? "" : ","}\n${JSON.stringify({ ...mention, draft })}`;
		first = false;
	}
	yield "\n]}\n";
}

/**
 * The export as text pieces, produced as they are read: the JSON document, or one CSV part.
 * The HTTP route streams them to the browser, the CLI (`pnpm switchboard export`) to a file.
 */
export function exportPieces(
	storage: ExportStorage,
	orgId: string,
	format: "json" | "csv",
	part: ExportPart = "conversations",
): AsyncGenerator<string> {
	return format === "csv" ? csvRows(storage, orgId, part) : jsonPieces(storage, orgId);
}

/** A pull stream over pieces: the next is produced only when the client has read the last. */
function streamOf(pieces: AsyncGenerator<string>): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = await pieces.next();
			if (next.done) controller.close();
			else controller.enqueue(encoder.encode(next.value));
		},
		async cancel() {
			await pieces.return(undefined);
		},
	});
}

export function createExportApi(options: { storage: ExportStorage }): Hono<ApiEnv> {
	const { storage } = options;
	const app = new Hono<ApiEnv>();
	handle(app, HttpRoutes.orgExport, async (c, { params, query }) => {
		const { orgId } = params;
		const csv = query.format === "csv";
		await auditRequest(storage, c, {
			orgId,
			action: "data.exported",
			target: { type: "organisation", id: orgId },
			details: csv ? { format: "csv", part: query.part } : { format: "json" },
		});
		const day = new Date().toISOString().slice(0, 10);
		const body = streamOf(exportPieces(storage, orgId, query.format, query.part));
		if (csv) {
			return c.body(body, 200, {
				"content-type": "text/csv; charset=utf-8",
				"content-disposition": `attachment; filename="switchboard-${orgId}-${query.part}-${day}.csv"`,
			});
		}
		return c.body(body, 200, {
			"content-type": "application/json; charset=utf-8",
			"content-disposition": `attachment; filename="switchboard-${orgId}-${day}.json"`,
		});
	});
	return app;
}
