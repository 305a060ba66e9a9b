// `ftstudio serve`: the app's UI and API on a local HTTP server for any browser.
import { fileURLToPath } from 'node:url';
import { NodeLauncher } from '../../jobs/node-launcher';
import { createAppServices } from '../../services/app-services';
import { onnxruntimeProbe } from '../../services/hardware/ort-providers';
import { removeApiEndpoint, writeApiEndpoint } from '../../services/api-endpoint';
import { defaultHome } from '../../services/paths';
import { defaultRendererDir, startServer } from '../../server/serve';
import { CliError, printResult, type CliContext } from '../output';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServeArgs { port?: string; host?: string; renderer?: string }

export async function serve(ctx: CliContext, args: ServeArgs): Promise<number> {
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer 0–65535, got ${JSON.stringify(args.port)}.`, 2);
  const home = defaultHome();
  const services = await createAppServices({ home, mode: 'serve', launcher: new NodeLauncher(), providers: onnxruntimeProbe });
  let server;
  try {
    server = await startServer({ services, rendererDir: args.renderer ?? defaultRendererDir(projectRoot), host: args.host, port });
  } catch (err) {
    await services.close();
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  // CLI commands on this home find the server here (0600: the token is this user's alone) and go through its API.
  writeApiEndpoint(home, { origin: server.origin, port: server.port, token: server.token, pid: process.pid });
  printResult(ctx, { url: server.url, port: server.port, home }, () => `Finetune Studio is serving at ${server.url}\n(The address carries this launch's access key: the API answers only pages opened from it. Keep it to yourself.)\nData folder: ${home}\nPress Ctrl+C to stop.`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  removeApiEndpoint(home);
  await server.close();
  await services.close();
  return 0;
}
