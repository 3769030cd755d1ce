/**
 * Open drafts, one provider per draft on the client's shared socket, shared by every view
 * that opens the same draft (reference counted) and kept in IndexedDB when wanted.
 */
import { HocuspocusProvider, type HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { type AppError, draftDocumentName, trackDraftWriter } from "@switchboard/domain";
import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import type { DraftHandle, Me } from "./api.ts";
import { authError } from "./auth-errors.ts";
import { presenceUser } from "./presence.ts";
import { ValueStore } from "./value-store.ts";

export interface DraftPoolOptions {
	socket: HocuspocusProviderWebsocket;
	token: string;
	me: Me;
	/** The IndexedDB database name for a document, or null to keep drafts in memory only. */
	localName: ((documentName: string) => string) | null;
	/** Called when a draft's count of unacknowledged edits changes, or a draft opens or closes. */
	onUnsyncedChange: () => void;
	/** Attach to the socket at the latest this long after opening, even if IndexedDB is slow. */
	localLoadTimeoutMs: number;
	/** A draft the server refused (it then closes the shared socket). */
	onError: (error: AppError) => void;
	/** IndexedDB failed under a draft. */
	onStorageError: (error: unknown) => void;
}

interface OpenDraft {
	mentionId: string;
	doc: Y.Doc;
	provider: HocuspocusProvider;
	persistence: IndexeddbPersistence | null;
	unsynced: ValueStore<number>;
	refs: number;
	closed: boolean;
	/** Refused by the server: detached until opened again. */
	refused: boolean;
	attachTimer: ReturnType<typeof setTimeout> | null;
	/** Stops watching for this client's first edit (which records who writes from it). */
	stopTracking: () => void;
}

export class DraftPool {
	readonly #options: DraftPoolOptions;
	readonly #open = new Map<string, OpenDraft>();

	constructor(options: DraftPoolOptions) {
		this.#options = options;
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
			close: () => {
				if (closed) return;
				closed = true;
				shared.refs -= 1;
				if (shared.refs === 0) this.#close(shared);
			},
		};
	}

	/** How many open drafts hold edits the server has not acknowledged. */
	unsyncedCount(): number {
		let count = 0;
		for (const draft of this.#open.values()) if (draft.unsynced.get() > 0) count += 1;
		return count;
	}

	destroy(): void {
		for (const draft of [...this.#open.values()]) this.#close(draft);
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
		provider.awareness?.setLocalStateField("user", presenceUser(me));
		const unsynced = new ValueStore(provider.unsyncedChanges);
		provider.on("unsyncedChanges", ({ number }: { number: number }) => {
			unsynced.set(number);
			this.#options.onUnsyncedChange();
		});
		provider.on("authenticationFailed", ({ reason }: { reason: string }) => {
			// The server closes the whole shared socket after a refusal. Left attached, the
			// draft would be refused again on every reconnect and take the board down each time.
			draft.refused = true;
			provider.detach();
			this.#options.onError(authError(reason, name));
		});
		const persistence = localName ? new IndexeddbPersistence(localName(name), doc) : null;
		const draft: OpenDraft = {
			mentionId,
			doc,
			provider,
			persistence,
			unsynced,
			refs: 0,
			closed: false,
			refused: false,
			attachTimer: null,
			// Who wrote which part: this client records its member on its first edit.
			stopTracking: trackDraftWriter(doc, me.id),
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
		if (draft.attachTimer) clearTimeout(draft.attachTimer);
		draft.stopTracking();
		this.#open.delete(draft.mentionId);
		// Edits already handed to the socket still reach the server: the close message
		// follows them on the same connection. Local ones not sent yet stay in IndexedDB.
		draft.provider.destroy();
		draft.persistence?.destroy().catch((error: unknown) => this.#options.onStorageError(error));
		draft.doc.destroy();
		draft.unsynced.clear();
		this.#options.onUnsyncedChange();
	}
}
