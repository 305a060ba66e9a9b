// The ftstudio command line: parses arguments and runs one command over the same services as the app.
import { parseArgs } from 'node:util';
import { DATA_HELP, DATA_OPTIONS, dataCommand } from './commands/data';
import { doctor } from './commands/doctor';
import { ESTIMATE_OPTIONS, estimateCommand } from './commands/estimate';
import { EVAL_OPTIONS, evaluate } from './commands/eval';
import { EXPORT_OPTIONS, exportModel } from './commands/export';
import { serve } from './commands/serve';
import { TRAIN_OPTIONS, train } from './commands/train';
import { CliError, printError, type CliContext } from './output';

export const HELP = `ftstudio — Finetune Studio from the command line

Usage:
  ftstudio doctor [--json]                     this machine's CPU, memory, disk, GPUs and working execution providers
  ftstudio serve [--port N] [--host H] [--json] the app in any browser (default 127.0.0.1, a free port)
  ftstudio train [--config run.yaml] [flags]   LoRA fine-tuning in an engine process (Ctrl+C stops at a checkpoint)
  ftstudio train --resume OUT                  continues a run from its last checkpoint, with its run.json
  ftstudio eval --model DIR [--adapter DIR] --data FILE [--format F] [--max-seq-len N] [--batch-size N] [--threads N]
                                               {loss (mean over counted tokens), tokens, ppl}
  ftstudio export --run OUT --merged DIR       the run's adapter merged into its base model: a new Hugging Face folder
                                               (or --model DIR --adapter DIR instead of --run) in the base's dtype
  ftstudio estimate (--model DIR | --catalog-model NAME) [flags]   peak memory, fits/tight/OOM with fixes, time, energy, cost
  ftstudio estimate … --alternatives [--corpus-tokens N --shots K]   the run beside prompting, few-shot, RAG, P-tuning, full
  ftstudio data import|list|show|ops|records|clean|changes|restore|undo|mix|export …   datasets (below)
  ftstudio --help                              this text

Training flags (in run.yaml the same keys in snake_case, e.g. weight_decay: 0.01; a flag overrides the file):
  --model DIR --data FILE [--eval-data FILE]   model folder (config.json, *.safetensors, tokenizer.json) and data
                                               (chat/alpaca/text JSONL…, or pre-tokenized {"input_ids", "labels"})
  --format auto|openai|sharegpt|alpaca|text|tokens   default auto   --train-on-prompt  --packing
  --max-seq-len N   default min(1024, model positions); longer rows are an error unless --truncate
  --method lora|lora_plus|plora|ptuning|prefix|full   (lora)
  --rank 8 --alpha 16 --dropout 0 --targets all-linear|q_proj,v_proj,…  --lora-init gaussian|kaiming-uniform   (LoRA family)
  --use-rslora  scale alpha/√rank (rsLoRA)   --use-dora  a trained magnitude per output row (DoRA)
  --loraplus-ratio 16   with --method lora_plus (LoRA+): the B matrices learn at lr × this, A at lr; the adapter is plain LoRA
  --stages 2   with --method plora: LoRA in stages, each merged into the run's weights (OUT/plora/) before A is re-drawn
               and B zeroed; OUT/adapter is the sum of the stages as one rank stages×rank adapter, OUT/merged the model
  --virtual-tokens 20 --encoder mlp|lstm|none --encoder-hidden H (default: the model's hidden size)
               with --method ptuning (virtual tokens from a prompt encoder) or prefix (key/value prefixes in every
               layer; mlp = PEFT's prefix_projection); OUT/adapter is a PEFT prompt adapter (prompt_embeddings)
  --l2sp-lambda 0 --ewc-lambda 0 --ewc-data FILE --ewc-samples 64   with --method full: pull the weights toward the
               pre-trained ones (L2-SP), or weighted by a diagonal Fisher estimated on FILE (default: the training data)
               before the first step (EWC); lr defaults to 1e-5 and weight decay to 0.01; OUT/model is the new model
  --early-stopping N   stop after N evaluations without a lower eval loss (needs --eval-data and --eval-every)
  --init-adapter DIR  start from a PEFT adapter (its rank, alpha and targets must match the run's)
  --optim adamw|sgd (adamw) --lr 2e-4 (ptuning/prefix 1e-3, full 1e-5) --weight-decay 0 --betas 0.9,0.999 --eps 1e-8 --momentum 0 (sgd)
  --schedule constant|linear|cosine (linear) --warmup-steps 0 --max-grad-norm 1.0 (0 = off)
  --batch-size 1 --grad-accum 1 --steps N | --epochs 1 (steps = ceil(epochs × ceil(examples / batch) / grad-accum))
  --seed 42 --no-shuffle --eval-every 0 --save-every 0 (0 = at the end only) --threads N (default: all cores)
  --precision fp32|bf16|fp16|fp8 (fp32): mixed precision (autocast) with fp32 master weights; fp8: the decoder
              projections in fp8 (E4M3 forward, E5M2 gradients) with delayed per-tensor scaling, the rest bf16
  --fp8-margin 0 --fp8-amax-history 16   fp8's scale headroom (powers of two) and amax history window (steps)
  --loss-scale dynamic|none|N   default dynamic for fp16 (its gradients under 6e-8 become zero), none otherwise;
                                bf16 has fp32's exponent range and needs none. N: a static scale, e.g. 65536
  --emulate   run the precision emulated (fp32 math, rounded where autocast rounds), recorded in run.json; this
              CPU build always emulates fp16/bf16: a preview of a GPU run's numerics, not faster
  --provider cpu|webgpu|cuda|dml (cpu)   the execution provider the run computes on; checked before anything is
              written (one that does not work here is an error). With fp16 the matmuls run on its float16 kernels when
              the kernel probe finds them (WebGPU has them), the rest emulated; bf16 and fp8 run emulated everywhere
  --telemetry-every N   every N steps, log2 histograms of |gradients| and |weights| with their fp16/bf16/fp8
              underflow, subnormal and overflow shares into OUT/telemetry.jsonl (default 0 = off)
  --out DIR   the run folder (default $FTSTUDIO_HOME/runs/train-<time>); bad input leaves only OUT/error.json
  Exit codes: 0 completed, 1 failed (the reason is printed), 2 bad usage, 130 cancelled with Ctrl+C.

Estimate flags: --method lora|full --rank 8 --targets all-linear|q_proj,v_proj,… --dropout 0 --precision fp32|fp16|bf16
  --batch-size 1 --seq-len N --grad-accum 1 --checkpointing --optim adamw|sgd|sgd-momentum
  --device cpu|GPU (a catalog id, e.g. a100-80gb-sxm; --list-devices) --profile ours|pytorch-peft (ours)
  --tokens N --epochs 1 (ETA) --calibrate (time this CPU's MatMul, ≤ 10 s) --measured-run OUT (tokens/s of a run)
  --utilisation 0.35 --power-w W --price-kwh P --price-hour P --cuda-context-gb 0.5 --cpu-memory-gb N --threads N

${DATA_HELP}

Every command accepts --json and then prints one JSON document on stdout.
Data lives in $FTSTUDIO_HOME (default: the OS's per-user data folder, e.g. ~/.local/share/finetune-studio).`;

