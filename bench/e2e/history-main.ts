/**
 * Loads the history in a process of its own (run by targets.ts), so that the memory it takes is
 * given back before anything is measured. Input: one JSON line on stdin, a HistoryTarget with
 * the signing key as base64 PKCS#8 DER, and the number of past checkouts.
 */
import { createPrivateKey } from 'node:crypto';
import { loadHistory, type HistoryTarget } from './history';

interface Input extends Omit<HistoryTarget, 'signingKey'> {
  count: number;
  signingKeyBase64: string;
}

async function main(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const { count, signingKeyBase64, ...rest } = JSON.parse(text) as Input;
  const signingKey = createPrivateKey({
    key: Buffer.from(signingKeyBase64, 'base64'),
    format: 'der',
    type: 'pkcs8',
  });
  await loadHistory(count, { ...rest, signingKey });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
