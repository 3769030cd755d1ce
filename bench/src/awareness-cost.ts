/**
 * What an awareness message costs the server's CPU to take in, Hocuspocus' way and
 * Switchboard's (seam 8 in packages/sync/src/hocuspocus-seams.ts), measured alone
 * (scenario 3, bench/findings/03.md). Both ways run `MessageReceiver.apply` on one board
 * document with a `beforeHandleAwareness` callback that edits every state, as the awareness
 * guard does; the messages come from a crowd of `--people`, each a new clock of one of
 * them, so that every message changes the document. The ways run in turns: `--warm`
 * unmeasured messages each, then `--rounds` rounds of `--messages`; CPU of this process
 * per message (`process.cpuUsage`, user + system, µs), each round.
 *
 *   node bench/src/awareness-cost.ts [--people 500] [--warm 5000] [--messages 20000] [--rounds 3]
 */
import { parseArgs } from "node:util";
import { Document, IncomingMessage, MessageReceiver, MessageType } from "@hocuspocus/server";
import { hocuspocusApply, readAwarenessDirectly } from "@switchboard/sync";
import * as encoding from "lib0/encoding";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";

const { values } = parseArgs({
	options: {
		people: { type: "string", default: "500" },
		warm: { type: "string", default: "5000" },
		messages: { type: "string", default: "20000" },
		rounds: { type: "string", default: "3" },
	},
});
const people = Number(values.people);

type Apply = NonNullable<ReturnType<typeof hocuspocusApply>>;

readAwarenessDirectly();
const original = hocuspocusApply();
if (!original) throw new Error("seam 8 is not installed");
const ways: Record<string, Apply> = {
	hocuspocus: original,
	switchboard: MessageReceiver.prototype.apply,
};

/** Each person's awareness, as their client keeps it. */
const crowd = Array.from({ length: people }, (_, i) => {
	const awareness = new Awareness(new Y.Doc());
	awareness.setLocalState({ user: { name: `Person ${i}`, color: "#3366aa" }, viewing: null });
	return awareness;
});
let turn = 0;

/** The next person's next state, framed as a client sends it. */
function nextFrame(address: string): Uint8Array {
	const awareness = crowd[turn % people] as Awareness;
	turn += 1;
	awareness.setLocalState({ ...awareness.getLocalState(), viewing: `mention-${turn % 97}` });
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, address);
	encoding.writeVarUint(encoder, MessageType.Awareness);
	encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [awareness.clientID]));
	return encoding.toUint8Array(encoder);
}

function board(): Document {
	const document = new Document("board/acme/main");
	document.beforeHandleAwareness(async (_document, states) => {
		for (const state of states.values()) state.user = { id: "member", name: "Member" };
	});
	return document;
}

async function run(apply: Apply, document: Document, count: number): Promise<number> {
	const frames = Array.from({ length: count }, () => nextFrame(document.name));
	const connection = { messageAddress: document.name, send: () => {} };
	const started = process.cpuUsage();
	for (const frame of frames) {
		const message = new IncomingMessage(frame);
		message.writeVarString(message.readVarString());
		await apply.call(new MessageReceiver(message), document, connection as never);
	}
	const used = process.cpuUsage(started);
	return (used.user + used.system) / count;
}

const documents: Record<string, Document> = { hocuspocus: board(), switchboard: board() };
for (const [name, apply] of Object.entries(ways)) {
	await run(apply, documents[name] as Document, Number(values.warm));
}
for (let round = 1; round <= Number(values.rounds); round++) {
	const figures: string[] = [];
	for (const [name, apply] of Object.entries(ways)) {
		const us = await run(apply, documents[name] as Document, Number(values.messages));
		figures.push(`${name} ${us.toFixed(1)} µs`);
	}
	console.log(`round ${round}: ${figures.join(", ")} of CPU per awareness message`);
}
for (const awareness of crowd) awareness.destroy();
for (const document of Object.values(documents)) document.destroy();
