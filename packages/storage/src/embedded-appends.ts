/**
 * The document log's appends on the embedded PGlite: the statement every acknowledged edit
 * waits for. PGlite runs in the server's process, on its event loop, so the CPU an append
 * costs is time every socket waits. Through kysely and `PGlite.query` an append was six
 * calls into PostgreSQL (parse, describe, bind, describe, execute, sync), its text parsed
 * and planned again each time, with one text shape per batch size and every update sent as
 * hex text. Here it is one message of one prepared statement for every batch size, the
 * names and updates as two binary arrays. CPU per batch, appends in a loop on a data folder
 * (`process.cpuUsage`, bench/findings/02.md): one update 506–798 → 213–305 µs, three
 * 659–761 → 222–327 µs; fifty, the batch that forms behind a stall, 2,273–2,638 µs as a
 * statement text sent in one message → 1,230–1,428 µs.
 *
 * No advisory locks, unlike PostgreSQL's append (kysely-document-log.ts): PGlite has one
 * session, in which advisory locks never conflict, and its statements run one at a time.
 * What the locks guarantee on PostgreSQL (a load never misses an append that committed with
 * a lower id) holds because an append runs under both of PGlite's locks, as `PGlite.query`
 * does: kysely runs its transactions through `PGlite.transaction`, which holds the
 * transaction lock from BEGIN to COMMIT, so an append never runs inside a load's or a
 * compaction's transaction (nor rolls back with one).
 *
 * Durability is PGlite's, as for every other statement: the commit's WAL is written to the
 * folder's files before the statement returns, so an acknowledged update survives the
 * process being killed; PGlite runs PostgreSQL with fsync off (`-F`) and its Node file
 * system has no fsync, so an operating-system crash or a power cut may lose the last commits.
 */
import type { PGlite } from "@electric-sql/pglite";
import { protocol, messages as protocolMessages } from "@electric-sql/pglite";
import type { DocumentUpdate } from "./storage.ts";

const { serialize } = protocol;

const STATEMENT = "switchboard_append";
const TEXT = `insert into document_updates (name, update)
	select name, update from unnest($1::text[], $2::bytea[]) as entry(name, update)
	returning id`;
/** Type ids of the parameters: text[] and bytea[], and of their elements. */
const TEXT_ARRAY = 1009;
const BYTEA_ARRAY = 1001;
const TEXT_OID = 25;
const BYTEA_OID = 17;

const utf8 = new TextEncoder();

export class EmbeddedAppends {
	readonly #pglite: PGlite;
	/** Whether PGlite's session (as long as the database is open) has the statement. */
	#prepared = false;

	constructor(pglite: PGlite) {
		this.#pglite = pglite;
	}

	/** Append the entries in one statement; their log ids, ascending in input order. */
	appendUpdates(entries: DocumentUpdate[]): Promise<number[]> {
		const pglite = this.#pglite;
		return pglite._runExclusiveTransaction(() => pglite.runExclusive(() => this.#append(entries)));
	}

	async #append(entries: DocumentUpdate[]): Promise<number[]> {
		if (this.#pglite.closed) throw new Error("PGlite is closed");
		const parse = !this.#prepared;
		const names = binaryArray(
			TEXT_OID,
			entries.map((entry) => utf8.encode(entry.name)),
		);
		const updates = binaryArray(
			BYTEA_OID,
			entries.map((entry) => entry.update),
		);
		const message = concat([
			...(parse
				? [serialize.parse({ name: STATEMENT, text: TEXT, types: [TEXT_ARRAY, BYTEA_ARRAY] })]
				: []),
			serialize.bind({ statement: STATEMENT, values: [names, updates] }),
			serialize.execute({}),
			serialize.sync(),
		]);
		try {
			const { messages } = await this.#pglite.execProtocol(message);
			this.#prepared = true;
			const ids: number[] = [];
			for (const reply of messages) {
				if (reply instanceof protocolMessages.DataRowMessage) ids.push(Number(reply.fields[0]));
			}
			// Ids are drawn in the order unnest gives the rows; sorted, as on PostgreSQL.
			return ids.sort((a, b) => a - b);
		} catch (error) {
			if (parse) {
				// The parse may have succeeded before the bind or the execute failed: close the
				// name (not an error when it does not exist) so the next append parses it afresh.
				await this.#pglite
					.execProtocol(concat([serialize.close({ type: "S", name: STATEMENT }), serialize.sync()]))
					.catch(() => undefined);
			}
			throw error;
		}
	}
}

/** PostgreSQL's binary form of a one-dimensional array without nulls. */
function binaryArray(elementType: number, elements: Uint8Array[]): Uint8Array {
	const header = 20;
	const size = elements.reduce((total, element) => total + 4 + element.length, header);
	const bytes = new Uint8Array(size);
	const view = new DataView(bytes.buffer);
	view.setInt32(0, 1); // dimensions
	view.setInt32(4, 0); // no nulls
	view.setInt32(8, elementType);
	view.setInt32(12, elements.length);
	view.setInt32(16, 1); // lower bound
	let at = header;
	for (const element of elements) {
		view.setInt32(at, element.length);
		bytes.set(element, at + 4);
		at += 4 + element.length;
	}
	return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
	const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
	let at = 0;
	for (const part of parts) {
		message.set(part, at);
		at += part.length;
	}
	return message;
}
