/**
 * A board's whole state for HTTP (`GET /api/boards/:boardId/state`), compressed.
 *
 * A new client's first sync over the socket is the board's whole state in one WebSocket
 * message, which is never compressed (`permessage-deflate` is off: it would cost every
 * presence message and every socket a zlib context). On a phone that message is most of
 * signing in: 447,687 bytes for the demo's 500 conversations, about 3.6 s of 6.3 s on Fast
 * 3G (bench/findings/10.md). A client with nothing of the board fetches this instead, then
 * attaches its provider, whose sync then carries only what changed in between.
 *
 * Compressed once per board version and encoding (`derivedFromState`, beside the encoded
 * state the socket's first syncs already share), off the main thread (zlib's pool), so a
 * whole team opening the board at nine compresses it once. A board that changes every second
 * would still be compressed for nearly every request, so a state made less than
 * `maxAgeMs` ago is served even when the board has changed since: the socket's sync that
 * follows brings a client whatever its state lacks, as it would from a local copy.
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import { boardDocumentName, withDefaults } from "@switchboard/domain";
import type { Logger } from "pino";
import type * as Y from "yjs";
import { derivedFromState } from "./encoded-state-cache.ts";

/** How a board's state goes out; the defaults are in `defaultBoardStatesTuning`. */
export interface BoardStatesTuning {
	/**
	 * Brotli's quality. 11 (its default) takes seconds for a large board; 5 compresses the
	 * demo board to about a fifth in a few milliseconds.
	 * @default 5
	 */
	brotliQuality: number;
	/** gzip's level, for a browser that does not take Brotli (plain http). @default 6 */
	gzipLevel: number;
	/** A state smaller than this goes as it is: not worth a compression. @default 1024 */
	minCompressBytes: number;
	/**
	 * How old a compressed state may be and still be served after the board changed: at most
	 * one compression per board and encoding in this time, whatever the rate of changes.
	 * @default 2000
	 */
	maxAgeMs: number;
}

export const defaultBoardStatesTuning: BoardStatesTuning = {
	brotliQuality: 5,
	gzipLevel: 6,
	minCompressBytes: 1024,
	maxAgeMs: 2_000,
};

/** The encodings a state goes out in, the one preferred first. */
export const StateEncodings = ["br", "gzip", "identity"] as const;
export type StateEncoding = (typeof StateEncodings)[number];

/** A board's state as it goes out: its bytes, and the encoding they are in. */
export interface BoardState {
	body: Uint8Array<ArrayBuffer>;
	encoding: StateEncoding;
	/** The state's own size, before compression. */
	bytes: number;
}

/** The latest state made of a board in one encoding, and when. */
interface MadeState {
	madeAt: number;
	state: Promise<BoardState>;
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export class BoardStates implements Extension {
	readonly extensionName = "switchboard-board-states";
	readonly #tuning: BoardStatesTuning;
	readonly #logger: Logger | undefined;
	#instance: Hocuspocus | null = null;
	/** Per loaded board, the latest state made in each encoding (gone with the document). */
	readonly #made = new WeakMap<object, Map<StateEncoding, MadeState>>();

	constructor(options: { logger?: Logger; tuning?: Partial<BoardStatesTuning> } = {}) {
		this.#tuning = withDefaults(defaultBoardStatesTuning, options.tuning);
		this.#logger = options.logger;
	}

	async onConfigure({ instance }: onConfigurePayload): Promise<void> {
		this.#instance = instance;
	}

	/**
	 * The board's state in `encoding` (or as it is, when small). The caller has checked that
	 * the member may open the board. A board nobody has open is loaded, and stays loaded until
	 * its debounced store, for the socket that follows.
	 */
	async read(orgId: string, boardId: string, encoding: StateEncoding): Promise<BoardState> {
		const instance = this.#instance;
		if (!instance) throw new Error("BoardStates is not configured by a Hocuspocus server.");
		const name = boardDocumentName(orgId, boardId);
		// A document in the map has loaded, its reconciliation with the database included.
		const loaded = instance.documents.get(name);
		const connection = loaded ? null : await instance.openDirectConnection(name);
		const document = loaded ?? connection?.document;
		try {
			if (!document) throw new Error(`board ${name} closed while its state was read`);
			return await this.#state(document, encoding);
		} finally {
			// Kept loaded until its debounced store, as a board write leaves it (BoardExtension).
			connection?.disconnect({ unloadImmediately: false }).catch((error: unknown) => {
				this.#logger?.error({ err: error, documentName: name }, "closing a board read failed");
			});
		}
	}

	/** The state made less than `maxAgeMs` ago, else this version's (made once). */
	#state(document: Y.Doc, encoding: StateEncoding): Promise<BoardState> {
		const made = this.#made.get(document) ?? new Map<StateEncoding, MadeState>();
		this.#made.set(document, made);
		const now = Date.now();
		const recent = made.get(encoding);
		if (recent && now - recent.madeAt < this.#tuning.maxAgeMs) return recent.state;
		const state = derivedFromState(document, `http:${encoding}`, (update) =>
			this.#encode(update, encoding),
		);
		// Made now, or this version's, which is the board as it is now: fresh either way.
		made.set(encoding, { madeAt: now, state });
		// A failed compression is not served again.
		state.catch(() => {
			if (made.get(encoding)?.state === state) made.delete(encoding);
		});
		return state;
	}

	async #encode(state: Uint8Array, encoding: StateEncoding): Promise<BoardState> {
		const bytes = state.byteLength;
		if (encoding === "identity" || bytes < this.#tuning.minCompressBytes) {
			// Yjs encodes into plain ArrayBuffers, never shared ones.
			return { body: state as Uint8Array<ArrayBuffer>, encoding: "identity", bytes };
		}
		const body =
			encoding === "br"
				? await brotli(state, {
						params: {
							[constants.BROTLI_PARAM_QUALITY]: this.#tuning.brotliQuality,
							[constants.BROTLI_PARAM_SIZE_HINT]: bytes,
						},
					})
				: await gzipped(state, { level: this.#tuning.gzipLevel });
		return { body, encoding, bytes };
	}
}
