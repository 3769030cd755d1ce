/**
 * Keyset paging for the HTTP lists (mentions, history, members, invitations). A cursor is
 * opaque to callers: the last row's sort key and id, the order the list is kept in, so a
 * page never repeats or skips a row. The list is asked for one row more than the page:
 * that row tells whether another page follows.
 */
import { AppError } from "@switchboard/domain";
import type { PageAfter } from "@switchboard/storage";

export function encodeCursor(end: PageAfter): string {
	return Buffer.from(JSON.stringify([end.key, end.id])).toString("base64url");
}

/** The page end a cursor names; 400 when it is not one `encodeCursor` made (or its key fails `isKey`). */
export function decodeCursor(
	cursor: string,
	isKey: (key: string) => boolean = () => true,
): PageAfter {
	try {
		const [key, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
		if (typeof key === "string" && typeof id === "string" && isKey(key)) return { key, id };
	} catch {
		// Falls through to the refusal below.
	}
	throw new AppError("invalid", "cursor: not a cursor of this list; pass nextCursor as it came.");
}

export interface PageRequest {
	/** `nextCursor` of the page before; none for the first page. */
	cursor?: string | undefined;
	limit: number;
}

/**
 * One page of a list: `list` is asked for `limit + 1` rows after the cursor's end (if
 * any); `endOf` says where a page ending at a row ends, `isKey` which sort keys a cursor
 * may carry.
 */
export async function fetchPage<T>(
	request: PageRequest,
	list: (after: PageAfter | undefined, limit: number) => Promise<T[]>,
	endOf: (row: T) => PageAfter,
	isKey?: (key: string) => boolean,
): Promise<{ page: T[]; nextCursor: string | null }> {
	const after = request.cursor ? decodeCursor(request.cursor, isKey) : undefined;
	const rows = await list(after, request.limit + 1);
	const page = rows.slice(0, request.limit);
	const last = page.at(-1);
	return {
		page,
		nextCursor: rows.length > request.limit && last ? encodeCursor(endOf(last)) : null,
	};
}
