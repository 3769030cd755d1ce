/**
 * What passes between the board's replica (the Yjs document, its provider and its local
 * copy) and the client that shows it. In a browser the replica runs in a worker, so that
 * decoding a 6 MB first sync never blocks the page; in Node it runs beside the client.
 * Either way the client sees the same messages: plain data, structured-clone safe.
 */
import type { BoardSettings, MemberCard, Mention, SlaBreachEntry } from "@switchboard/domain";
import type { Me } from "./api.ts";
import type { PresenceView } from "./presence.ts";

/** What changed on the board since the last delta. */
export interface BoardDelta {
	/** Mentions that came or changed, and ids of those that went. */
	mentions?: { upsert: Mention[]; remove: string[] };
	/** The member cards, by name (the whole list). */
	members?: MemberCard[];
	settings?: BoardSettings;
	/** SLA breaches, newest first (the whole list). */
	breaches?: SlaBreachEntry[];
	presence?: PresenceView;
	/** The board has content: from the server's first sync or from the local copy. */
	ready?: true;
	/** More of the same change follows at once (a large one is sent in slices): hold it. */
	partial?: true;
}

/** From the replica to the client. */
export type BoardEvent =
	| { type: "delta"; delta: BoardDelta }
	/** Connected and authenticated for the board, or not. */
	| { type: "online"; online: boolean }
	/**
	 * What the board waits for before it is online: its state over HTTP (a slow phone's
	 * download is not a connection failing), or, once that is done or given up, the socket.
	 */
	| { type: "connecting"; waitingFor: "state" | "socket" }
	/** The server refused the board; the replica tries again later by itself. */
	| { type: "refused"; reason: string }
	/** A stateless message on the board (command answers, notices, notifications). */
	| { type: "stateless"; payload: string }
	/** The first sync message arrived: when (ms since the epoch) and how large it was. */
	| { type: "firstSync"; receivedAt: number; bytes: number }
	| { type: "storageError"; message: string };

/** From the client to the replica. */
export type BoardCall =
	| { type: "stateless"; payload: string }
	| { type: "presence"; viewing: string | null; typing: boolean }
	| { type: "connect" }
	| { type: "disconnect" }
	| { type: "destroy" };

/** What a replica needs to know; all of it structured-clone safe, for a worker. */
export interface BoardReplicaConfig {
	url: string;
	token: string;
	me: Me;
	boardId: string;
	/** The IndexedDB name of the board's local copy, or null to keep it in memory. */
	localName: string | null;
	/** Connect at the latest this long after start even if IndexedDB has not answered. */
	localLoadTimeoutMs: number;
	/**
	 * Load the board's state over HTTP (`GET /api/boards/:boardId/state`, compressed) when
	 * there is nothing of it here yet, before the socket's sync, which then carries only what
	 * changed since. Over the socket the whole board is one uncompressed message. @default true
	 */
	loadOverHttp?: boolean;
	/**
	 * At least this long between two deltas while the board keeps changing, in ms.
	 * @default BOARD_DELTA_INTERVAL_MS (100)
	 */
	deltaIntervalMs?: number;
	/**
	 * At most this many mentions per delta; a larger change (a first sync) goes in slices,
	 * each a task of its own on the receiving side. @default no limit
	 */
	sliceSize?: number;
}

/** The first message to a board worker. */
export interface BoardWorkerInit {
	type: "init";
	config: BoardReplicaConfig;
}
