// How CLI commands speak: JSON on stdout with --json, readable lines otherwise; errors on stderr with an exit code.

export interface CliContext {
  json: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export function printResult(ctx: CliContext, value: unknown, human: () => string): void {
  ctx.stdout(ctx.json ? JSON.stringify(value, null, 2) : human());
}

export function printError(ctx: CliContext, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof CliError ? err.exitCode : 1;
  if (ctx.json) ctx.stdout(JSON.stringify({ error: { message } }));
  else ctx.stderr(`ftstudio: ${message}`);
  return code;
}
