import type { AddressInfo } from 'node:net';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the server accepted: the envelope as sent, the message as mailparser reads it. */
export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
  /** lower-cased addresses of the To and Cc headers */
  to: string[];
  cc: string[];
  subject: string;
  messageId: string;
  html: string;
  text: string;
  raw: string;
}

export interface TestSmtp {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** every accepted message, in order of arrival */
  messages: ReceivedMail[];
  /** messages with the address among their envelope recipients */
  to: (address: string) => ReceivedMail[];
  /**
   * Refuse with `451` from now on: every message (no argument or `true`), or only those for the
   * recipients `which` matches. `refuse(false)` / `accept()` accepts everything again.
   */
  refuse: (which?: boolean | ((recipient: string) => boolean)) => void;
  accept: () => void;
  /** how many times a 451 was given */
  refusals: () => number;
  /** resolves with the messages once `n` of them (matching `filter`) have arrived */
  waitFor: (n: number, filter?: (m: ReceivedMail) => boolean, ms?: number) => Promise<ReceivedMail[]>;
  close: () => Promise<void>;
}

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));

function smtpError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A real SMTP server on 127.0.0.1 (any free port) that keeps what it accepts, parsed by mailparser. */
export async function startSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  let refusing: (recipient: string) => boolean = () => false;
  let refused = 0;
  const refuseNow = (recipients: string[]) => recipients.some((r) => refusing(r.toLowerCase()));

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    banner: 'target-monitor test SMTP',
    onRcptTo(address, _session, callback) {
      if (refuseNow([address.address])) {
        refused += 1;
        return callback(smtpError('4.3.0 Temporarily refusing mail (test)', 451));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        if (refuseNow(to)) {
          refused += 1;
          return callback(smtpError('4.3.0 Temporarily refusing mail (test)', 451));
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            messages.push({
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to },
              mail,
              to: addresses(mail.to),
              cc: addresses(mail.cc),
              subject: mail.subject ?? '',
              messageId: mail.messageId ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              text: mail.text ?? '',
              raw: raw.toString('utf8'),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {}); // a client dropping mid-session must not crash the tests
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  const refuse = (which: boolean | ((recipient: string) => boolean) = true) => {
    refusing = typeof which === 'function' ? which : () => which;
  };
  const to = (address: string) => messages.filter((m) => m.envelope.to.includes(address.toLowerCase()));

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to,
    refuse,
    accept: () => refuse(false),
    refusals: () => refused,
    waitFor: async (n, filter = () => true, ms = 15_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.filter(filter);
        if (found.length >= n) return found;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${n} message(s), have ${found.length}: ${JSON.stringify(messages.map((m) => [m.envelope.to, m.subject]))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
