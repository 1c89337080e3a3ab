import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

// Passwords and passphrases on the command line are asked for, never taken
// as arguments (shell history, process lists). On a terminal nothing typed
// is echoed; from a pipe each answer is the next line (scripted set-up).

let piped: AsyncIterator<string> | null = null;

export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    piped ??= createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
    process.stderr.write(question);
    const next = await piped.next();
    process.stderr.write('\n');
    if (next.done) throw new Error(`no answer on standard input for "${question.trim()}"`);
    return next.value;
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => {
        process.stderr.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  } finally {
    rl.close();
  }
}
