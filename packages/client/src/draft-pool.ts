/**
 * Open drafts, one provider per draft on the client's shared socket, shared by every view
 * that opens the same draft (reference counted) and kept in IndexedDB when wanted.
 *
 * A draft with local edits the server has not acknowledged ("unsent") is not let go when
 * its last view closes: it stays attached, held, until the server has them, so that edits
 * made offline reach the server on reconnect without the conversation being opened again.
 * Which drafts are unsent is also written down (`UnsentDrafts`), so after a reload the
 * client holds them again, and sign-out can tell that they would be lost.
 */
import { HocuspocusProvider, type HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import {
	type AppError,
	draftDocumentName,
	type MemberCard,
	trackDraftWriter,
} from "@switchboard/domain";
import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import type { DraftHandle, Me, Presence } from "./api.ts";
import { authError } from "./auth-errors.ts";
import {
	type DraftAwarenessState,
	derivePresence,
	draftStatesAsViews,
	IN_DRAFT,
	presenceUser,
} from "./presence.ts";
import type { UnsentDrafts } from "./unsent-drafts.ts";
import { ValueStore } from "./value-store.ts";

export interface DraftPoolOptions {
	socket: HocuspocusProviderWebsocket;
	token: string;
	me: Me;
	/** The IndexedDB database name for a document, or null to keep drafts in memory only. */
	localName: ((documentName: string) => string) | null;
	/** Called when a draft's count of unacknowledged edits changes, or a draft opens or closes. */
	onUnsyncedChange: () => void;
	/** Where the unsent drafts are written down between pages. @default nowhere */
	unsent?: UnsentDrafts;
	/** Attach to the socket at the latest this long after opening, even if IndexedDB is slow. */
	localLoadTimeoutMs: number;
	/** A draft the server refused (it then closes the shared socket). */
	onError: (error: AppError) => void;
	/** The board's card of a member, for the people in a conversation. @default none */
	memberCard?: (id: string) => MemberCard | undefined;
	/** IndexedDB failed under a draft. */
	onStorageError: (error: unknown) => void;
}

interface OpenDraft {
	mentionId: string;
	doc: Y.Doc;
	provider: HocuspocusProvider;
	persistence: IndexeddbPersistence | null;
	unsynced: ValueStore<number>;
	presence: ValueStore<Presence>;
	refs: number;
	closed: boolean;
	/** Refused by the server (and why): detached until opened again or the session renewed. */
	refused: "unauthorized" | "forbidden" | false;
	attachTimer: ReturnType<typeof setTimeout> | null;
	/** Stops watching for this client's first edit (which records who writes from it). */
	stopTracking: () => void;
	/** Local edits the server has not acknowledged yet. */
	unsent: boolean;
}

export class DraftPool {
	readonly #options: DraftPoolOptions;
	readonly #open = new Map<string, OpenDraft>();
	readonly #unsent: UnsentDrafts | null;
	/** Unsent drafts not open here (yet): written down by an earlier page. */
	readonly #unsentElsewhere: Set<string>;

	constructor(options: DraftPoolOptions) {
		this.#options = options;
		this.#unsent = options.unsent ?? null;
		this.#unsentElsewhere = new Set(this.#unsent?.load() ?? []);
	}

	/** Hold what an earlier page left unsent, so that it goes out on the next connection. */
	holdUnsent(): void {
		for (const mentionId of [...this.#unsentElsewhere]) this.#hold(mentionId);
	}

	/** Open (or share) the draft of a mention; every handle must be closed once. */
	open(mentionId: string): DraftHandle {
		let draft = this.#open.get(mentionId);
		if (!draft) {
			draft = this.#create(mentionId);
			this.#open.set(mentionId, draft);
			this.#options.onUnsyncedChange();
		} else if (draft.refused) {
			// Opening it again is the moment to ask again (the refusal may have been passing).
			draft.refused = false;
			draft.provider.attach();
		}
		draft.refs += 1;
		const shared = draft;
		let closed = false;
		return {
			mentionId,
			doc: shared.doc,
			provider: shared.provider,
			// The provider always has one: it is created without `awareness: null`.
			awareness: shared.provider.awareness!,
			unsynced: shared.unsynced,
			presence: shared.presence,
			setPresence: ({ here, typing }) => {
				if (closed) return;
				const awareness = shared.provider.awareness;
				const current = awareness?.getLocalState() as Partial<DraftAwarenessState> | null;
				if (!current || (current.here === here && current.typing === typing)) return;
				awareness?.setLocalState({ ...current, here, typing });
			},
			close: () => {
				if (closed) return;
				closed = true;
				shared.refs -= 1;
				// Unsent edits keep it attached (held) until the server has them.
				if (shared.refs === 0 && !shared.unsent) this.#close(shared);
			},
		};
	}

	/** How many drafts, open or held, have local edits the server has not acknowledged. */
	unsyncedCount(): number {
		let count = 0;
		for (const draft of this.#open.values()) if (draft.unsent) count += 1;
		return count;
	}

	/** Let go of every draft (their unsent edits stay in IndexedDB and in the list). */
	destroy(): void {
		for (const draft of [...this.#open.values()]) this.#close(draft);
	}

	/** Attach again the drafts refused for want of a session, once there is a new one. */
	retryUnauthorized(): void {
		for (const draft of this.#open.values()) {
			if (draft.refused !== "unauthorized") continue;
			draft.refused = false;
			draft.provider.attach();
		}
	}

	/** Keep a draft attached without a view until the server has its edits. */
	#hold(mentionId: string): void {
		if (this.#open.has(mentionId)) return;
		const draft = this.#create(mentionId);
		// Its edits were made by an earlier page: unsent until the server acknowledges a sync.
		draft.unsent = true;
		this.#open.set(mentionId, draft);
		this.#options.onUnsyncedChange();
	}

	#markUnsent(draft: OpenDraft, unsent: boolean): void {
		if (draft.unsent === unsent || draft.closed) return;
		draft.unsent = unsent;
		this.#saveUnsent();
		if (!unsent && draft.refs === 0) {
			// A held draft whose edits arrived: nothing keeps it open any more. Not from inside
			// the provider's own event.
			queueMicrotask(() => {
				if (draft.refs === 0 && !draft.unsent) this.#close(draft);
			});
			return;
		}
		this.#options.onUnsyncedChange();
	}

	#saveUnsent(): void {
		if (!this.#unsent) return;
		const ids = new Set<string>();
		for (const draft of this.#open.values()) if (draft.unsent) ids.add(draft.mentionId);
		for (const id of this.#unsentElsewhere) if (!this.#open.has(id)) ids.add(id);
		this.#unsent.save([...ids]);
	}

	#create(mentionId: string): OpenDraft {
		const { socket, token, me, localName } = this.#options;
		const name = draftDocumentName(me.orgId, mentionId);
		const doc = new Y.Doc();
		const provider = new HocuspocusProvider({
			websocketProvider: socket,
			name,
			document: doc,
			token,
		});
		// y-codemirror.next (and Tiptap's cursor extension) read `user.name` and `user.color`.
		// Nobody is `here` until a view of the conversation says so (the queue lists drafts).
		const mine: DraftAwarenessState = { user: presenceUser(me), here: false, typing: false };
		provider.awareness?.setLocalState(mine);
		const card = this.#options.memberCard ?? (() => undefined);
		const nobody: Presence = { viewers: [], typers: [] };
		const presence = new ValueStore<Presence>(nobody);
		provider.awareness?.on("change", () => {
			if (!provider.awareness) return;
			const views = draftStatesAsViews(provider.awareness.getStates());
			presence.set(derivePresence(views, me.id, card).presence.get(IN_DRAFT) ?? nobody);
		});
		const unsynced = new ValueStore(provider.unsyncedChanges);
		provider.on("unsyncedChanges", ({ number }: { number: number }) => {
			unsynced.set(number);
			// Zero only after the server acknowledged every update and the sync (whose step 2
			// carries what was written offline): nothing local is missing there any more.
			if (number === 0 && provider.isSynced) this.#markUnsent(draft, false);
			else this.#options.onUnsyncedChange();
		});
		provider.on("authenticationFailed", ({ reason }: { reason: string }) => {
			// The server closes the whole shared socket after a refusal. Left attached, the
			// draft would be refused again on every reconnect and take the board down each time.
			const error = authError(reason, name);
			draft.refused = error.kind === "forbidden" ? "forbidden" : "unauthorized";
			provider.detach();
			this.#options.onError(error);
			// Edits to a conversation this member may not write can never be sent: a held
			// draft lets them go. An ended session is different: they go after signing in again.
			if (error.kind === "forbidden" && draft.refs === 0) this.#markUnsent(draft, false);
		});
		const persistence = localName ? new IndexeddbPersistence(localName(name), doc) : null;
		// A local edit: any change that came neither from the server nor from IndexedDB.
		doc.on("update", (_update: Uint8Array, origin: unknown) => {
			if (origin !== provider && origin !== persistence) this.#markUnsent(draft, true);
		});
		const draft: OpenDraft = {
			mentionId,
			doc,
			provider,
			persistence,
			unsynced,
			presence,
			refs: 0,
			closed: false,
			refused: false,
			attachTimer: null,
			// Who wrote which part: this client records its member on its first edit.
			stopTracking: trackDraftWriter(doc, me.id),
			unsent: false,
		};
		// Attach once the local copy is in the document, so the first sync sends only what
		// the server lacks instead of the whole local history as one update.
		const attach = () => {
			if (draft.attachTimer) clearTimeout(draft.attachTimer);
			draft.attachTimer = null;
			if (!draft.closed && !draft.refused) provider.attach();
		};
		if (persistence) {
			void persistence.whenSynced.then(attach);
			draft.attachTimer = setTimeout(attach, this.#options.localLoadTimeoutMs);
		} else {
			attach();
		}
		return draft;
	}

	#close(draft: OpenDraft): void {
		if (draft.closed) return;
		draft.closed = true;
		this.#unsentElsewhere.delete(draft.mentionId);
		if (draft.unsent) this.#unsentElsewhere.add(draft.mentionId);
		if (draft.attachTimer) clearTimeout(draft.attachTimer);
		draft.stopTracking();
		this.#open.delete(draft.mentionId);
		// Edits already handed to the socket still reach the server: the close message
		// follows them on the same connection. Local ones not sent yet stay in IndexedDB.
		draft.provider.destroy();
		draft.persistence?.destroy().catch((error: unknown) => this.#options.onStorageError(error));
		draft.doc.destroy();
		draft.unsynced.clear();
		draft.presence.clear();
		this.#options.onUnsyncedChange();
	}
}
