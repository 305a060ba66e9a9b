// The ftstudio command line: parses arguments and runs one command over the same services as the app.
import { parseArgs } from 'node:util';
import { doctor } from './commands/doctor';
import { serve } from './commands/serve';
import { CliError, printError, type CliContext } from './output';

export const HELP = `ftstudio — Finetune Studio from the command line

Usage:
  ftstudio doctor [--json]                     this machine's CPU, memory, disk, GPUs and working execution providers
  ftstudio serve [--port N] [--host H] [--json] the app in any browser (default 127.0.0.1, a free port)
  ftstudio --help                              this text

Every command accepts --json and then prints one JSON document on stdout.
Data lives in $FTSTUDIO_HOME (default: the OS's per-user data folder, e.g. ~/.local/share/finetune-studio).
Coming with later versions: data, train, eval, export, estimate.`;

export async function runCli(argv: string[], io: Pick<CliContext, 'stdout' | 'stderr'>): Promise<number> {
  const ctx: CliContext = { json: argv.includes('--json'), ...io };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        host: { type: 'string' },
        renderer: { type: 'string' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      ctx.stdout(ctx.json ? JSON.stringify({ help: HELP }) : HELP);
      return 0;
    }
    if (rest.length) throw new CliError(`Unexpected argument ${JSON.stringify(rest[0])} after ${command}.`, 2);
    switch (command) {
      case 'doctor':
        return await doctor(ctx);
      case 'serve':
        return await serve(ctx, { port: values.port, host: values.host, renderer: values.renderer });
      default:
        throw new CliError(`Unknown command ${JSON.stringify(command)}. Run \`ftstudio --help\` for the list.`, 2);
    }
  } catch (err) {
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      return printError(ctx, new CliError(`${err.message}. Run \`ftstudio --help\`.`, 2));
    }
    return printError(ctx, err);
  }
}
