/**
 * Hocuspocus with one change: when a document cannot be loaded for a client (the database
 * is down), the socket is closed with 4503 before Hocuspocus answers permission-denied.
 * A provider gives up on a document it was refused, while after a close it connects
 * again and sends what the server has not acknowledged.
 */
import { type ConnectionConfiguration, type Document, Hocuspocus } from "@hocuspocus/server";
import { CloseCodes } from "@switchboard/domain";
import type { SocketContext } from "./context.ts";

export class SwitchboardHocuspocus extends Hocuspocus<SocketContext> {
	override async createDocument(
		documentName: string,
		request: Request,
		socketId: string,
		connection: ConnectionConfiguration,
		context?: SocketContext,
	): Promise<Document> {
		try {
			return await super.createDocument(documentName, request, socketId, connection, context);
		} catch (error) {
			// Direct connections (the server itself) have no socket to close.
			context?.closeSocket?.(
				CloseCodes.unavailable.code,
				`${CloseCodes.unavailable.reason}: the document could not be loaded; connect again later`,
			);
			throw error;
		}
	}
}
