/**
 * Invitation emails through a real SMTP server (smtp-server, on a free port): each link
 * reaches its person, with the organisation in the subject. A server that never answers is
 * given up on within the mailer's bounds.
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer, type MailLink } from "./mailer.ts";
import { readMail, type SmtpCatcher, startSmtpCatcher } from "./smtp-catcher.ts";

let smtp: SmtpCatcher;

beforeAll(async () => {
	smtp = await startSmtpCatcher();
});

afterAll(async () => {
	await smtp.close();
});

/** A link for a mail server that will not take it. */
const toNobody: MailLink = {
	kind: "invite",
	email: "x@initech.test",
	url: "https://x.test/invite/c",
	expiresAt: "2026-12-09T08:00:00.000Z",
	orgName: "Initech",
};

/** Mails each of `links` through the catcher; what reached it, by recipient. */
async function sendThrough(links: MailLink[]): Promise<Map<string, ReturnType<typeof readMail>>> {
	const mailer = createMailer({
		smtpUrl: smtp.url,
		from: "Switchboard <switchboard@initech.test>",
		logger: pino({ level: "silent" }),
	});
	try {
		await mailer.sendLinks(links);
	} finally {
		mailer.close();
	}
	return new Map(
		links.map(({ email }) => {
			const raw = smtp.received.find((message) => message.to.includes(email));
			return [email, readMail(raw?.data ?? "")];
		}),
	);
}

describe("mailer", () => {
	it("mails each invitation and reset link to its person", async () => {
		const mailer = createMailer({
			smtpUrl: smtp.url,
			from: "Switchboard <switchboard@initech.test>",
			logger: pino({ level: "silent" }),
		});
		try {
			await mailer.sendLinks([
				{
					kind: "invite",
					email: "peter@initech.test",
					url: "https://switchboard.initech.test/invite/code-one",
					expiresAt: "2026-12-09T08:00:00.000Z",
					orgName: "Initech",
				},
				{
					kind: "reset",
					email: "nina@initech.test",
					url: "https://switchboard.initech.test/invite/code-two",
					expiresAt: "2026-12-03T08:00:00.000Z",
					orgName: "Initech",
				},
			]);
		} finally {
			mailer.close();
		}
		const byRecipient = new Map(smtp.received.map((message) => [message.to[0], message.data]));
		expect(byRecipient.get("peter@initech.test")).toMatch(/Subject: You are invited to Initech/);
		expect(byRecipient.get("peter@initech.test")).toContain("/invite/code-one");
		expect(byRecipient.get("nina@initech.test")).toMatch(
			/Subject: Choose a new Switchboard password/,
		);
		expect(byRecipient.get("nina@initech.test")).toContain("/invite/code-two");
	});

	it("says who invites and to which organisation, in the text part and the HTML part alike", async () => {
		const mails = await sendThrough([
			{
				kind: "invite",
				email: "milton@initech.test",
				url: "https://switchboard.initech.test/invite/code-three",
				expiresAt: "2026-12-09T08:00:00.000Z",
				orgName: "Initech <Software & Co>",
				invitedByName: "Bill Lumbergh",
			},
		]);
		const mail = mails.get("milton@initech.test") as ReturnType<typeof readMail>;
		expect(mail.subject).toBe(
			"Bill Lumbergh invites you to Initech <Software & Co> on Switchboard",
		);
		expect(mail.text).toContain(
			"Bill Lumbergh, an admin of Initech <Software & Co>, invites you to answer",
		);
		expect(mail.text).toContain("https://switchboard.initech.test/invite/code-three");
		// The same words in HTML, the names escaped (a name is not markup), the link a link.
		expect(mail.html).toContain(
			"Bill Lumbergh, an admin of Initech &lt;Software &amp; Co&gt;, invites you to answer",
		);
		expect(mail.html).toContain(
			'<a href="https://switchboard.initech.test/invite/code-three">https://switchboard.initech.test/invite/code-three</a>',
		);
		expect(mail.html).not.toContain("<Software");
	});

	it("tells a new organisation's first admin which organisation they run, in both parts", async () => {
		const mails = await sendThrough([
			{
				kind: "setup",
				email: "bill@initech.test",
				url: "https://switchboard.initech.test/invite/code-four",
				expiresAt: "2026-12-09T08:00:00.000Z",
				orgName: "Initech <Software & Co>",
			},
		]);
		const mail = mails.get("bill@initech.test") as ReturnType<typeof readMail>;
		expect(mail.subject).toBe("You are the first admin of Initech <Software & Co> on Switchboard");
		expect(mail.text).toContain(
			"Initech <Software & Co> has just been set up on Switchboard, with you as its first admin.",
		);
		expect(mail.text).toContain("https://switchboard.initech.test/invite/code-four");
		expect(mail.text).toContain("Then invite your colleagues from Admin → Members.");
		expect(mail.html).toContain(
			"Initech &lt;Software &amp; Co&gt; has just been set up on Switchboard, with you as its first admin.",
		);
		expect(mail.html).toContain(
			'<a href="https://switchboard.initech.test/invite/code-four">https://switchboard.initech.test/invite/code-four</a>',
		);
	});

	it("fails, naming how many, when the mail server refuses", async () => {
		const mailer = createMailer({
			smtpUrl: "smtp://127.0.0.1:1",
			from: "switchboard@initech.test",
			logger: pino({ level: "silent" }),
		});
		try {
			await expect(mailer.sendLinks([toNobody])).rejects.toThrow(/1 of 1 emails could not be sent/);
			// The first failure rides along, for a caller that shows why (switchboard setup).
			await expect(mailer.sendLinks([{ ...toNobody, kind: "setup" }])).rejects.toMatchObject({
				cause: { message: expect.stringMatching(/ECONNREFUSED/) },
			});
		} finally {
			mailer.close();
		}
	});

	it("gives up within its bound on a mail server that accepts and never answers, or stops answering", async () => {
		// One accepts and stays silent; the other greets, then never replies to EHLO.
		const sockets = new Set<Socket>();
		const silent = createServer((socket) => sockets.add(socket));
		const greetsOnly = createServer((socket) => {
			sockets.add(socket);
			socket.write("220 mail.initech.test ESMTP\r\n");
		});
		const url = async (server: Server) => {
			await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
			return `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
		};
		try {
			// Before the greeting, the greeting's bound and the socket's both run: each case
			// makes the other bound long, so that the one it names is the one that fires.
			for (const [server, timeouts, said] of [
				[
					silent,
					{ greetingMs: 300, socketMs: 20_000 },
					/the mail server 127\.0\.0\.1:\d+ did not greet within 0\.3 s/,
				],
				[
					greetsOnly,
					{ greetingMs: 20_000, socketMs: 300 },
					/the mail server 127\.0\.0\.1:\d+ did not answer within 0\.3 s/,
				],
			] as const) {
				const mailer = createMailer({
					smtpUrl: await url(server),
					from: "switchboard@initech.test",
					logger: pino({ level: "silent" }),
					timeouts: { connectionMs: 300, ...timeouts },
				});
				try {
					await expect(mailer.sendLinks([{ ...toNobody, kind: "setup" }])).rejects.toMatchObject({
						cause: { message: expect.stringMatching(said) },
					});
				} finally {
					mailer.close();
				}
			}
		} finally {
			for (const socket of sockets) socket.destroy();
			await Promise.all(
				[silent, greetsOnly].map(
					(server) => new Promise((resolve) => server.close(() => resolve(undefined))),
				),
			);
		}
	});
});
