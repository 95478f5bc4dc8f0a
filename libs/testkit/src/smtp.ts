import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './wait';

export interface ReceivedMail {
  envelopeFrom: string | false;
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** While true, every message is refused with a 451 (temporary failure). */
  setRefusing(refusing: boolean): void;
  /** Down: the port refuses connections (open ones are closed); up: it listens again. */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps and parses what it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  let refusing = false;
  const listen = async () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Connections still open when the server closes are dropped after this.
      closeTimeout: 200,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (refusing) {
            const err = Object.assign(new Error('try again later'), { responseCode: 451 });
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              messages.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                parsed,
                raw,
              });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server: SMTPServer | undefined = await listen();
  const close = async () => {
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    setRefusing: (value) => (refusing = value),
    async setDown(down) {
      if (down) await close();
      else if (!server) server = await listen();
    },
    close,
  };
}