/** The options each command accepts besides --json/--help; parseArgs knows their union, this says who owns which. */
const COMMAND_OPTIONS: Record<string, Record<string, unknown>> = {
  doctor: {}, serve: { port: {}, host: {}, renderer: {} }, train: TRAIN_OPTIONS, eval: EVAL_OPTIONS, export: EXPORT_OPTIONS,
  estimate: ESTIMATE_OPTIONS, data: { ...DATA_OPTIONS, format: {}, seed: {}, out: {}, model: {}, 'max-seq-len': {}, threads: {} },
};

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
        ...TRAIN_OPTIONS,
        ...EVAL_OPTIONS,
        ...EXPORT_OPTIONS,
        ...ESTIMATE_OPTIONS,
        ...DATA_OPTIONS,
      },
    });
    const [command, ...rest] = positionals;
    if ((values.help && command !== 'data') || command === undefined || command === 'help') {
      ctx.stdout(ctx.json ? JSON.stringify({ help: HELP }) : HELP);
      return 0;
    }
    if (command === 'data') return await dataCommand(ctx, rest, values);
    // Only `data` has a repeatable option (--source); the check above refused it for every other command.
    const flags = values as Record<string, string | boolean | undefined>;
    if (rest.length) throw new CliError(`Unexpected argument ${JSON.stringify(rest[0])} after ${command}.`, 2);
    const foreign = Object.keys(values).find((k) => k !== 'json' && k !== 'help' && command in COMMAND_OPTIONS && !(k in COMMAND_OPTIONS[command]));
    if (foreign) throw new CliError(`${command} has no option --${foreign}. Run \`ftstudio --help\`.`, 2);
    switch (command) {
      case 'doctor':
        return await doctor(ctx);
      case 'serve':
        return await serve(ctx, { port: values.port, host: values.host, renderer: values.renderer });
      case 'train':
        return await train(ctx, flags);
      case 'eval':
        return await evaluate(ctx, flags);
      case 'export':
        return await exportModel(ctx, flags);
      case 'estimate':
        return await estimateCommand(ctx, flags);
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
