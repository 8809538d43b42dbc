/** Everything on stdin, as UTF-8 text (a command's input piped in: `secret set NAME < file`, `stack import -`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
