/**
 * The `slope` command: train, evaluate, predict, export, bench, inspect, info. Usage errors print the usage and exit
 * with 2;
 * other errors print one line (the error's message) and exit with 1.
 */
import { setGpuProvider } from '../engine.js';
import { nodeGpu, releaseNodeGpu } from '../gpu/node.js';
import { setTuneCacheProvider } from '../backend/webgpu.js';
import { nodeTuneCache } from '../gpu/tune_cache_node.js';
import { SlopeError } from '../errors.js';
import { parseArgs, usage, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import { evaluateCommand, trainCommand, type Out } from './train.js';
import { infoCommand } from './info.js';
import { inspectCommand } from './inspect.js';
import { benchCommand } from './bench.js';
import { predictCommand } from './predict.js';
import { exportCommand } from './export.js';

setGpuProvider(() => nodeGpu(), releaseNodeGpu);
setTuneCacheProvider(nodeTuneCache);

export async function main(argv: readonly string[],
  io: Out = { out: (l) => console.log(l), err: process.stderr }): Promise<number> {
  try {
    const p = parseArgs(argv, COMMANDS);
    if (p.command === 'train') return await trainCommand(p, io);
    if (p.command === 'evaluate') await evaluateCommand(p, io);
    else if (p.command === 'inspect') await inspectCommand(p, io);
    else if (p.command === 'bench') await benchCommand(p, io);
    else if (p.command === 'predict') await predictCommand(p, io);
    else if (p.command === 'export') await exportCommand(p, io);
    else await infoCommand(p, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) io.err.write(`slope: ${e.message}\n\n`);
      io.err.write(usage(COMMANDS, e.command) + '\n');
      return e.message ? 2 : 0;
    }
    const msg = e instanceof SlopeError ? `${e.name}: ${e.message}` : (e as Error)?.stack ?? String(e);
    io.err.write(`slope: ${msg}\n`);
    return 1;
  }
}

const isEntry = typeof process !== 'undefined' && process.argv[1]
  && /(slope(\.js)?|main\.(js|ts))$/.test(process.argv[1]);
if (isEntry) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
